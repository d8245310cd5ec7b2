"""``appaccess inventory fetch --dry-run``: the calls a fetch would make, from what the workspace holds.

No network and no write: the counts come from the spaces already stored (the listing takes
250 a page), the fetch state of an unfinished run, and the content ids the traffic names
that the inventory does not know, grouped by their first look-up. Later look-ups (ids of
unknown type not found by the first, containers of attachments and comments) can only be
bounded, and are listed as notes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from analyzer.connectors import store
from analyzer.connectors.confluence import credentials_from_env
from analyzer.connectors.fetch import LEVELS_PATH, FetchOptions, normalise_site
from analyzer.connectors.lookups import BATCH_SIZE, Kind, chain, next_kind
from analyzer.errors import UsageError
from analyzer.output import Frame
from analyzer.workspace import Workspace


@dataclass(frozen=True)
class FetchPlan:
    """What a fetch would do (``--dry-run``): calls per step, without making any."""

    site: str
    auth: str
    rows: tuple[tuple[str, int | None, int, str], ...]  # step, ids or spaces, calls, note

    @property
    def calls(self) -> int:
        return sum(r[2] for r in self.rows)

    def frame(self) -> Frame:
        return Frame(("step", "items", "calls", "note"), self.rows,
                     title=f"Calls `appaccess inventory fetch {self.site}` would make",
                     caption=f"at least {self.calls} calls; credentials: {self.auth}")



def plan(ws: Workspace, site: str, options: FetchOptions = FetchOptions(), *,
         env: Mapping[str, str] | None = None) -> FetchPlan:
    """The calls a fetch of ``site`` would make now, from what the workspace holds (no network)."""
    site = normalise_site(site)
    try:
        credentials = credentials_from_env(os.environ if env is None else env)
        auth = f"{credentials.scheme} auth from {credentials.source}"
    except UsageError as error:
        auth = f"none usable ({error.message})"
    state = store.current_run(ws, site)
    cloud_id = store.known_cloud_id(ws, site)
    known_spaces = store.space_count(ws, site)
    rows: list[tuple[str, int | None, int, str]] = [
        ("cloud id", None, 0 if cloud_id else 1, f"known: {cloud_id}" if cloud_id else "GET /_edge/tenant_info")]
    if state is not None and state.spaces_done:
        rows.append(("spaces", known_spaces, 0, "already listed by the unfinished fetch, which resumes"))
    else:
        rows.append(("spaces", known_spaces or None, max(1, math.ceil(known_spaces / BATCH_SIZE)),
                     f"GET /wiki/api/v2/spaces, {BATCH_SIZE} a page; estimated from the spaces stored"))
    classified = state.classified if state is not None else None
    if classified is None:
        rows.append(("classification levels", None, 1, f"GET {LEVELS_PATH}"))
    if classified is not False:
        todo = len(store.spaces_to_classify(ws, state)) if state is not None and state.spaces_done else known_spaces
        rows.append(("default classification", todo, todo,
                     "one call per space, only if the site has classification levels"))
    items = store.unresolved(ws, site, cloud_id)
    first: dict[str, tuple[Kind, int]] = {}
    further = 0
    for item in items:
        kind = next_kind(item.content_id, item.hint, item.tried, options.custom_content_types)
        if kind is None:
            continue
        count = first.get(kind.name, (kind, 0))[1]
        first[kind.name] = (kind, count + 1)
        remaining = [k for k in chain(item.hint, options.custom_content_types)
                     if k.name not in item.tried and k.accepts(item.content_id)]
        further += max(0, len(remaining) - 1)
    for name, (kind, count) in first.items():
        calls = math.ceil(count / BATCH_SIZE) if kind.batched else count
        how = f"GET {kind.path}?id=..., {BATCH_SIZE} ids a call" if kind.batched else f"GET {kind.path}"
        rows.append((f"content: {name}", count, calls, how))
    if further:
        rows.append(("content: next look-ups", None, 0, f"up to {further} more single look-ups for ids of unknown "
                                                         "type that the first look-up does not find"))
    if items:
        rows.append(("content: containers", None, 0, "plus the pages of attachments and comments whose space "
                                                     "only their container tells"))
    if cloud_id is None:
        rows.append(("gateway traffic", None, 0, "ids called through api.atlassian.com count once the cloud id "
                                                 "is known"))
    return FetchPlan(site, auth, tuple(rows))

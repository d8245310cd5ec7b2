"""``appaccess inventory fetch``: one site's inventory from the Confluence Cloud REST API.

In order: the site's cloud id (``GET /_edge/tenant_info``, skipped when known), every space
(``GET /wiki/api/v2/spaces``, 250 a page, following ``_links.next``), each space's default
classification level when the site has classification levels, then only the content ids
the workspace's traffic references and the inventory does not know (see
:mod:`analyzer.connectors.lookups`), round after round until containers are known too.

Each answer is committed with the state that says it was received (see
:mod:`analyzer.connectors.store`), so a fetch stopped by an error, Ctrl-C or a kill
resumes with the next call. A few calls run at once on worker threads; only the main
thread writes to the workspace. Decisions are refreshed at the end (also after an error).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from analyzer.connectors import store
from analyzer.connectors.confluence import ConfluenceClient, Timing, credentials_from_env
from analyzer.connectors.lookups import BATCH_SIZE, Found, Kind, next_kind, parse
from analyzer.errors import RemoteError, UsageError
from analyzer.workspace import Workspace

SPACES_PATH = f"/wiki/api/v2/spaces?limit={BATCH_SIZE}"
LEVELS_PATH = "/wiki/api/v2/classification-levels"
DEFAULT_LEVEL_PATH = "/wiki/api/v2/spaces/{id}/classification-level/default"
DEFAULT_CONCURRENCY = 4
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class FetchOptions:
    """How to fetch: where to send the calls, how many at once, which custom content types to batch."""

    api_base: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    custom_content_types: tuple[str, ...] = ()
    timing: Timing | None = None


@dataclass(frozen=True)
class FetchProgress:
    """Where a fetch is, for a progress bar."""

    phase: str          # cloud id | spaces | classifications | content
    calls: int          # HTTP calls made by this invocation (retries included)
    done: int           # units of the phase done: spaces stored, spaces classified, ids settled
    total: int | None   # units of the phase, when known
    ids_left: int       # content ids still to resolve


ProgressFn = Callable[[FetchProgress], None]


@dataclass(frozen=True)
class FetchResult:
    """What one invocation of the fetch did."""

    site: str
    cloud_id: str
    resumed: bool
    calls: int                      # this invocation
    run_calls: int                  # the whole run, earlier interrupted invocations included
    spaces: int
    classified: bool | None         # the site has classification levels
    classifications: int            # default classification levels asked for
    content_found: int
    content_missing: int
    content_no_space: int
    decisions_before: dict[str, int]
    decisions_after: dict[str, int]
    warnings: tuple[str, ...]
    seconds: float


def normalise_site(site: str) -> str:
    """``https://acme.atlassian.net/wiki/`` -> ``acme.atlassian.net``."""
    text = site.strip().lower()
    host = (urlsplit(text).hostname or "") if "://" in text else text.split("/")[0].split(":")[0]
    if not _HOST.fullmatch(host):
        raise UsageError(f"{site!r} is not a site host name", hint="e.g. appaccess inventory fetch acme.atlassian.net")
    return host


def _page(body: Any, what: str) -> tuple[list[Any], str | None]:
    """The ``results`` of a list answer and its ``_links.next``."""
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise RemoteError(f"unexpected answer to GET {what}: no `results` list",
                          hint="is --api-base a Confluence Cloud REST API?")
    links = body.get("_links") if isinstance(body.get("_links"), dict) else {}
    following = links.get("next")
    return body["results"], str(following) if following else None


def _parallel(tasks: Iterable[T], work: Callable[[T], R], on_result: Callable[[T, R], None],
              concurrency: int) -> None:
    """Run ``work`` on a few threads, ``on_result`` on this one as each finishes.

    At most ``concurrency`` tasks are in flight; after the first failure no new task starts,
    the ones in flight finish (their results are kept), then the failure is raised.
    """
    pending: dict[Future[R], T] = {}
    source = iter(tasks)
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="confluence") as pool:
        try:
            while True:
                while failure is None and len(pending) < concurrency:
                    task = next(source, None)
                    if task is None:
                        break
                    pending[pool.submit(work, task)] = task
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    try:
                        result = future.result()
                    except Exception as error:
                        failure = failure or error
                        continue
                    try:
                        on_result(task, result)
                    except Exception as error:
                        failure = failure or error
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    if failure is not None:
        raise failure


@dataclass
class _Fetch:
    """One invocation: the client, the run, counters, and the phases in order."""

    ws: Workspace
    client: ConfluenceClient
    run: store.Run
    options: FetchOptions
    progress: ProgressFn | None
    recorded_calls: int = 0
    spaces: int = 0
    classifications: int = 0
    found: int = 0
    missing: int = 0
    no_space: int = 0
    total_ids: int = 0
    settled_ids: int = 0
    warnings: list[str] = field(default_factory=list)

    def new_calls(self) -> int:
        """Calls made since the last commit (each commit adds them to the run's count)."""
        calls = self.client.calls
        new, self.recorded_calls = calls - self.recorded_calls, calls
        return new

    def report(self, phase: str, done: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(FetchProgress(phase, self.client.calls, done, total, self.total_ids - self.settled_ids))

    # -- phases ----------------------------------------------------------------------------
    def cloud_id(self) -> str:
        site = self.run.site
        cloud_id = store.known_cloud_id(self.ws, site)
        if cloud_id is None:
            self.report("cloud id", 0, 1)
            cloud_id = self.client.tenant_info()
            store.save_site(self.ws, site, cloud_id, self.new_calls())
        self.client.use_cloud_id(cloud_id)
        return cloud_id

    def list_spaces(self) -> None:
        if self.run.spaces_done:
            return
        path: str | None = self.run.spaces_next or SPACES_PATH
        while path is not None:
            self.report("spaces", self.spaces, None)
            results, following = _page(self.client.get_json(path), "/wiki/api/v2/spaces")
            if following == path:
                raise RemoteError("the spaces listing links to itself as its next page")
            self.spaces += store.save_spaces_page(self.ws, self.run, results, following, self.new_calls())
            path = following
        self.report("spaces", self.spaces, self.spaces)

    def classify_spaces(self) -> bool | None:
        classified = self.run.classified
        if classified is None:
            status, levels = self.client.get(LEVELS_PATH, missing_ok=(403, 404))
            classified = isinstance(levels, list) and len(levels) > 0
            if status == 403:
                self.warnings.append("the account may not read the site's classification levels (403): spaces are "
                                     "stored without them; classification coverage cannot be checked")
            store.set_classified(self.ws, self.run, classified, self.new_calls())
        if not classified:
            return classified
        todo = store.spaces_to_classify(self.ws, self.run)

        def ask(space_id: str) -> str | None:
            level = self.client.get_json(DEFAULT_LEVEL_PATH.format(id=space_id), missing_ok=(404,))
            return str(level["name"]) if isinstance(level, dict) and level.get("name") else None

        def keep(space_id: str, level: str | None) -> None:
            store.save_classification(self.ws, self.run, space_id, level, self.new_calls())
            self.classifications += 1
            self.report("classifications", self.classifications, len(todo))

        self.report("classifications", 0, len(todo))
        _parallel(todo, ask, keep, self.options.concurrency)
        return classified

    def resolve_content(self, cloud_id: str) -> None:
        site, types = self.run.site, self.options.custom_content_types
        seen: set[str] = set()
        while True:
            placed, orphaned = store.place_pending(self.ws, site)
            self.found += placed
            self.no_space += orphaned
            items = store.unresolved(self.ws, site, cloud_id)
            if not items:
                break
            fresh = [i.content_id for i in items if i.content_id not in seen]
            seen.update(fresh)
            self.total_ids += len(fresh)
            calls: list[tuple[Kind, list[store.Unresolved]]] = []
            groups: dict[str, tuple[Kind, list[store.Unresolved]]] = {}
            stuck = []
            for item in items:
                kind = next_kind(item.content_id, item.hint, item.tried, types)
                if kind is None:
                    stuck.append(item)
                elif kind.batched:
                    groups.setdefault(kind.name, (kind, []))[1].append(item)
                else:
                    calls.append((kind, [item]))
            if stuck:
                store.settle_unlookable(self.ws, site, stuck)
                self.missing += len(stuck)
                self.settled_ids += len(stuck)
            calls[:0] = [(kind, group[i:i + BATCH_SIZE]) for kind, group in groups.values()
                         for i in range(0, len(group), BATCH_SIZE)]
            self.report("content", self.settled_ids, self.total_ids)
            _parallel(calls, self._look_up, self._keep, self.options.concurrency)

    def _look_up(self, call: tuple[Kind, list[store.Unresolved]]) -> list[Found]:
        kind, items = call
        if not kind.batched:
            body = self.client.get_json(kind.single_path(items[0].content_id), missing_ok=(404,))
            hit = parse(kind, body, items[0].content_id) if body is not None else None
            return [hit] if hit is not None else []
        found: list[Found] = []
        path: str | None = kind.batch_path([i.content_id for i in items])
        while path is not None:
            results, following = _page(self.client.get_json(path), kind.path)
            found += [hit for hit in (parse(kind, r) for r in results) if hit is not None]
            path = following if following != path else None
        return found

    def _keep(self, call: tuple[Kind, list[store.Unresolved]], found: list[Found]) -> None:
        kind, items = call
        outcome = store.save_lookup(self.ws, self.run.site, kind, items, found, self.new_calls(),
                                    self.options.custom_content_types)
        self.found += outcome.found
        self.missing += outcome.missing
        self.no_space += outcome.no_space
        self.settled_ids += outcome.found + outcome.missing + outcome.no_space + outcome.pending
        self.report("content", self.settled_ids, self.total_ids)


def fetch(ws: Workspace, site: str, options: FetchOptions = FetchOptions(), *,
          env: Mapping[str, str] | None = None, progress: ProgressFn | None = None) -> FetchResult:
    """Fetch (or resume fetching) the inventory of ``site``, then refresh the decisions."""
    site = normalise_site(site)
    if options.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    credentials = credentials_from_env(os.environ if env is None else env)
    started = time.monotonic()
    before = store.decision_counts(ws)
    run = store.begin_run(ws, site)
    client = ConfluenceClient(site, credentials, api_base=options.api_base, concurrency=options.concurrency,
                              timing=options.timing)
    job = _Fetch(ws, client, run, options, progress)
    try:
        with client:
            cloud_id = job.cloud_id()
            job.list_spaces()
            classified = job.classify_spaces()
            job.resolve_content(cloud_id)
        store.finish_run(ws, run, job.new_calls())
    except BaseException:
        # Keep the count of calls made, and decide again with what was stored before the failure.
        with suppress(Exception):
            store.add_calls(ws, site, job.new_calls())
            if store.is_stale(ws):
                ws.refresh_decisions()
        raise
    ws.refresh_decisions()
    return FetchResult(
        site=site, cloud_id=cloud_id, resumed=run.resumed, calls=client.calls, run_calls=store.run_calls(ws, site),
        spaces=job.spaces, classified=classified, classifications=job.classifications, content_found=job.found,
        content_missing=job.missing, content_no_space=job.no_space, decisions_before=before,
        decisions_after=store.decision_counts(ws), warnings=tuple(job.warnings),
        seconds=time.monotonic() - started)

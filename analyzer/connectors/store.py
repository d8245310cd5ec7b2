"""What ``appaccess inventory fetch`` reads from and writes to the workspace.

Fetched sites, spaces and content go to the inventory tables through the same upsert as
``inventory load``; the fetch state (queries/schema/confluence.sql) records the run, the
next page of spaces, the calls already answered and the ids settled, each in the same
transaction as the rows a call brought, so an interrupted fetch resumes without repeating
a call. The first write of a run marks the stored decisions stale, so that even a killed
fetch leaves a workspace that decides again when next opened; the end of the fetch
refreshes them like any inventory load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

from analyzer import sql
from analyzer.connectors.lookups import Found, Kind, next_kind
from analyzer.inventory import store_inventory
from analyzer.workspace import Workspace, registered

# The workspace keeps its decisions' fingerprint under this meta key; another value makes the next
# writable open decide again (see Workspace._prepare).
_DECISIONS_META = "decisions"


@dataclass(frozen=True)
class Run:
    """One fetch of one site, possibly resumed over several invocations."""

    site: str
    started: dt.datetime
    resumed: bool
    spaces_next: str | None
    spaces_done: bool
    classified: bool | None
    calls: int


@dataclass(frozen=True)
class Unresolved:
    """A content id to look up: its type hint and the look-ups already tried."""

    content_id: str
    hint: str | None
    tried: tuple[str, ...]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


_STALE = "stale: inventory fetch in progress"


def _stale(ws: Workspace) -> None:
    ws.set_meta(_DECISIONS_META, _STALE)


def is_stale(ws: Workspace) -> bool:
    """Rows were stored since the decisions were last refreshed."""
    return ws.meta(_DECISIONS_META) == _STALE


def _add_calls(ws: Workspace, site: str, calls: int) -> None:
    if calls:
        ws.con.execute("UPDATE confluence_fetches SET calls = calls + ? WHERE site = ?", [calls, site])


def add_calls(ws: Workspace, site: str, calls: int) -> None:
    with ws.transaction():
        _add_calls(ws, site, calls)


# -- runs ----------------------------------------------------------------------------------
def current_run(ws: Workspace, site: str) -> Run | None:
    """The unfinished run of ``site``, if any."""
    rows = ws.con.execute("SELECT run_started, spaces_next, spaces_done, classified, calls "
                          "FROM confluence_fetches WHERE site = ? AND finished IS NULL", [site]).fetchall()
    if not rows:
        return None
    started, spaces_next, spaces_done, classified, calls = rows[0]
    return Run(site, started, True, spaces_next, spaces_done, classified, calls)


def begin_run(ws: Workspace, site: str) -> Run:
    """The unfinished run of ``site`` (resumed), or a new one."""
    current = current_run(ws, site)
    if current is not None:
        return current
    started = _now()
    with ws.transaction() as con:
        con.execute("DELETE FROM confluence_fetch_calls WHERE site = ?", [site])
        con.execute("INSERT OR REPLACE INTO confluence_fetches VALUES (?, ?, NULL, false, NULL, 0, NULL)",
                    [site, started])
    return Run(site, started, False, None, False, None, 0)


def finish_run(ws: Workspace, run: Run, calls: int) -> None:
    with ws.transaction() as con:
        _add_calls(ws, run.site, calls)
        con.execute("UPDATE confluence_fetches SET finished = ? WHERE site = ?", [_now(), run.site])
        con.execute("DELETE FROM confluence_fetch_calls WHERE site = ?", [run.site])


def run_calls(ws: Workspace, site: str) -> int:
    rows = ws.con.execute("SELECT calls FROM confluence_fetches WHERE site = ?", [site]).fetchall()
    return int(rows[0][0]) if rows else 0


# -- site and spaces -------------------------------------------------------------------------
def known_cloud_id(ws: Workspace, site: str) -> str | None:
    rows = ws.con.execute("SELECT cloud_id FROM sites WHERE site = ? AND cloud_id IS NOT NULL", [site]).fetchall()
    return rows[0][0] if rows else None


def space_count(ws: Workspace, site: str) -> int:
    return int(ws.con.execute("SELECT count(*) FROM spaces WHERE site = ?", [site]).fetchall()[0][0])


def save_site(ws: Workspace, site: str, cloud_id: str, calls: int) -> None:
    with ws.transaction():
        store_inventory(ws, "sites", [{"site": site, "cloud_id": cloud_id}])
        _add_calls(ws, site, calls)
        _stale(ws)


def save_spaces_page(ws: Workspace, run: Run, results: list[dict[str, object]], next_path: str | None,
                     calls: int) -> int:
    """Store one page of GET /wiki/api/v2/spaces and where the next page is; returns the rows stored."""
    spaces = [r for r in results if isinstance(r, dict) and (r.get("id") or r.get("key"))]
    ids = [str(r.get("id") or "") for r in spaces]
    # A known classification stays until this run's classification look-up says otherwise.
    known = dict(ws.con.execute("SELECT space_id, classification FROM spaces WHERE site = ? AND space_id IN "
                                "(SELECT unnest(?::VARCHAR[]))", [run.site, ids]).fetchall()) if ids else {}
    rows = [{"space_id": str(r.get("id") or ""), "space_key": str(r.get("key") or ""),
             "name": str(r.get("name") or ""), "site": run.site, "classification": known.get(str(r.get("id")))}
            for r in spaces]
    details = pa.table({
        "space_id": pa.array(ids, pa.string()),
        "space_type": pa.array([str(r["type"]) if r.get("type") else None for r in spaces], pa.string()),
        "status": pa.array([str(r["status"]) if r.get("status") else None for r in spaces], pa.string()),
    })
    with ws.transaction() as con:
        store_inventory(ws, "spaces", rows)
        with registered(con, "_spaces_page", details):
            con.execute("DELETE FROM confluence_spaces WHERE site = ? AND space_id IN "
                        "(SELECT space_id FROM _spaces_page)", [run.site])
            con.execute("INSERT INTO confluence_spaces SELECT ?, space_id, space_type, status, ? FROM _spaces_page",
                        [run.site, run.started])
        con.execute("UPDATE confluence_fetches SET spaces_next = ?, spaces_done = ? WHERE site = ?",
                    [next_path, next_path is None, run.site])
        _add_calls(ws, run.site, calls)
        _stale(ws)
    return len(rows)


def set_classified(ws: Workspace, run: Run, classified: bool, calls: int) -> None:
    with ws.transaction() as con:
        con.execute("UPDATE confluence_fetches SET classified = ? WHERE site = ?", [classified, run.site])
        _add_calls(ws, run.site, calls)


def spaces_to_classify(ws: Workspace, run: Run) -> list[str]:
    """Spaces listed by this run whose default classification level is not asked for yet."""
    return [r[0] for r in ws.con.execute(
        "SELECT space_id FROM confluence_spaces WHERE site = $site AND fetched_at = $run "
        "AND 'classification:' || space_id NOT IN (SELECT call FROM confluence_fetch_calls "
        "WHERE site = $site AND run_started = $run) ORDER BY space_id",
        {"site": run.site, "run": run.started}).fetchall()]


def save_classification(ws: Workspace, run: Run, space_id: str, level: str | None, calls: int) -> None:
    """The space's default classification level (None: the space has none)."""
    with ws.transaction() as con:
        con.execute("UPDATE spaces SET classification = ? WHERE site = ? AND space_id = ?",
                    [level, run.site, space_id])
        con.execute("INSERT INTO confluence_fetch_calls VALUES (?, ?, ?)",
                    [run.site, run.started, f"classification:{space_id}"])
        _add_calls(ws, run.site, calls)
        _stale(ws)


# -- content --------------------------------------------------------------------------------
def unresolved(ws: Workspace, site: str, cloud_id: str | None) -> list[Unresolved]:
    rows = sql.execute(ws.con, "inventory/unresolved_content", {"site": site, "cloud_id": cloud_id}).fetchall()
    return [Unresolved(r[0], r[1], tuple(r[2])) for r in rows]


def _write_states(ws: Workspace, site: str, states: list[tuple[str, str | None, str | None, str | None,
                                                               str | None, list[str]]]) -> None:
    """Replace the state rows of these ids: (content_id, state, content_type, parent_id, parent_type, tried)."""
    if not states:
        return
    table = pa.table({
        "content_id": pa.array([s[0] for s in states], pa.string()),
        "state": pa.array([s[1] for s in states], pa.string()),
        "content_type": pa.array([s[2] for s in states], pa.string()),
        "parent_id": pa.array([s[3] for s in states], pa.string()),
        "parent_type": pa.array([s[4] for s in states], pa.string()),
        "tried": pa.array([s[5] for s in states], pa.list_(pa.string())),
    })
    with registered(ws.con, "_states", table):
        ws.con.execute("DELETE FROM confluence_content_state WHERE site = ? AND content_id IN "
                       "(SELECT content_id FROM _states)", [site])
        ws.con.execute("INSERT INTO confluence_content_state SELECT ?, content_id, state, content_type, parent_id, "
                       "parent_type, tried, ? FROM _states", [site, _now()])


@dataclass(frozen=True)
class LookupOutcome:
    """What one look-up call settled."""

    found: int = 0       # stored in the inventory with their space
    pending: int = 0     # found; their space comes from a container still to look up
    no_space: int = 0    # found; no space can be told
    missing: int = 0     # no look-up of their chain knows them
    retry: int = 0       # not this kind; the next look-up of their chain comes next


def save_lookup(ws: Workspace, site: str, kind: Kind, asked: Iterable[Unresolved], found: list[Found],
                calls: int, custom_types: tuple[str, ...] = ()) -> LookupOutcome:
    """Store what one look-up call answered for the ids it asked about."""
    by_id = {f.content_id: f for f in found}
    content_rows: list[dict[str, str | None]] = []
    states: list[tuple[str, str | None, str | None, str | None, str | None, list[str]]] = []
    counts = dict.fromkeys(("found", "pending", "no_space", "missing", "retry"), 0)
    for item in asked:
        hit = by_id.get(item.content_id)
        tried = [*item.tried, kind.name]
        if hit is not None and hit.placed:
            content_rows.append({"content_id": hit.content_id, "content_type": hit.content_type,
                                 "space_id": hit.space_id, "space_key": hit.space_key, "site": site,
                                 "classification": None})
            counts["found"] += 1
        elif hit is not None:
            state = "pending" if hit.parent_id else "no_space"
            states.append((item.content_id, state, hit.content_type, hit.parent_id, hit.parent_type, tried))
            counts[state] += 1
        else:
            exhausted = next_kind(item.content_id, item.hint, tried, custom_types) is None
            states.append((item.content_id, "missing" if exhausted else None, None, None, None, tried))
            counts["missing" if exhausted else "retry"] += 1
    with ws.transaction() as con:
        if content_rows:
            store_inventory(ws, "content", content_rows)
            con.execute("DELETE FROM confluence_content_state WHERE site = ? AND content_id IN "
                        "(SELECT unnest(?::VARCHAR[]))", [site, [r["content_id"] for r in content_rows]])
        _write_states(ws, site, states)
        _add_calls(ws, site, calls)
        _stale(ws)
    return LookupOutcome(**counts)


def settle_unlookable(ws: Workspace, site: str, items: list[Unresolved]) -> None:
    """Ids no look-up of their chain accepts (e.g. not numeric where the API wants a number)."""
    with ws.transaction():
        _write_states(ws, site, [(i.content_id, "missing", None, None, None, list(i.tried)) for i in items])


def place_pending(ws: Workspace, site: str) -> tuple[int, int]:
    """Give found content the space of its now-known container; returns (placed, orphaned)."""
    placed = orphaned = 0
    while True:
        rows = sql.execute(ws.con, "inventory/pending_content", {"site": site}).fetchall()
        if not rows:
            return placed, orphaned
        place = [{"content_id": r[0], "content_type": r[1], "space_id": r[2], "space_key": r[3], "site": site,
                  "classification": None} for r in rows if r[4] == "place"]
        orphans = [r[0] for r in rows if r[4] == "orphan"]
        with ws.transaction() as con:
            if place:
                # (a container's key is stored redacted when redaction is on; redacting is idempotent)
                store_inventory(ws, "content", place)
                con.execute("DELETE FROM confluence_content_state WHERE site = ? AND content_id IN "
                            "(SELECT unnest(?::VARCHAR[]))", [site, [r["content_id"] for r in place]])
            if orphans:
                con.execute("UPDATE confluence_content_state SET state = 'no_space' WHERE site = ? AND content_id "
                            "IN (SELECT unnest(?::VARCHAR[]))", [site, orphans])
            _stale(ws)
        placed += len(place)
        orphaned += len(orphans)


def content_counts(ws: Workspace, site: str) -> dict[str, int]:
    """How many ids of this site are settled as missing / without a space / waiting for a container."""
    return {state: n for state, n in ws.con.execute(
        "SELECT state, count(*) FROM confluence_content_state WHERE site = ? AND state IS NOT NULL GROUP BY 1",
        [site]).fetchall()}


def decision_counts(ws: Workspace) -> dict[str, int]:
    return {d: n for d, n in ws.con.execute(
        "SELECT k.decision, sum(c.n)::BIGINT FROM request_counts(NULL, NULL) AS c "
        "JOIN key_decisions AS k ON k.kd_id = c.kd_id GROUP BY 1").fetchall()}

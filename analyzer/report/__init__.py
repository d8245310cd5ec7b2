"""Reports: named queries of ``queries/reports`` turned into frames, plus their renderers.

This layer reads decisions and never changes the workspace. ``terminal`` and
``html`` render the same frames for a console or a browser.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from analyzer import sql
from analyzer.output import Frame
from analyzer.workspace import Workspace


@dataclass(frozen=True)
class Filters:
    """Filters every report accepts; None means no filter."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    site: str | None = None
    app: str | None = None
    space: str | None = None
    #: blocked, filtered, exempt (allowed thanks to an allowlist), allowed, not_eligible, ...
    decision: str | None = None

    def params(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until, "site": self.site, "app": self.app,
                "space": self.space, "decision": self.decision}


def run(ws: Workspace, name: str, params: dict[str, Any] | None = None, title: str | None = None) -> Frame:
    """Run ``queries/<name>.sql`` with the parameters it declares (others are ignored)."""
    query = sql.load_query(name)
    given = params or {}
    bound = sql.bind(query, {k: given.get(k) for k in query.params})
    return Frame.from_arrow(ws.con.sql(query.text, params=bound).to_arrow_table(), title=title or query.summary)


def blocked(ws: Workspace, filters: Filters = Filters()) -> Frame:
    return run(ws, "reports/blocked", filters.params(), "Blocked APIs used, by app, space and endpoint")


def apps(ws: Workspace, filters: Filters = Filters()) -> Frame:
    return run(ws, "reports/apps", filters.params(), "App dependency profiles")


def anomalies(ws: Workspace, filters: Filters = Filters()) -> Frame:
    """Enforcement mismatches and blind spots, then where Confluence's view of coverage disagrees."""
    frame = run(ws, "reports/anomalies", filters.params(), "Anomalies: enforcement mismatches and blind spots")
    if not _has_table(ws, "data_policy_spaces"):  # a workspace not opened for writing since this appaccess
        return frame
    coverage = run(ws, "reports/coverage_disagreements", filters.params())
    if coverage.columns != frame.columns:
        raise AssertionError(f"coverage_disagreements columns {coverage.columns} differ from {frame.columns}")
    return Frame(frame.columns, frame.rows + coverage.rows, frame.title, frame.caption)


def _has_table(ws: Workspace, name: str) -> bool:
    return bool(ws.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchall()[0][0])

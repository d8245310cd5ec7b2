"""Rich renderings for a terminal: the blocked report split by scope and site, with totals,
and the simulation summary in the manner of cloud policy simulators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from analyzer.output import Frame, rich_table

# Fits a 160-column terminal: one table per site (so no site column), method and path in one
# column, first/last seen as dates (the CSV and JSON outputs keep every column and full timestamps).
BLOCKED_COLUMNS = ("app", "space", "api", "decision", "policy", "requests", "days", "first_seen", "last_seen",
                   "statuses")
SITE_COLUMNS = tuple(c for c in BLOCKED_COLUMNS if c != "space")


def _subset(frame: Frame, columns: tuple[str, ...], rows: list[dict[str, Any]], title: str) -> Frame:
    return Frame(columns, tuple(tuple(r[c] for c in columns) for r in rows), title=title)


def _decision_label(record: dict[str, Any]) -> dict[str, Any]:
    if record["exempt"]:
        record = {**record, "decision": "exempt"}
    return record


def _day(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


def _terminal_record(record: dict[str, Any]) -> dict[str, Any]:
    record = _decision_label(record)
    return {**record, "api": f"{record['method']} {record['endpoint']}", "first_seen": _day(record["first_seen"]),
            "last_seen": _day(record["last_seen"])}


def _blocked_table(frame: Frame, columns: tuple[str, ...], rows: list[dict[str, Any]], title: str,
                   limit: int | None = None) -> Table:
    shown = rows if limit is None else rows[:limit]
    table = _compact(rich_table(_subset(frame, columns, shown, title)))
    table.caption = f"{_plural(len(rows), 'row')}, {_plural(sum(r['requests'] for r in rows), 'request')}"
    if len(shown) < len(rows):
        table.caption += (f"; the busiest {len(shown):,} shown (--limit N for more, --format csv for all)")
    return table


def _compact(table: Table) -> Table:
    """A rule under the header only and no padding at the edges: ten-odd columns fit 160 characters."""
    table.box, table.show_edge, table.pad_edge, table.collapse_padding = box.SIMPLE_HEAD, False, False, True
    return table


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def blocked_renderable(frame: Frame, limit: int | None = None) -> Group:
    """Totals, then one table per scope and site; at most ``limit`` rows each."""
    records = [_terminal_record(r) for r in frame.records()]
    per_space = [r for r in records if r["scope"] == "space"]
    site_wide = [r for r in records if r["scope"] == "site"]
    parts: list[Any] = []
    total = sum(r["requests"] for r in records)
    by_decision: dict[str, int] = {}
    for r in records:
        by_decision[r["decision"]] = by_decision.get(r["decision"], 0) + r["requests"]
    apps = {r["app"] for r in records}
    parts.append(Panel.fit(
        f"{total:,} requests to blocked APIs by {len(apps)} apps "
        f"({sum(r['requests'] for r in per_space):,} on objects in one space, "
        f"{sum(r['requests'] for r in site_wide):,} site-wide)\n"
        + "  ".join(f"{k}: {v:,}" for k, v in sorted(by_decision.items(), key=lambda kv: -kv[1])),
        title="Blocked APIs used"))
    for title, rows, columns in (
            ("Per space", per_space, BLOCKED_COLUMNS),
            ("Site-wide lists and searches (results from covered spaces are withheld)", site_wide, SITE_COLUMNS)):
        for site in dict.fromkeys(r["site"] for r in rows):  # busiest site first: rows come by requests
            on_site = [r for r in rows if r["site"] == site]
            parts.append(_blocked_table(frame, columns, on_site, f"{title} on {site or '(unknown site)'}", limit))
    if not records:
        parts.append("No request used an API that app access rules block.")
    return Group(*parts)


def simulation_renderable(summary: dict[str, Any], by_app: Frame, header: str) -> Group:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="left")
    grid.add_column(justify="right")
    for label, key in (("requests evaluated", "evaluated"), ("unchanged", "unchanged"),
                       ("newly blocked", "newly_blocked"), ("newly filtered", "newly_filtered"),
                       ("unblocked", "unblocked"), ("undeterminable", "undeterminable"), ("other changes", "other"),
                       ("apps newly blocked or filtered", "apps_affected")):
        grid.add_row(label, f"{summary[key] or 0:,}")
    start, end = summary["window_start"], summary["window_end"]
    if start is not None:
        span = f"{start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M} ({summary['days_covered']} days)"
        grid.add_row("window covered", span)
    parts: list[Any] = [Panel.fit(grid, title=header)]
    if by_app.rows:
        parts.append(_compact(rich_table(_simulation_view(by_app))))
    return Group(*parts)


# simulate/by_app_space column -> terminal header; `scope` is left out (space says "(site-wide)").
SIMULATION_COLUMNS = {"app": "app", "site": "site", "space": "space", "change": "change", "transition": "transition",
                      "requests": "requests", "days_with_attempts": "days", "last_attempt": "last_attempt",
                      "endpoints": "endpoints", "proposed_policy": "policy"}


def _simulation_view(by_app: Frame) -> Frame:
    if not set(SIMULATION_COLUMNS) <= set(by_app.columns):
        return by_app  # another shape: show it as it is
    index = [by_app.columns.index(c) for c in SIMULATION_COLUMNS]
    return Frame(tuple(SIMULATION_COLUMNS.values()), tuple(tuple(row[i] for i in index) for row in by_app.rows),
                 title=by_app.title, caption=by_app.caption)


def print_renderable(renderable: Any, console: Console | None = None) -> None:
    (console or Console()).print(renderable)


APPS_COLUMNS = ("app", "auth", "requests", "blocked_api_requests", "blocked_apis", "spaces", "site_wide_requests",
                "deprecated_v1_apis", "blocked_by_rules", "blocked_share_pct", "exempt_requests", "last_seen")
ANOMALY_COLUMNS = ("kind", "subject", "requests", "apps", "last_seen", "example")


def apps_renderable(frame: Frame) -> Table:
    """The dependency profiles, narrowed to what fits a terminal (CSV/JSON keep the space list)."""
    rows = [{**r, "last_seen": _day(r["last_seen"])} for r in frame.records()]
    table = _compact(rich_table(_subset(frame, APPS_COLUMNS, rows, frame.title or "Apps")))
    table.caption = "blocked_share_pct: share of the app's Confluence requests the active rules block or filter"
    return table


def anomalies_renderable(frame: Frame) -> Table | str:
    if not frame.rows:
        return "No anomalies: every decision is backed by an identified app and a known space."
    rows = [{**r, "last_seen": _day(r["last_seen"])} for r in frame.records()]
    return _compact(rich_table(_subset(frame, ANOMALY_COLUMNS, rows, frame.title or "Anomalies")))

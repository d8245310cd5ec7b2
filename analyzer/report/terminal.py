"""Rich renderings for a terminal: the blocked report split by scope, with totals,
and the simulation summary in the manner of cloud policy simulators."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from analyzer.output import Frame, rich_table

BLOCKED_COLUMNS = ("app", "site", "space", "method", "endpoint", "decision", "policy", "requests", "days",
                   "first_seen", "last_seen", "statuses")
SITE_COLUMNS = ("app", "site", "method", "endpoint", "decision", "policy", "requests", "days", "first_seen",
                "last_seen", "statuses")


def _subset(frame: Frame, columns: tuple[str, ...], rows: list[dict[str, Any]], title: str) -> Frame:
    return Frame(columns, tuple(tuple(r[c] for c in columns) for r in rows), title=title)


def _decision_label(record: dict[str, Any]) -> dict[str, Any]:
    if record["exempt"]:
        record = {**record, "decision": "exempt"}
    return record


def blocked_renderable(frame: Frame) -> Group:
    records = [_decision_label(r) for r in frame.records()]
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
    if per_space:
        table = rich_table(_subset(frame, BLOCKED_COLUMNS, per_space, "Per space"))
        table.caption = f"{len(per_space)} rows, {sum(r['requests'] for r in per_space):,} requests"
        parts.append(table)
    if site_wide:
        table = rich_table(_subset(frame, SITE_COLUMNS, site_wide,
                                   "Site-wide lists and searches (results from covered spaces are withheld)"))
        table.caption = f"{len(site_wide)} rows, {sum(r['requests'] for r in site_wide):,} requests"
        parts.append(table)
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
        parts.append(rich_table(by_app))
    return Group(*parts)


def print_renderable(renderable: Any, console: Console | None = None) -> None:
    (console or Console()).print(renderable)

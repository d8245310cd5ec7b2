"""Rich renderings for a terminal: the blocked report split by scope and site, with totals,
the apps, anomalies and suggestion tables, and the simulation summary in the manner of
cloud policy simulators.

Every table goes through :func:`analyzer.tablefit.fit_table`, so at 80 or 120
columns numbers and dates stay whole, long names are cut with ``…`` and the
least useful columns are left out first (the CSV and JSON outputs keep every
column and full timestamps).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from analyzer.output import Frame, plural
from analyzer.report import columns
from analyzer.tablefit import ALWAYS, Column, fit_table


def _width(width: int | None) -> int:
    return width if width is not None else Console().width


def _day(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


def _frame(records: Sequence[dict[str, Any]], specs: Sequence[Column], title: str | None = None) -> Frame:
    keys = tuple(c.key for c in specs)
    return Frame(keys, tuple(tuple(r.get(k) for k in keys) for r in records), title=title)


def _wrapped_pairs(pairs: Sequence[str], width: int) -> str:
    """``label: n`` pairs on as few lines as fit ``width``; a pair is never split."""
    lines: list[str] = []
    for pair in pairs:
        if lines and len(lines[-1]) + 2 + len(pair) <= width:
            lines[-1] += "  " + pair
        else:
            lines.append(pair)
    return "\n".join(lines)


# -- report blocked ------------------------------------------------------------------

def short_endpoint(path: str | None) -> str:
    """``/wiki/api/v2/pages/{id}`` as ``v2/pages/{id}``, ``/wiki/rest/api/content`` as ``v1/content``:
    the prefix every catalogued path shares says nothing, the version does."""
    if path is None:
        return ""
    for prefix, version in (("/wiki/api/v2/", "v2/"), ("/wiki/rest/api/", "v1/")):
        if path.startswith(prefix):
            return version + path[len(prefix):]
    return path.removeprefix("/wiki")


def _blocked_record(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "decision": "exempt" if record["exempt"] else record["decision"],
            "api": f"{record['method']} {short_endpoint(record['endpoint'])}",
            "first_seen": _day(record["first_seen"]),
            "last_seen": _day(record["last_seen"])}


def _blocked_table(rows: list[dict[str, Any]], specs: Sequence[Column], title: str, width: int,
                   limit: int | None) -> RenderableType:
    shown = rows if limit is None else rows[:limit]
    caption = f"{plural(len(rows), 'row')}, {plural(sum(r['requests'] for r in rows), 'request')}"
    if len(shown) < len(rows):
        caption += f"; the busiest {len(shown):,} shown (--limit N for more, --format csv for all)"
    return fit_table(_frame(shown, specs), width, specs, title=title, caption=caption)


def blocked_renderable(frame: Frame, limit: int | None = None, width: int | None = None) -> Group:
    """Totals, then one table per scope and site; at most ``limit`` rows each."""
    width = _width(width)
    records = [_blocked_record(r) for r in frame.records()]
    per_space = [r for r in records if r["scope"] == "space"]
    site_wide = [r for r in records if r["scope"] == "site"]
    if not records:
        return Group(Text("No request used an API that app access rules block."))
    by_decision: dict[str, int] = {}
    for r in records:
        by_decision[r["decision"]] = by_decision.get(r["decision"], 0) + r["requests"]
    total = sum(by_decision.values())
    apps = {r["app"] for r in records}
    head = (f"{plural(total, 'request')} to blocked APIs by {plural(len(apps), 'app')}: "
            f"{sum(r['requests'] for r in per_space):,} on objects in one space, "
            f"{sum(r['requests'] for r in site_wide):,} site-wide")
    pairs = [f"{k}: {v:,}" for k, v in sorted(by_decision.items(), key=lambda kv: -kv[1])]
    inner = max(width - 4, 20)
    parts: list[RenderableType] = [Panel.fit(Text(head + "\n" + _wrapped_pairs(pairs, inner)),
                                             title="Blocked APIs used", width=min(width, 120))]
    for title, rows, specs in (
            ("Per space", per_space, columns.BLOCKED),
            ("Site-wide lists and searches (results from covered spaces are withheld)", site_wide,
             columns.BLOCKED_SITE_WIDE)):
        for site in dict.fromkeys(r["site"] for r in rows):  # busiest site first: rows come by requests
            on_site = [r for r in rows if r["site"] == site]
            parts.append(_blocked_table(on_site, specs, f"{title} on {site or '(unknown site)'}", width, limit))
    return Group(*parts)


# -- report apps, report anomalies ---------------------------------------------------

def apps_renderable(frame: Frame, width: int | None = None) -> RenderableType:
    """The dependency profiles, narrowed to what fits a terminal (CSV/JSON keep the space list)."""
    rows = [{**r, "last_seen": _day(r["last_seen"])} for r in frame.records()]
    if not rows:
        return Text("No Confluence traffic in this selection.")
    return fit_table(_frame(rows, columns.APPS), _width(width), columns.APPS, title=frame.title or "Apps",
                     caption="% blocked: share of the app's Confluence requests the active rules block or filter")


def _short_example(value: Any) -> Any:
    """``/long/path/access.log:23`` as ``access.log:23``: the line to look at, in few characters."""
    return PurePath(value).name if isinstance(value, str) else value


def _short_paths(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    return text.replace("/wiki/api/v2/", "v2/").replace("/wiki/rest/api/", "v1/")


def anomalies_renderable(frame: Frame, width: int | None = None) -> RenderableType:
    if not frame.rows:
        return Text("No anomalies: every decision is backed by an identified app and a known space.")
    rows = [{**r, "last_seen": _day(r["last_seen"]), "example": _short_example(r["example"]),
             "subject": _short_paths(r["subject"])} for r in frame.records()]
    return fit_table(_frame(rows, columns.ANOMALIES), _width(width), columns.ANOMALIES,
                     title=frame.title or "Anomalies")


def suggest_renderable(frame: Frame, width: int | None = None) -> RenderableType:
    """The apps a coverage would break (one table; a `policy` column when several were probed)."""
    specs = list(columns.SUGGEST)
    if "policy" in frame.columns:
        specs.insert(0, columns.col("policy", ALWAYS, 10))
    if not frame.rows:
        return Text("No app would be blocked or filtered by this coverage.")
    rows = [{**r, "last_attempt": _day(r.get("last_attempt"))} for r in frame.records()]
    return fit_table(_frame(rows, specs), _width(width), specs, title=frame.title)


# -- simulate ------------------------------------------------------------------------

SUMMARY_LABELS = (("requests evaluated", "evaluated"), ("unchanged", "unchanged"),
                  ("newly blocked", "newly_blocked"), ("newly filtered", "newly_filtered"),
                  ("unblocked", "unblocked"), ("undeterminable", "undeterminable"), ("other changes", "other"),
                  ("apps newly blocked or filtered", "apps_affected"))


def simulation_renderable(summary: dict[str, Any], by_app: Frame, header: str, width: int | None = None) -> Group:
    width = _width(width)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="left", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    for text, key in SUMMARY_LABELS:
        grid.add_row(text, f"{summary[key] or 0:,}")
    start, end = summary["window_start"], summary["window_end"]
    if start is not None:
        grid.add_row("window covered", f"{start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M}")
        grid.add_row("days with traffic", f"{summary['days_covered']:,}")
    parts: list[RenderableType] = [Panel.fit(grid, title=Text(header, overflow="ellipsis", no_wrap=True))]
    if by_app.rows:
        if set(c.key for c in columns.SIMULATION) <= set(by_app.columns):
            rows = [{**r, "last_attempt": _day(r["last_attempt"])} for r in by_app.records()]
            parts.append(fit_table(_frame(rows, columns.SIMULATION), width, columns.SIMULATION,
                                   title=by_app.title))
        else:  # another shape: every column, none left out
            parts.append(fit_table(by_app, width))
    else:
        parts.append(Text("No request would change."))
    return Group(*parts)


def print_renderable(renderable: Any, console: Console | None = None) -> None:
    (console or Console()).print(renderable)

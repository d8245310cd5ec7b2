"""Plotly figures for the HTML report and the notebook, built from the chart queries' frames.

The numbers come from ``queries/reports/chart_*.sql`` (run through
:func:`analyzer.report.run`); this module only lays them out, so the report
and a notebook show the same charts. ``*_figure(ws, filters)`` runs the query,
``*_from_frame(frame)`` draws a frame you already have.

Labels that come from logs (space keys, endpoint paths) are untrusted, and
plotly.js renders a small HTML subset (``<a>``, ``<b>``, ``<br>``...) in text:
every label is entity-escaped, which plotly.js shows as the literal text.
"""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go

from analyzer import report
from analyzer.output import Frame
from analyzer.workspace import Workspace

#: One colour per decision, the same in every chart (red: blocked, orange: filtered...).
DECISION_COLOURS = {
    "blocked": "#d62728",
    "filtered": "#ff7f0e",
    "unknown_space": "#bcbd22",
    "unknown_client": "#8c564b",
    "not_eligible": "#9467bd",
    "exempt": "#2ca02c",
    "allowed": "#7f7f7f",
}
TEMPLATE = "plotly_white"
#: plotly.js options: no logo link, no "edit in Chart Studio"; the report works offline.
CONFIG: dict[str, Any] = {"displaylogo": False, "showSendToCloud": False, "responsive": True}


def label(value: object) -> str:
    """Text safe for plotly.js: markup shown as text, not interpreted."""
    return html.escape("" if value is None else str(value), quote=False)


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, title=title, height=260,
                      xaxis={"visible": False}, yaxis={"visible": False},
                      annotations=[{"text": label(message), "showarrow": False, "xref": "paper", "yref": "paper",
                                    "x": 0.5, "y": 0.5, "font": {"size": 14}}])
    return fig


def _subtitle(title: str, note: str | None) -> dict[str, Any]:
    layout: dict[str, Any] = {"text": title, "x": 0.01, "xanchor": "left"}
    if note:
        layout["subtitle"] = {"text": label(note)}
    return layout


# -- (a) app x space heatmap --------------------------------------------------------

def heatmap_from_frame(frame: Frame) -> go.Figure:
    """Apps (rows) x spaces (columns): requests to blocked APIs on objects of that space."""
    title = "Requests to blocked APIs by app and space"
    records = frame.records()
    if not records:
        return _empty(title, "No request to a blocked API on objects of one space in this selection.")
    apps = sorted({(r["app_rank"], r["app"]) for r in records})
    spaces = sorted({(r["space_rank"], r["space_label"]) for r in records})
    row = {app: i for i, (_, app) in enumerate(apps)}
    col = {space: j for j, (_, space) in enumerate(spaces)}
    z: list[list[int | None]] = [[None] * len(spaces) for _ in apps]
    hover: list[list[str]] = [[""] * len(spaces) for _ in apps]
    for r in records:  # at most 30 x 40 cells: the query aggregated and capped them
        i, j = row[r["app"]], col[r["space_label"]]
        z[i][j] = r["requests"]
        hover[i][j] = label(f"{r['requests']:,} requests ({r['decisions']})")
    first = records[0]
    notes = []
    if first["apps_total"] > len(apps) or first["spaces_total"] > len(spaces):
        notes.append(f"busiest {len(apps)} of {first['apps_total']} apps and {len(spaces)} of "
                     f"{first['spaces_total']} spaces shown")
    notes.append("site-wide lists and searches are in the tables below")
    fig = go.Figure(go.Heatmap(
        z=z, x=[label(s) for _, s in spaces], y=[label(a) for _, a in apps], customdata=hover,
        colorscale="Reds", hoverongaps=False, texttemplate="%{z:,}", colorbar={"title": {"text": "requests"}},
        hovertemplate="app %{y}<br>space %{x}<br>%{customdata}<extra></extra>",
    ))
    fig.update_layout(template=TEMPLATE, title=_subtitle(title, "; ".join(notes)),
                      height=max(360, 220 + 40 * len(apps)), margin={"t": 90},
                      xaxis={"title": {"text": "space"}, "type": "category", "automargin": True},
                      yaxis={"title": {"text": "app"}, "type": "category", "autorange": "reversed", "automargin": True})
    return fig


def heatmap_figure(ws: Workspace, filters: report.Filters = report.Filters()) -> go.Figure:
    return heatmap_from_frame(report.run(ws, "reports/chart_heatmap", filters.params()))


# -- (b) blocked/filtered requests per day and app --------------------------------

def timeline_from_frame(frame: Frame) -> go.Figure:
    """Daily requests the active rules blocked or filtered, per app (stacked bars).

    When the rules blocked nothing (typically: none loaded yet), shows every
    request to a blocked API instead, and says so.
    """
    records = frame.records()
    enforced = [r for r in records if r["measure"] == "blocked_or_filtered"]
    if enforced:
        chosen, title, note = enforced, "Requests blocked or filtered by the active rules, per day", None
    else:
        chosen = [r for r in records if r["measure"] == "blocked_api"]
        title = "Requests to blocked APIs per day (exposure)"
        note = ("The active rules blocked or filtered nothing in this selection (no rules loaded, or none "
                "covering this traffic): showing every request to an API that app access rules block.")
    if not chosen:
        return _empty(title, "No request to a blocked API in this selection.")
    series: dict[str, tuple[list[Any], list[int]]] = {}
    for r in chosen:  # rows arrive ordered by app rank, then day
        days, counts = series.setdefault(r["app"], ([], []))
        days.append(r["day"])
        counts.append(r["requests"])
    fig = go.Figure([go.Bar(name=label(app), x=days, y=counts,
                            hovertemplate="%{x|%Y-%m-%d}: %{y:,} requests<extra>" + label(app) + "</extra>")
                     for app, (days, counts) in series.items()])
    fig.update_layout(template=TEMPLATE, barmode="stack", title=_subtitle(title, note), height=420,
                      margin={"t": 90}, legend={"title": {"text": "app"}},
                      xaxis={"title": {"text": "day (UTC)"}, "type": "date"}, yaxis={"title": {"text": "requests"}})
    return fig


def timeline_figure(ws: Workspace, filters: report.Filters = report.Filters()) -> go.Figure:
    return timeline_from_frame(report.run(ws, "reports/chart_timeline", filters.params()))


# -- (c) top blocked endpoints -------------------------------------------------------

def top_endpoints_from_frame(frame: Frame) -> go.Figure:
    """The blocked APIs most used: one horizontal bar per endpoint, stacked by decision."""
    title = "Blocked APIs most used (method and path template)"
    records = frame.records()
    if not records:
        return _empty(title, "No request to a blocked API in this selection.")
    endpoints = sorted({(r["endpoint_rank"], r["endpoint"]) for r in records})
    by_decision: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    for r in records:  # at most 20 endpoints x 7 decisions
        by_decision.setdefault(r["decision"], {})[r["endpoint"]] = r["requests"]
        names[r["endpoint"]] = r["endpoint_name"] or ""
    order = [d for d in DECISION_COLOURS if d in by_decision] + sorted(set(by_decision) - set(DECISION_COLOURS))
    y = [label(e) for _, e in endpoints]
    fig = go.Figure([go.Bar(
        name=decision, orientation="h", y=y, x=[by_decision[decision].get(e, 0) for _, e in endpoints],
        marker={"color": DECISION_COLOURS.get(decision, "#17becf")},
        customdata=[label(names[e]) for _, e in endpoints],
        hovertemplate="%{y}<br>%{customdata}<br>" + decision + ": %{x:,} requests<extra></extra>",
    ) for decision in order])
    total = records[0]["endpoints_total"]
    note = f"busiest {len(endpoints)} of {total} blocked endpoints used" if total > len(endpoints) else None
    fig.update_layout(template=TEMPLATE, barmode="stack", title=_subtitle(title, note),
                      height=max(320, 140 + 26 * len(endpoints)), margin={"t": 90},
                      legend={"title": {"text": "decision"}, "traceorder": "normal"},
                      xaxis={"title": {"text": "requests"}},
                      yaxis={"type": "category", "autorange": "reversed", "automargin": True})
    return fig


def top_endpoints_figure(ws: Workspace, filters: report.Filters = report.Filters()) -> go.Figure:
    return top_endpoints_from_frame(report.run(ws, "reports/chart_top_endpoints", filters.params()))


def all_figures(ws: Workspace, filters: report.Filters = report.Filters()) -> dict[str, go.Figure]:
    """The report's charts by element id, in page order."""
    return {"chart-heatmap": heatmap_figure(ws, filters), "chart-timeline": timeline_figure(ws, filters),
            "chart-endpoints": top_endpoints_figure(ws, filters)}

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

#: What the heatmap's colours mean, most pressing first: (category, colour scale, legend text).
HEATMAP_CATEGORIES = (
    ("enforced", [[0.0, "#fcbba1"], [1.0, "#a50f15"]], "blocked or filtered by the active rules"),
    ("exposed", [[0.0, "#fdd0a2"], [1.0, "#d94801"]],
     "allowed today; a rule covering the space would block it (or it comes from an unidentified client "
     "or an unknown space)"),
    ("exempt", [[0.0, "#e0e0e0"], [1.0, "#8c8c8c"]],
     "exempt (allowlisted) or not eligible (API token): no rule blocks it"),
)


def _cell_category(r: dict[str, Any]) -> tuple[str, int]:
    """The most pressing thing a rule does in a cell, and how many requests that is."""
    if r["enforced"]:
        return "enforced", r["enforced"]
    if r["exposed"] or r["undecided"]:
        return "exposed", r["exposed"] + r["undecided"]
    return "exempt", r["exempt"] + r["not_eligible"]


def heatmap_from_frame(frame: Frame) -> go.Figure:
    """Apps (rows) x spaces (columns): requests to blocked APIs on objects of that space, coloured by
    what a rule does to them (see HEATMAP_CATEGORIES); the number in a cell counts that colour's
    requests, the hover splits the cell by decision."""
    title = "Requests to blocked APIs by app and space: enforced, exposed, exempt"
    records = frame.records()
    if not records:
        return _empty(title, "No request to a blocked API on objects of one space in this selection.")
    apps = sorted({(r["app_rank"], r["app"]) for r in records})
    spaces = sorted({(r["space_rank"], r["space_label"]) for r in records})
    row = {app: i for i, (_, app) in enumerate(apps)}
    col = {space: j for j, (_, space) in enumerate(spaces)}
    layers = {name: [[None] * len(spaces) for _ in apps] for name, _, _ in HEATMAP_CATEGORIES}
    hover: list[list[str]] = [[""] * len(spaces) for _ in apps]
    for r in records:  # at most 30 x 40 cells: the query aggregated and capped them
        i, j = row[r["app"]], col[r["space_label"]]
        category, count = _cell_category(r)
        layers[category][i][j] = count  # type: ignore[call-overload]
        hover[i][j] = label(f"{r['requests']:,} requests ({r['decisions']})")
    first = records[0]
    notes = []
    if first["apps_total"] > len(apps) or first["spaces_total"] > len(spaces):
        notes.append(f"busiest {len(apps)} of {first['apps_total']} apps and {len(spaces)} of "
                     f"{first['spaces_total']} spaces shown")
    notes.append("site-wide lists and searches are in the tables below")
    x, y = [label(s) for _, s in spaces], [label(a) for _, a in apps]
    traces: list[Any] = []
    for name, scale, _ in HEATMAP_CATEGORIES:
        z = layers[name]
        if not any(v is not None for line in z for v in line):
            continue
        traces.append(go.Heatmap(
            z=z, x=x, y=y, customdata=hover, colorscale=scale, showscale=False, hoverongaps=False, xgap=1, ygap=1,
            texttemplate="%{z:,}", name=name,
            hovertemplate="app %{y}<br>space %{x}<br>%{customdata}<extra></extra>"))
    for name, scale, text in HEATMAP_CATEGORIES:  # legend entries (a heatmap has none of its own)
        traces.append(go.Scatter(x=[None], y=[None], mode="markers", name=label(text), showlegend=True,
                                 hoverinfo="skip", marker={"symbol": "square", "size": 14, "color": scale[1][1]},
                                 legendgroup=name))
    fig = go.Figure(traces)
    fig.update_layout(template=TEMPLATE, title=_subtitle(title, "; ".join(notes)),
                      height=max(440, 300 + 40 * len(apps)), margin={"t": 175},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 12}},
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


# -- (d) what-if: changes by app and space -------------------------------------------

#: One colour per what-if change class.
CHANGE_COLOURS = {"newly_blocked": "#d62728", "newly_filtered": "#ff7f0e", "unblocked": "#2ca02c",
                  "undeterminable": "#bcbd22", "other": "#7f7f7f"}


def whatif_from_frame(by_app_space: Frame, limit: int = 25) -> go.Figure:
    """Changed requests per app and space (horizontal bars stacked by change class), busiest first."""
    title = "What-if: changed requests by app and space"
    records = by_app_space.records()
    if not records:
        return _empty(title, "No request would change.")
    totals: dict[str, int] = {}
    for r in records:
        key = f"{r['app']} · {r['space']}"
        totals[key] = totals.get(key, 0) + r["requests"]
    keys = sorted(totals, key=lambda k: (-totals[k], k))[:limit]
    shown = set(keys)
    by_change: dict[str, dict[str, int]] = {}
    for r in records:
        key = f"{r['app']} · {r['space']}"
        if key in shown:
            cell = by_change.setdefault(r["change"], {})
            cell[key] = cell.get(key, 0) + r["requests"]
    order = [c for c in CHANGE_COLOURS if c in by_change] + sorted(set(by_change) - set(CHANGE_COLOURS))
    fig = go.Figure([go.Bar(
        name=change.replace("_", " "), orientation="h", y=[label(k) for k in keys],
        x=[by_change[change].get(k, 0) for k in keys], marker={"color": CHANGE_COLOURS.get(change, "#17becf")},
        hovertemplate="%{y}<br>" + change.replace("_", " ") + ": %{x:,} requests<extra></extra>",
    ) for change in order])
    note = f"busiest {len(keys)} of {len(totals)} app and space pairs" if len(totals) > len(keys) else None
    fig.update_layout(template=TEMPLATE, barmode="stack", title=_subtitle(title, note),
                      height=max(320, 140 + 26 * len(keys)), margin={"t": 90},
                      legend={"title": {"text": "change"}, "traceorder": "normal"},
                      xaxis={"title": {"text": "requests"}},
                      yaxis={"type": "category", "autorange": "reversed", "automargin": True})
    return fig


def figures(ws: Workspace, filters: report.Filters = report.Filters(),
            simulation: Any | None = None) -> dict[str, go.Figure]:
    """The report's charts by name, in page order (``whatif`` first when a simulation is given)."""
    figs: dict[str, go.Figure] = {}
    if simulation is not None:
        figs["whatif"] = whatif_from_frame(simulation.by_app_space)
    figs.update({"heatmap": heatmap_figure(ws, filters), "timeline": timeline_figure(ws, filters),
                 "endpoints": top_endpoints_figure(ws, filters)})
    return figs


def all_figures(ws: Workspace, filters: report.Filters = report.Filters()) -> dict[str, go.Figure]:
    """The report's charts by element id, in page order."""
    return {f"chart-{name}": fig for name, fig in figures(ws, filters).items()}

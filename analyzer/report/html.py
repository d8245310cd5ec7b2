"""The HTML report: one self-contained file with the charts and tables, for people without a terminal.

It is meant to be mailed around and opened anywhere, so it embeds plotly.js
once, loads nothing from the network (a Content-Security-Policy with
``default-src 'none'`` makes the browser refuse any fetch, and only the
page's own scripts, pinned by hash, may run) and escapes every value: user
agents, paths and space keys come from logs and are untrusted.

Numbers come from named queries (``queries/reports/*.sql``); this module only
composes them into a page.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import plotly.io as pio
from plotly.offline import get_plotlyjs

from analyzer import report
from analyzer.output import Frame, display_text
from analyzer.report import charts
from analyzer.whatif import Simulation
from analyzer.workspace import Workspace

#: Longer tables are cut (the CSV/JSON outputs have every row).
MAX_ROWS = 500

# Method and path in one column (as in the terminal); app names are in the apps table.
BLOCKED_COLUMNS = ("app", "site", "space", "api", "endpoint_name", "decision", "policy", "requests", "days",
                   "first_seen", "last_seen", "statuses")
SITE_COLUMNS = tuple(c for c in BLOCKED_COLUMNS if c != "space")

CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --zebra: #f6f8fa; --head: #eaeef2; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0 auto; padding: 1.5rem 2rem 4rem; max-width: 1600px; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2.5rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .4rem; }
p.note, .caption { color: var(--muted); margin: .3rem 0; }
nav a { margin-right: 1rem; }
dl.totals { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .5rem 1rem;
            margin: 1rem 0; }
dl.totals div { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; }
dl.totals dt { color: var(--muted); font-size: .85rem; }
dl.totals dd { margin: 0; font-size: 1.3rem; font-variant-numeric: tabular-nums; }
table.meta td { padding: .1rem 1rem .1rem 0; vertical-align: top; }
table.meta td:first-child { color: var(--muted); white-space: nowrap; }
.chart { border: 1px solid var(--line); border-radius: 6px; margin: 1rem 0; padding: .25rem; }
.table-wrap { max-height: 70vh; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
table.data { border-collapse: separate; border-spacing: 0; width: 100%; font-size: 13px; }
table.data th { position: sticky; top: 0; z-index: 1; background: var(--head); text-align: left;
                padding: .35rem .6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.data td { padding: .25rem .6rem; vertical-align: top; overflow-wrap: break-word; max-width: 40rem; }
table.data td.t { white-space: nowrap; }
table.data tbody tr:nth-child(even) td { background: var(--zebra); }
table.data th.num, table.data td.num { text-align: right; font-variant-numeric: tabular-nums;
                                       white-space: nowrap; }
td.d-blocked { color: #b31d28; font-weight: 600; } td.d-filtered { color: #b35900; font-weight: 600; }
td.d-exempt { color: #1a7f37; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
"""


# -- cells and tables ------------------------------------------------------------------

def _numeric(rows: Sequence[Sequence[Any]], index: int) -> bool:
    values = [r[index] for r in rows if r[index] is not None]
    return bool(values) and all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in values)


def _esc(value: Any) -> str:
    return html.escape(display_text(value), quote=True)


def html_table(frame: Frame, *, limit: int = MAX_ROWS, empty: str = "No rows.") -> str:
    """``frame`` as an escaped HTML table (first ``limit`` rows, with a note when cut)."""
    if not frame.rows:
        return f'<p class="note">{html.escape(empty)}</p>'
    rows = frame.rows[:limit]
    numeric = [_numeric(rows, i) for i in range(len(frame.columns))]
    head = "".join(f'<th{" class=num" if n else ""} scope="col">{_esc(c)}</th>'
                   for c, n in zip(frame.columns, numeric, strict=True))
    decision_at = frame.columns.index("decision") if "decision" in frame.columns else -1
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            classes = ["num"] if numeric[i] else ["t"] if isinstance(value, (dt.datetime, dt.date)) else []
            if i == decision_at and value in ("blocked", "filtered", "exempt"):
                classes.append(f"d-{value}")
            attr = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attr}>{_esc(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = ""
    if len(frame.rows) > limit:
        note = (f'<p class="note">Showing the first {limit:,} of {len(frame.rows):,} rows; '
                "use <code>--format csv</code> or <code>json</code> for all of them.</p>")
    caption = f'<p class="caption">{html.escape(frame.caption)}</p>' if frame.caption else ""
    return (f'{caption}<div class="table-wrap"><table class="data"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>{note}')


def _subset(records: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> Frame:
    return Frame(columns, tuple(tuple(r[c] for c in columns) for r in records))


# -- sections ------------------------------------------------------------------------

def _header(ws: Workspace, filters: report.Filters, overview: dict[str, Any], generated: dt.datetime,
            whatif: bool) -> str:
    first, last = overview["first_seen"], overview["last_seen"]
    window = (f"{first:%Y-%m-%d %H:%M} .. {last:%Y-%m-%d %H:%M} UTC ({overview['days']} days)"
              if first is not None else "no traffic stored")
    chosen = {k: v for k, v in filters.params().items() if v is not None}
    meta = [("workspace", str(ws.path)), ("time window", window),
            ("files ingested", f"{overview['files']:,}"),
            ("active policies", f"{overview['active_policies']:,}"),
            ("filters", ", ".join(f"{k}={display_text(v)}" for k, v in chosen.items()) or "none"),
            ("generated", f"{generated:%Y-%m-%d %H:%M:%S} UTC")]
    totals = [("requests", overview["requests"]), ("Confluence REST requests", overview["rest_requests"]),
              ("requests to blocked APIs", overview["blocked_api_requests"]),
              ("blocked or filtered by rules", overview["blocked_by_rules"]), ("apps", overview["apps"]),
              ("unidentified Confluence requests", overview["unidentified_requests"])]
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in meta)
    cards = "".join(f"<div><dt>{html.escape(k)}</dt><dd>{_esc(v)}</dd></div>" for k, v in totals)
    links = [("charts", "Charts"), ("blocked", "Blocked APIs"), ("apps", "Apps"), ("anomalies", "Anomalies")]
    nav = "".join(f'<a href="#{i}">{t}</a>' for i, t in links + ([("whatif", "What-if")] if whatif else []))
    return (f"<header><h1>Confluence app access rules: traffic report</h1>"
            f'<table class="meta">{rows}</table><dl class="totals">{cards}</dl><nav>{nav}</nav></header>')


def _blocked_section(frame: Frame) -> str:
    records = [{**r, "api": f"{r['method']} {r['endpoint']}", "decision": "exempt" if r["exempt"] else r["decision"]}
               for r in frame.records()]
    per_space = [r for r in records if r["scope"] == "space"]
    site_wide = [r for r in records if r["scope"] == "site"]
    parts = ['<section id="blocked"><h2>Blocked APIs used, by app, space and endpoint</h2>',
             '<p class="note">Every request to an API that app access rules block, whether or not a rule was '
             "active then. <em>exempt</em>: allowed thanks to a policy's allowlist (the policy is named).</p>"]
    for title, rows, columns in (
            ("On objects of one space", per_space, BLOCKED_COLUMNS),
            ("Site-wide lists and searches (results from covered spaces are withheld)", site_wide, SITE_COLUMNS)):
        total = sum(r["requests"] for r in rows)
        parts.append(f"<h3>{html.escape(title)}</h3>")
        parts.append(f'<p class="caption">{len(rows):,} rows, {total:,} requests</p>')
        parts.append(html_table(_subset(rows, columns), empty="None."))
    parts.append("</section>")
    return "".join(parts)


def _simulation_section(sim: Simulation) -> str:
    s = sim.summary
    labels = (("requests evaluated", "evaluated"), ("unchanged", "unchanged"), ("newly blocked", "newly_blocked"),
              ("newly filtered", "newly_filtered"), ("unblocked", "unblocked"),
              ("undeterminable", "undeterminable"), ("other changes", "other"),
              ("apps newly blocked or filtered", "apps_affected"))
    cards = "".join(f"<div><dt>{html.escape(text)}</dt><dd>{_esc(s.get(key) or 0)}</dd></div>"
                    for text, key in labels)
    window = ""
    if s.get("window_start") is not None:
        window = (f'<p class="note">Window replayed: {s["window_start"]:%Y-%m-%d %H:%M} .. '
                  f'{s["window_end"]:%Y-%m-%d %H:%M} UTC ({s["days_covered"]} days).</p>')
    policies = ", ".join(p.name for p in sim.policies)
    warnings = "".join(f'<p class="note">warning: {html.escape(w)}</p>' for w in sim.warnings)
    return (f'<section id="whatif"><h2>What-if: proposed rules</h2>'
            f'<p class="note">{html.escape(sim.mode)} mode; policies replayed: {html.escape(policies) or "none"}.</p>'
            f'{window}{warnings}<dl class="totals">{cards}</dl>'
            f"<h3>{html.escape(sim.by_app_space.title or 'Changes by app and space')}</h3>"
            f"{html_table(sim.by_app_space, empty='No request would change.')}</section>")


def _chart_divs(figures: dict[str, Any]) -> tuple[str, list[str]]:
    """The charts section and the inline scripts it holds (plotly escapes the data inside them)."""
    parts = ['<section id="charts"><h2>Charts</h2>']
    scripts: list[str] = []
    for div_id, fig in figures.items():
        div = pio.to_html(fig, config=charts.CONFIG, include_plotlyjs=False, full_html=False, div_id=div_id,
                          default_height=f"{fig.layout.height or 450}px")
        scripts.extend(_INLINE_SCRIPT.findall(div))
        parts.append(f'<div class="chart">{div}</div>')
    parts.append("</section>")
    return "".join(parts), scripts


# -- the page ------------------------------------------------------------------------

_INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def _csp(scripts: Iterable[str]) -> str:
    """A policy allowing exactly our own inline scripts (by hash) and no fetch from anywhere.

    Only scripts this module wrote are hashed, never the page as a whole: should a
    value from the logs ever slip through unescaped, its script would not run.
    plotly.js sets inline styles, hence ``style-src 'unsafe-inline'``; its
    "download as PNG" button builds data:/blob: images.
    """
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
                     for s in scripts})
    return ("default-src 'none'; script-src " + " ".join(hashes) + "; style-src 'unsafe-inline'; "
            "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")


def render_html(ws: Workspace, filters: report.Filters = report.Filters(), *, simulation: Simulation | None = None,
                generated: dt.datetime | None = None) -> str:
    """The report page as a string (see :func:`write_html_report`)."""
    generated = generated or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    overview = report.run(ws, "reports/overview", filters.params()).records()[0]
    apps_frame = report.apps(ws, filters)
    anomalies_frame = report.anomalies(ws, filters)
    chart_section, chart_scripts = _chart_divs(charts.all_figures(ws, filters))
    sections = [
        _header(ws, filters, overview, generated, simulation is not None),
        chart_section,
        _blocked_section(report.blocked(ws, filters)),
        '<section id="apps"><h2>Apps: dependency profiles</h2><p class="note">How much of each app\'s traffic '
        "uses APIs that app access rules block, the spaces it touches with them, deprecated v1 endpoints it "
        "still calls, and the share the active rules block or filter.</p>"
        + html_table(apps_frame, empty="No Confluence traffic.") + "</section>",
        '<section id="anomalies"><h2>Anomalies</h2><p class="note">Enforcement mismatches (blocked but '
        "succeeded; denied where nothing should block) and the unknown clients, spaces and sites that hide "
        "decisions.</p>" + html_table(anomalies_frame, empty="None found.") + "</section>",
    ]
    if simulation is not None:
        sections.append(_simulation_section(simulation))
    body = "\n".join(sections)
    plotly_js = get_plotlyjs()
    title = html.escape(f"appaccess report: {ws.path.name}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{_csp([plotly_js, *chart_scripts])}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n<style>{CSS}</style>\n<script>{plotly_js}</script>\n</head>\n<body>\n{body}\n"
            '<footer>Generated by appaccess. Self-contained: this file loads nothing from the network.</footer>\n'
            "</body></html>\n")


def write_html_report(ws: Workspace, out: Path, filters: report.Filters = report.Filters(), *,
                      simulation: Simulation | None = None) -> Path:
    """Write the HTML report (charts, blocked/apps/anomalies tables, optional what-if) to ``out``."""
    out = Path(out)
    out.write_text(render_html(ws, filters, simulation=simulation), encoding="utf-8")
    return out

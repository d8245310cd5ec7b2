"""The HTML report: one self-contained file with the charts and tables, for people without a terminal.

It is meant to be mailed around and opened anywhere, so it embeds plotly.js
once, loads nothing from the network (a Content-Security-Policy with
``default-src 'none'`` makes the browser refuse any fetch, and only the
page's own scripts, pinned by hash, may run) and escapes every value: user
agents, paths and space keys come from logs and are untrusted.

What an admin acts on comes first and is kept apart from what needs no action:
a what-if (when there is one) opens the page; requests the active rules
enforce, requests exposed to a rule that does not cover them yet, and
requests no rule will block (allowlisted, API tokens) are separate tables,
with a legend for every colour. Numbers come from named queries
(``queries/reports/*.sql``); this module only composes them into a page.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import plotly.io as pio
from plotly.offline import get_plotlyjs

from analyzer import report
from analyzer.output import Frame, display_text, plural, write_text
from analyzer.report import charts, htmltable
from analyzer.report.htmltable import DECISIONS, esc, html_table, legend
from analyzer.whatif import Simulation
from analyzer.workspace import Workspace

__all__ = ["html_table", "render_html", "write_html_report"]

FOCUS = ("blocked", "apps", "anomalies")
TITLES = {"blocked": "Confluence app access rules: traffic report", "apps": "Confluence apps: dependency profiles",
          "anomalies": "Confluence app access rules: anomalies"}

# One table per category; method and path in one column (the operation name is its tooltip).
BLOCKED_COLUMNS = ("app", "site", "space", "api", "endpoint_name", "decision", "policy", "requests", "days",
                   "first_seen", "last_seen", "statuses")
APPS_COLUMNS = ("app", "app_name", "auth", "requests", "blocked_api_requests", "blocked_apis", "space_list",
                "site_wide_requests", "deprecated_v1_apis", "blocked_by_rules", "blocked_share_pct",
                "exempt_requests", "last_seen")
ANOMALY_COLUMNS = ("kind", "subject", "requests", "apps", "sites", "policies", "first_seen", "last_seen", "example")
WHATIF_COLUMNS = ("app", "site", "space", "change", "transition", "requests", "days_with_attempts", "last_attempt",
                  "endpoints", "proposed_policy")

CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --zebra: #f6f8fa; --head: #eaeef2; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0 auto; padding: 1.5rem 2rem 4rem; max-width: 1600px; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2.5rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .4rem; }
p.note, .caption { color: var(--muted); margin: .3rem 0; }
p.warning { color: #9a6700; margin: .3rem 0; }
nav a { margin-right: 1rem; }
dl.totals { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .5rem 1rem;
            margin: 1rem 0; }
dl.totals div { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; }
dl.totals div.whatif { border-color: #d1242f; background: #fff8f8; }
dl.totals dt { color: var(--muted); font-size: .85rem; }
dl.totals dd { margin: 0; font-size: 1.3rem; font-variant-numeric: tabular-nums; }
table.meta td { padding: .1rem 1rem .1rem 0; vertical-align: top; overflow-wrap: anywhere; }
table.meta td:first-child { color: var(--muted); white-space: nowrap; }
.chart { border: 1px solid var(--line); border-radius: 6px; margin: 1rem 0; padding: .25rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
""" + htmltable.CSS


def _day(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


def _subset(records: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> Frame:
    return Frame(columns, tuple(tuple(r.get(c) for c in columns) for r in records))


def _cards(items: Iterable[tuple[str, Any]], css: str = "") -> str:
    attr = f' class="{css}"' if css else ""
    return "".join(f"<div{attr}><dt>{html.escape(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in items)


# -- sections ------------------------------------------------------------------------

def _header(ws: Workspace, filters: report.Filters, overview: dict[str, Any], generated: dt.datetime,
            focus: str, simulation: Simulation | None, links: list[tuple[str, str]]) -> str:
    first, last = overview["first_seen"], overview["last_seen"]
    window = (f"{first:%Y-%m-%d %H:%M} .. {last:%Y-%m-%d %H:%M} UTC ({plural(overview['days'], 'day')} with requests)"
              if first is not None else "no traffic stored")
    chosen = {k: v for k, v in filters.params().items() if v is not None}
    meta = [("workspace", str(ws.path)), ("time window", window),
            ("files ingested", f"{overview['files']:,}"),
            ("active policies", f"{overview['active_policies']:,}"),
            ("filters", ", ".join(f"{k}={display_text(v)}" for k, v in chosen.items()) or "none"),
            ("generated", f"{generated:%Y-%m-%d %H:%M:%S} UTC")]
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in meta)
    cards = ""
    if simulation is not None:
        s = simulation.summary
        cards += _cards((("what-if: newly blocked", s["newly_blocked"] or 0),
                         ("what-if: newly filtered", s["newly_filtered"] or 0),
                         ("what-if: unblocked", s["unblocked"] or 0),
                         ("what-if: apps newly blocked or filtered", s["apps_affected"] or 0)), "whatif")
    cards += _cards((("requests", overview["requests"]), ("Confluence requests", overview["confluence_requests"]),
                     ("requests to blocked APIs", overview["blocked_api_requests"]),
                     ("blocked or filtered by rules", overview["blocked_by_rules"]), ("apps", overview["apps"]),
                     ("unidentified Confluence requests", overview["unidentified_requests"])))
    nav = "".join(f'<a href="#{i}">{html.escape(t)}</a>' for i, t in links)
    return (f"<header><h1>{html.escape(TITLES[focus])}</h1>"
            f'<table class="meta">{rows}</table><dl class="totals">{cards}</dl><nav>{nav}</nav></header>')


def _category(r: dict[str, Any], allowlisted: set[tuple[Any, ...]]) -> str:
    """What a rule does to a row of the blocked report: enforced, exposed, or nothing it can (untouchable).

    Where an app is exempt in a space at all, its other allowed calls there (made before the policy
    was active) are untouchable too: the allowlist covers them now (as in the heatmap).
    """
    if r["decision"] in ("blocked", "filtered"):
        return "enforced"
    if r["exempt"] or r["decision"] == "not_eligible" or r.get("auth") == "api_token":
        return "untouchable"
    if r["decision"] == "allowed" and (r["app"], r["site"], r["space"]) in allowlisted:
        return "untouchable"
    return "exposed"


def _blocked_section(frame: Frame) -> str:
    records = [{**r, "api": f"{r['method']} {r['endpoint']}", "decision": "exempt" if r["exempt"] else r["decision"],
                "space": r["space"] if r["scope"] == "space" else "(site-wide)",
                "first_seen": _day(r["first_seen"]), "last_seen": _day(r["last_seen"])}
               for r in frame.records()]
    several_sites = len({r["site"] for r in records}) > 1
    allowlisted = {(r["app"], r["site"], r["space"]) for r in records if r["exempt"]}
    columns = tuple(c for c in BLOCKED_COLUMNS if several_sites or c != "site")
    parts = ['<section id="blocked"><h2>Blocked APIs used, by app, space and endpoint</h2>',
             '<p class="note">Every request to an API that app access rules block, whether or not a rule was '
             "active then, in three tables: what the active rules enforce, what they leave exposed, and what no "
             "rule will block. <em>(site-wide)</em>: lists and searches over the whole site, whose results from "
             "covered spaces are withheld (filtered). Click a header to sort; type to filter.</p>",
             legend(DECISIONS)]
    for key, title, note, empty in (
            ("enforced", "Enforced: blocked or filtered by the active rules", None,
             "The active rules blocked or filtered nothing in this selection."),
            ("exposed", "Exposed: allowed today, blocked once a rule covers the space",
             "Eligible apps (and unidentified clients or unknown spaces, which hide a decision) calling blocked "
             "APIs where no active rule applies: what a new or wider rule would break.",
             "Nothing exposed: every such request is enforced, exempt or not eligible."),
            ("untouchable", "Exempt or not eligible: no rule blocks these",
             "Allowed thanks to a policy's allowlist (the policy is named; the app's earlier calls in the same "
             "space are listed here too, as allowed), or made with an API token (the client acts as a user; "
             "app access rules cannot block it).", "None.")):
        rows = [r for r in records if _category(r, allowlisted) == key]
        total = sum(r["requests"] for r in rows)
        parts.append(f'<h3 id="blocked-{key}">{html.escape(title)}</h3>')
        parts.append(f'<p class="caption">{plural(len(rows), "row")}, {plural(total, "request")}'
                     + (f". {html.escape(note)}" if note else "") + "</p>")
        parts.append(html_table(_subset(rows, columns), table_id=f"table-blocked-{key}", empty=empty,
                                titles={"api": "endpoint_name"}))
    parts.append("</section>")
    return "".join(parts)


def _apps_section(frame: Frame) -> str:
    rows = [{**r, "last_seen": _day(r["last_seen"])} for r in frame.records()]
    return ('<section id="apps"><h2>Apps: dependency profiles</h2><p class="note">How much of each app\'s traffic '
            "uses APIs that app access rules block, the spaces it touches with them, deprecated v1 endpoints it "
            "still calls, and the share (% blocked) the active rules block or filter.</p>"
            + html_table(_subset(rows, APPS_COLUMNS), table_id="table-apps", empty="No Confluence traffic.")
            + "</section>")


def _anomalies_section(frame: Frame) -> str:
    return ('<section id="anomalies"><h2>Anomalies</h2><p class="note">Enforcement mismatches (blocked but '
            "succeeded; denied where nothing should block) and the unknown clients, spaces and sites that hide "
            "decisions, each with an example file:line.</p>"
            + html_table(_subset(frame.records(), ANOMALY_COLUMNS), table_id="table-anomalies", empty="None found.")
            + "</section>")


def _simulation_section(sim: Simulation, chart: str) -> str:
    s = sim.summary
    labels = (("requests evaluated", "evaluated"), ("unchanged", "unchanged"), ("newly blocked", "newly_blocked"),
              ("newly filtered", "newly_filtered"), ("unblocked", "unblocked"),
              ("undeterminable", "undeterminable"), ("other changes", "other"),
              ("apps newly blocked or filtered", "apps_affected"))
    cards = _cards((text, s.get(key) or 0) for text, key in labels)
    window = ""
    if s.get("window_start") is not None:
        window = (f'<p class="note">Window replayed: {s["window_start"]:%Y-%m-%d %H:%M} .. '
                  f'{s["window_end"]:%Y-%m-%d %H:%M} UTC ({plural(s["days_covered"], "day")} with requests).</p>')
    policies = ", ".join(p.name for p in sim.policies)
    warnings = "".join(f'<p class="warning">warning: {html.escape(w)}</p>' for w in sim.warnings)
    rows = [{**r, "last_attempt": _day(r["last_attempt"])} for r in sim.by_app_space.records()]
    return (f'<section id="whatif"><h2>What-if: proposed rules</h2>'
            f'<p class="note">{html.escape(sim.mode)} mode; policies replayed: {html.escape(policies) or "none"}. '
            "Newly blocked and newly filtered requests are what the proposal would break.</p>"
            f'{window}{warnings}<dl class="totals">{cards}</dl>{chart}'
            f"<h3>{html.escape(sim.by_app_space.title or 'Changes by app and space')}</h3>"
            + html_table(_subset(rows, WHATIF_COLUMNS), table_id="table-whatif", empty="No request would change.")
            + "</section>")


def _chart(fig: Any, div_id: str, scripts: list[str]) -> str:
    """One chart's div; its inline script goes to ``scripts`` (plotly escapes the data inside it)."""
    div = pio.to_html(fig, config=charts.CONFIG, include_plotlyjs=False, full_html=False, div_id=div_id,
                      default_height=f"{fig.layout.height or 450}px")
    scripts.extend(_INLINE_SCRIPT.findall(div))
    return f'<div class="chart">{div}</div>'


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
                generated: dt.datetime | None = None, focus: str = "blocked") -> str:
    """The report page as a string (see :func:`write_html_report`)."""
    if focus not in FOCUS:
        raise ValueError(f"focus must be one of {FOCUS}")
    generated = generated or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    overview = report.run(ws, "reports/overview", filters.params()).records()[0]
    scripts: list[str] = []
    sections: list[str] = []
    links: list[tuple[str, str]] = []
    if simulation is not None:
        chart = _chart(charts.whatif_from_frame(simulation.by_app_space), "chart-whatif", scripts)
        sections.append(_simulation_section(simulation, chart))
        links.append(("whatif", "What-if"))
    if focus in ("blocked", "apps"):
        names = ("heatmap", "timeline", "endpoints") if focus == "blocked" else ("heatmap",)
        figures = {"heatmap": charts.heatmap_figure, "timeline": charts.timeline_figure,
                   "endpoints": charts.top_endpoints_figure}
        divs = "".join(_chart(figures[n](ws, filters), f"chart-{n}", scripts) for n in names)
        sections.append('<section id="charts"><h2>Charts</h2><p class="note">Heatmap colours: red, what the active '
                        "rules enforce; orange, what they leave exposed; grey, what no rule will block. Decision "
                        f"colours in the bar chart are those of the tables.</p>{divs}</section>")
        links.append(("charts", "Charts"))
    if focus == "blocked":
        sections.append(_blocked_section(report.blocked(ws, filters)))
        links.append(("blocked", "Blocked APIs"))
    if focus in ("blocked", "apps"):
        sections.append(_apps_section(report.apps(ws, filters)))
        links.append(("apps", "Apps"))
    if focus in ("blocked", "anomalies"):
        sections.append(_anomalies_section(report.anomalies(ws, filters)))
        links.append(("anomalies", "Anomalies"))
    body = "\n".join([_header(ws, filters, overview, generated, focus, simulation, links), *sections])
    plotly_js = get_plotlyjs()
    title = html.escape(f"appaccess {focus} report: {ws.path.name}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{_csp([plotly_js, htmltable.SCRIPT, *scripts])}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n<style>{CSS}</style>\n<script>{plotly_js}</script>\n</head>\n<body>\n{body}\n"
            '<footer>Generated by appaccess. Self-contained: this file loads nothing from the network.</footer>\n'
            f"<script>{htmltable.SCRIPT}</script>\n</body></html>\n")


def write_html_report(ws: Workspace, out: Path, filters: report.Filters = report.Filters(), *,
                      simulation: Simulation | None = None, focus: str = "blocked") -> Path:
    """Write the HTML report (``focus``: blocked = the full report, apps, anomalies; a what-if first
    when ``simulation`` is given) to ``out``."""
    out = Path(out)
    write_text(out, render_html(ws, filters, simulation=simulation, focus=focus))
    return out

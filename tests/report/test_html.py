"""The HTML report in a real browser: headless Chromium renders the charts offline, without script errors.

One workspace for the module: sample_logs/nginx-vhost_combined.log with the
sample config, plus one hostile line (an unknown client whose user agent is a
script) so the escaping is checked on the rendered page. Chromium opens a copy
of the report with a small recorder script injected at the very top (before
the report's Content-Security-Policy) that writes every error, unhandled
rejection, console.error and CSP violation into ``<pre id="js-errors">``;
``--dump-dom`` returns the page after ``--virtual-time-budget`` ms of rendering.

Chromium is required: CI installs it (.ci/run). Without it these tests fail,
unless APPACCESS_SKIP_BROWSER=1 says to skip them.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from analyzer import Context
from analyzer.output import Frame
from analyzer.report import Filters
from analyzer.report.html import html_table, render_html, write_html_report
from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_logs"
CONFIG = SAMPLES / "config"
CHARTS = ("chart-whatif", "chart-heatmap", "chart-timeline", "chart-endpoints")
XSS_UA = "Evil/6.6 <script>alert(1)</script><img src=x onerror=document.body.setAttribute('data-xss',1)>"
# An unknown client reading a page in HR after the sample rule's activation: an unknown_client anomaly.
XSS_LINE = (f'acme.atlassian.net:443 192.0.2.66 - - [20/Sep/2026:12:00:00 +0000] '
            f'"GET /wiki/api/v2/pages/98311001 HTTP/1.1" 200 512 "-" "{XSS_UA}"\n')

RECORDER = """<script>(function () {
  var seen = [];
  function show() {
    var el = document.getElementById('js-errors');
    if (!el) { el = document.createElement('pre'); el.id = 'js-errors';
               (document.body || document.documentElement).appendChild(el); }
    el.textContent = seen.join('\\n');
  }
  function note(text) { seen.push(String(text)); show(); }
  window.addEventListener('error', function (e) {
    note('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || e.type)); }, true);
  window.addEventListener('unhandledrejection', function (e) { note('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) {
    note('csp violation: ' + e.violatedDirective + ' ' + e.blockedURI); });
  window.alert = function (text) { note('alert: ' + text); };  // a dialog would hang the headless browser
  var consoleError = console.error;
  console.error = function () { note('console.error: ' + Array.prototype.join.call(arguments, ' '));
                                return consoleError.apply(console, arguments); };
  window.addEventListener('load', function () {
    show();
    var names = performance.getEntriesByType('resource').map(function (r) { return r.name; });
    var el = document.createElement('pre'); el.id = 'js-resources'; el.textContent = names.join('\\n');
    document.body.appendChild(el);
  });
})();</script>"""

# Measures every table and chart at the window's width, then sorts and filters the apps table by
# clicking and typing as a person would; the results go to <pre id="layout-check"> as JSON.
LAYOUT_CHECK = """<script>window.addEventListener('load', function () {
  var out = {viewport: document.documentElement.clientWidth, tables: [], charts: [], sort: {}, filter: {}};
  document.querySelectorAll('table.data').forEach(function (t) {
    var wrap = t.parentElement, box = wrap.getBoundingClientRect();
    out.tables.push({id: t.id, scroll: wrap.scrollWidth, width: wrap.clientWidth, right: box.right});
  });
  document.querySelectorAll('.chart').forEach(function (c) { out.charts.push(c.getBoundingClientRect().right); });
  function column(table, index) {
    return Array.prototype.map.call(table.tBodies[0].rows, function (r) {
      return parseFloat(r.cells[index].getAttribute('data-v')); });
  }
  var table = document.getElementById('table-apps');
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var index = heads.findIndex(function (th) { return th.textContent.trim() === 'requests'; });
  out.sort.before = column(table, index);
  heads[index].querySelector('button').click();
  out.sort.first = column(table, index); out.sort.first_state = heads[index].getAttribute('aria-sort');
  heads[index].querySelector('button').click();
  out.sort.second = column(table, index); out.sort.second_state = heads[index].getAttribute('aria-sort');
  var input = document.querySelector('input.filter[data-table="table-apps"]');
  input.value = 'reportbot'; input.dispatchEvent(new Event('input'));
  out.filter.visible = Array.prototype.filter.call(table.tBodies[0].rows, function (r) { return !r.hidden; })
    .map(function (r) { return r.cells[0].textContent; });
  out.filter.count = document.querySelector('[data-count="table-apps"]').textContent;
  var pre = document.createElement('pre'); pre.id = 'layout-check'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});</script>"""


def chromium() -> str:
    candidates = (os.environ.get("APPACCESS_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                  "/usr/bin/chromium")
    found = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
    if found is None:
        message = ("Chromium is needed for the HTML report test and was not found (looked for $APPACCESS_CHROMIUM, "
                   "chromium, chromium-browser, /usr/bin/chromium). Install it (apt-get install chromium), or set "
                   "APPACCESS_SKIP_BROWSER=1 to skip the browser checks.")
        if os.environ.get("APPACCESS_SKIP_BROWSER") == "1":
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    return found


def dump_dom(page: Path, profile: Path) -> str:
    """The DOM of ``page`` after Chromium ran its scripts (10 s of virtual time, no network), in a
    window 1,280 pixels wide."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--window-size=1280,900", "--hide-scrollbars",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", f"--user-data-dir={profile}", "--virtual-time-budget=10000",
               "--dump-dom", page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    if result.returncode != 0 or "</html>" not in result.stdout:
        pytest.fail(f"chromium failed (exit {result.returncode}):\n{result.stderr[-3000:]}", pytrace=False)
    return result.stdout


def with_recorder(document: str) -> str:
    """The page with RECORDER and LAYOUT_CHECK first in <head>, ahead of the report's CSP and scripts."""
    head = re.search(r"<head>(<meta charset=\"utf-8\">)?", document)
    assert head is not None, "the report has no <head>"
    return document[:head.end()] + RECORDER + LAYOUT_CHECK + document[head.end():]


def pre_text(dom: str, element_id: str) -> str | None:
    match = re.search(rf'<pre id="{element_id}">(.*?)</pre>', dom, re.DOTALL)
    return None if match is None else match.group(1)


class PlotScanner(HTMLParser):
    """For each plotly graph div: the CSS classes of everything inside it."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                      "track", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.plots: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        for _, plot in self.stack:
            if plot is not None:
                self.plots[plot].extend(classes)
        if tag in self.VOID:
            return
        plot = values.get("id") if "plotly-graph-div" in classes else None
        if plot is not None:
            self.plots[plot] = []
        self.stack.append((tag, plot))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return


class ExternalRefs(HTMLParser):
    """Every src/href attribute of the page (script, link, img, iframe, a...)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs.extend((tag, v) for k, v in attrs if k in ("src", "href") and v is not None)


@dataclass(frozen=True)
class Built:
    db: Path
    report: Path
    document: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("html")
    hostile = root / "hostile.log"
    hostile.write_text(XSS_LINE, encoding="utf-8")
    db = root / "w.duckdb"
    report = root / "report.html"
    with Context(db) as ctx:
        ctx.ingest([SAMPLES / "nginx-vhost_combined.log", hostile])
        ctx.load_apps(CONFIG / "apps.yaml")
        ctx.load_inventory([CONFIG / "sites.csv", CONFIG / "spaces.csv", CONFIG / "content.csv"])
        ctx.load_rules(CONFIG / "rules.yaml")
        simulation = ctx.simulate(CONFIG / "proposed-rules.yaml")
        assert write_html_report(ctx.ws, report, simulation=simulation) == report
    return Built(db, report, report.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dom(built: Built, tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("browser")
    page = root / "page.html"
    page.write_text(with_recorder(built.document), encoding="utf-8")
    return dump_dom(page, root / "profile")


def test_charts_render_without_script_errors(dom: str) -> None:
    errors = pre_text(dom, "js-errors")
    assert errors is not None, "the error recorder did not run"
    assert errors == "", f"script errors in the report:\n{errors}"
    scanner = PlotScanner()
    scanner.feed(dom)
    assert sorted(scanner.plots) == sorted(CHARTS), "expected exactly the what-if and the three report charts"
    for chart, classes in scanner.plots.items():
        assert "main-svg" in classes, f"{chart} was not drawn"
    assert "heatmaplayer" in scanner.plots["chart-heatmap"] and "hm" in scanner.plots["chart-heatmap"]
    assert scanner.plots["chart-timeline"].count("point") > 0  # one per drawn bar
    assert scanner.plots["chart-endpoints"].count("point") > 0
    assert pre_text(dom, "js-resources") == "", "the page loaded resources"


def test_report_is_offline(built: Built) -> None:
    refs = ExternalRefs()
    refs.feed(built.document)
    remote = [(tag, ref) for tag, ref in refs.refs if re.match(r"(?i)\s*(https?:)?//", ref)]
    assert remote == [], f"the report references the network: {remote}"
    assert not re.search(r"(?i)<script[^>]*\ssrc=", built.document), "all scripts must be inline"
    assert not re.search(r"(?i)<link[^>]*\shref=", built.document)
    assert built.document.count("plotly.js v") == 1, "plotly.js must be embedded exactly once"
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', built.document)
    assert policy is not None and "default-src 'none'" in policy.group(1) and "connect-src 'none'" in policy.group(1)
    assert "'unsafe-inline'" not in policy.group(1).split("style-src")[0], "scripts are allowed by hash only"


ESCAPED_UA = "Evil/6.6 &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror="


def _unbroken(text: str) -> str:
    """Without the <wbr> line-break opportunities the tables put in long values."""
    return text.replace("<wbr>", "")


def test_untrusted_user_agent_is_escaped(built: Built) -> None:
    assert ESCAPED_UA in _unbroken(built.document)
    assert "<script>alert(1)" not in built.document and "<img src=x" not in built.document


def test_untrusted_user_agent_stays_text_in_the_browser(dom: str) -> None:
    assert ESCAPED_UA in _unbroken(dom), "the user agent should be shown as text in the anomalies table"
    assert not re.search(r"<body[^>]*data-xss", dom), "the user agent's markup ran"


def _layout(dom: str) -> dict[str, Any]:
    text = pre_text(dom, "layout-check")
    assert text is not None, "the layout check did not run"
    return json.loads(html.unescape(text))


def test_tables_fit_a_1280_pixel_window(dom: str) -> None:
    layout = _layout(dom)
    assert layout["viewport"] <= 1280
    ids = {t["id"] for t in layout["tables"]}
    assert {"table-whatif", "table-blocked-enforced", "table-blocked-exposed", "table-blocked-untouchable",
            "table-apps", "table-anomalies"} <= ids
    for table in layout["tables"]:
        assert table["scroll"] <= table["width"], f"{table['id']} is wider than the page: {table}"
        assert table["right"] <= layout["viewport"], f"{table['id']} sticks out of the page: {table}"
    assert layout["charts"] and all(right <= layout["viewport"] for right in layout["charts"])


def test_clicking_a_header_sorts_and_typing_filters(dom: str) -> None:
    layout = _layout(dom)
    sort = layout["sort"]
    assert len(sort["before"]) > 2
    assert sort["first_state"] == "descending" and sort["first"] == sorted(sort["before"], reverse=True)
    assert sort["second_state"] == "ascending" and sort["second"] == sorted(sort["before"])
    assert layout["filter"]["visible"] == ["io.reportbot"]
    assert layout["filter"]["count"] == f"1 of {len(sort['before'])} rows"


def test_page_content(built: Built) -> None:
    doc = built.document
    for section in ("charts", "blocked", "apps", "anomalies", "whatif"):
        assert f'<section id="{section}">' in doc
    assert "workspace</td><td>" in doc and "w.duckdb" in doc
    assert "3,001" in doc  # requests: the sample's 3,000 plus the hostile line
    # every row is written; a cut (past 10,000 rows) is announced above the table, not below it
    frame = Frame(("n",), tuple((i,) for i in range(12)))
    cut = html_table(frame, table_id="t", limit=5)
    assert "This table has 12 rows; the first 5" in cut and cut.index("12 rows") < cut.index("<table")
    assert "This table has" not in html_table(frame, table_id="t", limit=12)
    assert html_table(frame, table_id="t").count("<tr>") == 13
    assert "newly blocked" in doc and "Changes by app and space" in doc
    # the what-if comes first, and is in the summary cards
    assert doc.index('<section id="whatif">') < doc.index('<section id="charts">')
    assert "<dt>what-if: newly blocked</dt>" in doc
    # human headers, and a legend for every decision colour
    assert "<button type=\"button\">to blocked APIs</button>" in doc and "blocked_api_requests" not in doc
    for decision in ("blocked", "filtered", "exempt", "not_eligible", "unknown_client", "allowed"):
        assert f'<li><span class="d-{decision}">{decision}</span>' in doc


def test_without_simulation_and_with_filters(built: Built) -> None:
    with Context(built.db, read_only=True) as ctx:
        doc = render_html(ctx.ws, Filters(site="acme-sandbox.atlassian.net"))
    assert '<section id="whatif">' not in doc
    assert "site=acme-sandbox.atlassian.net" in doc
    # the sandbox has no active rule in the samples: the timeline falls back to exposure, and says so
    assert "Requests to blocked APIs per day (exposure)" in doc


def test_cli_writes_the_report(built: Built, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "cli.html"
    result = cli("report", "blocked", "--db", built.db, "--format", "html", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_recorder_catches_errors(tmp_path: Path) -> None:
    """The harness itself: a failing script and a blocked fetch must both be reported."""
    page = tmp_path / "broken.html"
    page.write_text(with_recorder(
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'\">"
        '</head><body><script>noSuchFunction();</script><img src="https://example.invalid/x.png"></body></html>'),
        encoding="utf-8")
    errors = pre_text(dump_dom(page, tmp_path / "profile"), "js-errors") or ""
    assert "noSuchFunction" in errors
    assert "csp violation" in errors


def test_heatmap_keeps_what_no_rule_blocks_out_of_the_red(built: Built) -> None:
    """The allowlisted app in HR and the API-token script are grey, not enforcement red."""
    with Context(built.db, read_only=True) as ctx:
        fig = ctx.charts()["heatmap"]
    layers = {t.name: t for t in fig.data if t.type == "heatmap"}
    assert set(layers) == {"enforced", "exposed", "exempt"}
    apps, spaces = list(layers["enforced"].y), list(layers["enforced"].x)
    script, backup, bot = apps.index("ops-scripts"), apps.index("com.acme.backup"), apps.index("io.reportbot")
    hr = next(j for j, s in enumerate(spaces) if s.split(" ")[0] == "HR")
    assert not any(layers["enforced"].z[script]) and not any(layers["exposed"].z[script])
    assert any(layers["exempt"].z[script])
    assert layers["enforced"].z[backup][hr] is None and layers["exempt"].z[backup][hr]
    assert layers["enforced"].z[bot][hr]  # the bot is blocked in HR
    legend = [t.name for t in fig.data if t.type == "scatter"]
    assert any("blocked or filtered" in name for name in legend) and any("no rule blocks" in name for name in legend)

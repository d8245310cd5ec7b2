"""HTML tables for the report: human headers, every row, sortable and filterable in the page.

Tables fit the page: headers wrap between words, long text (paths, user
agents) breaks anywhere, only numbers and dates keep to one line. Every row is
written (up to :data:`MAX_ROWS`, and a cut is announced above the table, not
hidden below it); a small script of our own, allowed by hash in the page's
Content-Security-Policy, sorts a table when its header is clicked and filters
its rows as you type. Every value is escaped: logs are untrusted.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from analyzer.output import Frame, display_text
from analyzer.report.columns import header

#: Rows written per table; more are announced above the table (CSV and JSON have them all).
MAX_ROWS = 10_000

#: Decision labels as the tables colour them, with what each means (the legend).
DECISIONS = (
    ("blocked", "blocked by an active rule"),
    ("filtered", "withheld from a site-wide list or search by an active rule"),
    ("allowed", "allowed: no active rule covers it (exposure: a rule covering the space would block it)"),
    ("unknown_client", "would be blocked or filtered if the client were an identified app"),
    ("unknown_space", "the inventory does not know the space: may be covered"),
    ("exempt", "allowed thanks to a policy's allowlist"),
    ("not_eligible", "an API-token client: it acts as a user, no rule can block it"),
)

SCRIPT = """(function () {
  function value(cell, numeric) {
    var v = cell.getAttribute('data-v');
    if (v === null) { v = cell.textContent; }
    if (numeric) { var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
    return v.toLowerCase();
  }
  function sortBy(table, index, th) {
    var numeric = th.classList.contains('num') || th.classList.contains('t');
    var current = th.getAttribute('aria-sort');
    var descending = current === 'none' ? numeric : current === 'ascending';
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return [value(row.cells[index], numeric), i, row];
    });
    rows.sort(function (a, b) {
      if (a[0] < b[0]) { return descending ? 1 : -1; }
      if (a[0] > b[0]) { return descending ? -1 : 1; }
      return a[1] - b[1];
    });
    rows.forEach(function (r) { body.appendChild(r[2]); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.setAttribute('aria-sort', cell === th ? (descending ? 'descending' : 'ascending') : 'none');
    });
  }
  function filter(input) {
    var table = document.getElementById(input.getAttribute('data-table'));
    var query = input.value.trim().toLowerCase();
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var hit = !query || row.textContent.toLowerCase().indexOf(query) >= 0;
      row.hidden = !hit;
      if (hit) { shown += 1; }
    });
    var count = document.querySelector('[data-count="' + table.id + '"]');
    var total = table.tBodies[0].rows.length;
    count.textContent = query ? shown + ' of ' + total + ' rows' : total + ' rows';
  }
  document.querySelectorAll('table.data').forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = th.querySelector('button');
      if (button) { button.addEventListener('click', function () { sortBy(table, index, th); }); }
    });
  });
  document.querySelectorAll('input.filter').forEach(function (input) {
    input.addEventListener('input', function () { filter(input); });
  });
})();"""

CSS = """
.tools { display: flex; gap: 1rem; align-items: center; margin: .4rem 0; }
.tools input { font: inherit; padding: .2rem .5rem; border: 1px solid var(--line); border-radius: 4px;
               width: 18rem; max-width: 60%; }
.tools .count { color: var(--muted); }
.table-wrap { max-height: 75vh; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
table.data { border-collapse: separate; border-spacing: 0; width: 100%; font-size: 13px; }
table.data th { position: sticky; top: 0; z-index: 1; background: var(--head); text-align: left;
                vertical-align: bottom; padding: 0; border-bottom: 1px solid var(--line); }
table.data th button { all: unset; box-sizing: border-box; display: block; width: 100%; cursor: pointer;
                       padding: .35rem .5rem; font-weight: 600; white-space: normal; overflow-wrap: normal; }
table.data th button:focus-visible { outline: 2px solid #0969da; }
table.data th[aria-sort="ascending"] button::after { content: " \\25B2"; font-size: .7em; }
table.data th[aria-sort="descending"] button::after { content: " \\25BC"; font-size: .7em; }
table.data td { padding: .25rem .5rem; vertical-align: top; overflow-wrap: break-word; }
table.data td.t { white-space: nowrap; }
table.data tbody tr:nth-child(even) td { background: var(--zebra); }
table.data th.num, table.data td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.data th.num button { text-align: right; }
.cut { border-left: 4px solid #bf8700; padding-left: .6rem; }
ul.legend { list-style: none; padding: 0; margin: .5rem 0; display: flex; flex-wrap: wrap; gap: .3rem 1.5rem; }
ul.legend li { display: flex; gap: .4rem; align-items: baseline; }
.d-blocked { color: #b31d28; font-weight: 600; } .d-filtered { color: #b35900; font-weight: 600; }
.d-exempt { color: #1a7f37; } .d-not_eligible { color: #6e40c9; }
.d-unknown_client, .d-unknown_space { color: #7d6608; } .d-allowed { color: var(--fg); }
.d-newly_blocked { color: #b31d28; font-weight: 600; } .d-newly_filtered { color: #b35900; font-weight: 600; }
.d-unblocked { color: #1a7f37; } .d-undeterminable { color: #7d6608; }
"""

_CLASSED = {name for name, _ in DECISIONS} | {"newly_blocked", "newly_filtered", "unblocked", "undeterminable"}


def _numeric(rows: Sequence[Sequence[Any]], index: int) -> bool:
    values = [r[index] for r in rows if r[index] is not None]
    return bool(values) and all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in values)


def _temporal(rows: Sequence[Sequence[Any]], index: int) -> bool:
    values = [r[index] for r in rows if r[index] is not None]
    return bool(values) and all(isinstance(v, (dt.date, dt.datetime)) for v in values)


def esc(value: Any) -> str:
    return html.escape(display_text(value), quote=True)


_BREAK_AFTER = re.compile(r"(?<=[/.:,?&=_@-])(?=[^\s])")


def breakable(value: Any) -> str:
    """Escaped text in which a long value (a path, a host, a file:line) may wrap after its
    punctuation: the table gets narrower without breaking words of short values."""
    text = display_text(value)
    if len(text) <= 20:
        return html.escape(text, quote=True)
    return "<wbr>".join(html.escape(part, quote=True) for part in _BREAK_AFTER.split(text))


def _sort_key(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value:%Y%m%d%H%M%S}" if isinstance(value, dt.datetime) else f"{value:%Y%m%d}000000"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return None


def legend(items: Sequence[tuple[str, str]]) -> str:
    """A list of coloured labels with what each means."""
    return '<ul class="legend">' + "".join(
        f'<li><span class="d-{html.escape(name)}">{html.escape(name)}</span>'
        f'<span class="caption">{html.escape(text)}</span></li>' for name, text in items) + "</ul>"


def html_table(frame: Frame, *, table_id: str, limit: int = MAX_ROWS, empty: str = "No rows.",
               titles: dict[str, str] | None = None) -> str:
    """``frame`` as a sortable, filterable, escaped HTML table with human headers.

    ``titles`` maps a column to another column whose value becomes the cell's
    tooltip (e.g. the operation name of an API path).
    """
    if not frame.rows:
        return f'<p class="note">{html.escape(empty)}</p>'
    rows = frame.rows[:limit]
    tips = {frame.columns.index(c): frame.columns.index(t) for c, t in (titles or {}).items()}
    hidden = set(tips.values())
    shown = [i for i in range(len(frame.columns)) if i not in hidden]
    numeric = {i: _numeric(rows, i) for i in shown}
    temporal = {i: _temporal(rows, i) for i in shown}
    head = "".join(
        f'<th class="{"num" if numeric[i] else "t" if temporal[i] else ""}" scope="col" aria-sort="none">'
        f'<button type="button">{esc(header(frame.columns[i]))}</button></th>' for i in shown)
    body = []
    for row in rows:
        cells = []
        for i in shown:
            value = row[i]
            classes = ["num"] if numeric[i] else ["t"] if temporal[i] else []
            if isinstance(value, str) and value in _CLASSED:
                classes.append(f"d-{value}")
            attrs = f' class="{" ".join(classes)}"' if classes else ""
            key = _sort_key(value)
            if key is not None and (numeric[i] or temporal[i]):
                attrs += f' data-v="{key}"'
            if i in tips and row[tips[i]]:
                attrs += f' title="{esc(row[tips[i]])}"'
            text = esc(value) if numeric[i] or temporal[i] else breakable(value)
            cells.append(f"<td{attrs}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cut = ""
    if len(frame.rows) > limit:
        cut = (f'<p class="note cut">This table has {len(frame.rows):,} rows; the first {limit:,} (the busiest) '
               "are shown. <code>-f csv</code> or <code>-f json</code> writes all of them.</p>")
    count = f"{len(rows):,} rows" if len(rows) != 1 else "1 row"
    tools = (f'<div class="tools"><input type="search" class="filter" data-table="{table_id}" '
             f'placeholder="Filter rows" aria-label="Filter the rows of this table">'
             f'<span class="count" data-count="{table_id}">{count}</span></div>')
    caption = f'<p class="caption">{html.escape(frame.caption)}</p>' if frame.caption else ""
    return (f'{caption}{cut}{tools}<div class="table-wrap"><table class="data" id="{table_id}"><thead><tr>{head}'
            f'</tr></thead><tbody>{"".join(body)}</tbody></table></div>')

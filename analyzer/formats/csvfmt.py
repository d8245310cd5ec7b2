"""CSV exports with a header line (proxy and SIEM exports, spreadsheets).

Parsed line by line in SQL (``queries/formats/csv.sql``), which keeps exact
line numbers and the speed of the other line formats. The header is the
file's first non-empty line: it names the columns, which are mapped to the
canonical fields with the same name table as generic JSON
(:mod:`analyzer.formats.fieldmap`) plus ``--field CANONICAL=COLUMN``. The
separator is the one of ``, ; TAB |`` the header holds most of.

The header line itself, and any later line identical to it (concatenated
exports), is skipped: counted, neither a request nor a reject. A file that
grew is resumed from where loading stopped; its header is taken from the
file's first lines again, so the new lines are read with the same columns.
A quoted field holding a line break is not supported: both halves are
rejected with their reasons.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from analyzer.errors import UsageError
from analyzer.formats import fieldmap
from analyzer.formats.base import LogFormat
from analyzer.formats.jsonl import plausible_ts
from analyzer.masking import is_secret_name

_DELIMITERS = (",", ";", "\t", "|")


def _delimiter(header: str) -> str:
    counts = [(header.count(d), -i, d) for i, d in enumerate(_DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] else ","


def _row(line: str, delim: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delim))
    except (csv.Error, StopIteration):
        return []


def _column(names: list[str], source: str) -> int | None:
    if source in names:
        return names.index(source)
    lowered = [n.lower() for n in names]
    return lowered.index(source.lower()) if source.lower() in lowered else None


def _patterns(delim: str) -> tuple[str, str]:
    d = re.escape(delim)
    field = f'("(?:[^"]|"")*"|[^{d}"]*)'
    return field + d, f"(?:{field}{d})*"


def _empty_params() -> dict[str, Any]:
    token_re, line_re = _patterns(",")
    return {"header": None, "delim": ",", "ncols": 0, "idx": [0] * len(fieldmap.SLOTS), "duration_scale": 1.0,
            "has_extra": False, "extra_idx": [0], "extra_names": ["-"], "token_re": token_re,
            "line_re": line_re, "ts_hint": "no header line"}


def _prepare(sample: list[str], fields: Mapping[str, str]) -> dict[str, Any]:
    if not sample:
        return _empty_params()
    header = sample[0]
    delim = _delimiter(header)
    names = fieldmap.unique_names([n.strip() for n in _row(header, delim)])
    overrides: dict[str, str] = {}
    for canonical, source in fields.items():
        found = _column(names, source)
        if found is None:
            raise UsageError(f"--field {canonical}={source}: the CSV header has no column {source!r}",
                             hint="columns: " + ", ".join(names))
        overrides[canonical] = names[found]
    rows = [_row(line, delim) for line in sample[1:]]

    def accept(slot: str, name: str) -> bool:
        if slot != "ts" or not rows:
            return True
        i = names.index(name)
        return any(plausible_ts(r[i]) for r in rows if len(r) > i and r[i])

    choice = fieldmap.choose(names, fieldmap.GENERIC, overrides, accept)
    position = {name: i + 1 for i, name in enumerate(names)}
    idx = [position[s] if s else 0 for s in (choice.sources[slot] for slot in fieldmap.SLOTS)]
    used = set(choice.used())
    extra = [(i + 1, n) for i, n in enumerate(names) if n not in used and not is_secret_name(n)]
    token_re, line_re = _patterns(delim)
    ts = choice.sources["ts"]
    return {
        "header": header, "delim": delim, "ncols": len(names), "idx": idx,
        "duration_scale": choice.duration_scale, "has_extra": bool(extra),
        "extra_idx": [i for i, _ in extra] or [0], "extra_names": [n for _, n in extra] or ["-"],
        "token_re": token_re, "line_re": line_re,
        "ts_hint": f"column {ts}" if ts else "no timestamp column; pass --field ts=COLUMN",
    }


def _mask(lines: pa.ChunkedArray, params: Mapping[str, Any]) -> pa.ChunkedArray | pa.Array:
    header = params.get("header")
    if header is None:
        return pa.array([False] * len(lines))
    return pc.equal(lines, pa.scalar(header, lines.type))


def _detect(sample: list[str]) -> float:
    if not sample:
        return 0.0
    delim = _delimiter(sample[0])
    names = [n.strip() for n in _row(sample[0], delim)]
    if len(names) < 3 or any(n.startswith(("{", "[", "#")) for n in names[:1]):
        return 0.0
    choice = fieldmap.choose(names, fieldmap.GENERIC)
    if choice.sources["ts"] is None or (choice.sources["url"] or choice.sources["path"]) is None:
        return 0.0
    fits = sum(1 for line in sample[1:] if len(_row(line, delim)) == len(names))
    return (1 + fits) / len(sample)


CSV = LogFormat(
    name="csv",
    summary="CSV (or ; TAB | separated) with a header line naming the columns; map others with --field",
    detect=_detect,
    query="formats/csv",
    params={"format_name": "csv"},
    fields="every canonical field found by its column name (as JSON keys; --field for others); extra: the other "
           "columns but credentials",
    accepts_fields=True,
    prepare=_prepare,
    directive_mask=_mask,
    generic=True,
    example="2026-09-11T10:00:00Z,203.0.113.40,GET,https://api.atlassian.com/ex/confluence/"
            "7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11/wiki/api/v2/pages/98311004,200,5120,41.5,"
            "ReportBot/1.4 okhttp/4.12,,Rb7xQ2oauthClient (after the header "
            "timestamp,client_ip,method,url,status,bytes,duration_ms,user_agent,user,client_id)",
)

FORMATS = (CSV,)

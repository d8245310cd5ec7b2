"""W3C extended log files (IIS, and CloudFront-style logs): ``#Fields:`` says the layout.

The ``#Fields:`` directive names the space-separated columns; it may appear
again further down (IIS writes a new header block after a restart or a
configuration change), and the lines after it follow the new layout. The
ingest skips every ``#`` line (counted as skipped) and calls :func:`_directive`
for it, which re-computes the SQL parameters; the last such directive is
remembered with the file so a grown file resumes with the right layout.

Without any ``#Fields:`` in a file's first lines the IIS default field list is
assumed (:data:`IIS_DEFAULT_FIELDS`), so such lines are parsed or rejected
with a reason rather than refused wholesale.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from analyzer.errors import UsageError
from analyzer.formats import fieldmap
from analyzer.formats.base import LogFormat

IIS_DEFAULT_FIELDS: tuple[str, ...] = (
    "date", "time", "s-ip", "cs-method", "cs-uri-stem", "cs-uri-query", "s-port", "cs-username", "c-ip",
    "cs(User-Agent)", "cs(Referer)", "sc-status", "sc-substatus", "sc-win32-status", "time-taken",
)


def _find(names: list[str], source: str) -> int | None:
    """0-based position of a field named ``source`` (exact, then case-insensitive)."""
    if source in names:
        return names.index(source)
    lowered = [n.lower() for n in names]
    return lowered.index(source.lower()) if source.lower() in lowered else None


def layout_params(declared: list[str], default_date: str | None, fields: Mapping[str, str]) -> dict[str, Any]:
    """SQL parameters for lines laid out as ``declared`` (a #Fields list)."""
    names = fieldmap.unique_names(declared)
    overrides: dict[str, str] = {}
    for canonical, source in fields.items():
        found = _find(names, source)
        if found is None:
            raise UsageError(f"--field {canonical}={source}: the #Fields directive has no field {source!r}",
                             hint="fields: " + " ".join(names))
        overrides[canonical] = names[found]
    position = {name: i + 1 for i, name in enumerate(names)}  # 1-based, as in SQL
    choice = fieldmap.choose(names, fieldmap.W3C, overrides)
    idx = [position[source] if source else 0 for source in (choice.sources[slot] for slot in fieldmap.SLOTS)]
    time_pos = _find(names, "time")
    used = set(choice.used()) | {"time"}
    extra = [(i + 1, n) for i, n in enumerate(names) if n not in used and not fieldmap.SECRET_KEY_RE.search(n)]
    return {
        "ncols": len(names),
        "idx": idx,
        "time_idx": time_pos + 1 if time_pos is not None else 0,
        "default_date": default_date,
        "has_extra": bool(extra),
        "extra_idx": [i for i, _ in extra] or [0],
        "extra_names": [n for _, n in extra] or ["-"],
        "declared": names,
    }


def _directive_value(line: str, name: str) -> str | None:
    prefix = f"#{name}:"
    return line[len(prefix):].strip() if line[: len(prefix)].lower() == prefix.lower() else None


def _prepare(sample: list[str], fields: Mapping[str, str]) -> dict[str, Any]:
    declared: list[str] | None = None
    default_date: str | None = None
    for line in sample:
        if declared is None and (value := _directive_value(line, "Fields")) is not None:
            declared = value.split()
        if default_date is None and (value := _directive_value(line, "Date")) is not None:
            default_date = value.split()[0] if value else None
    return layout_params(declared or list(IIS_DEFAULT_FIELDS), default_date, fields)


def _directive(line: str, params: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any] | None:
    if (value := _directive_value(line, "Fields")) is not None:
        return layout_params(value.split(), params.get("default_date"), fields)
    # #Date matters only for logs without a date column (the time column then needs it)
    if (value := _directive_value(line, "Date")) and "date" not in params.get("declared", []):
        return {**params, "default_date": value.split()[0]}
    return None


def _mask(lines: pa.ChunkedArray, params: Mapping[str, Any]) -> pa.ChunkedArray:
    return pc.starts_with(lines, "#")


def _detect(sample: list[str]) -> float:
    fields = any(line.startswith("#Fields:") for line in sample)
    header = any(line.startswith(("#Software:", "#Version:")) for line in sample)
    return 1.0 if fields and header else 0.8 if fields else 0.0


W3C = LogFormat(
    name="w3c",
    summary="W3C extended log (IIS, CloudFront): #Fields: header, space-separated, UTC date and time",
    detect=_detect,
    query="formats/w3c",
    accepts_fields=True,
    params={"format_name": "w3c"},
    prepare=_prepare,
    directive_mask=_mask,
    directive=_directive,
    example="2026-09-11 10:00:00 10.0.0.5 GET /wiki/rest/api/content/98311004 expand=body.storage 443 "
            "ops-bot@acme.com 10.30.5.9 python-requests/2.32.3 - acme.atlassian.net 200 0 0 5120 41 "
            "(after #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
            "cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes time-taken)",
)

FORMATS = (W3C,)

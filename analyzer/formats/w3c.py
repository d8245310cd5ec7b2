"""W3C extended log files and their ELFF relatives: a ``#Fields:`` directive says the layout.

IIS (plain and Advanced Logging), AWS CloudFront and Symantec/Blue Coat
ProxySG all write this family: directive lines (``#Software``, ``#Version``,
``#Date``, ``#Fields``, ``#Remark``...) then one request per line, fields
separated by spaces (CloudFront: tabs), ``-`` for empty, double quotes around
values holding spaces (Advanced Logging, ProxySG). The members differ in field
names and in a few habits, described by a :class:`Dialect`; all are parsed by
one SQL file (``queries/formats/w3c.sql``) from positions computed here.

``#Fields`` may appear again further down (IIS writes a new header block after
a restart or a configuration change); the lines after it follow the new
layout. The ingest skips every ``#`` line (counted as skipped) and calls
:func:`directive` for it; the last such directive is remembered with the file
so a grown file resumes with the right layout. Without any ``#Fields:`` in a
file's first lines the dialect's default field list is assumed, so such lines
are parsed or rejected with a reason rather than refused wholesale.

Times: ``date`` + ``time`` (or ``date-UTC`` + ``time-UTC``) are UTC;
``date-local`` + ``time-local`` (IIS Advanced Logging), used only when no UTC
pair is logged, are read in the ``--timezone`` zone; ``x-timestamp-unix``
(ProxySG) is epoch seconds. A layout without a date and time, a URL or a
method rejects every line with a reason naming the fields looked for, and
``--field CANONICAL=FIELD`` maps any W3C field name (``--field ts=DATE+TIME``
joins a date field and a time field; a ts field holding a whole timestamp is
read like JSON times: ISO-8601, epoch or the NCSA form).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from analyzer.errors import UsageError
from analyzer.formats import fieldmap
from analyzer.formats.base import Detector, LogFormat
from analyzer.masking import is_secret_name

IIS_DEFAULT_FIELDS: tuple[str, ...] = (
    "date", "time", "s-ip", "cs-method", "cs-uri-stem", "cs-uri-query", "s-port", "cs-username", "c-ip",
    "cs(User-Agent)", "cs(Referer)", "sc-status", "sc-substatus", "sc-win32-status", "time-taken",
)

#: CloudFront standard (legacy) access logs: the fixed field list, tab-separated.
CLOUDFRONT_FIELDS: tuple[str, ...] = (
    "date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem", "sc-status",
    "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)", "x-edge-result-type", "x-edge-request-id",
    "x-host-header", "cs-protocol", "cs-bytes", "time-taken", "x-forwarded-for", "ssl-protocol", "ssl-cipher",
    "x-edge-response-result-type", "cs-protocol-version", "fle-status", "fle-encrypted-fields", "c-port",
    "time-to-first-byte", "x-edge-detailed-result-type", "sc-content-type", "sc-content-len", "sc-range-start",
    "sc-range-end",
)

#: (date field, time field, local?) in order of preference: a UTC pair wins over a local one.
TIME_PAIRS: tuple[tuple[str, str, bool], ...] = (
    ("date", "time", False), ("date-utc", "time-utc", False), ("date-local", "time-local", True),
)
EPOCH_FIELDS: tuple[str, ...] = ("x-timestamp-unix",)
SCHEME_FIELDS: tuple[str, ...] = ("cs-uri-scheme",)
PORT_FIELDS: tuple[str, ...] = ("cs-uri-port",)
#: what a layout must have, and the field names looked for (canonical field -> (what, names))
LOOKED_FOR: dict[str, tuple[str, str]] = {
    "ts": ("date and time", "date+time, date-local+time-local, x-timestamp-unix"),
    "url": ("URL", "cs-uri, cs-uri-stem, cs-uri-path"),
    "method": ("method", "cs-method"),
}


@dataclass(frozen=True)
class Dialect:
    """What a member of the W3C family does that its ``#Fields`` line does not say."""

    name: str
    default_fields: tuple[str, ...]  # assumed for lines before any #Fields
    #: how user agents are escaped: '+' for a space (IIS), percent-encoding (CloudFront), none (quoted)
    ua_decoding: Literal["plus", "percent", "none"]
    tabs: bool | None = None  # fields separated by tabs; None: as the first data line shows


def _position(names: list[str], wanted: str) -> int | None:
    """0-based position of a field named ``wanted``: exact, then case-insensitive, then normalised."""
    if wanted in names:
        return names.index(wanted)
    for compare in (str.lower, fieldmap.norm):
        found = [i for i, n in enumerate(names) if compare(n) == compare(wanted)]
        if found:
            return found[0]
    return None


def _first(names: list[str], candidates: tuple[str, ...]) -> int | None:
    for candidate in candidates:
        if (found := _position(names, candidate)) is not None:
            return found
    return None


def _time_layout(names: list[str], ts_override: int | None) -> tuple[str | None, int | None, int | None]:
    """(kind, date position, time position): kind is text | utc | local | epoch, or None if nothing fits."""
    time_pos = _position(names, "time")
    if ts_override is not None:
        return "text", ts_override, time_pos if time_pos != ts_override else None
    for date_name, time_name, local in TIME_PAIRS:
        d, t = _position(names, date_name), _position(names, time_name)
        if d is not None and t is not None:
            return ("local" if local else "utc"), d, t
    if (epoch := _first(names, EPOCH_FIELDS)) is not None:
        return "epoch", epoch, None
    if time_pos is not None:  # time without a date: #Date gives it
        return "utc", None, time_pos
    return None, None, None


def layout_params(declared: list[str], fields: Mapping[str, str]) -> dict[str, Any]:
    """SQL parameters for lines laid out as ``declared`` (a #Fields list)."""
    names = fieldmap.unique_names(declared)
    overrides: dict[str, str] = {}
    ts_time: int | None = None  # --field ts=DATE+TIME: the time field joined to the date field
    for canonical, source in fields.items():
        found = _position(names, source)
        if found is None and canonical == "ts" and "+" in source:
            date_name, _, time_name = source.partition("+")
            found, ts_time = _position(names, date_name), _position(names, time_name)
            if found is None or ts_time is None:
                raise UsageError(f"--field ts={source}: the #Fields directive has no field "
                                 f"{date_name if found is None else time_name!r}", hint="fields: " + " ".join(names))
        if found is None:
            raise UsageError(f"--field {canonical}={source}: the #Fields directive has no field {source!r}",
                             hint="fields: " + " ".join(names))
        overrides[canonical] = names[found]
    choice = fieldmap.choose(names, fieldmap.W3C, overrides)
    ts_kind, date_pos, time_pos = _time_layout(names, _position(names, overrides["ts"]) if "ts" in overrides
                                               else None)
    if ts_time is not None:
        time_pos = ts_time
    sources = dict(choice.sources)
    sources["ts"] = names[date_pos] if date_pos is not None else None
    position = {name: i + 1 for i, name in enumerate(names)}  # 1-based, as in SQL
    idx = [position[source] if source else 0 for source in (sources[slot] for slot in fieldmap.SLOTS)]
    scheme_pos, port_pos = _first(names, SCHEME_FIELDS), _first(names, PORT_FIELDS)
    aux = [p + 1 if p is not None else 0 for p in (time_pos, scheme_pos, port_pos)]
    used = {s for s in sources.values() if s} | {names[p - 1] for p in aux if p}
    extra = [(i + 1, n) for i, n in enumerate(names) if n not in used and not is_secret_name(n)]
    missing = [what for what, absent in (
        ("ts", ts_kind is None), ("url", not (sources["url"] or sources["path"])), ("method", not sources["method"]),
    ) if absent]
    reason = None
    if missing:
        reason = ("#Fields has no " + ", no ".join(f"{LOOKED_FOR[m][0]} field (looked for {LOOKED_FOR[m][1]})"
                                                  for m in missing)
                  + ": map " + ", ".join(f"--field {m}=FIELD" for m in missing))
    duration = sources["duration_ms"]
    return {
        "ncols": len(names),
        "idx": idx,
        "aux_idx": aux,
        "ts_kind": ts_kind or "utc",
        "duration_auto": duration is not None and "duration_ms" not in overrides
        and fieldmap.norm(duration) == "timetaken",
        "layout_reason": reason,
        "has_extra": bool(extra),
        "extra_idx": [i for i, _ in extra] or [0],
        "extra_keys": [json.dumps(n) + ":" for _, n in extra] or ['"-":'],
        "declared": names,
    }


def _directive_value(line: str, name: str) -> str | None:
    prefix = f"#{name}:"
    return line[len(prefix):].strip() if line[: len(prefix)].lower() == prefix.lower() else None


def header(sample: list[str]) -> tuple[list[str] | None, str | None]:
    """The first #Fields list and the #Software value among ``sample``'s lines."""
    declared: list[str] | None = None
    software: str | None = None
    for line in sample:
        if declared is None and (value := _directive_value(line, "Fields")) is not None:
            declared = value.split()
        if software is None and (value := _directive_value(line, "Software")) is not None:
            software = value
    return declared, software


def dialect_prepare(dialect: Dialect) -> Callable[[list[str], Mapping[str, str]], dict[str, Any]]:
    """prepare() of a W3C-family format: the layout of the file's first #Fields, or the dialect's default."""

    def prepare(sample: list[str], fields: Mapping[str, str]) -> dict[str, Any]:
        declared, _ = header(sample)
        default_date: str | None = None
        for line in sample:
            if (value := _directive_value(line, "Date")) is not None:
                default_date = value.split()[0] if value else None
                break
        layout = layout_params(declared or list(dialect.default_fields), fields)
        tabs = dialect.tabs
        if tabs is None:  # tab-separated when the first data line splits into the declared fields at tabs
            data = next((line for line in sample if line.strip() and not line.startswith("#")), "")
            tabs = "\t" in data and len(data.split("\t")) == layout["ncols"]
        return {**layout, "default_date": default_date, "tabs": tabs}

    return prepare


def directive(line: str, params: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any] | None:
    """New params after a directive line: a new layout (#Fields), or the date of a date-less layout (#Date)."""
    if (value := _directive_value(line, "Fields")) is not None:
        return {**params, **layout_params(value.split(), fields)}
    # #Date matters only for logs without a date column (the time column then needs it)
    if (value := _directive_value(line, "Date")) and params.get("idx", [0])[0] == 0:
        return {**params, "default_date": value.split()[0]}
    return None


def directive_mask(lines: pa.ChunkedArray, params: Mapping[str, Any]) -> pa.ChunkedArray:
    return pc.starts_with(lines, "#")


_CLOUDFRONT_MARKS = {"xedgelocation", "xedgerequestid", "xedgeresulttype", "xhostheader", "xedgeresponseresulttype"}
_PROXYSG_MARKS = {"saction", "xexceptionid", "scfilterresult", "csauthgroup", "cscategories", "csuripath",
                  "ssuppliername", "xbluecoatapplicationname"}


def flavour(sample: list[str]) -> str | None:
    """Which member of the family a file's header describes: proxysg, cloudfront, w3c, or None (no #Fields)."""
    declared, software = header(sample)
    if declared is None:
        return None
    names = {fieldmap.norm(n) for n in declared}
    if (software or "").upper().startswith(("SGOS", "PROXYSG", "BLUE COAT", "SYMANTEC")) or \
            len(names & _PROXYSG_MARKS) >= 2:
        return "proxysg"
    if names & _CLOUDFRONT_MARKS:
        return "cloudfront"
    return "w3c"


def flavour_detector(name: str) -> Detector:
    """Score 1 when the file's #Fields header belongs to ``name`` (and a #Version or #Software says W3C)."""

    def detect(sample: list[str]) -> float:
        if flavour(sample) != name:
            return 0.0
        formal = any(line.startswith(("#Software:", "#Version:")) for line in sample)
        return 1.0 if formal else 0.8

    return detect


def format_kwargs(dialect: Dialect) -> dict[str, Any]:
    """The LogFormat arguments every W3C-family format shares: the SQL, directives, --field support."""
    return {
        "name": dialect.name,
        "query": "formats/w3c",
        "accepts_fields": True,
        "params": {"format_name": dialect.name, "ua_decoding": dialect.ua_decoding},
        "prepare": dialect_prepare(dialect),
        "directive_mask": directive_mask,
        "directive": directive,
    }


def _w3c_detect(sample: list[str]) -> float:
    # any W3C header: the generic member, which gives way to a specific one (ProxySG, CloudFront)
    if flavour(sample) is None:
        return 0.0
    return 1.0 if any(line.startswith(("#Software:", "#Version:")) for line in sample) else 0.8


W3C = LogFormat(
    **format_kwargs(Dialect("w3c", IIS_DEFAULT_FIELDS, "plus")),
    summary="W3C extended log (IIS, IIS Advanced Logging, any #Fields layout): space-separated, UTC date and "
            "time, or date-local/time-local read in --timezone",
    detect=_w3c_detect,
    generic=True,
    fields="ts (date+time, date-local+time-local), method (cs-method), host (cs-host), path+query (cs-uri-stem, "
           "cs-uri-query), status, bytes (sc-bytes), duration (time-taken, TimeTakenMS), client_ip (c-ip, "
           "X-Forwarded-For), user_agent, remote_user (cs-username), jwt/basic from cs(Authorization); "
           "extra: every other field but cookies and credentials. FTP commands are rejected",
    example="2026-09-11 10:00:00 10.0.0.5 GET /wiki/rest/api/content/98311004 expand=body.storage 443 "
            "ops-bot@acme.com 10.30.5.9 python-requests/2.32.3 - acme.atlassian.net 200 0 0 5120 41 "
            "(after #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
            "cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes time-taken)",
)

CLOUDFRONT = LogFormat(
    **format_kwargs(Dialect("cloudfront", CLOUDFRONT_FIELDS, "percent", tabs=True)),
    summary="AWS CloudFront standard access log: W3C, tab-separated, x-host-header, time-taken in seconds",
    detect=flavour_detector("cloudfront"),
    fields="ts (date+time, UTC), method, host (x-host-header), path+query (cs-uri-stem, cs-uri-query), status, "
           "bytes, duration (time-taken s), client_ip (c-ip), user_agent (URL-decoded); extra: x-edge-location, "
           "x-edge-request-id, x-edge-result-type, cs(Host), ... (cookies never)",
    example="2026-09-11\t10:00:00\tFRA56-P3\t5120\t203.0.113.40\tGET\td111111abcdef8.cloudfront.net\t"
            "/wiki/api/v2/pages/42\t200\t-\tReportBot/1.4%20okhttp/4.12\tbody-format=storage\t-\tMiss\t"
            "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\tacme.atlassian.net\thttps\t312\t0.048\t-\t"
            "TLSv1.3\tTLS_AES_128_GCM_SHA256\tMiss\tHTTP/2.0\t-\t-\t51234\t0.047\tMiss\tapplication/json\t5120\t-\t-",
)

FORMATS = (W3C, CLOUDFRONT)

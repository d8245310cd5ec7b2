"""HAR 1.2 files (browser "Save all as HAR", proxy exports): one JSON document.

A document format: the whole file is parsed with :func:`json.loads` and each
``log.entries[]`` item becomes one row, in Python (HAR files are small - the
browser has to hold them). ``line_no`` is the 1-based index of the entry in
``log.entries``, so rejects point at "entry 17". A file that is not valid
JSON (or UTF-8), or has no ``log.entries`` list, is one reject with the
reason; nothing is dropped silently.

From each entry: ``startedDateTime`` (ISO-8601, converted to UTC),
``request.method``/``url``, ``response.status`` (0 - blocked or failed in the
browser - is stored as NULL), ``response.bodySize`` (or ``content.size`` when
the body size is unknown), ``time`` (ms), and the request headers
User-Agent, Host/:authority and Authorization (turned into the JWT issuer or
basic-auth user by the ingest, never stored). Cookies, post data and
credential-looking headers and query parameters are never kept, not even in rejects. ``extra`` holds
the entry's scalar fields (serverIPAddress, connection, pageref...), the HTTP
version, the response MIME type and the other request headers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

import pyarrow as pa

from analyzer.formats.base import PARSED_SCHEMA, DocumentBatch, LogFormat
from analyzer.formats.lines import REJECT_SCHEMA, reject_text
from analyzer.masking import MASK, is_secret_name, mask_text

BATCH_ENTRIES = 50_000
_HEADERS = {"user-agent": "user_agent", "host": "host", ":authority": "host", "authorization": "auth_header"}


class _Bad(Exception):
    """An entry that cannot be used; the message is the reject reason."""


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Bad(f"missing {what}")
    if "\x00" in value:
        raise _Bad(f"NUL character in {what}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _Bad(f"invalid Unicode in {what}") from None
    return value


def _optional_text(value: Any, what: str) -> str | None:
    return _text(value, what) if isinstance(value, str) and value else None


def _utc(value: Any) -> dt.datetime:
    text = _text(value, "startedDateTime")
    try:
        stamp = dt.datetime.fromisoformat(text)
        if stamp.tzinfo is not None:  # HAR times carry an offset; none means UTC
            stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise _Bad(f"bad startedDateTime: {text[:60]}") from None
    return stamp


def _number(value: Any) -> float | None:
    """A finite JSON number (Python's json also reads NaN and Infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and abs(number) < 2**62 else None


def _size(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number >= 0 else None  # -1: unknown


def _row(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise _Bad("entry is not a JSON object")
    request = entry.get("request")
    response = entry.get("response") if isinstance(entry.get("response"), dict) else {}
    if not isinstance(request, dict):
        raise _Bad("missing request")
    ts = _utc(entry.get("startedDateTime"))
    method = _text(request.get("method"), "request.method")
    url = _text(request.get("url"), "request.url")
    status = response.get("status")
    if status is not None and (not isinstance(status, int) or isinstance(status, bool)
                               or not (status == 0 or 100 <= status <= 999)):
        raise _Bad(f"bad status: {str(status)[:40]}")
    content = response.get("content")
    nbytes = _size(response.get("bodySize"))
    if nbytes is None and isinstance(content, dict):
        nbytes = _size(content.get("size"))
    row: dict[str, Any] = {"ts": ts, "method": method, "target": url, "status": status or None, "bytes": nbytes,
                           "duration_ms": _number(entry.get("time")), "host": None, "user_agent": None,
                           "auth_header": None}
    others: dict[str, str] = {}
    headers = request.get("headers")
    for header in headers if isinstance(headers, list) else []:
        if not isinstance(header, dict):
            continue
        name, value = str(header.get("name", "")), header.get("value")
        column = _HEADERS.get(name.lower())
        if column is not None:
            row[column] = row[column] or _optional_text(value, f"header {name}")
        elif not is_secret_name(name) and isinstance(value, str):
            others[name] = _optional_text(value, f"header {name}") or ""
    if row["host"]:
        row["host"] = row["host"].rsplit(":", 1)[0] if row["host"].count(":") == 1 else row["host"]
    extra: dict[str, Any] = {
        k: v for k, v in entry.items()
        if isinstance(v, str | int | float) and not isinstance(v, bool) and k not in ("startedDateTime", "time")
        and not is_secret_name(k)
    }
    for key, value in (("httpVersion", request.get("httpVersion")),
                       ("mimeType", content.get("mimeType") if isinstance(content, dict) else None)):
        if isinstance(value, str) and value:
            extra[key] = value
    if others:
        extra["request_headers"] = others
    for key, value in list(extra.items()):
        if isinstance(value, str):
            extra[key] = _optional_text(value, key) or ""
    row["extra"] = json.dumps(extra, ensure_ascii=False, separators=(",", ":")) if extra else None
    return row


def _redacted(entry: Any) -> Any:
    """The entry as shown in a reject: credential headers masked, cookies and bodies gone."""
    if not isinstance(entry, dict):
        return entry
    out = dict(entry)
    for side in ("request", "response"):
        part = out.get(side)
        if not isinstance(part, dict):
            continue
        part = {k: v for k, v in part.items() if k not in ("cookies", "postData", "content")}
        for key in ("headers", "queryString"):  # name/value pairs: a credential's name masks its value
            if isinstance(part.get(key), list):
                part[key] = [{**h, "value": MASK} if isinstance(h, dict) and is_secret_name(str(h.get("name"))) else h
                             for h in part[key]]
        out[side] = part
    return out


def _batch(rows: list[tuple[int, dict[str, Any]]], rejects: list[tuple[int, str, str]]) -> DocumentBatch:
    columns: dict[str, list[Any]] = {name: [] for name in PARSED_SCHEMA.names}
    for line_no, row in rows:
        for name in PARSED_SCHEMA.names:
            columns[name].append(line_no if name == "line_no" else row.get(name))
    parsed = pa.table([pa.array(columns[f.name], f.type) for f in PARSED_SCHEMA], schema=PARSED_SCHEMA)
    if rejects:
        line_nos, reasons, raws = zip(*rejects, strict=True)
        reject_table = pa.table([pa.array(line_nos, pa.int64()), pa.array(reasons, pa.string()),
                                 pa.array(raws, pa.string())], schema=REJECT_SCHEMA)
    else:
        reject_table = REJECT_SCHEMA.empty_table()
    return DocumentBatch(parsed, reject_table, len(rows) + len(rejects))


def _whole_file_reject(first: int, reason: str, data: bytes) -> DocumentBatch:
    return _batch([], [(first, reason, reject_text(data[:4000]))])


def read_har(stream: BinaryIO, params: Mapping[str, Any]) -> Iterator[DocumentBatch]:
    """Rows of a HAR document, from entry ``params['first_line_no']`` on."""
    first = int(params.get("first_line_no", 1))
    data = stream.read()
    try:
        text = data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as error:
        yield _whole_file_reject(first, f"not a HAR document: invalid UTF-8 at byte {error.start + 1}", data)
        return
    try:
        document = json.loads(text)
    except RecursionError:
        yield _whole_file_reject(first, "not a HAR document: JSON nested too deeply to be read", data)
        return
    except ValueError as error:
        reason = getattr(error, "msg", str(error))
        where = f" at line {error.lineno} column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        yield _whole_file_reject(first, f"not a HAR document: bad JSON ({reason}{where})", data)
        return
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        yield _whole_file_reject(first, "not a HAR document: no log.entries list", data)
        return
    rows: list[tuple[int, dict[str, Any]]] = []
    rejects: list[tuple[int, str, str]] = []
    for index, entry in enumerate(entries, start=1):
        if index < first:
            continue
        try:
            rows.append((index, _row(entry)))
        except _Bad as bad:
            raw = json.dumps(_redacted(entry), ensure_ascii=True)
            rejects.append((index, mask_text(str(bad)), reject_text(raw.encode("ascii"))))
        if len(rows) + len(rejects) >= BATCH_ENTRIES:
            yield _batch(rows, rejects)
            rows, rejects = [], []
    if rows or rejects:
        yield _batch(rows, rejects)


def _detect(sample: list[str]) -> float:
    if not sample or not sample[0].lstrip().startswith("{"):
        return 0.0
    head = "\n".join(sample)
    return 1.0 if '"log"' in head and ('"entries"' in head or '"creator"' in head) else 0.0


HAR = LogFormat(
    name="har",
    summary="HAR 1.2 (browser/proxy export): one JSON document; line_no is the entry's index in log.entries",
    detect=_detect,
    kind="document",
    reader=read_har,
    fields="ts (startedDateTime), method, host+path+query (request.url), status, bytes, duration (time), "
           "user_agent and authorization (jwt/basic) from the request headers; extra: other headers but "
           "credentials and cookies, httpVersion, mimeType",
    example='{"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "130.0"}, "entries": '
            '[{"startedDateTime": "2026-09-11T12:00:00.123+02:00", "time": 41.5, "request": {"method": "GET", '
            '"url": "https://acme.atlassian.net/wiki/api/v2/pages/98311004", "httpVersion": "HTTP/2", '
            '"headers": [{"name": "User-Agent", "value": "Mozilla/5.0"}]}, "response": {"status": 200, '
            '"bodySize": 5120, "content": {"size": 5120, "mimeType": "application/json"}}}]}}',
)

FORMATS = (HAR,)

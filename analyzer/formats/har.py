"""HAR 1.2 files (browser "Save all as HAR", proxy exports): one JSON document.

A document format, read as a stream: an incremental JSON parser (ijson) walks
the document and each ``log.entries[]`` item is built on its own and becomes
one row, so memory does not grow with the file (gigabytes of whitespace, a
million entries). Response bodies, post data and cookies are skipped as they
are parsed, never built. ``line_no`` is the 1-based index of the entry in
``log.entries``, so rejects point at "entry 17". A value longer than
:data:`MAX_VALUE_BYTES` (a huge embedded body) stops the reading with a
reject, as does JSON that is not valid (or not UTF-8): the entries before it
are kept and the rest of the document is one reject with the reason; a
document with no ``log.entries`` list is one reject. A document that ends
early (still being written) is marked incomplete, so that when the file
grows its reading resumes at the entry that was cut.

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
import re
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

import ijson
import pyarrow as pa

from analyzer.formats.base import PARSED_SCHEMA, DocumentBatch, LogFormat
from analyzer.formats.lines import REJECT_SCHEMA, reject_text
from analyzer.masking import MASK, is_secret_name, mask_text

BATCH_ENTRIES = 50_000
#: Longest JSON value (string, number) read; a longer one stops the document with a reject.
MAX_VALUE_BYTES = 64 << 20
#: How much of the document a whole-document reject shows.
HEAD_SHOWN = 4000
#: Deepest nesting of JSON containers read (a HAR entry is about six deep). The parser names each event
#: by its path from the root, so a document nested N deep costs N squared: it stops with a reject.
MAX_DEPTH = 256
#: Parts of an entry never built: bodies, post data, cookies (by ijson prefix).
_SKIPPED = frozenset({"log.entries.item.response.content.text", "log.entries.item.request.postData",
                      "log.entries.item.request.cookies", "log.entries.item.response.cookies"})
_ENTRY = "log.entries.item"
_WHITESPACE = b" \t\r\n"
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRUCTURE = re.compile(rb'[][{}:,"]')
_BRACKET = re.compile(rb"[][{}]")
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


class _TooDeep(Exception):
    """The document nests containers deeper than MAX_DEPTH."""


class _ValueTooLong(Exception):
    pass


class _Feed:
    """The stream as the JSON parser reads it: a leading BOM dropped, the head kept (for a reject),
    and no value longer than MAX_VALUE_BYTES, which the parser would otherwise buffer whole.

    A value's length is told without parsing: whether the parser is inside a string follows
    from the unescaped quotes read so far; outside strings, a run of bytes without any JSON
    punctuation is one number or literal. Whitespace between values costs nothing.

    Nesting is measured here too, before the parser sees a read: ijson yields the events of a
    whole buffer at once, each with its prefix (one word per level), so a read of a million
    brackets would build gigabytes of prefixes before the event loop could count a level.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.head = b""
        self.eof = False
        self.in_string = False
        self.escaped = False  # the previous read ended in the middle of an escape (a backslash)
        self.run = 0  # bytes of the value being read, when it spans reads
        self.depth = 0  # containers open after the bytes read so far
        self.started = False

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # (ijson probes the stream's type this way)
            return b""
        data = self.stream.read(size if size > 0 else 1 << 16)
        if not self.started:
            while len(data) < 3 and (more := self.stream.read(3)):
                data += more
            self.started = True
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
        if not data:
            self.eof = True
            return data
        if len(self.head) < HEAD_SHOWN:
            self.head += data[: HEAD_SHOWN - len(self.head)]
        self._measure(data)
        return data

    def _measure(self, data: bytes) -> None:
        body = data[1:] if self.escaped else data
        self.escaped = False
        if self.in_string or b'"' in body:
            plain = _ESCAPE.sub(b"", body)
            if plain.endswith(b"\\") and (len(plain) - len(plain.rstrip(b"\\"))) % 2:
                self.escaped, plain = True, plain[:-1]
            self._nest(plain)
            quotes = plain.count(b'"')
            if not quotes:
                self.run += len(data)  # inside one string the whole read
            else:
                self.in_string ^= quotes % 2 == 1
                self.run = len(body) - body.rfind(b'"') if self.in_string else 0
        else:
            self._nest(body)
            solid = body.translate(None, _WHITESPACE)  # (whitespace between values costs nothing)
            if solid and _STRUCTURE.search(solid) is None:
                self.run += len(data)  # a number or literal going on
            else:
                self.run = 0
        if self.run > MAX_VALUE_BYTES:
            raise _ValueTooLong


    def _nest(self, plain: bytes) -> None:
        """Follow the depth of containers through ``plain`` (a read without its escapes), counting
        brackets outside strings; raise _TooDeep past MAX_DEPTH."""
        if not _BRACKET.search(plain):
            return
        import numpy as np

        codes = np.frombuffer(plain, np.uint8)
        in_string = (np.cumsum(codes == 34) + self.in_string) & 1  # after each byte (34 is '"')
        step = (((codes == 91) | (codes == 123)).astype(np.int32) - ((codes == 93) | (codes == 125)))
        levels = self.depth + np.cumsum(np.where(in_string == 0, step, 0))
        if int(levels.max()) > MAX_DEPTH:
            raise _TooDeep
        self.depth = int(levels[-1])


def _whole_file_reject(first: int, reason: str, data: bytes) -> DocumentBatch:
    return _batch([], [(first, reason, reject_text(data[:HEAD_SHOWN]))])


def _json_problem(error: Exception) -> str:
    """The parser's message without the excerpt of the document it appends (it may hold secrets)."""
    text = error.args[0] if error.args else str(error)
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return str(text).strip().splitlines()[0] if str(text).strip() else type(error).__name__


class _Entries:
    """Builds each log.entries item from parser events, skipping the parts never used."""

    def __init__(self, first: int) -> None:
        self.first = first
        self.index = 0  # entries met so far
        self.found = False  # the log.entries list was seen
        self.builder: ijson.ObjectBuilder | None = None
        self.depth = 0  # open containers of the entry being read
        self.keep = False  # whether the entry is built (entries before `first` are only counted)
        self.skipping: str | None = None

    def event(self, prefix: str, event: str, value: Any) -> tuple[bool, Any]:
        """(an entry ended, that entry) for one parser event."""
        if self.depth == 0:
            if prefix == "log.entries" and event == "start_array":
                self.found = True
            elif prefix == _ENTRY and self.found:
                self.keep = self.index + 1 >= self.first
                if event in ("start_map", "start_array"):
                    self.depth = 1
                    if self.keep:
                        self.builder = ijson.ObjectBuilder()
                        self.builder.event(event, value)
                else:
                    self.index += 1
                    return True, value
            return False, None
        if self.skipping is not None:
            if prefix == self.skipping or prefix.startswith(self.skipping + "."):
                return False, None
            self.skipping = None
        if event == "map_key" and f"{prefix}.{value}" in _SKIPPED:
            self.skipping = f"{prefix}.{value}"
            return False, None
        if event in ("start_map", "start_array"):
            self.depth += 1
        elif event in ("end_map", "end_array"):
            self.depth -= 1
        if self.builder is not None:
            self.builder.event(event, value)
        if self.depth:
            return False, None
        self.index += 1
        entry, self.builder = (self.builder.value if self.builder is not None else None), None
        return self.keep, entry


def read_har(stream: BinaryIO, params: Mapping[str, Any]) -> Iterator[DocumentBatch]:
    """Rows of a HAR document, from entry ``params['first_line_no']`` on, read as a stream."""
    first = int(params.get("first_line_no", 1))
    feed = _Feed(stream)
    entries = _Entries(first)
    rows: list[tuple[int, dict[str, Any]]] = []
    rejects: list[tuple[int, str, str]] = []
    problem: str | None = None
    incomplete = False
    try:  # (nesting is measured by the feed, before the parser reads: _Feed._nest)
        for prefix, event, value in ijson.parse(feed, buf_size=1 << 20, use_float=True):
            ended, entry = entries.event(prefix, event, value)
            if not ended:
                continue
            try:
                rows.append((entries.index, _row(entry)))
            except _Bad as bad:
                raw = json.dumps(_redacted(entry), ensure_ascii=True)
                rejects.append((entries.index, mask_text(str(bad)), reject_text(raw.encode("ascii"))))
            if len(rows) + len(rejects) >= BATCH_ENTRIES:
                yield _batch(rows, rejects)
                rows, rejects = [], []
    except ijson.JSONError as error:
        message = _json_problem(error)
        incomplete = feed.eof and "premature EOF" in message
        problem = ("incomplete HAR document: it ends early (still being written?); read again when it grows"
                   if incomplete else f"not a HAR document: bad JSON ({message})")
    except _TooDeep:
        problem = f"not a HAR document: JSON nested too deeply to be read (over {MAX_DEPTH} levels)"
    except _ValueTooLong:
        problem = f"not a HAR document: a JSON value longer than {MAX_VALUE_BYTES >> 20} MB"
    if problem is None and not entries.found:
        problem = "not a HAR document: no log.entries list"
    if problem is not None:
        where = max(entries.index + 1, first)
        if entries.index and entries.found:
            problem += f" (after entry {entries.index})"
        rejects.append((where, problem, reject_text(feed.head)))
    if rows or rejects:
        batch = _batch(rows, rejects)
        yield DocumentBatch(batch.parsed, batch.rejects, batch.n_records, incomplete=incomplete)


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

"""Load log files into the workspace: parse, normalise, route, store, reject.

One transaction per file, so an interrupted ingest leaves the workspace as it
was before that file. Files are recognised again by content (a hash of what
was loaded), which makes re-ingest idempotent, lets a grown file add only its
new lines and lets a rotated (renamed) file be skipped. Parsing and routing
are SQL over Arrow batches; a reader thread splits the next chunk of lines
while DuckDB works on the current one.

A format may depend on the file (a CSV header, W3C ``#Fields:``, the keys of
JSON records): its parameters are computed from the file's first lines
(:class:`_FormatState`), and directive lines met while reading are counted as
skipped and may change them for the lines after. Document formats (HAR) read
the whole file and hand over Arrow tables of parsed rows, which then take the
same normalise/route/store path as parsed lines.
"""

from __future__ import annotations

import io
import json
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analyzer import pii, pipeline, sql
from analyzer.errors import FormatError, InputFileError, UsageError
from analyzer.formats import detect_format, fastclf, get_format
from analyzer.formats.base import CANONICAL_FIELDS, DocumentBatch, LogFormat
from analyzer.formats.custom import CUSTOM_NAME, custom_format
from analyzer.formats.lines import LINES_SCHEMA, REJECT_SCHEMA, LineChunk, iter_line_chunks, reject_text
from analyzer.formats.timezones import DEFAULT_TIMEZONE, check_timezone
from analyzer.sources import (
    HEAD_BYTES,
    HashingReader,
    compression_of,
    digest,
    expand_sources,
    open_source,
    read_exactly,
    read_head,
    sample_lines,
)
from analyzer.workspace import SLICE_LINES, Workspace

#: Lines per DuckDB batch; bounds memory (a few hundred MB at most).
BATCH_BYTES = 32 << 20


@dataclass(frozen=True)
class IngestOptions:
    """How to read the inputs; the same for every file of one ingest."""

    format: str = "auto"
    fields: Mapping[str, str] = field(default_factory=dict)  # canonical -> source field
    replace: bool = False  # re-load a file whose content changed in place
    batch_bytes: int = BATCH_BYTES
    #: --log-format: a custom line layout (GoAccess-style or a regex) for every file
    log_format: str | None = None
    #: --redact-pii: hash e-mail addresses and account ids in this and every later load
    redact_pii: bool = False
    #: --timezone: the zone of logs that write local times without an offset (None: UTC, or the
    #: zone a grown file was loaded with)
    timezone: str | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.fields) - set(CANONICAL_FIELDS))
        if unknown:
            raise UsageError(
                f"unknown canonical field(s) in --field: {', '.join(unknown)}",
                hint=f"canonical fields are: {', '.join(CANONICAL_FIELDS)}",
            )
        if self.format == CUSTOM_NAME and self.log_format is None:
            raise UsageError("--format custom needs --log-format LAYOUT", hint="see `appaccess formats`")
        if self.log_format is not None:
            if self.format not in ("auto", CUSTOM_NAME):
                raise UsageError(f"--log-format and --format {self.format} exclude each other",
                                 hint="--log-format describes the layout itself; drop --format")
            custom_format(self.log_format)  # a bad layout fails before any file is touched
        if self.timezone is not None:
            object.__setattr__(self, "timezone", check_timezone(self.timezone))


@dataclass(frozen=True)
class FileResult:
    """What one ingest did with one file."""

    path: str
    file_id: int | None
    format: str
    action: str  # new | appended | unchanged | replaced | renamed
    lines_read: int
    stored: int
    rejected: int
    skipped: int
    non_confluence: int
    seconds: float


@dataclass(frozen=True)
class IngestResult:
    files: tuple[FileResult, ...]

    @property
    def lines_read(self) -> int:
        return sum(f.lines_read for f in self.files)

    @property
    def stored(self) -> int:
        return sum(f.stored for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    @property
    def non_confluence(self) -> int:
        return sum(f.non_confluence for f in self.files)

    @property
    def seconds(self) -> float:
        return sum(f.seconds for f in self.files)


#: progress(path, bytes_done, bytes_total); bytes are of the file on disk.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class _Previous:
    file_id: int
    path: str
    inode: int | None
    format: str
    bytes_ingested: int
    lines_read: int
    unterminated: bool
    tail_offset: int
    head_hash: str
    prefix_hash: str
    options: str | None = None  # JSON written by _record_file


def ingest(ws: Workspace, paths: Iterable[str | Path], options: IngestOptions | None = None,
           progress: Progress | None = None) -> IngestResult:
    """Ingest every file behind ``paths`` (files, directories, globs)."""
    options = options or IngestOptions()
    if options.format not in ("auto", CUSTOM_NAME):
        get_format(options.format)  # fail before touching any file
    if options.redact_pii:
        pii.enable(ws)
    own = ws.path.with_name(ws.path.name + ".wal")
    files = expand_sources(paths, exclude=(ws.path, own))
    if not files:
        raise InputFileError("no input files found", hint="pass log files, directories or globs")
    results = [ingest_file(ws, path, options, progress) for path in files]
    return IngestResult(tuple(results))


def ingest_file(ws: Workspace, path: Path, options: IngestOptions,
                progress: Progress | None = None) -> FileResult:
    """Ingest one file in one transaction; see the module docstring for the rules."""
    started = time.perf_counter()
    compression = compression_of(path)
    head = read_head(path, HEAD_BYTES, compression)
    seen = _find_previous(ws, path, head, compression)
    if seen.same_content is not None and not seen.has_more:
        prev = seen.same_content
        action = "unchanged" if prev.path == str(path) else "renamed"
        if action == "renamed":  # remember where the content lives now
            ws.con.execute("UPDATE files SET path = ?, inode = ? WHERE file_id = ?",
                           [str(path), path.stat().st_ino, prev.file_id])
        return FileResult(str(path), prev.file_id, prev.format, action, 0, 0, 0, 0, 0,
                          time.perf_counter() - started)
    if seen.changed is not None and not options.replace:
        raise InputFileError(
            f"{path} changed in place since it was ingested (what was loaded from it no longer matches)",
            hint="pass --replace to drop what was loaded from it and load it again",
        )
    with ws.transaction():
        if seen.same_content is not None:  # grown: load only the new lines
            prev = seen.same_content
            fmt = _previous_format(prev)
            file_id, action = prev.file_id, "appended"
            start_line, start_offset = prev.lines_read + 1, prev.bytes_ingested
            if prev.unterminated:
                # The last line had no newline; it may have been completed since: take it back.
                start_line, start_offset = prev.lines_read, prev.tail_offset
                for table in ("requests", "rejects"):
                    ws.con.execute(f"DELETE FROM {table} WHERE file_id = ? AND line_no = ?",
                                   [file_id, start_line])
        elif seen.changed is not None:  # --replace
            fmt = _choose_format(path, head, options)
            file_id, action = seen.changed.file_id, "replaced"
            start_line, start_offset = 1, 0
            for table in ("requests", "rejects", "decision_cache"):
                ws.con.execute(f"DELETE FROM {table} WHERE file_id = ?", [file_id])
        else:
            fmt = _choose_format(path, head, options)
            file_id = ws.con.execute("SELECT nextval('file_id_seq')").fetchall()[0][0]
            action = "new"
            start_line, start_offset = 1, 0
        state = _format_state(fmt, options, path, head, seen.same_content if action == "appended" else None)
        state.pii_salt = pii.salt(ws)
        counts = _load(ws, path, compression, state, file_id, start_line, start_offset, progress,
                       options.batch_bytes)
        _record_file(ws, file_id, path, state, compression, head, counts,
                     is_new=action == "new", last_line_no=start_line + counts.lines_read - 1,
                     appended=action == "appended")
    return FileResult(str(path), file_id, fmt.name, action, counts.lines_read, counts.stored,
                      counts.rejected, counts.skipped, counts.non_confluence,
                      time.perf_counter() - started)


# -- recognising files again ---------------------------------------------------

@dataclass(frozen=True)
class _Seen:
    same_content: _Previous | None = None  # loaded before, maybe under another name
    has_more: bool = False  # ... and the file now holds more bytes than were loaded
    changed: _Previous | None = None  # same path, but the loaded bytes differ now


def _find_previous(ws: Workspace, path: Path, head: bytes, compression: str) -> _Seen:
    rows = ws.con.execute(
        "SELECT file_id, path, inode, format, bytes_ingested, lines_read, unterminated, tail_offset, "
        "head_hash, prefix_hash, options FROM files ORDER BY file_id"
    ).fetchall()
    records = [_Previous(*row) for row in rows]
    for record in records:
        head_len = min(HEAD_BYTES, record.bytes_ingested)
        if len(head) < head_len or digest(head[:head_len]) != record.head_hash:
            continue
        with open_source(path, compression) as stream:
            reader = HashingReader(stream)
            if reader.skip(record.bytes_ingested) < record.bytes_ingested:
                continue
            if reader.hexdigest() == record.prefix_hash:
                return _Seen(same_content=record, has_more=bool(stream.read(1)))
    # Same path and same inode but other content: edited in place. Another inode at
    # that path is a new file (the old one was rotated away).
    inode = path.stat().st_ino
    same_file = [r for r in records if r.path == str(path) and r.inode == inode]
    return _Seen(changed=same_file[-1] if same_file else None)


def _choose_format(path: Path, head: bytes, options: IngestOptions) -> LogFormat:
    if options.log_format is not None:
        return custom_format(options.log_format)
    if options.format != "auto":
        return get_format(options.format)
    if not head:
        raise FormatError(f"{path} is empty: nothing to ingest")
    return detect_format(sample_lines(head), str(path))


# -- loading -------------------------------------------------------------------

@dataclass
class _Counts:
    lines_read: int = 0
    stored: int = 0
    rejected: int = 0
    skipped: int = 0
    non_confluence: int = 0
    total_bytes: int = 0
    prefix_hash: str = ""
    unterminated: bool = False
    tail_offset: int = 0  # start of the last line read


@dataclass
class _FormatState:
    """A format's parameters for one file, and the directive that last changed them."""

    fmt: LogFormat
    params: dict[str, Any]
    fields: Mapping[str, str]
    #: last directive line that changed ``params``; remembered in files.options so
    #: that a grown file resumes with the layout in force at its end
    directive: str | None = None
    #: the workspace's salt when it keeps personal data out (--redact-pii), else None
    pii_salt: str | None = None


def _previous_format(prev: _Previous) -> LogFormat:
    """The format a file was loaded with (a custom layout is kept in files.options)."""
    if prev.format == CUSTOM_NAME:
        spec = json.loads(prev.options or "{}").get("log_format")
        if not spec:
            raise FormatError(f"{prev.path} was loaded with a custom layout that was not recorded",
                              hint="pass --replace with --log-format to load it again")
        return custom_format(spec)
    return get_format(prev.format)


def _format_state(fmt: LogFormat, options: IngestOptions, path: Path, head: bytes,
                  prev: _Previous | None) -> _FormatState:
    """Parameters for reading ``path``; ``prev`` is set when a grown file is resumed, which
    keeps the --field mapping it was loaded with (unless new ones are given) and the layout
    its last directive set."""
    recorded = json.loads(prev.options or "{}") if prev is not None else {}
    fields = dict(options.fields) or dict(recorded.get("fields") or {})
    if fields and not fmt.accepts_fields:
        raise UsageError(f"--field does not apply to the {fmt.name} format of {path}",
                         hint="--field maps fields of JSON, CSV and W3C inputs")
    timezone = options.timezone or recorded.get("timezone") or DEFAULT_TIMEZONE
    try:
        params = {**fmt.file_params(sample_lines(head), fields), "timezone": timezone}
    except FormatError as error:
        raise FormatError(f"{path}: {error.message}", hint=error.hint) from None
    state = _FormatState(fmt, params, fields)
    saved = recorded.get("directive")
    if saved and fmt.directive is not None:  # resume with the layout in force where loading stopped
        state.params = fmt.directive(saved, state.params, fields) or state.params
        state.directive = saved
    return state


def _load(ws: Workspace, path: Path, compression: str, state: _FormatState, file_id: int,
          start_line: int, start_offset: int, progress: Progress | None, batch_bytes: int) -> _Counts:
    counts = _Counts(tail_offset=start_offset)
    disk_size = path.stat().st_size
    with open_source(path, compression) as stream:
        reader = HashingReader(stream)
        # Decisions of the lines stored are made in the same transaction, a slice at a time as the
        # lines come in, so they never lag the requests and memory stays bounded.
        decided = start_line  # first line not decided yet
        if state.fmt.kind == "document":
            _load_document(ws.con, state, file_id, reader, start_line, start_offset, counts)
            if progress is not None:
                progress(str(path), disk_size, disk_size)
        else:
            # Hash (and skip) what was loaded before, so the new hash covers the whole file.
            reader.skip(start_offset)
            chunks = iter_line_chunks(reader, start_line_no=start_line, start_offset=start_offset,
                                      read_bytes=batch_bytes)
            for chunk, fast_rows in _prefetch(_fast_parsed(state, chunks)):
                counts.lines_read += chunk.n_lines
                if not chunk.unterminated:
                    counts.tail_offset = chunk.end_offset
                counts.unterminated = chunk.unterminated
                _store_chunk(ws.con, state, file_id, chunk, counts, fast_rows)
                last = chunk.first_line_no + chunk.n_lines - 1
                if last - decided + 1 >= SLICE_LINES:
                    ws.refresh_decisions(file_id, decided, last)
                    decided = last + 1
                if progress is not None:
                    progress(str(path), min(stream.disk_position(), disk_size), disk_size)
        ws.refresh_decisions(file_id, decided, None)
        counts.total_bytes = reader.consumed
        counts.prefix_hash = reader.hexdigest()
    return counts


def _load_document(con: Any, state: _FormatState, file_id: int, reader: HashingReader, start_line: int,
                   start_offset: int, counts: _Counts) -> None:
    """A document is parsed whole: a grown one is re-read from its start (through the
    hashing reader, so the hash still covers every byte) and its reader yields only the
    records numbered from ``start_line`` on."""
    assert state.fmt.reader is not None
    body = read_exactly(reader, start_offset) + reader.read(-1)
    params = {**state.params, "fields": state.fields, "first_line_no": start_line}
    for batch in state.fmt.reader(io.BytesIO(body), params):
        counts.lines_read += batch.n_records + batch.skipped
        counts.skipped += batch.skipped
        _store_document_batch(con, file_id, batch, counts, state.pii_salt)
    counts.tail_offset = len(body)
    counts.unterminated = False


def _fast_parsed(state: _FormatState, chunks: Iterator[LineChunk]
                 ) -> Iterator[tuple[LineChunk, tuple[pa.Table, pa.Table] | None]]:
    """Each chunk, with its NCSA lines pre-parsed by the C fast path when that applies:
    (rows it parsed, lines left for the SQL parser). Runs on the reader thread."""
    usable = fastclf.available() and state.fmt.query == "formats/clf" and state.fmt.directive_mask is None
    for chunk in chunks:
        if not usable or not chunk.lines.num_rows:
            yield chunk, None
            continue
        lines = _strip_bom(chunk.lines)
        yield chunk, fastclf.split_fast(lines, vhost=bool(state.params["vhost"]), agent=bool(state.params["agent"]))


_END = object()


def _prefetch(chunks: Iterator[Any], depth: int = 1) -> Iterator[Any]:
    """Produce chunks on a background thread (numpy and file reads release the GIL)."""
    buffer: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
            put(_END)
        except BaseException as error:  # handed to the consumer and raised there
            put(error)

    worker = threading.Thread(target=run, name="appaccess-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


def _store_chunk(con: Any, state: _FormatState, file_id: int, chunk: LineChunk, counts: _Counts,
                 fast: tuple[pa.Table, pa.Table] | None = None) -> None:
    rejects = [chunk.rejects] if chunk.rejects.num_rows else []
    query = sql.load_query(state.fmt.query or "")
    if fast is not None:  # the C fast path split most lines; clf.sql parses (or rejects) the rest
        fast_split, rest = fast
        if fast_split.num_rows:
            _store_split(con, file_id, counts, state.pii_salt, fast_split)
        if rest.num_rows:
            _store_parsed(con, file_id, counts, rejects, query.text, sql.bind(query, state.params), state.pii_salt,
                          Inputs(lines=rest, all_lines=chunk.lines))
    else:
        for lines, params in _segments(state, _strip_bom(chunk.lines), counts):
            _store_parsed(con, file_id, counts, rejects, query.text, sql.bind(query, params), state.pii_salt,
                          Inputs(lines=lines, all_lines=lines))
    _store_rejects(con, file_id, rejects, counts, state.pii_salt)


def _store_document_batch(con: Any, file_id: int, batch: DocumentBatch, counts: _Counts,
                          pii_salt: str | None = None) -> None:
    """Rows a document reader parsed take the same path as parsed lines (no raw lines to show)."""
    rejects = [batch.rejects] if batch.rejects.num_rows else []
    if batch.parsed.num_rows:
        _store_parsed(con, file_id, counts, rejects, "SELECT * FROM document_rows", {}, pii_salt,
                      Inputs(all_lines=LINES_SCHEMA.empty_table(), document_rows=batch.parsed))
    _store_rejects(con, file_id, rejects, counts, pii_salt)


@dataclass(frozen=True)
class Inputs:
    """The Arrow tables one chunk's SQL reads, by the names the SQL files use.

    They reach DuckDB through its replacement scan of the calling function's local
    variables, not through con.register: inside the file's transaction DuckDB keeps
    every registered table alive until the commit, which would make memory grow with
    the file (a 10M-line file peaked at over 5 GB that way).
    """

    all_lines: pa.Table  # every good line of the chunk, for the text of rejected ones
    lines: pa.Table | None = None  # the lines the format's SQL parses
    document_rows: pa.Table | None = None  # rows a document reader parsed


def _store_rejects(con: Any, file_id: int, rejects: list[pa.Table], counts: _Counts,
                   pii_salt: str | None = None) -> None:
    for new_rejects in rejects:  # read by the SQL below through the replacement scan (see Inputs)
        counts.rejected += new_rejects.num_rows
        con.execute("INSERT INTO rejects SELECT $file_id, line_no, reason, "
                    "CASE WHEN $salt IS NULL THEN raw ELSE aa_redact_pii(raw, $salt) END FROM new_rejects",
                    {"file_id": file_id, "salt": pii_salt})


def _store_parsed(con: Any, file_id: int, counts: _Counts, rejects: list[pa.Table], parser_sql: str,
                  params: dict[str, Any], pii_salt: str | None, inputs: Inputs) -> None:
    """Parse (``parser_sql``), check, split, normalise, route and store (analyzer/pipeline.py);
    rejected rows join ``rejects`` (raw text from ``all_lines``, empty for documents).

    The rows up to `batch` come from one statement and are held as Arrow, read by the
    statements after it. Every statement runs in this function so that the replacement
    scan finds the tables below (see :class:`Inputs`) as local variables.
    """
    lines, all_lines, document_rows = inputs.lines, inputs.all_lines, inputs.document_rows  # noqa: F841
    ctes = pipeline.to_batch(pipeline.from_parser(parser_sql), redact=pii_salt is not None)
    batch = con.sql(pipeline.select_batch(ctes), params={**params, **_salt(pii_salt)} or None).to_arrow_table()
    con.execute(pipeline.insert_new_routes())
    con.execute(pipeline.insert_requests(), {"file_id": file_id})
    bad = con.execute(
        "SELECT b.line_no, b.reject_reason, l.line FROM batch AS b LEFT JOIN all_lines AS l USING (line_no) "
        "WHERE b.reject_reason IS NOT NULL ORDER BY b.line_no"
    ).fetchall()
    good = pc.is_null(batch.column("reject_reason"))
    counts.stored += pc.sum(good).as_py() or 0
    counts.non_confluence += pc.sum(pc.and_(good, pc.invert(batch.column("is_wiki")))).as_py() or 0
    if bad:
        rejects.append(pa.table(
            [pa.array([b[0] for b in bad], pa.int64()), pa.array([b[1] for b in bad], pa.string()),
             pa.array([reject_text((b[2] or "").encode("utf-8")) for b in bad], pa.string())],
            schema=REJECT_SCHEMA,
        ))


def _store_split(con: Any, file_id: int, counts: _Counts, pii_salt: str | None, fast_split: pa.Table) -> None:
    """Store rows the C fast path already split: no parser, no check, nothing rejected, and
    nothing materialised (each statement normalises only the columns it needs)."""
    ctes = pipeline.to_batch(pipeline.from_split("SELECT * FROM fast_split"), redact=pii_salt is not None)
    salt = _salt(pii_salt)
    con.execute(pipeline.insert_new_routes(ctes), salt or None)
    con.execute(pipeline.insert_requests(ctes), {"file_id": file_id, **salt})
    counts.stored += fast_split.num_rows
    counts.non_confluence += con.execute(
        f"WITH {ctes} SELECT count(*) FILTER (WHERE NOT is_wiki) FROM batch", salt or None).fetchall()[0][0]


def _salt(pii_salt: str | None) -> dict[str, str]:
    return {"salt": pii_salt} if pii_salt is not None else {}


def _strip_bom(lines: pa.Table) -> pa.Table:
    """A byte-order mark opening a file belongs to no field."""
    if not lines.num_rows or lines["line_no"][0].as_py() != 1 or not lines["line"][0].as_py().startswith("\ufeff"):
        return lines
    column = pc.utf8_ltrim(lines["line"].slice(0, 1), "\ufeff")
    return lines.set_column(1, "line", pa.concat_arrays(
        [column.combine_chunks(), lines["line"].slice(1).combine_chunks()]))


def _segments(state: _FormatState, lines: pa.Table, counts: _Counts) -> Iterator[tuple[pa.Table, dict[str, Any]]]:
    """The runs of data lines between directive lines, each with the params in force.

    Directives are found with one vectorised test per chunk; only they (a handful
    per file) are looked at in Python.
    """
    mask_of = state.fmt.directive_mask
    if mask_of is None or not lines.num_rows:
        if lines.num_rows:
            yield lines, state.params
        return
    hits = np.flatnonzero(np.asarray(mask_of(lines["line"], state.params).to_numpy(zero_copy_only=False)))
    if not len(hits):
        yield lines, state.params
        return
    counts.skipped += len(hits)
    texts = lines["line"].take(pa.array(hits)).to_pylist()
    start = 0
    for index, text in zip(hits.tolist(), texts, strict=True):
        if index > start:
            yield lines.slice(start, index - start), state.params
        changed = state.fmt.directive(text, state.params, state.fields) if state.fmt.directive else None
        if changed is not None:
            state.params, state.directive = changed, text
        start = index + 1
    if start < lines.num_rows:
        yield lines.slice(start), state.params


def _record_file(ws: Workspace, file_id: int, path: Path, state: _FormatState, compression: str,
                 head: bytes, counts: _Counts, *, is_new: bool, last_line_no: int, appended: bool) -> None:
    recorded: dict[str, Any] = {"fields": dict(state.fields)}
    if state.params.get("timezone", DEFAULT_TIMEZONE) != DEFAULT_TIMEZONE:
        recorded["timezone"] = state.params["timezone"]
    if state.fmt.name == CUSTOM_NAME:
        recorded["log_format"] = state.params["spec"]
    if state.directive is not None:
        recorded["directive"] = state.directive
    values = {
        "file_id": file_id, "path": str(path), "inode": path.stat().st_ino, "format": state.fmt.name,
        "compression": compression,
        "head_hash": digest(head[: min(HEAD_BYTES, counts.total_bytes)]),
        "prefix_hash": counts.prefix_hash, "bytes_ingested": counts.total_bytes,
        "unterminated": counts.unterminated, "tail_offset": counts.tail_offset,
        "options": json.dumps(recorded, sort_keys=True),
    }
    if is_new:
        ws.con.execute(
            "INSERT INTO files VALUES ($file_id, $path, $inode, $format, $compression, $head_hash, $prefix_hash, "
            "$bytes_ingested, 0, 0, 0, 0, $unterminated, $tail_offset, $options, "
            "now()::TIMESTAMP, now()::TIMESTAMP)", values)
    else:
        ws.con.execute(
            "UPDATE files SET path = $path, inode = $inode, format = $format, compression = $compression, "
            "head_hash = $head_hash, prefix_hash = $prefix_hash, bytes_ingested = $bytes_ingested, "
            "unterminated = $unterminated, tail_offset = $tail_offset, options = $options, "
            "last_ingested = now()::TIMESTAMP WHERE file_id = $file_id", values)
    # Counts are derived from the rows themselves, so they cannot drift.
    ws.con.execute(
        "UPDATE files SET lines_read = $last_line_no, "
        "rows_stored = (SELECT count(*) FROM requests WHERE file_id = $file_id), "
        "rows_rejected = (SELECT count(*) FROM rejects WHERE file_id = $file_id), "
        "rows_skipped = CASE WHEN $appended THEN rows_skipped ELSE 0 END + $skipped "
        "WHERE file_id = $file_id",
        {"file_id": file_id, "last_line_no": last_line_no, "appended": appended, "skipped": counts.skipped})

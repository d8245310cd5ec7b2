"""Load log files into the workspace: parse, normalise, route, store, reject.

One transaction per file, so an interrupted ingest leaves the workspace as it
was before that file. Files are recognised again by content (a hash of what
was loaded), which makes re-ingest idempotent, lets a grown file add only its
new lines and lets a rotated (renamed) file be skipped. Parsing and routing
are SQL over Arrow batches; a reader thread splits the next chunk of lines
while DuckDB works on the current one.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from analyzer import sql
from analyzer.errors import FormatError, InputFileError, UsageError
from analyzer.formats import detect_format, get_format
from analyzer.formats.base import CANONICAL_FIELDS, LogFormat
from analyzer.formats.lines import REJECT_SCHEMA, LineChunk, iter_line_chunks, reject_text
from analyzer.sources import (
    HEAD_BYTES,
    HashingReader,
    compression_of,
    digest,
    expand_sources,
    open_source,
    read_head,
    sample_lines,
)
from analyzer.workspace import Workspace, registered

#: Lines per DuckDB batch; bounds memory (a few hundred MB at most).
BATCH_BYTES = 32 << 20


@dataclass(frozen=True)
class IngestOptions:
    """How to read the inputs; the same for every file of one ingest."""

    format: str = "auto"
    fields: Mapping[str, str] = field(default_factory=dict)  # canonical -> source field
    replace: bool = False  # re-load a file whose content changed in place
    batch_bytes: int = BATCH_BYTES

    def __post_init__(self) -> None:
        unknown = sorted(set(self.fields) - set(CANONICAL_FIELDS))
        if unknown:
            raise UsageError(
                f"unknown canonical field(s) in --field: {', '.join(unknown)}",
                hint=f"canonical fields are: {', '.join(CANONICAL_FIELDS)}",
            )


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


def ingest(ws: Workspace, paths: Iterable[str | Path], options: IngestOptions | None = None,
           progress: Progress | None = None) -> IngestResult:
    """Ingest every file behind ``paths`` (files, directories, globs)."""
    options = options or IngestOptions()
    if options.format != "auto":
        get_format(options.format)  # fail before touching any file
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
            fmt = get_format(prev.format)
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
            for table in ("requests", "rejects"):
                ws.con.execute(f"DELETE FROM {table} WHERE file_id = ?", [file_id])
        else:
            fmt = _choose_format(path, head, options)
            file_id = ws.con.execute("SELECT nextval('file_id_seq')").fetchall()[0][0]
            action = "new"
            start_line, start_offset = 1, 0
        counts = _load(ws, path, compression, fmt, options, file_id, start_line, start_offset, progress)
        _record_file(ws, file_id, path, fmt, compression, head, counts, options,
                     is_new=action == "new", last_line_no=start_line + counts.lines_read - 1)
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
        "head_hash, prefix_hash FROM files ORDER BY file_id"
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


def _load(ws: Workspace, path: Path, compression: str, fmt: LogFormat, options: IngestOptions,
          file_id: int, start_line: int, start_offset: int, progress: Progress | None) -> _Counts:
    counts = _Counts(tail_offset=start_offset)
    disk_size = path.stat().st_size
    params = _format_params(fmt, options, path)
    with open_source(path, compression) as stream:
        reader = HashingReader(stream)
        # Hash (and skip) what was loaded before, so the new hash covers the whole file.
        reader.skip(start_offset)
        chunks = iter_line_chunks(reader, start_line_no=start_line, start_offset=start_offset,
                                  read_bytes=options.batch_bytes)
        for chunk in _prefetch(chunks):
            counts.lines_read += chunk.n_lines
            if not chunk.unterminated:
                counts.tail_offset = chunk.end_offset
            counts.unterminated = chunk.unterminated
            _store_chunk(ws.con, fmt, params, file_id, chunk, counts)
            if progress is not None:
                progress(str(path), min(stream.disk_position(), disk_size), disk_size)
        counts.total_bytes = reader.consumed
        counts.prefix_hash = reader.hexdigest()
    return counts


def _format_params(fmt: LogFormat, options: IngestOptions, path: Path) -> dict[str, Any]:
    params = dict(fmt.params)
    if options.fields and not fmt.accepts_fields:
        raise UsageError(f"--field does not apply to the {fmt.name} format of {path}",
                         hint="--field maps fields of JSON and CSV inputs")
    return params


_END = object()


def _prefetch(chunks: Iterator[LineChunk], depth: int = 2) -> Iterator[LineChunk]:
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


def _store_chunk(con: Any, fmt: LogFormat, params: dict[str, Any], file_id: int, chunk: LineChunk,
                 counts: _Counts) -> None:
    rejects = [chunk.rejects] if chunk.rejects.num_rows else []
    if chunk.lines.num_rows:
        with registered(con, "lines", chunk.lines):
            query = sql.load_query(fmt.query or "")
            con.execute("CREATE OR REPLACE TEMP TABLE parsed AS " + query.text, sql.bind(query, params))
            con.execute("CREATE OR REPLACE TEMP TABLE batch AS " + sql.load_query("ingest/normalize").text)
            sql.execute(con, "ingest/route_new_shapes")
            routed = sql.load_query("ingest/routed")
            con.execute("INSERT INTO requests " + routed.text, sql.bind(routed, {"file_id": file_id}))
            stored, non_confluence = con.execute(
                "SELECT count(*) FILTER (reject_reason IS NULL), "
                "count(*) FILTER (reject_reason IS NULL AND NOT is_wiki) FROM batch"
            ).fetchall()[0]
            bad = con.execute(
                "SELECT b.line_no, b.reject_reason, l.line FROM batch AS b JOIN lines AS l USING (line_no) "
                "WHERE b.reject_reason IS NOT NULL ORDER BY b.line_no"
            ).fetchall()
        counts.stored += stored
        counts.non_confluence += non_confluence
        if bad:
            rejects.append(pa.table(
                [pa.array([b[0] for b in bad], pa.int64()), pa.array([b[1] for b in bad], pa.string()),
                 pa.array([reject_text(b[2].encode("utf-8")) for b in bad], pa.string())],
                schema=REJECT_SCHEMA,
            ))
    for table in rejects:
        counts.rejected += table.num_rows
        with registered(con, "new_rejects", table):
            con.execute("INSERT INTO rejects SELECT ?, line_no, reason, raw FROM new_rejects", [file_id])


def _record_file(ws: Workspace, file_id: int, path: Path, fmt: LogFormat, compression: str,
                 head: bytes, counts: _Counts, options: IngestOptions, *, is_new: bool,
                 last_line_no: int) -> None:
    values = {
        "file_id": file_id, "path": str(path), "inode": path.stat().st_ino, "format": fmt.name,
        "compression": compression,
        "head_hash": digest(head[: min(HEAD_BYTES, counts.total_bytes)]),
        "prefix_hash": counts.prefix_hash, "bytes_ingested": counts.total_bytes,
        "unterminated": counts.unterminated, "tail_offset": counts.tail_offset,
        "options": json.dumps({"fields": dict(options.fields)}, sort_keys=True),
    }
    if is_new:
        ws.con.execute(
            "INSERT INTO files VALUES ($file_id, $path, $inode, $format, $compression, $head_hash, $prefix_hash, "
            "$bytes_ingested, 0, 0, 0, $unterminated, $tail_offset, $options, "
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
        "rows_rejected = (SELECT count(*) FROM rejects WHERE file_id = $file_id) "
        "WHERE file_id = $file_id",
        {"file_id": file_id, "last_line_no": last_line_no})

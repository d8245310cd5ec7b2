"""Ingest log files into the workspace, one transaction per file.

An interrupted ingest leaves the workspace as it was before the file it was
loading. Files are recognised again by content (analyzer/ingest/files.py);
lines are read in chunks on a reader thread (analyzer/ingest/reading.py),
parsed and stored (analyzer/ingest/store.py, keys.py), and the request keys
the file added are decided in the same transaction, so decisions never lag
the requests. Document formats (HAR) are read whole and hand over Arrow
tables of parsed rows, which then take the same path as parsed lines.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable
from pathlib import Path

from analyzer import pii
from analyzer.errors import InputFileError
from analyzer.formats import get_format
from analyzer.formats.custom import CUSTOM_NAME
from analyzer.formats.lines import iter_line_chunks
from analyzer.ingest import files
from analyzer.ingest.options import Counts, FileResult, IngestOptions, IngestResult, Progress, TimeWindow
from analyzer.ingest.reading import FormatState, fast_parsed, format_state, prefetch
from analyzer.ingest.store import store_chunk, store_document_batch
from analyzer.sources import (
    HEAD_BYTES,
    HashingReader,
    SkippedFile,
    compression_of,
    expand_sources,
    open_source,
    read_exactly,
    read_head,
)
from analyzer.workspace import Workspace


def ingest(ws: Workspace, paths: Iterable[str | Path], options: IngestOptions | None = None,
           progress: Progress | None = None) -> IngestResult:
    """Ingest every file behind ``paths`` (files, directories, globs)."""
    options = options or IngestOptions()
    if options.format not in ("auto", CUSTOM_NAME):
        get_format(options.format)  # fail before touching any file
    if options.redact_pii:
        pii.enable(ws)
    window = TimeWindow.resolve(options.time_window)
    # queries/ingest/check_parsed.sql rejects request times outside the window
    ws.con.execute(f"SET VARIABLE aa_ts_oldest = TIMESTAMP '{window.oldest.isoformat(sep=' ')}'")
    ws.con.execute(f"SET VARIABLE aa_ts_newest = TIMESTAMP '{window.newest.isoformat(sep=' ')}'")
    own = ws.path.with_name(ws.path.name + ".wal")
    sources = expand_sources(paths, exclude=(ws.path, own))
    if not sources:
        raise InputFileError("no input files found", hint="pass log files, directories or globs")
    results, skipped = [], []
    for path in sources:
        try:
            results.append(ingest_file(ws, path, options, progress))
        except InputFileError as error:  # not a log, empty or damaged: skip it (rolled back), read the rest
            skipped.append(SkippedFile(str(path), error.message, error.hint))
    return IngestResult(tuple(results), tuple(skipped))


def ingest_file(ws: Workspace, path: Path, options: IngestOptions,
                progress: Progress | None = None) -> FileResult:
    """Ingest one file in one transaction; see the module docstring for the rules."""
    started = time.perf_counter()
    compression = compression_of(path)
    head = read_head(path, HEAD_BYTES, compression)
    seen = files.find_previous(ws, path, head, compression)
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
            fmt = files.previous_format(prev)
            file_id, action = prev.file_id, "appended"
            start_line, start_offset = prev.lines_read + 1, prev.bytes_ingested
            if prev.unterminated:
                # The last line had no newline; it may have been completed since: take it back.
                start_line, start_offset = prev.lines_read, prev.tail_offset
                files.forget_lines(ws, file_id, start_line)
        elif seen.changed is not None:  # --replace
            fmt = files.choose_format(path, head, options)
            file_id, action = seen.changed.file_id, "replaced"
            start_line, start_offset = 1, 0
            files.forget_lines(ws, file_id)
        else:
            fmt = files.choose_format(path, head, options)
            file_id = ws.con.execute("SELECT nextval('file_id_seq')").fetchall()[0][0]
            action = "new"
            start_line, start_offset = 1, 0
        state = format_state(fmt, options, path, head, seen.same_content if action == "appended" else None)
        state.pii_salt = pii.salt(ws)
        counts = _load(ws, path, compression, state, file_id, start_line, start_offset, progress,
                       options.batch_bytes)
        # The keys this file added get their decisions (and field apps) in the same transaction.
        ws.refresh_decisions(pending_only=True, file_id=file_id)
        counts.non_confluence = files.non_confluence(ws, file_id, start_line)
        files.record_file(ws, file_id, path, state.recorded(), fmt.name, compression, head, counts,
                          is_new=action == "new", last_line_no=start_line + counts.lines_read - 1,
                          appended=action == "appended")
    return FileResult(str(path), file_id, fmt.name, action, counts.lines_read, counts.stored,
                      counts.rejected, counts.skipped, counts.non_confluence,
                      time.perf_counter() - started)


def _load(ws: Workspace, path: Path, compression: str, state: FormatState, file_id: int,
          start_line: int, start_offset: int, progress: Progress | None, batch_bytes: int) -> Counts:
    counts = Counts(tail_offset=start_offset)
    disk_size = path.stat().st_size
    with open_source(path, compression) as stream:
        reader = HashingReader(stream)
        if state.fmt.kind == "document":
            _load_document(ws, state, file_id, reader, start_line, start_offset, counts)
            if progress is not None:
                progress(str(path), disk_size, disk_size)
        else:
            # Hash (and skip) what was loaded before, so the new hash covers the whole file.
            reader.skip(start_offset)
            chunks = iter_line_chunks(reader, start_line_no=start_line, start_offset=start_offset,
                                      read_bytes=batch_bytes)
            for chunk, fast_rows in prefetch(fast_parsed(state, chunks)):
                counts.lines_read += chunk.n_lines
                if not chunk.unterminated:
                    counts.tail_offset = chunk.end_offset
                counts.unterminated = chunk.unterminated
                store_chunk(ws.con, state, file_id, chunk, counts, fast_rows)
                if progress is not None:
                    progress(str(path), min(stream.disk_position(), disk_size), disk_size)
        counts.total_bytes = reader.consumed
        counts.prefix_hash = reader.hexdigest()
    return counts


def _load_document(ws: Workspace, state: FormatState, file_id: int, reader: HashingReader, start_line: int,
                   start_offset: int, counts: Counts) -> None:
    """A document is parsed whole: a grown one is re-read from its start (through the
    hashing reader, so the hash still covers every byte) and its reader yields only the
    records numbered from ``start_line`` on."""
    assert state.fmt.reader is not None
    body = read_exactly(reader, start_offset) + reader.read(-1)
    params = {**state.params, "fields": state.fields, "first_line_no": start_line}
    for batch in state.fmt.reader(io.BytesIO(body), params):
        counts.lines_read += batch.n_records + batch.skipped
        counts.skipped += batch.skipped
        store_document_batch(ws.con, file_id, batch, counts, state.pii_salt)
    counts.tail_offset = len(body)
    counts.unterminated = False

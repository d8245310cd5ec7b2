"""Ingest log files into the workspace, one transaction per file.

An interrupted ingest leaves the workspace as it was before the file it was
loading. Files are recognised again by content (analyzer/ingest/files.py);
lines are read in chunks on a reader thread (analyzer/ingest/reading.py),
parsed and stored (analyzer/ingest/store.py, keys.py), and the request keys
the file added are decided in the same transaction, so decisions never lag
the requests. Document formats (HAR) are read as a stream and hand over
Arrow tables of parsed rows, which then take the same path as parsed lines.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from pathlib import Path

from analyzer import pii
from analyzer.errors import FormatError, InputFileError
from analyzer.formats import get_format
from analyzer.formats.custom import CUSTOM_NAME
from analyzer.formats.lines import iter_line_chunks
from analyzer.ingest import files
from analyzer.ingest.fast import FastKeys, store_fast_chunk
from analyzer.ingest.options import Counts, FileResult, IngestOptions, IngestResult, Progress, TimeWindow
from analyzer.ingest.reading import FormatState, fast_parsed, fast_path, format_state, prefetch
from analyzer.ingest.store import declined_facts, store_chunk, store_document_batch, store_rejects
from analyzer.sources import (
    HEAD_BYTES,
    HashingReader,
    SkippedFile,
    compression_of,
    expand_sources,
    open_source,
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
    options = dataclasses.replace(options, time_window=window)  # one "now" for the C and SQL checks
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
    """Ingest one file in one transaction; what it is to the workspace follows the rules of
    analyzer/ingest/files.py (unchanged, grown, renamed, a copy, a fork, rotated, edited)."""
    started = time.perf_counter()
    compression = compression_of(path)
    head = read_head(path, HEAD_BYTES, compression)
    if not head:
        raise FormatError(f"{path} is empty: nothing to ingest")
    seen = files.find_previous(ws, path, head, compression)
    prev = seen.record

    def result(file_id: int, fmt: str, action: str, note: str | None = None) -> FileResult:
        return FileResult(str(path), file_id, fmt, action, 0, 0, 0, 0, 0, time.perf_counter() - started, note)

    if seen.relation == "changed" and not options.replace:
        raise InputFileError(
            f"{path} changed in place since it was ingested (it starts as before, but what was loaded from it "
            "no longer matches)",
            hint=f"pass --replace to drop what was loaded from it and load it again, or `appaccess files forget "
                 f"{path}`")
    assert prev is not None or seen.relation == "new"
    replace = options.replace and seen.relation in ("same", "moved", "changed")
    if seen.relation == "copy" and prev is not None:
        own = prev if prev.path == str(path) else None
        original = prev if own is None else next(r for r in files.all_records(ws) if r.file_id == prev.copy_of)
        file_id = own.file_id if own is not None else 0
        if own is None or seen.has_more:
            with ws.transaction():
                file_id = files.record_copy(ws, path, original, own, compression, head)
        return result(file_id, original.format, "copy", f"a copy of {original.path}: not read again")
    if prev is not None and seen.relation in ("same", "moved") and not seen.has_more and not replace:
        if seen.relation == "moved":  # remember where the content lives now, and how it is compressed
            files.move_record(ws, prev, path, compression)
        return result(prev.file_id, prev.format, "unchanged" if seen.relation == "same" else "renamed")
    copied = 0
    with ws.transaction():
        rollup_from = 1  # the file's lines fact_days must count anew
        if prev is not None and seen.relation in ("same", "moved") and not replace:  # grown: only the new lines
            fmt = files.previous_format(prev)
            file_id, action = prev.file_id, "appended"
            start_line, start_offset = prev.resume_line, prev.resume_offset
            rollup_from = start_line
            if prev.unterminated:  # the last line had no newline; it may have been completed since: take it back
                files.forget_lines(ws, file_id, start_line)
                rollup_from = 1
        elif prev is not None and seen.relation == "fork":  # a copy that goes on: only its own lines
            fmt = files.previous_format(prev)
            file_id = ws.con.execute("SELECT nextval('file_id_seq')").fetchall()[0][0]
            action = "new"
            start_line, start_offset = prev.resume_line, prev.resume_offset
            copied = start_line - 1
        elif prev is not None and replace:  # --replace: drop what was loaded, read it all again
            fmt = files.choose_format(path, head, options)
            file_id, action = prev.file_id, "replaced"
            start_line, start_offset = 1, 0
            files.forget_lines(ws, file_id)
        else:  # new, or new content where rotated content was (copytruncate)
            fmt = files.choose_format(path, head, options)
            file_id = ws.con.execute("SELECT nextval('file_id_seq')").fetchall()[0][0]
            action = "new"
            start_line, start_offset = 1, 0
        resumed = prev if action == "appended" or seen.relation == "fork" else None
        state = format_state(fmt, options, path, head, resumed)
        state.pii_salt = pii.salt(ws)
        counts = _load(ws, path, compression, state, file_id, start_line, start_offset, progress,
                       options.batch_bytes, TimeWindow.resolve(options.time_window))
        files.roll_up(ws, file_id, rollup_from)
        # The keys this file added get their decisions (and field apps) in the same transaction.
        ws.refresh_decisions(pending_only=True, file_id=file_id)
        counts.non_confluence = files.non_confluence(ws, file_id, start_line)
        files.record_file(ws, file_id, path, state.recorded(), fmt.name, compression, head, counts,
                          is_new=action == "new", last_line_no=start_line + counts.lines_read - 1,
                          appended=action == "appended", copied_lines=copied)
    note = None
    if seen.relation == "fork" and prev is not None:
        note = f"its first {copied:,} lines are a copy of {prev.path}: read there"
    elif seen.relation == "rotated" and prev is not None:
        note = "what was loaded from this path before was rotated away (it is kept)"
    elif seen.relation == "moved" and prev is not None:
        note = f"was {prev.path}"
    return FileResult(str(path), file_id, fmt.name, action, counts.lines_read, counts.stored,
                      counts.rejected, counts.skipped, counts.non_confluence,
                      time.perf_counter() - started, note)


def _load(ws: Workspace, path: Path, compression: str, state: FormatState, file_id: int,
          start_line: int, start_offset: int, progress: Progress | None, batch_bytes: int,
          window: TimeWindow) -> Counts:
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
            parser = fast_path(state, window)
            chunks = iter_line_chunks(reader, start_line_no=start_line, start_offset=start_offset,
                                      read_bytes=batch_bytes, raw=parser is not None)
            keys = FastKeys()
            items = prefetch(fast_parsed(parser, chunks)) if parser is not None else \
                prefetch((chunk, None) for chunk in chunks)
            for chunk, parsed in items:
                counts.lines_read += chunk.n_lines
                if not chunk.unterminated:
                    counts.tail_offset = chunk.end_offset
                counts.unterminated = chunk.unterminated
                if parsed is not None:
                    rejects = [parsed.rejects] if parsed.rejects.num_rows else []
                    others = declined_facts(ws.con, state, file_id, parsed.declined, rejects, counts)
                    store_fast_chunk(ws.con, file_id, parsed, keys, counts, state.pii_salt, others)
                    store_rejects(ws.con, file_id, rejects, counts, state.pii_salt)
                else:
                    store_chunk(ws.con, state, file_id, chunk, counts)
                if progress is not None:
                    progress(str(path), min(stream.disk_position(), disk_size), disk_size)
        counts.total_bytes = reader.consumed
        counts.prefix_hash = reader.hexdigest()
    return counts


def _load_document(ws: Workspace, state: FormatState, file_id: int, reader: HashingReader, start_line: int,
                   start_offset: int, counts: Counts) -> None:
    """A document is read as a stream from its start (a grown one too: through the hashing
    reader, so the hash still covers every byte); its reader yields only the records numbered
    from ``start_line`` on. What the reader leaves unread is hashed to the end. A document that
    ended early (incomplete) is marked unterminated, so that its last record is taken back
    and read again when the file grows."""
    assert state.fmt.reader is not None
    params = {**state.params, "fields": state.fields, "first_line_no": start_line}
    incomplete = False
    for batch in state.fmt.reader(reader, params):  # type: ignore[arg-type]
        counts.lines_read += batch.n_records + batch.skipped
        counts.skipped += batch.skipped
        incomplete = incomplete or batch.incomplete
        store_document_batch(ws.con, file_id, batch, counts, state.pii_salt)
    while reader.read(8 << 20):
        pass
    counts.tail_offset = reader.consumed
    counts.unterminated = incomplete

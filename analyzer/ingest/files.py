"""Recognising a file again, and recording what was loaded from it.

Files are recognised by content: a hash of the first bytes and of everything
loaded so far. That makes re-ingest idempotent, lets a grown file add only
its new lines and lets a rotated (renamed) file be skipped; a file at the same
path and inode whose loaded bytes changed was edited in place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer import sql
from analyzer.errors import FormatError
from analyzer.formats import detect_format, get_format
from analyzer.formats.base import LogFormat
from analyzer.formats.custom import CUSTOM_NAME, custom_format
from analyzer.ingest.options import Counts, IngestOptions
from analyzer.sources import HEAD_BYTES, HashingReader, digest, open_source, sample_lines
from analyzer.workspace import Workspace


@dataclass(frozen=True)
class Previous:
    """What the workspace remembers of a file it loaded."""

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
    options: str | None = None  # JSON written by record_file


@dataclass(frozen=True)
class Seen:
    same_content: Previous | None = None  # loaded before, maybe under another name
    has_more: bool = False  # ... and the file now holds more bytes than were loaded
    changed: Previous | None = None  # same path, but the loaded bytes differ now


def find_previous(ws: Workspace, path: Path, head: bytes, compression: str) -> Seen:
    rows = ws.con.execute(
        "SELECT file_id, path, inode, format, bytes_ingested, lines_read, unterminated, tail_offset, "
        "head_hash, prefix_hash, options FROM files ORDER BY file_id"
    ).fetchall()
    records = [Previous(*row) for row in rows]
    for record in records:
        head_len = min(HEAD_BYTES, record.bytes_ingested)
        if len(head) < head_len or digest(head[:head_len], like=record.head_hash) != record.head_hash:
            continue
        with open_source(path, compression) as stream:
            reader = HashingReader(stream, like=record.prefix_hash)
            if reader.skip(record.bytes_ingested) < record.bytes_ingested:
                continue
            if reader.hexdigest() == record.prefix_hash:
                return Seen(same_content=record, has_more=bool(stream.read(1)))
    # Same path and same inode but other content: edited in place. Another inode at
    # that path is a new file (the old one was rotated away).
    inode = path.stat().st_ino
    same_file = [r for r in records if r.path == str(path) and r.inode == inode]
    return Seen(changed=same_file[-1] if same_file else None)


def choose_format(path: Path, head: bytes, options: IngestOptions) -> LogFormat:
    if options.log_format is not None:
        return custom_format(options.log_format)
    if options.format != "auto":
        return get_format(options.format)
    if not head:
        raise FormatError(f"{path} is empty: nothing to ingest")
    return detect_format(sample_lines(head), str(path))


def previous_format(prev: Previous) -> LogFormat:
    """The format a file was loaded with (a custom layout is kept in files.options)."""
    if prev.format == CUSTOM_NAME:
        spec = json.loads(prev.options or "{}").get("log_format")
        if not spec:
            raise FormatError(f"{prev.path} was loaded with a custom layout that was not recorded",
                              hint="pass --replace with --log-format to load it again")
        return custom_format(spec)
    return get_format(prev.format)


def forget_lines(ws: Workspace, file_id: int, from_line: int = 1) -> None:
    """Drop what was stored from a file's lines ``from_line`` on (taken back or replaced), and the
    file's rollup (roll_up counts the file again from its first line)."""
    for table in ("facts", "rejects", "field_app_rows"):
        ws.con.execute(f"DELETE FROM {table} WHERE file_id = ? AND line_no >= ?", [file_id, from_line])
    ws.con.execute("DELETE FROM fact_days WHERE file_id = ?", [file_id])


def roll_up(ws: Workspace, file_id: int, from_line: int) -> None:
    """Count the file's requests from ``from_line`` on into fact_days (queries/ingest/roll_up.sql)."""
    sql.execute(ws.con, "ingest/roll_up", {"file_id": file_id, "from_line": from_line})


def record_file(ws: Workspace, file_id: int, path: Path, recorded: dict[str, Any], fmt_name: str,
                compression: str, head: bytes, counts: Counts, *, is_new: bool, last_line_no: int,
                appended: bool) -> None:
    values = {
        "file_id": file_id, "path": str(path), "inode": path.stat().st_ino, "format": fmt_name,
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
        "rows_stored = (SELECT count(*) FROM facts WHERE file_id = $file_id), "
        "rows_rejected = (SELECT count(*) FROM rejects WHERE file_id = $file_id), "
        "rows_skipped = CASE WHEN $appended THEN rows_skipped ELSE 0 END + $skipped "
        "WHERE file_id = $file_id",
        {"file_id": file_id, "last_line_no": last_line_no, "appended": appended, "skipped": counts.skipped})


def non_confluence(ws: Workspace, file_id: int, from_line: int) -> int:
    """Requests stored from a file's lines ``from_line`` on that are not Confluence REST calls."""
    return ws.con.execute(
        "SELECT count(*) FROM facts AS f JOIN request_keys AS k ON k.key_id = f.key_id "
        "JOIN targets AS t ON t.target_id = k.target_id "
        "WHERE f.file_id = ? AND f.line_no >= ? AND NOT t.is_wiki", [file_id, from_line]).fetchall()[0][0]

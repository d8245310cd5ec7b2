"""Recognising a file again, and recording what was loaded from it: file identity.

A file is its content, not its name, inode or compression: what was loaded
from it is recorded as a length and a hash of those (decompressed) bytes,
plus the hash of its first 64 KiB (a quick filter) and of its first line.
The rules (SECURITY.md, "File identity"), for a file F met by an ingest:

1. F starts with content loaded before (a record R): F is R again. At R's
   path it is unchanged, or it grew and only its new lines are read. At
   another path: if R's path no longer holds that content (renamed,
   compressed, truncated by copytruncate, deleted), R moved to F (renamed,
   compression updated). If it still does, F is a *copy*: recorded as one and
   never read, whatever F's size, as long as F is a prefix of the file at R's
   path; if F goes on differently, F is a *fork*: its lines after R's are its
   own and read, the shared ones are not read twice.
2. F starts with no loaded content, but content was loaded from F's path:
   if F still has the first line that content had, F was edited in place and
   is refused unless ``--replace`` (or ``appaccess files forget``); otherwise
   the old content was rotated away (copytruncate, then regrowth) and F is a
   new file, with no flag needed.
3. Otherwise F is new. An empty file is never recorded (it identifies nothing).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer import sql
from analyzer.errors import FormatError, InputFileError, NotFoundError
from analyzer.formats import detect_format, get_format
from analyzer.formats.base import LogFormat
from analyzer.formats.custom import CUSTOM_NAME, custom_format
from analyzer.ingest.options import Counts, IngestOptions
from analyzer.sources import HEAD_BYTES, HashingReader, digest, open_source, read_head, sample_lines
from analyzer.workspace import Workspace

#: Bytes compared at a time when two files are set side by side.
_STEP = 1 << 20


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
    compression: str = "none"

    @property
    def recorded(self) -> dict[str, Any]:
        return json.loads(self.options or "{}")

    @property
    def copy_of(self) -> int | None:
        """The record this one is a copy of (nothing was read from it), if it is one."""
        value = self.recorded.get("copy_of")
        return int(value) if value is not None else None

    @property
    def resume_line(self) -> int:
        """The first line to read when the content goes on (an unterminated last line is read again)."""
        return self.lines_read if self.unterminated else self.lines_read + 1

    @property
    def resume_offset(self) -> int:
        return self.tail_offset if self.unterminated else self.bytes_ingested


@dataclass(frozen=True)
class Seen:
    """How a file relates to what the workspace loaded before (see the module docstring).

    ``relation``: ``same`` (R at its own path), ``moved`` (R renamed to this path), ``copy``,
    ``fork``, ``changed`` (edited in place), ``rotated`` (new content at R's path) or ``new``.
    """

    relation: str = "new"
    record: Previous | None = None
    has_more: bool = False  # the file holds more bytes than were loaded from `record`


_COLUMNS = ("file_id, path, inode, format, bytes_ingested, lines_read, unterminated, tail_offset, head_hash, "
            "prefix_hash, options, compression")


def all_records(ws: Workspace) -> list[Previous]:
    """Every file the workspace recorded, oldest first."""
    rows = ws.con.execute(f"SELECT {_COLUMNS} FROM files ORDER BY file_id").fetchall()
    return [Previous(*row) for row in rows]


def first_line(head: bytes) -> bytes:
    """A content's first line, newline included (at most HEAD_BYTES)."""
    end = head.find(b"\n")
    return head if end < 0 else head[: end + 1]


def _starts_with(path: Path, compression: str, record: Previous) -> tuple[bool, bool]:
    """(whether the file's content starts with what was loaded from ``record``, whether it holds more)."""
    with open_source(path, compression) as stream:
        reader = HashingReader(stream, like=record.prefix_hash)
        if reader.skip(record.bytes_ingested) < record.bytes_ingested or reader.hexdigest() != record.prefix_hash:
            return False, False
        return True, bool(stream.read(1))


def _common_prefix(a: Path, b: Path) -> tuple[int, bool]:
    """How many leading (decompressed) bytes two files share, and whether ``a`` ended there."""
    common = 0
    with open_source(a) as left, open_source(b) as right:
        while True:
            x, y = left.read(_STEP), right.read(_STEP)
            if not x:
                return common, True
            if x == y:
                common += len(x)
                continue
            same = next((i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), min(len(x), len(y)))
            return common + same, False


def find_previous(ws: Workspace, path: Path, head: bytes, compression: str) -> Seen:
    """What ``path`` (whose content starts with ``head``) is to the workspace; see the module docstring."""
    records = [r for r in all_records(ws) if r.bytes_ingested > 0]  # an empty record identifies nothing
    matches: list[tuple[Previous, bool]] = []
    for record in records:
        head_len = min(HEAD_BYTES, record.bytes_ingested)
        if len(head) < head_len or digest(head[:head_len], like=record.head_hash) != record.head_hash:
            continue
        same, more = _starts_with(path, compression, record)
        if same:
            matches.append((record, more))
    if matches:
        own = [m for m in matches if m[0].path == str(path)]
        record, more = own[-1] if own else max(matches, key=lambda m: m[0].bytes_ingested)
        if own:
            original = next((r for r in records if r.file_id == record.copy_of), None)
            if original is not None and (not more or _is_copy_of(path, original)):
                return Seen("copy", record, more)
            return Seen("same", record, more)
        return Seen(_relation_to(path, record), record, more)
    at_path = [r for r in records if r.path == str(path)]
    if not at_path:
        return Seen()
    last = at_path[-1]
    was = last.recorded.get("first_line")
    if was is not None:
        edited = digest(first_line(head)) == was
    else:  # recorded before first lines were: the first 64 KiB tell instead
        edited = digest(head[: min(HEAD_BYTES, last.bytes_ingested)], like=last.head_hash) == last.head_hash
    return Seen("changed" if edited else "rotated", last)


def _is_copy_of(path: Path, original: Previous) -> bool:
    """Whether ``path`` holds nothing but the start of the file now at ``original``'s path."""
    there = Path(original.path)
    if not there.is_file():
        return False
    common, ended = _common_prefix(path, there)
    return ended and common >= original.bytes_ingested


def _relation_to(path: Path, record: Previous) -> str:
    """``path`` starts with ``record``'s content, and ``record`` is elsewhere: moved, copy or fork."""
    there = Path(record.path)
    if not there.is_file():
        return "moved"
    try:
        common, ended = _common_prefix(path, there)
    except InputFileError:  # the file at the record's path is damaged now: it is no longer that content
        return "moved"
    if common < record.bytes_ingested:
        return "moved"  # the record's path holds other content now: it was rotated away
    return "copy" if ended else "fork"


def content_facts(path: Path, compression: str) -> tuple[int, str, int, bool, int]:
    """(bytes, hash, lines, whether the last line has no newline, where that last line starts)."""
    lines, last = 0, b""
    with open_source(path, compression) as stream:
        reader = HashingReader(stream)
        while data := reader.read(_STEP):
            lines += data.count(b"\n")
            last = data
        size = reader.consumed
        unterminated = bool(last) and not last.endswith(b"\n")
        tail = size
        if unterminated:
            lines += 1
            cut = last.rfind(b"\n")
            tail = size - len(last) + cut + 1 if cut >= 0 else _tail_before(path, compression, size)
        return size, reader.hexdigest(), lines, unterminated, tail


def _tail_before(path: Path, compression: str, size: int) -> int:
    """Where the last line starts when it is longer than one read."""
    position, tail = 0, 0
    with open_source(path, compression) as stream:
        while data := stream.read(_STEP):
            cut = data.rfind(b"\n")
            if cut >= 0:
                tail = position + cut + 1
            position += len(data)
    return min(tail, size)


def record_copy(ws: Workspace, path: Path, original: Previous, own: Previous | None, compression: str,
                head: bytes) -> int:
    """Record ``path`` as a copy of ``original`` (nothing read, every line counted as skipped);
    ``own`` is its record when it was already one. Returns the file id."""
    size, hashed, lines, unterminated, tail = content_facts(path, compression)
    options = {"copy_of": original.file_id, "first_line": digest(first_line(head))}
    values = {"path": str(path), "inode": path.stat().st_ino, "format": original.format,
              "compression": compression, "head_hash": digest(head[: min(HEAD_BYTES, size)]),
              "prefix_hash": hashed, "bytes": size, "lines": lines, "unterminated": unterminated, "tail": tail,
              "options": json.dumps(options, sort_keys=True)}
    if own is not None:
        ws.con.execute("UPDATE files SET inode = $inode, compression = $compression, head_hash = $head_hash, "
                       "prefix_hash = $prefix_hash, bytes_ingested = $bytes, lines_read = $lines, "
                       "rows_skipped = $lines, unterminated = $unterminated, tail_offset = $tail, "
                       "last_ingested = now()::TIMESTAMP WHERE file_id = $file_id",
                       {**{k: v for k, v in values.items() if k not in ("path", "format", "options")},
                        "file_id": own.file_id})
        return own.file_id
    file_id = ws.con.execute("SELECT nextval('file_id_seq')").fetchall()[0][0]
    ws.con.execute(
        "INSERT INTO files VALUES ($file_id, $path, $inode, $format, $compression, $head_hash, $prefix_hash, "
        "$bytes, $lines, 0, 0, $lines, $unterminated, $tail, $options, now()::TIMESTAMP, now()::TIMESTAMP)",
        {**values, "file_id": file_id})
    return int(file_id)


def move_record(ws: Workspace, record: Previous, path: Path, compression: str) -> None:
    """``record``'s content now lives at ``path`` (renamed, maybe compressed)."""
    ws.con.execute("UPDATE files SET path = ?, inode = ?, compression = ? WHERE file_id = ?",
                   [str(path), path.stat().st_ino, compression, record.file_id])


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
                appended: bool, copied_lines: int = 0) -> None:
    """Record what was loaded; ``copied_lines``: a fork's first lines, read from the file it copies."""
    need = min(HEAD_BYTES, counts.total_bytes)
    if len(head) < need:  # the file grew while it was read: its head too (a small file)
        longer = read_head(path, need, compression)
        if not longer.startswith(head):
            raise InputFileError(f"{path} changed while it was read", hint="ingest it again")
        head = longer
    recorded = {**recorded, "first_line": digest(first_line(head))}
    values = {
        "file_id": file_id, "path": str(path), "inode": path.stat().st_ino, "format": fmt_name,
        "compression": compression,
        "head_hash": digest(head[:need]),
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
        {"file_id": file_id, "last_line_no": last_line_no, "appended": appended,
         "skipped": counts.skipped + copied_lines})


def non_confluence(ws: Workspace, file_id: int, from_line: int) -> int:
    """Requests stored from a file's lines ``from_line`` on that are not Confluence REST calls."""
    return ws.con.execute(
        "SELECT count(*) FROM facts AS f JOIN request_keys AS k ON k.key_id = f.key_id "
        "JOIN targets AS t ON t.target_id = k.target_id "
        "WHERE f.file_id = ? AND f.line_no >= ? AND NOT t.is_wiki", [file_id, from_line]).fetchall()[0][0]


def forget(ws: Workspace, path: str | Path) -> list[tuple[str, int, int]]:
    """Drop what was loaded from the file recorded at ``path`` (and the records of its copies), so
    that the next ingest reads it as new. Returns (path, rows stored, rows rejected) per record."""
    wanted = {str(path), str(Path(path).expanduser().resolve())}
    records = [r for r in all_records(ws) if r.path in wanted]
    if not records:
        raise NotFoundError(f"no ingested file is recorded at {path}",
                            hint="`appaccess files` lists them, with the path each is recorded at")
    ids = {r.file_id for r in records}
    copies = [r for r in all_records(ws) if r.copy_of in ids and r.file_id not in ids]
    dropped = []
    with ws.transaction():
        for record in [*records, *copies]:
            stored, rejected = ws.con.execute(
                "SELECT rows_stored, rows_rejected FROM files WHERE file_id = ?", [record.file_id]).fetchall()[0]
            forget_lines(ws, record.file_id)
            ws.con.execute("DELETE FROM files WHERE file_id = ?", [record.file_id])
            dropped.append((record.path, int(stored), int(rejected)))
    return dropped

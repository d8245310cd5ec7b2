"""Split a byte stream into numbered lines as Arrow arrays, without a per-line Python loop.

Every line of the input ends up in exactly one of two places: the ``lines``
table of a :class:`LineChunk` (valid UTF-8, no NUL byte, not too long, not
empty) or its ``rejects`` table with a reason. The split, the validity checks
and the Arrow arrays are built with numpy over whole chunks; Python only
touches the rare lines that hold non-ASCII bytes (to check their UTF-8).

A final line without a newline is still delivered (files often end that way);
``LineChunk.unterminated`` tells the ingest so it can take that line back if
the file later grows and completes it.

Memory stays bounded whatever the input: a chunk holds at most
:data:`MAX_CHUNK_LINES` lines (32 MB of blank lines would otherwise be 32
million rejects at once), and the commonest reject, the empty line, is built
as Arrow arrays without a Python object per line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from analyzer.masking import mask_text

#: Lines longer than this are rejected, never loaded (issue: resource bounds).
MAX_LINE_BYTES = 1 << 20
#: How much raw text of a rejected line is kept, for a human to look at.
REJECT_TEXT_CHARS = 2000
EMPTY_LINE = "empty line"
READ_BYTES = 8 << 20
#: Lines per chunk at most, good and bad: what bounds memory when lines are tiny.
MAX_CHUNK_LINES = 1 << 18

REJECT_SCHEMA = pa.schema(
    [("line_no", pa.int64()), ("reason", pa.string()), ("raw", pa.string())]
)
LINES_SCHEMA = pa.schema([("line_no", pa.int64()), ("line", pa.large_string())])

def redact_text(text: str) -> str:
    """Mask credentials in free text (rejected lines, error messages): the one policy of
    :func:`analyzer.masking.mask_text`."""
    return mask_text(text)


def reject_text(raw: bytes) -> str:
    """Printable, bounded, credential-free rendering of a rejected line."""
    text = raw[: REJECT_TEXT_CHARS * 4].decode("utf-8", errors="backslashreplace")
    text = text.replace("\x00", "\\x00")
    if len(text) > REJECT_TEXT_CHARS:
        text = text[:REJECT_TEXT_CHARS] + f"... [{len(raw)} bytes]"
    return redact_text(text)


@dataclass(slots=True)
class LineChunk:
    """A run of consecutive lines: the good ones as Arrow, the bad ones with reasons."""

    first_line_no: int
    n_lines: int  # every line in the chunk, good or bad
    lines: pa.Table  # LINES_SCHEMA
    rejects: pa.Table  # REJECT_SCHEMA
    end_offset: int  # byte offset just after the chunk in the (decompressed) stream
    unterminated: bool = False  # the chunk's last line had no newline


def _rejects_table(items: list[tuple[int, str, str]], empty_line_nos: np.ndarray | None = None) -> pa.Table:
    """Rejects in line order: ``items`` one by one, plus empty lines (built as arrays, none per line)."""
    parts = []
    if items:
        line_nos, reasons, raws = zip(*items, strict=True)
        parts.append(pa.table(
            [pa.array(line_nos, pa.int64()), pa.array(reasons, pa.string()), pa.array(raws, pa.string())],
            schema=REJECT_SCHEMA))
    if empty_line_nos is not None and len(empty_line_nos):
        n = len(empty_line_nos)
        parts.append(pa.table([pa.array(empty_line_nos, pa.int64()), pa.repeat(EMPTY_LINE, n), pa.repeat("", n)],
                              schema=REJECT_SCHEMA))
    if not parts:
        return REJECT_SCHEMA.empty_table()
    if len(parts) == 1:
        return parts[0]
    return pa.concat_tables(parts).sort_by("line_no").combine_chunks()


def split_lines(body: bytes, first_line_no: int, *, terminated: bool = True,
                max_line_bytes: int = MAX_LINE_BYTES) -> tuple[pa.Table, pa.Table, int]:
    """Split ``body`` (whole lines) into good lines and rejects.

    ``terminated`` says whether ``body`` ends with a newline. Returns
    ``(lines, rejects, n_lines)``.
    """
    data = np.frombuffer(body, dtype=np.uint8)
    newlines = np.flatnonzero(data == 10)
    ends = newlines if terminated else np.append(newlines, len(data))
    n_lines = len(ends)
    if n_lines == 0:
        return LINES_SCHEMA.empty_table(), REJECT_SCHEMA.empty_table(), 0
    starts = np.empty(n_lines, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    ends = ends.astype(np.int64)
    # CRLF files: the carriage return belongs to the separator, not the line.
    has_cr = ends > starts
    has_cr[has_cr] = data[ends[has_cr] - 1] == 13
    content_ends = ends - has_cr
    lengths = content_ends - starts

    bad = np.zeros(n_lines, dtype=bool)
    reasons: dict[int, str] = {}

    def mark(indexes: np.ndarray, reason: str) -> None:
        for index in indexes.tolist():
            if not bad[index]:
                reasons[index] = reason
        bad[indexes] = True

    mark(np.flatnonzero(lengths > max_line_bytes), f"line longer than {max_line_bytes} bytes")
    empty = np.flatnonzero(lengths == 0)  # no reason per line: the commonest reject, built as arrays
    bad[empty] = True
    nul_at = np.flatnonzero(data == 0) if body.find(b"\x00") >= 0 else None
    if nul_at is not None:
        mark(np.unique(np.searchsorted(ends, nul_at, side="left")), "NUL byte in line")
    if not body.isascii():
        high = np.flatnonzero(data >= 0x80)
        for index in np.unique(np.searchsorted(ends, high, side="left")).tolist():
            if bad[index]:
                continue
            try:
                body[starts[index]:content_ends[index]].decode("utf-8")
            except UnicodeDecodeError as error:
                mark(np.array([index]), f"invalid UTF-8 at byte {error.start + 1}")

    reject_items = [
        (first_line_no + index, reasons[index], reject_text(body[starts[index]:content_ends[index]]))
        for index in sorted(reasons)
    ]
    rejects = _rejects_table(reject_items, empty + first_line_no)
    good = np.flatnonzero(~bad)
    keep_starts = starts[good]
    keep_lengths = lengths[good]
    # Copy the good lines' bytes next to each other: Arrow strings are contiguous.
    offsets = np.zeros(len(good) + 1, dtype=np.int64)
    np.cumsum(keep_lengths, out=offsets[1:])
    if len(good) == n_lines and not has_cr.any() and terminated:
        mask = np.ones(len(data), dtype=bool)
        mask[newlines] = False
        packed = data[mask]
    else:
        # Starts and ends of kept lines are all distinct (a separator lies between).
        delta = np.zeros(len(data) + 1, dtype=np.int8)
        delta[keep_starts] += 1
        delta[keep_starts + keep_lengths] -= 1
        packed = data[np.cumsum(delta[:-1], dtype=np.int8).astype(bool)]
    line_array = pa.LargeStringArray.from_buffers(
        len(good), pa.py_buffer(offsets), pa.py_buffer(packed)
    )
    line_nos = pa.array(good + first_line_no, pa.int64())
    lines = pa.table([line_nos, line_array], schema=LINES_SCHEMA)
    return lines, rejects, n_lines


def _pieces(body: bytes, max_lines: int) -> Iterator[bytes]:
    """``body`` (whole lines) cut into runs of at most ``max_lines`` lines."""
    if len(body) <= max_lines:  # fewer bytes than lines allowed: fewer lines too
        yield body
        return
    newlines = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == 10)
    if len(newlines) <= max_lines:
        yield body
        return
    start = 0
    for end in newlines[max_lines - 1::max_lines].tolist():
        yield body[start:end + 1]
        start = end + 1
    if start < len(body):
        yield body[start:]


@dataclass(slots=True)
class RawChunk:
    """A run of consecutive lines as bytes, for a parser that splits them itself (the C fast path)."""

    first_line_no: int
    n_lines: int
    body: bytes  # whole lines; the last one lacks its newline when ``unterminated``
    end_offset: int
    unterminated: bool = False


def iter_line_chunks(stream: BinaryIO, *, start_line_no: int = 1, start_offset: int = 0,
                     read_bytes: int = READ_BYTES, max_line_bytes: int = MAX_LINE_BYTES,
                     max_lines: int = MAX_CHUNK_LINES, raw: bool = False) -> Iterator[LineChunk | RawChunk]:
    """Read ``stream`` to its end in chunks of whole lines (at most ``max_lines`` each).

    ``end_offset`` of each chunk counts bytes from the start of the stream
    (``start_offset`` is where the stream was positioned). A line longer than
    ``max_line_bytes`` is never buffered whole: its head is kept for the
    reject record and the rest is skipped. With ``raw``, chunks come as bytes
    (:class:`RawChunk`), except those of such too-long lines.
    """
    line_no = start_line_no
    offset = start_offset
    carry = b""
    oversize: bytes | None = None  # head of a too-long line being skipped
    oversize_len = 0
    too_long = f"line longer than {max_line_bytes} bytes"

    def oversize_chunk(unterminated: bool) -> LineChunk:
        assert oversize is not None
        return LineChunk(line_no, 1, LINES_SCHEMA.empty_table(),
                         _rejects_table([(line_no, too_long, reject_text(oversize))]),
                         offset, unterminated=unterminated)

    while True:
        data = stream.read(read_bytes)
        if not data:
            break
        if oversize is not None:
            newline = data.find(b"\n")
            if newline < 0:
                oversize_len += len(data)
                continue
            offset += oversize_len + newline + 1
            yield oversize_chunk(False)
            line_no += 1
            oversize = None
            data = data[newline + 1:]
            if not data:
                continue
        buffer = carry + data if carry else data
        last_newline = buffer.rfind(b"\n")
        if last_newline < 0:
            if len(buffer) > max_line_bytes:
                oversize, oversize_len, carry = buffer[: REJECT_TEXT_CHARS * 4], len(buffer), b""
            else:
                carry = buffer
            continue
        body, carry = buffer[: last_newline + 1], buffer[last_newline + 1:]
        del buffer
        for piece in _pieces(body, max_lines):
            offset += len(piece)
            if raw:
                n_lines = piece.count(b"\n")
                yield RawChunk(line_no, n_lines, piece, offset)
            else:
                lines, rejects, n_lines = split_lines(piece, line_no, max_line_bytes=max_line_bytes)
                yield LineChunk(line_no, n_lines, lines, rejects, offset)
            line_no += n_lines
        del body
    if oversize is not None:
        offset += oversize_len
        yield oversize_chunk(True)
    elif carry:
        lines, rejects, n_lines = split_lines(carry, line_no, terminated=False,
                                              max_line_bytes=max_line_bytes)
        yield LineChunk(line_no, n_lines, lines, rejects, offset + len(carry), unterminated=True)

"""Python side of the C fast path for NCSA lines (analyzer/_fastclf.c).

:class:`FastParser` hands a chunk of raw bytes (whole lines) to C, which splits
it into lines, parses the plain ones and interns their request keys; what comes
back is a :class:`FastChunk`: per accepted line a few numbers and its query,
the lines it declined (for queries/formats/clf.sql, the reference parser and
the only source of reject reasons), and the keys seen for the first time in
this parser's life. Without the compiled module (no C compiler at install
time) every line goes through the SQL and results are the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from analyzer.formats.lines import LINES_SCHEMA, MAX_LINE_BYTES, REJECT_SCHEMA, split_lines

try:  # built by setup.py when a compiler is available
    import analyzer._fastclf as _fastclf
except ImportError:  # pragma: no cover - exercised on machines without a compiler
    _fastclf = None

#: Query parameters the SQL parser reads (the JWT issuer of jwt=, queries/ingest/row_split.sql): a
#: parameter is screened when its name, in any case, is one of these words or ends with '_', '.' or '-'
#: and one. A line with such a parameter takes the SQL path. The queries C keeps are masked afterwards
#: by the same SQL policy (analyzer/ingest/fast.py, tests/formats/test_fastclf.py).
SCREEN = (b"jwt",)

#: Columns of FastChunk.rows; `pair` is the parser's id of the line's request key.
ROWS_SCHEMA = pa.schema([("line_no", pa.int64()), ("ts", pa.timestamp("us")), ("status", pa.int16()),
                         ("bytes", pa.int64()), ("pair", pa.int32()), ("query", pa.string())])


def available() -> bool:
    return _fastclf is not None


@dataclass(frozen=True)
class FastChunk:
    """What the C parser made of one chunk of lines."""

    n_lines: int  # lines in the chunk, accepted or declined
    rows: pa.Table  # ROWS_SCHEMA, in line order
    declined: pa.Table  # LINES_SCHEMA: lines left to the SQL parser
    rejects: pa.Table  # REJECT_SCHEMA: declined lines that are not even text (bad UTF-8, NUL, too long...)
    #: keys seen for the first time, numbered from the number of keys seen before (their local ids):
    new_targets: list[tuple[str, str | None, str, str | None]]  # method, host, raw target, space parameters
    new_clients: list[tuple[str | None, str, str | None]]  # user agent, client address, user
    new_pairs: list[tuple[int, int]]  # (target id, client id): request keys


class FastParser:
    """One file's C parser: its interned keys live as long as it does."""

    def __init__(self, *, vhost: bool, agent: bool, window: tuple[dt.datetime, dt.datetime],
                 max_line_bytes: int = MAX_LINE_BYTES) -> None:
        """``window``: the oldest and newest request times accepted (naive UTC); C declines a line
        outside it, for the SQL to reject with its reason."""
        if _fastclf is None:
            raise RuntimeError("the C fast path is not built")
        self.vhost, self.agent, self.max_line_bytes = vhost, agent, max_line_bytes
        self.window_us = tuple(_epoch_us(t) for t in window)
        self.interner = _fastclf.Interner()

    def parse(self, body: bytes, first_line_no: int) -> FastChunk:
        """Parse ``body`` (whole lines; the last one may lack its newline) numbered from ``first_line_no``."""
        n_lines, arrays, declined, targets, clients, pairs = _fastclf.parse_chunk(
            self.interner, body, first_line_no, self.vhost, self.agent, self.max_line_bytes, SCREEN,
            *self.window_us)
        line_no, ts, status, nbytes, pair, q_offsets, q_data, q_valid = arrays
        n = len(line_no) // 8
        valid = np.frombuffer(q_valid, dtype=np.uint8)
        bitmap = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
        query = pa.StringArray.from_buffers(n, pa.py_buffer(q_offsets), pa.py_buffer(q_data), bitmap)
        rows = pa.table([
            pa.array(np.frombuffer(line_no, dtype=np.int64)),
            pa.array(np.frombuffer(ts, dtype=np.int64)).cast(pa.timestamp("us")),
            pa.array(np.frombuffer(status, dtype=np.int32).astype(np.int16)),
            pa.array(np.frombuffer(nbytes, dtype=np.int64)),
            pa.array(np.frombuffer(pair, dtype=np.int32)),
            query,
        ], schema=ROWS_SCHEMA)
        lines, rejects = _declined_lines(body, np.frombuffer(declined, dtype=np.int64).reshape(-1, 3))
        return FastChunk(n_lines, rows, lines, rejects, targets, clients, pairs)


def _declined_lines(body: bytes, declined: np.ndarray) -> tuple[pa.Table, pa.Table]:
    """The declined lines as the SQL path reads them: text lines, or rejects when they are not text
    (queries/formats/lines.py split_lines decides, as it does for every line of other formats)."""
    if not len(declined):
        return LINES_SCHEMA.empty_table(), REJECT_SCHEMA.empty_table()
    joined = b"\n".join(body[start:end] for start, end in declined[:, 1:].tolist())
    lines, rejects, _ = split_lines(joined + b"\n", 0)
    numbers = declined[:, 0]
    lines = lines.set_column(0, "line_no", pa.array(numbers[lines.column("line_no").to_numpy()]))
    if rejects.num_rows:
        rejects = rejects.set_column(0, "line_no", pa.array(numbers[rejects.column("line_no").to_numpy()]))
    return lines, rejects


def _epoch_us(t: dt.datetime) -> int:
    """Microseconds since the epoch of a naive UTC time."""
    delta = t - dt.datetime(1970, 1, 1)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds

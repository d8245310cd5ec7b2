"""Python side of the C fast path for NCSA lines (analyzer/_fastclf.c).

``parse_fast`` parses the plain lines of a chunk in C, straight to the rows
queries/formats/clf.sql makes of them, and hands back the rest for clf.sql,
which stays the reference implementation and the only source of reject
reasons. Without the compiled module (no C compiler at install
time) everything goes through the SQL and results are the same.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analyzer.formats.base import PARSED_SCHEMA

try:  # built by setup.py when a compiler is available
    import analyzer._fastclf as _fastclf
except ImportError:  # pragma: no cover - exercised on machines without a compiler
    _fastclf = None

_STRINGS = ("method", "host", "cloud_id", "path", "query", "shape", "client_ip", "remote_user", "user_agent",
            "target")


def available() -> bool:
    return _fastclf is not None


def _string_array(n: int, offsets: bytes, data: bytes, valid: bytes) -> pa.Array:
    flags = np.frombuffer(valid, dtype=np.uint8)
    bitmap = None if flags.all() else pa.py_buffer(np.packbits(flags, bitorder="little"))
    # A chunk is far below 2 GiB, so 32-bit offsets (Arrow `string`, as SPLIT_SCHEMA wants) suffice.
    small = np.frombuffer(offsets, dtype=np.int64).astype(np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(small), pa.py_buffer(data), bitmap)


def _parse(lines: pa.Table, vhost: bool, agent: bool) -> tuple[dict[str, pa.Array], np.ndarray]:
    """Every column the C parser makes for ``lines``, and which lines it accepted."""
    n = lines.num_rows
    column = lines.column("line").combine_chunks()
    if column.type != pa.large_string():
        column = column.cast(pa.large_string())
    _, offsets_buf, data_buf = column.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[column.offset: column.offset + n + 1]
    ok, ts, status, nbytes, prefix, str_offsets, str_data, str_valid = _fastclf.parse(
        data_buf, np.ascontiguousarray(offsets), vhost, agent)
    accepted = np.frombuffer(ok, dtype=np.uint8).astype(bool)
    strings = {name: _string_array(n, o, d, v)
               for name, o, d, v in zip(_STRINGS, str_offsets, str_data, str_valid, strict=True)}
    prefix_len = np.frombuffer(prefix, dtype=np.int32)
    columns = {
        **strings,
        "line_no": lines.column("line_no").combine_chunks().cast(pa.int64()),
        "ts": pa.array(np.frombuffer(ts, dtype=np.int64), pa.int64()).cast(pa.timestamp("us")),
        "prefix_len": pa.array(prefix_len, pa.int32(), mask=prefix_len == 0),
        "status": pa.array(np.frombuffer(status, dtype=np.int32), pa.int32()),
        "bytes": pa.array(np.frombuffer(nbytes, dtype=np.int64), pa.int64()),
    }
    return columns, accepted


def _split(lines: pa.Table, vhost: bool, agent: bool, schema: pa.Schema) -> tuple[pa.Table, pa.Table]:
    n = lines.num_rows
    if _fastclf is None or n == 0:
        return schema.empty_table(), lines
    columns, accepted = _parse(lines, vhost, agent)
    table = pa.table([columns[f.name] if f.name in columns else pa.nulls(n, f.type) for f in schema],
                     schema=schema)
    if accepted.all():  # the usual case: skip two filter copies
        return table, lines.schema.empty_table()
    mask = pa.array(accepted)
    return table.filter(mask), lines.filter(pc.invert(mask))


def parse_fast(lines: pa.Table, *, vhost: bool, agent: bool) -> tuple[pa.Table, pa.Table]:
    """Return (parsed rows of the lines the fast path accepts, as queries/formats/clf.sql makes
    them (PARSED_SCHEMA), the remaining ``lines`` rows)."""
    return _split(lines, vhost, agent, PARSED_SCHEMA)

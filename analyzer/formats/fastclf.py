"""Python side of the C fast path for NCSA lines (analyzer/_fastclf.c).

``split_fast`` parses the plain lines of a chunk in C and hands back the rest
for queries/formats/clf.sql, which stays the reference implementation and the
only source of reject reasons. Without the compiled module (no C compiler at
install time) everything goes through the SQL and results are the same.
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

_STRINGS = ("method", "target", "host", "client_ip", "remote_user", "user_agent")


def available() -> bool:
    return _fastclf is not None


def _string_array(n: int, offsets: bytes, data: bytes, valid: bytes) -> pa.Array:
    flags = np.frombuffer(valid, dtype=np.uint8)
    bitmap = None if flags.all() else pa.py_buffer(np.packbits(flags, bitorder="little"))
    # A chunk is far below 2 GiB, so 32-bit offsets (Arrow `string`, as PARSED_SCHEMA wants) suffice.
    small = np.frombuffer(offsets, dtype=np.int64).astype(np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(small), pa.py_buffer(data), bitmap)


def split_fast(lines: pa.Table, *, vhost: bool, agent: bool) -> tuple[pa.Table, pa.Table]:
    """Return (parsed rows of the lines the fast path accepts, the remaining ``lines`` rows)."""
    n = lines.num_rows
    if _fastclf is None or n == 0:
        return PARSED_SCHEMA.empty_table(), lines
    column = lines.column("line").combine_chunks()
    if column.type != pa.large_string():
        column = column.cast(pa.large_string())
    _, offsets_buf, data_buf = column.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[column.offset: column.offset + n + 1]
    ok, ts, status, nbytes, str_offsets, str_data, str_valid = _fastclf.parse(
        data_buf, np.ascontiguousarray(offsets), vhost, agent)
    accepted = np.frombuffer(ok, dtype=np.uint8).astype(bool)
    strings = {name: _string_array(n, o, d, v)
               for name, o, d, v in zip(_STRINGS, str_offsets, str_data, str_valid, strict=True)}
    columns = {
        "line_no": lines.column("line_no").combine_chunks().cast(pa.int64()),
        "reject_reason": pa.nulls(n, pa.string()),
        "ts": pa.array(np.frombuffer(ts, dtype=np.int64), pa.int64()).cast(pa.timestamp("us")),
        "method": strings["method"], "target": strings["target"], "host": strings["host"],
        "status": pa.array(np.frombuffer(status, dtype=np.int32), pa.int32()),
        "bytes": pa.array(np.frombuffer(nbytes, dtype=np.int64), pa.int64()),
        "duration_ms": pa.nulls(n, pa.float64()),
        "client_ip": strings["client_ip"], "user_agent": strings["user_agent"],
        "remote_user": strings["remote_user"],
        "auth_header": pa.nulls(n, pa.string()), "jwt_iss": pa.nulls(n, pa.string()),
        "client_id": pa.nulls(n, pa.string()), "app_key": pa.nulls(n, pa.string()),
        "extra": pa.nulls(n, pa.string()),
    }
    parsed = pa.table([columns[f.name] for f in PARSED_SCHEMA], schema=PARSED_SCHEMA)
    if accepted.all():  # the usual case: skip two filter copies
        return parsed, lines.schema.empty_table()
    mask = pa.array(accepted)
    return parsed.filter(mask), lines.filter(pc.invert(mask))

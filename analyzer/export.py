"""Write stored requests or their decisions to Parquet, CSV or JSON lines, or a whole lake.

The rows of a file come from analyzer/rows.py as Arrow record batches, in
stored order, one batch at a time, so exports of millions of rows stay within
bounded memory. Parquet is written by Arrow (which keeps the dictionaries of
shared values), CSV and JSON lines by DuckDB's COPY over the same stream. A
path without a file extension becomes a lake (analyzer/lake/): Hive-partitioned
Parquet of every request with its decision (``requests/day=2026-09-11/...``),
its keys, rejects, files, the configuration and a manifest: the layout
``appaccess spark ingest`` writes and ``--lake`` reads.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analyzer import rows
from analyzer.background import prefetch
from analyzer.errors import UsageError
from analyzer.lake import write_lake
from analyzer.workspace import Workspace

SUFFIX_FORMATS = {".parquet": "parquet", ".csv": "csv", ".jsonl": "json", ".json": "json", ".ndjson": "json"}
WHAT = ("decisions", "requests")
PARTITIONS = ("day", "site")
_STATISTICS = ["line_no", "ts", "day", "status", "file_id"]


@dataclass(frozen=True)
class ExportResult:
    path: str
    rows: int
    format: str
    partitioned_by: tuple[str, ...]


def export(ws: Workspace, out: Path, *, what: str = "decisions", since: dt.datetime | None = None,
           until: dt.datetime | None = None, partition_by: tuple[str, ...] = ()) -> ExportResult:
    if what not in WHAT:
        raise UsageError(f"cannot export {what!r}", hint=f"choose {' or '.join(WHAT)}")
    suffix = out.suffix.lower()
    if suffix and suffix not in SUFFIX_FORMATS:
        raise UsageError(f"cannot tell the export format from {out.name!r}",
                         hint="use .parquet, .csv or .jsonl, or a directory name for partitioned Parquet")
    fmt = SUFFIX_FORMATS.get(suffix, "parquet")
    if partition_by and suffix:
        raise UsageError("--partition-by writes a lake, a directory", hint="give -o a directory name")
    if not out.parent.exists():
        raise UsageError(f"directory {out.parent} does not exist")
    if not suffix:
        if what != "decisions":
            raise UsageError("a directory receives a lake: every request with its decision, keys, rejects, "
                             "files and configuration", hint="drop --what, or give -o FILE.parquet")
        unknown = [p for p in partition_by if p not in PARTITIONS]
        if unknown:
            raise UsageError(f"cannot partition a lake by {', '.join(unknown)}",
                             hint=f"choose from {', '.join(PARTITIONS)}")
        written = write_lake(ws, out, partition_by=partition_by, since=since, until=until)
        return ExportResult(written.path, written.rows, "lake", written.partition_by)
    batches = rows.decision_batches(ws, since, until) if what == "decisions" else \
        rows.request_batches(ws, since, until)
    if what == "requests":  # (its export always had the day)
        batches = (_with_day(batch) for batch in batches)
    counted = _Counted(batches)
    reader = counted.reader()
    if fmt == "parquet":
        # (min/max statistics of strings cost a third of the writing: kept where readers prune on them)
        with pq.ParquetWriter(out, reader.schema, store_schema=False, write_statistics=_STATISTICS) as writer:
            for batch in prefetch(iter(reader)):  # the next batch is built while this one is encoded
                writer.write_batch(batch)
    else:
        options = [f"FORMAT {fmt}"] + (["HEADER"] if fmt == "csv" else [])
        target = str(out).replace("'", "''")
        ws.con.execute(f"COPY (SELECT * FROM reader) TO '{target}' ({', '.join(options)})")
    return ExportResult(str(out), counted.rows, fmt, ())


def _with_day(batch: pa.RecordBatch) -> pa.RecordBatch:
    day = batch.column(batch.schema.get_field_index("ts")).cast(pa.date32())
    return pa.RecordBatch.from_arrays([*batch.columns, day], names=[*batch.schema.names, "day"])


class _Counted:
    """The batches as a RecordBatchReader (its schema from the first, or an empty one), counting rows."""

    def __init__(self, batches: Iterator[pa.RecordBatch]) -> None:
        self.batches = batches
        self.rows = 0

    def reader(self) -> pa.RecordBatchReader:
        first = next(self.batches)

        def counted() -> Iterator[pa.RecordBatch]:
            for batch in itertools.chain([first], self.batches):
                self.rows += batch.num_rows
                yield batch

        return pa.RecordBatchReader.from_batches(first.schema, counted())

"""Write stored requests or their decisions to Parquet, CSV or JSON lines.

DuckDB's COPY streams the result to disk, so exports of millions of rows stay
within bounded memory. A path without a file extension becomes a directory of
Hive-partitioned Parquet (``day=2026-09-11/...``), the layout Spark reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from analyzer import sql
from analyzer.errors import UsageError
from analyzer.workspace import Workspace

SUFFIX_FORMATS = {".parquet": "parquet", ".csv": "csv", ".jsonl": "json", ".json": "json", ".ndjson": "json"}
WHAT = ("decisions", "requests")
PARTITIONS = ("day", "site", "decision")


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
    query = sql.load_query(f"export/{what}")
    params = sql.bind(query, {"since": since, "until": until})
    suffix = out.suffix.lower()
    if suffix and suffix not in SUFFIX_FORMATS:
        raise UsageError(f"cannot tell the export format from {out.name!r}",
                         hint="use .parquet, .csv or .jsonl, or a directory name for partitioned Parquet")
    fmt = SUFFIX_FORMATS.get(suffix, "parquet")
    if not suffix and not partition_by:
        partition_by = ("day",)
    if partition_by:
        if suffix:
            raise UsageError("--partition-by writes a directory of Parquet files", hint="give --out a directory name")
        unknown = [p for p in partition_by if p not in PARTITIONS]
        if unknown:
            raise UsageError(f"cannot partition by {', '.join(unknown)}", hint=f"choose from {', '.join(PARTITIONS)}")
        if what == "requests" and any(p != "day" for p in partition_by):
            raise UsageError("requests can only be partitioned by day")
        if out.exists() and any(out.iterdir()):
            raise UsageError(f"{out} exists and is not empty", hint="choose a new directory")
    if not out.parent.exists():
        raise UsageError(f"directory {out.parent} does not exist")
    body = query.text
    if partition_by and what == "decisions":
        body = f"SELECT *, CAST(ts AS DATE) AS day FROM ({body})"
    options = [f"FORMAT {fmt}"]
    if partition_by:
        options.append(f"PARTITION_BY ({', '.join(partition_by)})")
    if fmt == "csv":
        options.append("HEADER")
    target = str(out).replace("'", "''")
    ws.con.execute(f"COPY ({body}) TO '{target}' ({', '.join(options)})", params)
    rows = ws.con.execute(f"SELECT count(*) FROM ({query.text})", params).fetchall()[0][0]
    return ExportResult(str(out), rows, fmt, tuple(partition_by))

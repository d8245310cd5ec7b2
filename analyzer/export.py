"""Write stored requests or their decisions to Parquet, CSV or JSON lines, or a whole lake.

DuckDB's COPY streams the result to disk, so exports of millions of rows stay
within bounded memory. A path without a file extension becomes a lake
(analyzer/lake/): Hive-partitioned Parquet of every request with its decision
(``requests/day=2026-09-11/...``), its keys, rejects, files, the configuration
and a manifest: the layout ``appaccess spark ingest`` writes and ``--lake`` reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from analyzer import sql
from analyzer.errors import UsageError
from analyzer.lake import write_lake
from analyzer.workspace import Workspace

SUFFIX_FORMATS = {".parquet": "parquet", ".csv": "csv", ".jsonl": "json", ".json": "json", ".ndjson": "json"}
WHAT = ("decisions", "requests")
PARTITIONS = ("day", "site")


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
    options = [f"FORMAT {fmt}"]
    if fmt == "csv":
        options.append("HEADER")
    target = str(out).replace("'", "''")
    ws.con.execute(f"COPY ({query.text}) TO '{target}' ({', '.join(options)})", params)
    rows = ws.con.execute(f"SELECT count(*) FROM ({query.text})", params).fetchall()[0][0]
    return ExportResult(str(out), rows, fmt, ())

"""Write a lake (see analyzer/lake/layout.py) from a workspace, and the parts both writers share.

``write_lake`` is ``appaccess export -o DIR``: one machine, DuckDB's COPY streaming each part
to Parquet. The Spark writer (analyzer/spark/) runs the same SQL inside each task on the
task's own workspace (:func:`install`, :func:`snapshot_keys`, :func:`request_rows`) and writes
the small parts on the driver with :func:`write_small_parts`, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

from analyzer import sql
from analyzer.errors import UsageError
from analyzer.lake.layout import (
    CONFIG,
    CONFIG_TABLES,
    FILES,
    KEYS,
    MANIFEST,
    REJECTS,
    REQUESTS,
    FileEntry,
    Manifest,
    SkippedEntry,
    check_partitions,
)
from analyzer.sources import SkippedFile
from analyzer.workspace import Workspace

#: Rows per Arrow batch streamed to the Parquet writer.
ROWS_PER_BATCH = 131_072


@dataclass(frozen=True)
class LakeWritten:
    path: str
    rows: int
    partition_by: tuple[str, ...]
    manifest: Manifest


def install(con: duckdb.DuckDBPyConnection) -> None:
    """The writers' TEMP macros (lake ids) on this connection."""
    sql.run_script(con, "lake/macros")


def snapshot_keys(con: duckdb.DuckDBPyConnection) -> None:
    """TEMP table ``lake_keys``: every request key of the workspace with its lake ids (lake/keys)."""
    con.execute("CREATE OR REPLACE TEMP TABLE lake_keys AS " + sql.load_query("lake/keys").text)


def request_rows(con: duckdb.DuckDBPyConnection, file_id: int | None = None, since: dt.datetime | None = None,
                 until: dt.datetime | None = None) -> tuple[str, dict[str, Any]]:
    """The lake rows query (lake/requests) with its parameters bound; needs :func:`snapshot_keys` first."""
    query = sql.load_query("lake/requests")
    return query.text, sql.bind(query, {"file_id": file_id, "since": since, "until": until})


def rejects_rows(file_id: int | None = None) -> tuple[str, dict[str, Any]]:
    query = sql.load_query("lake/rejects")
    return query.text, sql.bind(query, {"file_id": file_id})


def keys_rows() -> str:
    """The keys/ part: the snapshot without the workspace's own key ids."""
    return "SELECT * EXCLUDE (ws_key_id) FROM lake_keys ORDER BY key_id"


def portable(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """SELECT of a table with 128-bit integers as text (Parquet and Spark have no such type;
    the reader casts them back when it loads the table)."""
    wide = [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND data_type IN ('HUGEINT', 'UHUGEINT') "
        "ORDER BY column_index", [table]).fetchall()]
    replaced = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in wide)
    return f"SELECT * REPLACE ({replaced}) FROM {table}" if wide else f"SELECT * FROM {table}"


def _copy(con: duckdb.DuckDBPyConnection, body: str, target: Path, params: dict[str, Any] | None = None) -> None:
    text = f"COPY ({body}) TO '{str(target).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)"
    con.execute(text, params) if params else con.execute(text)


def copy_requests(con: duckdb.DuckDBPyConnection, body: str, params: dict[str, Any], target: Path,
                  partitions: Sequence[str], pattern: str = "data-{i}") -> None:
    """Request rows (``body``, lake/requests) as Hive-partitioned Parquet under ``target``, files
    named by ``pattern`` ({i} numbers them): what both writers store as requests/.

    Streamed from DuckDB to Arrow's dataset writer, which writes partitioned Parquet about twice
    as fast as DuckDB's partitioned COPY (measured: 0.65 s against 1.2-1.9 s for 125k rows).
    """
    reader = con.sql(body, params=params).to_arrow_reader(ROWS_PER_BATCH)
    partitioning = ds.partitioning(pa.schema([reader.schema.field(p) for p in partitions]), flavor="hive")
    ds.write_dataset(reader, target, format="parquet", partitioning=partitioning,
                     basename_template=pattern + ".parquet", existing_data_behavior="overwrite_or_ignore",
                     max_partitions=1 << 20, preserve_order=True)


def write_small_parts(con: duckdb.DuckDBPyConnection, out: Path, files_query: str = "SELECT * FROM files") -> None:
    """files/ (rows of ``files_query``, the workspace's `files` columns) and config/TABLE/ for every
    configuration table, into the local directory ``out``."""
    (out / FILES).mkdir(parents=True, exist_ok=True)
    _copy(con, files_query + " ORDER BY file_id", out / FILES / "files.parquet")
    for table in CONFIG_TABLES:
        (out / CONFIG / table).mkdir(parents=True, exist_ok=True)
        _copy(con, portable(con, table), out / CONFIG / table / f"{table}.parquet")


def file_entries(con: duckdb.DuckDBPyConnection) -> tuple[FileEntry, ...]:
    rows = con.execute("SELECT file_id, path, format, lines_read, rows_stored, rows_rejected, rows_skipped "
                       "FROM files ORDER BY file_id").fetchall()
    return tuple(FileEntry(*row) for row in rows)


def skipped_entry(skipped: SkippedFile) -> SkippedEntry:
    return SkippedEntry(skipped.path, skipped.reason, skipped.hint)


def write_manifest(out: Path, manifest: Manifest) -> None:
    (out / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")


def write_lake(ws: Workspace, out: Path, *, partition_by: tuple[str, ...] = ("day",),
               since: dt.datetime | None = None, until: dt.datetime | None = None) -> LakeWritten:
    """Write the workspace as a lake into the new (or empty) directory ``out``."""
    partitions = check_partitions(partition_by)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out} exists and is not an empty directory", hint="choose a new directory")
    if not out.parent.exists():
        raise UsageError(f"directory {out.parent} does not exist")
    con = ws.con
    install(con)
    snapshot_keys(con)
    out.mkdir(exist_ok=True)
    body, params = request_rows(con, since=since, until=until)
    rows = con.execute(f"SELECT count(*) FROM ({body})", params).fetchall()[0][0]
    (out / REQUESTS).mkdir()
    if rows:
        copy_requests(con, body, params, out / REQUESTS, partitions)
    (out / KEYS).mkdir()
    _copy(con, keys_rows(), out / KEYS / "keys.parquet")
    (out / REJECTS).mkdir()
    body, params = rejects_rows()
    _copy(con, body, out / REJECTS / "rejects.parquet", params)
    write_small_parts(con, out)
    keys, field_rows = con.execute(
        "SELECT (SELECT count(*) FROM lake_keys), (SELECT count(*) FROM field_app_rows)").fetchall()[0]
    window = {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None}
    manifest = Manifest(writer="export", partition_by=partitions, inputs=(str(ws.path),), files=file_entries(con),
                        requests=rows, keys=keys, field_app_rows=field_rows, window=window,
                        pii_redacted=ws.meta("pii_salt") is not None)
    write_manifest(out, manifest)
    con.execute("DROP TABLE lake_keys")
    return LakeWritten(str(out), rows, partitions, manifest)

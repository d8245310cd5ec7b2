"""What a Spark task of ``appaccess spark ingest`` runs: the project's own ingest, on its files.

Nothing here parses, routes, attributes or decides: each task opens a scratch workspace on
its local disk, loads the configuration the driver read (apps, inventory, policies, the PII
salt), and ingests its files one by one with :func:`analyzer.ingest.ingest_file` (format
detection, the C fast path, the same SQL and key interning as ``appaccess ingest``). Then it
runs the lake writers' SQL (analyzer/lake/write.py, queries/lake/) on that workspace: the
per-request rows go straight to the lake's requests/ as Parquet written by DuckDB (files named
after the file's number, so a retried task writes the same files again), and the rest goes
back to Spark as Arrow batches: the rejects, one row per file (its ``files`` row and counts, or
why it was skipped) and, at the end, the request keys it met. One output schema carries the
three kinds: a ``kind`` column and one struct column per kind, the others null.

Why the rows do not travel through Spark: converting wide Arrow rows into Spark rows,
persisting them and writing them again cost four times the ingest itself (measured on 500k
lines in local[1]); DuckDB writes them in a fraction of the ingest's time, and identically to
``export -o DIR``.

Each file is forgotten once handed back, so files never see each other (a file is the unit of
work; a single huge file is one task's work).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from analyzer.errors import InputFileError
from analyzer.ingest import IngestOptions, ingest_file
from analyzer.ingest import files as ingest_files
from analyzer.lake import write as lake_write
from analyzer.lake.layout import REQUESTS
from analyzer.pii import META_KEY
from analyzer.spark.sources import localize, upload_tree
from analyzer.workspace import Workspace, registered

KINDS = ("reject", "key", "file")
#: Rows per Arrow batch handed to Spark.
BATCH_ROWS = 65_536
#: What a task adds to a file's `files` row (FILE_EXTRA), as DuckDB computes it.
_FILE_ROW = (
    "SELECT f.* REPLACE (CAST($lake_file_id AS INTEGER) AS file_id, CAST($uri AS VARCHAR) AS path), "
    "CAST($seconds AS DOUBLE) AS seconds, CAST($non_confluence AS BIGINT) AS non_confluence, "
    "CAST((SELECT count(*) FROM field_app_rows WHERE file_id = $file_id) AS BIGINT) AS field_app_rows, "
    "CAST(NULL AS VARCHAR) AS skip_reason, CAST(NULL AS VARCHAR) AS skip_hint "
    "FROM files AS f WHERE f.file_id = $file_id")


@dataclass(frozen=True)
class IngestPlan:
    """Everything a task needs, shipped with the function (small: configuration tables)."""

    options: IngestOptions
    config: dict[str, pa.Table]
    output: pa.Schema
    lake: str  # where requests/ goes: a local path or a URI
    partitions: tuple[str, ...]
    pii_salt: str | None = None
    memory_limit: str = field(default="1GB")
    #: DuckDB threads per task: the cores Spark gives a task (spark.task.cpus), so that an executor
    #: running one task per core is not oversubscribed
    threads: int = 1


def output_schema(con: Any) -> pa.Schema:
    """The tasks' output schema, from the lake SQL's own result types (run on an empty
    workspace with the lake macros installed)."""
    lake_write.snapshot_keys(con)
    body, params = lake_write.rejects_rows()
    reject = con.sql(f"SELECT * FROM ({body}) LIMIT 0", params=params).to_arrow_table().schema
    key = con.sql(f"SELECT * FROM ({lake_write.keys_rows()}) LIMIT 0").to_arrow_table().schema
    file = con.sql(f"SELECT * FROM ({_FILE_ROW}) LIMIT 0", params={
        "lake_file_id": 0, "uri": "", "seconds": 0.0, "non_confluence": 0, "file_id": 0}).to_arrow_table().schema
    structs = [pa.field(name, pa.struct(list(schema))) for name, schema in
               (("reject", reject), ("key", key), ("file", file))]
    return pa.schema([pa.field("kind", pa.string()), *structs])


def part_pattern(file_id: int) -> str:
    """How the Parquet files of one input file are named in requests/ (DuckDB's {i} numbers them)."""
    return f"part-f{file_id:07d}-{{i}}"


def _nullable(schema: pa.Schema) -> pa.Schema:
    return pa.schema([f.with_nullable(True) for f in schema])


def union_batch(kind: str, batch: pa.RecordBatch | pa.Table, output: pa.Schema) -> pa.RecordBatch:
    """``batch`` (columns of ``kind``'s struct) as a batch of the output schema."""
    if isinstance(batch, pa.Table):
        batch = batch.combine_chunks().to_batches()[0] if batch.num_rows else pa.RecordBatch.from_pylist(
            [], schema=batch.schema)
    n = batch.num_rows
    arrays: list[pa.Array] = []
    for out_field in output:
        if out_field.name == "kind":
            arrays.append(pa.array([kind] * n, out_field.type))
        elif out_field.name == kind:
            fields = list(out_field.type)
            columns = [batch.column(f.name).cast(f.type) for f in fields]
            arrays.append(pa.StructArray.from_arrays(columns, fields=fields))
        else:
            arrays.append(pa.nulls(n, out_field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=output)


def _reader_batches(kind: str, reader: Any, output: pa.Schema) -> Iterator[pa.RecordBatch]:
    for batch in reader:
        if batch.num_rows:
            yield union_batch(kind, batch, output)


def _skipped(entry: dict[str, Any], reason: str, hint: str | None, output: pa.Schema) -> pa.RecordBatch:
    file_type = output.field("file").type
    row = {f.name: None for f in file_type}
    row.update(file_id=entry["file_id"], path=entry["uri"], skip_reason=reason, skip_hint=hint)
    table = pa.Table.from_pylist([row], schema=_nullable(pa.schema(list(file_type))))
    return union_batch("file", table, output)


def _load_config(ws: Workspace, plan: IngestPlan) -> None:
    con = ws.con
    with ws.transaction():
        if plan.pii_salt is not None:
            ws.set_meta(META_KEY, plan.pii_salt)
        for name, table in plan.config.items():
            with registered(con, "lake_config", table):
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM lake_config")
        ws.refresh_decisions()


def _ingest_one(ws: Workspace, entry: dict[str, Any], plan: IngestPlan, scratch: Path) -> Iterator[pa.RecordBatch]:
    con, uri, output = ws.con, entry["uri"], plan.output
    started = time.perf_counter()
    try:
        local = localize(uri, scratch)
        result = ingest_file(ws, local, plan.options)
    except InputFileError as error:
        shown = str(local) if "local" in locals() else uri
        yield _skipped(entry, error.message.replace(shown, uri), error.hint, output)
        return
    except OSError as error:
        yield _skipped(entry, f"cannot read {uri}: {error.strerror or error}", None, output)
        return
    file_id = result.file_id
    con.execute("UPDATE files SET path = ? WHERE file_id = ?", [uri, file_id])
    lake_write.snapshot_keys(con)
    # The lake numbers files in the order the driver listed them, whatever this workspace says.
    relabel = "SELECT * REPLACE (CAST($lake_file_id AS INTEGER) AS file_id) FROM ({})"
    if result.stored:
        body, params = lake_write.request_rows(con, file_id=file_id)
        rows = scratch / "rows"
        lake_write.copy_requests(con, relabel.format(body), {**params, "lake_file_id": entry["file_id"]}, rows,
                                 plan.partitions, part_pattern(entry["file_id"]))
        upload_tree(rows, f"{plan.lake}/{REQUESTS}")
        shutil.rmtree(rows)
    body, params = lake_write.rejects_rows(file_id)
    reader = con.sql(relabel.format(body), params={**params, "lake_file_id": entry["file_id"]})
    yield from _reader_batches("reject", reader.to_arrow_reader(BATCH_ROWS), output)
    row = con.sql(_FILE_ROW, params={"lake_file_id": entry["file_id"], "uri": uri, "file_id": file_id,
                                     "seconds": time.perf_counter() - started,
                                     "non_confluence": result.non_confluence}).to_arrow_table()
    yield union_batch("file", row, output)
    # Forget the file: the next one must not be taken for a copy or a continuation of it.
    with ws.transaction():
        ingest_files.forget_lines(ws, file_id)
        con.execute("DELETE FROM files WHERE file_id = ?", [file_id])
    if local != Path(uri):
        local.unlink(missing_ok=True)


def ingest_partition(batches: Iterator[pa.RecordBatch], plan: IngestPlan) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: ingest the files of this partition (rows: file_id, uri, size)."""
    scratch = Path(tempfile.mkdtemp(prefix="appaccess-task-"))
    ws = None
    try:
        ws = Workspace.open(scratch / "task.duckdb")
        ws.con.execute(f"SET memory_limit = '{plan.memory_limit}'")
        ws.con.execute(f"SET threads = {max(1, plan.threads)}")
        _load_config(ws, plan)
        lake_write.install(ws.con)
        for batch in batches:
            for entry in batch.to_pylist():
                yield from _ingest_one(ws, entry, plan, scratch)
        lake_write.snapshot_keys(ws.con)
        yield from _reader_batches("key", ws.con.sql(lake_write.keys_rows()).to_arrow_reader(BATCH_ROWS),
                                   plan.output)
    finally:
        if ws is not None:
            ws.close()
        shutil.rmtree(scratch, ignore_errors=True)

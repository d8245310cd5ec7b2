"""``appaccess spark ingest``: log files anywhere Spark reads, into a lake, with the project's own ingest.

The driver lists the input files (analyzer/spark/sources.py), reads the configuration
(apps.yaml, inventory, rules.yaml, or an existing workspace's) into a scratch workspace, and
packs the files into tasks of about equal bytes. Each task runs the single-machine ingest on
its files (analyzer/spark/tasks.py), adds their rows to the lake's requests/ (Hive-partitioned
Parquet by day, and site) and hands back through ``mapInArrow`` the rejects, the files' counts
and the request keys; Spark persists those once and writes the rejects and the distinct keys,
while the driver writes the small parts (files, configuration, manifest) with the same code as
``appaccess export -o DIR`` (analyzer/lake/write.py) and, last, the manifest: a lake without
one (a job that died) is refused by readers. The result is a lake (analyzer/lake/layout.py).

Files are numbered in the order ``appaccess ingest`` would read them (a skipped file keeps its
number). Two inputs with the same content are read once, as on one machine: the later one is
reported as skipped and its rows are taken back.
"""

from __future__ import annotations

import functools
import heapq
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from analyzer import pii
from analyzer.context import Context
from analyzer.errors import UsageError, WorkspaceError
from analyzer.ingest import FileResult, IngestOptions, IngestResult
from analyzer.lake import write as lake_write
from analyzer.lake.layout import CONFIG, CONFIG_TABLES, FILES, KEYS, MANIFEST, REJECTS, REQUESTS, FileEntry, Manifest
from analyzer.lake.layout import check_partitions as lake_partitions
from analyzer.sources import SkippedFile
from analyzer.spark import tasks
from analyzer.spark.sources import Source, is_uri, list_sources
from analyzer.workspace import registered

#: A task's share of input bytes at most (Spark's own default split size); files are never split.
MAX_TASK_BYTES = 128 << 20


@dataclass(frozen=True)
class Configuration:
    """What decisions are made with: files like `apps load` / `inventory load` / `rules load`
    take, and/or an existing workspace whose apps, inventory and policies are copied first."""

    apps: Path | None = None
    rules: Path | None = None
    inventory: tuple[Path, ...] = ()
    workspace: Path | None = None


@dataclass(frozen=True)
class SparkIngestResult:
    lake: str
    ingest: IngestResult  # per file, as `appaccess ingest` reports it
    partition_by: tuple[str, ...]
    requests: int
    keys: int
    tasks: int
    seconds: float
    warnings: tuple[str, ...] = ()


@contextmanager
def configuration(config: Configuration, redact_pii: bool = False) -> Iterator[tuple[Context, list[str]]]:
    """A scratch in-memory workspace holding the configuration, and the warnings loading it gave."""
    warnings: list[str] = []
    with Context(":memory:") as ctx:
        if config.workspace is not None:
            _copy_configuration(ctx, config.workspace)
        if redact_pii:
            pii.enable(ctx.ws)
        if config.apps is not None:
            ctx.load_apps(config.apps)
        if config.inventory:
            ctx.load_inventory(config.inventory)
        if config.rules is not None:
            warnings.extend(ctx.load_rules(config.rules).warnings)
        yield ctx, warnings


def _copy_configuration(ctx: Context, workspace: Path) -> None:
    with Context(workspace, read_only=True) as source:
        tables = {t: source.ws.con.sql(f"SELECT * FROM {t}").to_arrow_table() for t in CONFIG_TABLES
                  if source.ws.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                                           [t]).fetchall()[0][0]}
        salt = pii.salt(source.ws)
    ws = ctx.ws
    with ws.transaction():
        if salt is not None:
            ws.set_meta(pii.META_KEY, salt)
        for name, table in tables.items():
            with registered(ws.con, "lake_config", table):
                ws.con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM lake_config")
        ws.refresh_decisions()


def pack(sources: Sequence[Source], slots: int, max_bytes: int = MAX_TASK_BYTES) -> list[list[tuple[int, str, int]]]:
    """Files (numbered from 1 in listing order) packed into tasks of about equal bytes: at least
    two tasks per slot when there are files enough, none above ``max_bytes`` unless one file is."""
    total = sum(s.size for s in sources)
    count = min(len(sources), max(2 * slots, -(-total // max_bytes)))
    bins: list[tuple[int, int]] = [(0, i) for i in range(count)]
    groups: list[list[tuple[int, str, int]]] = [[] for _ in range(count)]
    order = sorted(enumerate(sources, start=1), key=lambda item: -item[1].size)
    for file_id, source in order:  # largest first into the lightest task
        size, index = heapq.heappop(bins)
        groups[index].append((file_id, source.uri, source.size))
        heapq.heappush(bins, (size + max(source.size, 1), index))
    return [sorted(g) for g in groups if g]


class LakeFiles:
    """The lake directory through Hadoop's file system API (what Spark itself writes with:
    local, hdfs://, s3a://... with the cluster's credentials)."""

    def __init__(self, spark: Any, lake: str) -> None:
        self.spark = spark
        self.jvm = spark.sparkContext._jvm
        self.conf = spark.sparkContext._jsc.hadoopConfiguration()
        self.root = self.jvm.org.apache.hadoop.fs.Path(lake)
        self.fs = self.root.getFileSystem(self.conf)

    def prepare(self, overwrite: bool) -> None:
        if self.fs.exists(self.root) and len(self.fs.listStatus(self.root)):
            if not overwrite:
                raise UsageError(f"{self.root} exists and is not empty",
                                 hint="choose a new lake directory, or pass --overwrite to replace it")
            self.fs.delete(self.root, True)

    def upload(self, local: Path, name: str) -> None:
        source = self.jvm.org.apache.hadoop.fs.Path(local.resolve().as_uri())
        self.fs.copyFromLocalFile(False, True, source, self.jvm.org.apache.hadoop.fs.Path(self.root, name))

    def delete(self, pattern: str) -> None:
        """Delete the files of the lake matching the glob ``pattern`` (relative to the lake)."""
        for status in self.fs.globStatus(self.jvm.org.apache.hadoop.fs.Path(self.root, pattern)) or ():
            self.fs.delete(status.getPath(), False)

    def download(self, name: str, local: Path) -> None:
        """``name`` (a file or a directory of the lake) copied to ``local``; refuses what is no lake."""
        source = self.jvm.org.apache.hadoop.fs.Path(self.root, name)
        if not self.fs.exists(source):
            raise WorkspaceError(f"no lake at {self.root} (it has no {name})",
                                 hint="pass --lake a directory written by `appaccess spark ingest` or "
                                      "`appaccess export -o DIR`")
        # useRawLocalFileSystem: no .crc files beside the copies
        self.fs.copyToLocalFile(False, source, self.jvm.org.apache.hadoop.fs.Path(local.resolve().as_uri()), True)


def _lake_uri(lake: str) -> str:
    return lake.rstrip("/") if is_uri(lake) else str(Path(lake).resolve())


def _file_results(files: pa.Table) -> tuple[list[dict[str, Any]], list[SkippedFile], list[int]]:
    """Rows of files read (first of each content), files skipped (with the reason), ids of copies."""
    rows = sorted(files.to_pylist(), key=lambda r: r["file_id"])
    read: list[dict[str, Any]] = []
    skipped: list[SkippedFile] = []
    copies: list[int] = []
    first: dict[tuple[Any, ...], str] = {}
    for row in rows:
        if row["skip_reason"] is not None:
            skipped.append(SkippedFile(row["path"], row["skip_reason"], row["skip_hint"]))
            continue
        content = (row["head_hash"], row["prefix_hash"], row["bytes_ingested"])
        if content in first:
            copies.append(row["file_id"])
            skipped.append(SkippedFile(row["path"], f"{row['path']} has the same content as {first[content]}: "
                                                    "read once"))
            continue
        first[content] = row["path"]
        read.append(row)
    return read, skipped, copies


def spark_ingest(spark: Any, paths: Sequence[str], lake: str, options: IngestOptions | None = None,
                 config: Configuration = Configuration(), *, partition_by: tuple[str, ...] = ("day",),
                 overwrite: bool = False, max_task_bytes: int = MAX_TASK_BYTES) -> SparkIngestResult:
    """Ingest ``paths`` on ``spark`` into a new lake at ``lake`` (see the module docstring)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    started = time.perf_counter()
    options = options or IngestOptions()
    if options.replace:
        raise UsageError("--replace does not apply to a lake", hint="a lake is written whole; write a new one")
    partitions = lake_partitions(partition_by)
    sources = list_sources(list(paths))
    target = LakeFiles(spark, _lake_uri(lake))
    root = str(target.root)
    with configuration(config, options.redact_pii) as (cfg, warnings):
        con = cfg.ws.con
        lake_write.install(con)
        output = tasks.output_schema(con)
        config_tables = {t: con.sql(lake_write.portable(con, t)).to_arrow_table() for t in CONFIG_TABLES}
        plan = tasks.IngestPlan(options, config_tables, output, _lake_uri(lake), partitions, pii.salt(cfg.ws),
                                threads=int(spark.conf.get("spark.task.cpus", "1")))
        target.prepare(overwrite)
        groups = pack(sources, spark.sparkContext.defaultParallelism, max_task_bytes)
        files_rdd = spark.sparkContext.parallelize(groups, len(groups)).flatMap(lambda group: group)
        listing = spark.createDataFrame(files_rdd, "file_id int, uri string, size long")
        out = listing.mapInArrow(functools.partial(tasks.ingest_partition, plan=plan), from_arrow_schema(output))
        out = out.persist(StorageLevel.DISK_ONLY)
        try:
            read, skipped, copies = _file_results(out.where("kind = 'file'").select("file.*").toArrow())
            for file_id in copies:  # the tasks wrote their rows already: take them back
                target.delete(f"{REQUESTS}/{'*/' * len(partitions)}{tasks.part_pattern(file_id).format(i='*')}"
                              ".parquet")
            kept = (~F.col("file_id").isin(copies)) if copies else F.lit(True)
            out.where("kind = 'reject'").select("reject.*").where(kept).write.parquet(f"{root}/{REJECTS}")
            # distinct rows, not keys: two tuples that share an id stay apart, and the reader refuses them
            distinct_keys = out.where("kind = 'key'").select("key.*").distinct()
            distinct_keys.write.parquet(f"{root}/{KEYS}")
            keys = distinct_keys.count()
        finally:
            out.unpersist()
        file_columns = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = "
                                                  "'files' ORDER BY column_index").fetchall()]
        lake_files = pa.Table.from_pylist([{c: r[c] for c in file_columns} for r in read],
                                          schema=pa.schema([output.field("file").type.field(c) for c in file_columns]))
        entries = tuple(FileEntry(r["file_id"], r["path"], r["format"], r["lines_read"], r["rows_stored"],
                                  r["rows_rejected"], r["rows_skipped"]) for r in read)
        manifest = Manifest(
            writer="spark", partition_by=partitions, inputs=tuple(paths), files=entries,
            skipped_files=tuple(lake_write.skipped_entry(s) for s in skipped),
            requests=sum(e.stored for e in entries), keys=keys,
            field_app_rows=sum(r["field_app_rows"] or 0 for r in read),
            options={"input_format": options.format, "log_format": options.log_format,
                     "fields": dict(options.fields), "timezone": options.timezone},
            pii_redacted=plan.pii_salt is not None)
        with tempfile.TemporaryDirectory(prefix="appaccess-lake-") as name:
            local = Path(name)
            with registered(con, "lake_config", lake_files):
                lake_write.write_small_parts(con, local, "SELECT * FROM lake_config")
            lake_write.write_manifest(local, manifest)
            for part in (FILES, CONFIG, MANIFEST):  # the manifest last: it says the lake is whole
                target.upload(local / part, part)
    results = tuple(FileResult(r["path"], r["file_id"], r["format"], "new", r["lines_read"], r["rows_stored"],
                               r["rows_rejected"], r["rows_skipped"], r["non_confluence"] or 0, r["seconds"] or 0.0)
                    for r in read)
    return SparkIngestResult(root, IngestResult(results, tuple(skipped)), partitions, manifest.requests, keys,
                             len(groups), time.perf_counter() - started, tuple(warnings))


"""``appaccess spark simulate``: the what-if over a lake too large for one machine.

A decision depends on a request's key and time, never on the request itself, so the work
splits in two. The driver copies the lake's small parts (manifest, keys, files,
configuration) through Hadoop's file system, opens them for keys only (analyzer/lake/read.py;
which keys field identifiers claim comes from Spark), loads the proposal into a scratch
policy set and decides every key under it with the workspace's SQL (simulate/key_changes): a
table of per-key changes, a few hundred thousand rows at most, shipped to the tasks. Each
Spark task loads its share of the lake's requests into DuckDB and counts them per change
row, day and status (simulate/partial_counts: each request joined with its key's change by
interval). The driver reads all the counts as the table sim_change_counts with the very
queries ``appaccess simulate`` runs (simulate/summary, by_app_space, by_endpoint: they sum,
take extremes and count distinct days, so partial counts add up). The result is the same
:class:`analyzer.whatif.Simulation` that ``appaccess simulate`` prints.
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from analyzer import sql
from analyzer.context import Context
from analyzer.lake import open_lake
from analyzer.lake.layout import CONFIG, FILES, KEYS, MANIFEST, REQUESTS, Manifest
from analyzer.output import Frame
from analyzer.rules import load_rules_file, store_policies
from analyzer.spark.ingest import LakeFiles
from analyzer.spark.sources import is_uri
from analyzer.whatif import SCRATCH, Simulation, Window, proposal
from analyzer.workspace import registered

#: The columns of a lake's requests a replay reads, with the workspace's types.
FACTS = (("file_id", "INTEGER"), ("line_no", "BIGINT"), ("ts", "TIMESTAMP"), ("key_id", "BIGINT"),
         ("status", "SMALLINT"), ("fapp", "VARCHAR"))


@dataclass(frozen=True)
class SimulatePlan:
    key_changes: pa.Table
    window: Window


def _connection(plan: SimulatePlan) -> duckdb.DuckDBPyConnection:
    """A task's DuckDB: the requests it is given as `facts` (and their field apps), the key changes."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "TimeZone": "UTC"})
    con.execute("CREATE TABLE facts (" + ", ".join(f"{n} {t}" for n, t in FACTS) + ")")
    con.execute("CREATE VIEW field_app_rows AS SELECT file_id, line_no, key_id, fapp AS app FROM facts "
                "WHERE fapp > ''")
    con.register("sim_key_changes", plan.key_changes)
    return con


def _partial(con: duckdb.DuckDBPyConnection, plan: SimulatePlan) -> pa.Table:
    counts = sql.load_query("simulate/partial_counts")
    return con.sql(counts.text, params=sql.bind(counts, {"since": plan.window.since, "until": plan.window.until})
                   ).to_arrow_table()


def simulate_partition(batches: Iterator[pa.RecordBatch], plan: SimulatePlan) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: this partition's requests replayed and counted (simulate/partial_counts)."""
    con = _connection(plan)
    try:
        columns = ", ".join(f"CAST({n} AS {t})" for n, t in FACTS)
        for batch in batches:
            with registered(con, "lake_batch", batch):
                con.execute(f"INSERT INTO facts SELECT {columns} FROM lake_batch")
        yield from _partial(con, plan).to_batches()
    finally:
        con.close()


def _frame(con: duckdb.DuckDBPyConnection, name: str, title: str | None = None) -> Frame:
    return Frame.from_arrow(con.sql(sql.load_query(name).text).to_arrow_table(), title=title)


def spark_simulate(spark: Any, lake: str, proposed: str | Path, *, mode: str = "replace",
                   window: Window = Window(), strict: bool = False) -> Simulation:
    """Replay a lake's requests on ``spark`` against the proposed rules (see the module docstring)."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    root = lake.rstrip("/") if is_uri(lake) else str(Path(lake).resolve())
    files = LakeFiles(spark, root)
    with tempfile.TemporaryDirectory(prefix="appaccess-lake-keys-") as name:
        # The driver decides keys only: it needs the lake's small parts, never its requests.
        local = Path(name)
        for part in (MANIFEST, KEYS, FILES, CONFIG):
            files.download(part, local / part)
        manifest = Manifest.from_json((local / MANIFEST).read_text(encoding="utf-8"), f"{root}/{MANIFEST}")
        requests = None
        if manifest.requests:
            requests = spark.read.option("basePath", f"{root}/{REQUESTS}").parquet(f"{root}/{REQUESTS}")
        key_apps = pa.table({"key_id": pa.array([], pa.int64()), "app": pa.array([], pa.string())})
        if requests is not None and manifest.field_app_rows:
            key_apps = requests.where("fapp > ''").select("key_id", F.col("fapp").alias("app")).distinct().toArrow()
        with Context.over(open_lake(local, key_apps=key_apps), lake=root) as ctx:
            ws = ctx.ws
            checked = ctx.check_rules(load_rules_file(proposed, [r[0] for r in ws.con.execute(
                "SELECT app_key FROM apps").fetchall()]), strict=strict)
            ruleset, policies = proposal(ws, proposed, mode)
            with ws.transaction(rollback=True):
                store_policies(ws, policies, SCRATCH)
                keyed = sql.load_query("simulate/key_changes")
                key_changes = ws.con.sql(keyed.text, params=sql.bind(keyed, {"proposed": SCRATCH})).to_arrow_table()
    plan = SimulatePlan(key_changes, window)
    empty = _connection(plan)
    try:
        schema = _partial(empty, plan).schema
    finally:
        empty.close()
    if requests is not None:
        if window.since is not None:
            requests = requests.where(F.col("day") >= F.lit(window.since.date()))
        if window.until is not None:
            requests = requests.where(F.col("day") <= F.lit(window.until.date()))
        counted = requests.select(*(n for n, _ in FACTS)).mapInArrow(
            functools.partial(simulate_partition, plan=plan), from_arrow_schema(schema))
        groups = counted.toArrow().cast(schema)
    else:
        groups = schema.empty_table()
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "TimeZone": "UTC"})
    try:
        con.register("sim_change_counts", groups)
        summary = _frame(con, "simulate/summary").records()[0]
        by_app = _frame(con, "simulate/by_app_space", "Changes by app and space")
        by_endpoint = _frame(con, "simulate/by_endpoint", "Changes by endpoint")
    finally:
        con.close()
    warnings = (*ruleset.warnings, *(w for w in checked.warnings if w not in ruleset.warnings))
    return dataclasses.replace(Simulation(summary, by_app, tuple(policies), mode, ruleset.warnings, None,
                                          by_endpoint), warnings=warnings)

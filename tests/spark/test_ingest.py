"""`appaccess spark ingest` finds what `appaccess ingest` finds: every request with its decision,
every reject, every file's counts, and then every report, simulation and suggestion.

The single-machine path is the reference: the same inputs ingested into a workspace with the
same configuration and exported as a lake (`export -o DIR`). The Spark path runs in local[2]
with small tasks so that several run at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from analyzer import Context, IngestOptions
from analyzer.lake.layout import Manifest
from analyzer.spark.ingest import spark_ingest
from tests.differential.scenarios import Scenario, comparable
from tests.lake.test_lake import _collect, _differences
from tests.spark.conftest import CONFIG, INVENTORY, VARIETY, VARIETY_CONFIG

#: One worker runs this module: its SparkSession and the lakes its tests share are built once.
pytestmark = pytest.mark.xdist_group("spark-ingest")



@pytest.fixture(scope="module")
def lakes(spark: Any, inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any]:
    root = tmp_path_factory.mktemp("lakes")
    paths = [str(inputs / "samples"), str(inputs / "synthetic")]
    with Context(root / "ws.duckdb") as ctx:
        ctx.ingest(paths, IngestOptions())
        ctx.load_apps(VARIETY / "apps-variety.yaml")
        ctx.load_inventory(list(INVENTORY))
        ctx.load_rules(VARIETY / "rules-variety.yaml")
        ctx.export(root / "single")
    result = spark_ingest(spark, paths, str(root / "spark"), config=VARIETY_CONFIG, max_task_bytes=256 << 10)
    return root / "single", root / "spark", result


def _rows(lake: Path, part: str, order: str) -> list[dict[str, Any]]:
    table = duckdb.sql(f"SELECT * EXCLUDE (file_id) FROM read_parquet('{lake}/{part}/**/*.parquet', "
                       f"hive_partitioning = true, union_by_name = true) ORDER BY {order}").to_arrow_table()
    return table.to_pylist()


def test_every_request_is_decided_alike(lakes: tuple[Path, Path, Any]) -> None:
    single, spark, result = lakes
    assert result.tasks >= 2
    want = _rows(single, "requests", "file, line_no")
    got = _rows(spark, "requests", "file, line_no")
    assert len(want) > 15_000 and len({r["decision"] for r in want}) >= 6
    assert got == want


def test_every_reject_and_key_is_alike(lakes: tuple[Path, Path, Any]) -> None:
    single, spark, _ = lakes
    want = _rows(single, "rejects", "file, line_no")
    assert want and _rows(spark, "rejects", "file, line_no") == want
    keys = "SELECT * FROM read_parquet('{}/keys/*.parquet') ORDER BY key_id"
    assert (duckdb.sql(keys.format(spark)).to_arrow_table().to_pylist()
            == duckdb.sql(keys.format(single)).to_arrow_table().to_pylist())


def test_every_file_is_counted_alike_and_the_manifest_says_so(lakes: tuple[Path, Path, Any]) -> None:
    single, spark, result = lakes
    columns = ("path, format, compression, head_hash, prefix_hash, bytes_ingested, lines_read, rows_stored, "
               "rows_rejected, rows_skipped, unterminated, tail_offset, options")
    query = f"SELECT {columns} FROM read_parquet('{{}}/files/*.parquet') ORDER BY path"
    want = duckdb.sql(query.format(single)).fetchall()
    assert len(want) > 30 and duckdb.sql(query.format(spark)).fetchall() == want
    manifest = Manifest.from_json((spark / "manifest.json").read_text(), "manifest")
    assert manifest.writer == "spark" and manifest.partition_by == ("day",)
    # requests claimed by a field identifier (an Envoy route name): the per-request part of attribution
    assert manifest.field_app_rows > 0
    assert manifest.field_app_rows == Manifest.from_json((single / "manifest.json").read_text(), "m").field_app_rows
    assert sorted((f.path, f.lines_read, f.stored, f.rejected, f.skipped) for f in manifest.files) == sorted(
        (r[0], r[6], r[7], r[8], r[9]) for r in want)
    assert manifest.requests == sum(r[7] for r in want) == result.requests
    # the configuration files among the samples are not logs: skipped, each with its reason, as on one machine
    skipped = {Path(s.path).name for s in manifest.skipped_files}
    assert skipped and {Path(s.path).name for s in result.ingest.skipped_files} == skipped
    assert all(s.reason for s in manifest.skipped_files)


def test_every_report_simulation_and_suggestion_is_alike(lakes: tuple[Path, Path, Any], tmp_path: Path) -> None:
    single, spark, _ = lakes
    import datetime as dt

    from analyzer.report import Filters

    scenario = Scenario("spark", lambda ctx, tmp: None, (CONFIG / "proposed-rules.yaml",
                                                          VARIETY / "proposed-variety.yaml"), ("spaces=HR,FIN",),
                        (Filters(site="acme.atlassian.net", space="HR"), Filters(since=dt.datetime(2026, 9, 11))))
    with Context(lake=single) as ctx:
        want = _collect(ctx, scenario, tmp_path / "single")
    with Context(lake=spark) as ctx:
        got = _collect(ctx, scenario, tmp_path / "spark")
    problems = _differences(want, got)
    assert not problems, "\n".join(problems)
    assert comparable(want["report_blocked_0"]) and comparable(want["simulate_0_replace_0_summary"])

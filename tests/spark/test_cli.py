"""The Spark commands through the real entry points: `appaccess spark ingest|simulate|script`
in-process (sharing the module's local[2] session) and the spark-submit entry script in a
real spark-submit."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import Cli
from tests.spark.conftest import CONFIG, SAMPLES

CONFIG_ARGS = ("--apps", CONFIG / "apps.yaml", "--rules", CONFIG / "rules.yaml", "--inventory", CONFIG / "sites.csv",
               "--inventory", CONFIG / "spaces.csv", "--inventory", CONFIG / "content.csv")

#: One worker runs this module: its SparkSession and the lakes its tests share are built once.
pytestmark = pytest.mark.xdist_group("spark-cli")



@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("logs")
    shutil.copy(SAMPLES / "nginx-vhost_combined.log", root / "access.log")
    (root / "access.log.1.gz").write_bytes(gzip.compress((SAMPLES / "apache-combined.log").read_bytes()))
    (root / "error.log").write_text("2026/09/11 08:00:00 [error] 12#12: *1 open() failed\n")
    return root


@pytest.fixture(scope="module")
def lake(spark: Any, logs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "lake"
    result = Cli()("spark", "ingest", logs, "--lake", out, *CONFIG_ARGS, "--master", "local[2]",
                   "--partition-by", "site")
    assert result.exit_code == 3, result.stderr  # error.log is not an access log: skipped, as by `ingest`
    assert "skipped" in result.stderr and "error.log" in result.stderr
    assert "[vhost_combined] 3,000 lines, 3,000 stored, 0 rejected" in result.stderr
    assert "wrote the lake" in result.stderr and "requests/ by day, site" in result.stderr
    return out


def test_the_lake_is_read_like_a_workspace_of_the_same_logs(cli: Cli, lake: Path, logs: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert cli("ingest", logs, "--db", db).exit_code == 3
    for args in (("apps", "load", CONFIG / "apps.yaml"), ("rules", "load", CONFIG / "rules.yaml"),
                 ("inventory", "load", CONFIG / "sites.csv", CONFIG / "spaces.csv", CONFIG / "content.csv")):
        assert cli(*args, "--db", db).exit_code == 0
    for args in (("report", "blocked", "-f", "csv"), ("report", "anomalies", "-f", "csv"),
                 ("simulate", CONFIG / "proposed-rules.yaml", "-f", "csv")):
        from_db, from_lake = cli(*args, "--db", db), cli(*args, "--lake", lake)
        assert from_lake.exit_code == 0, from_lake.stderr
        # (sorted: reports break some ties in no set order, a workspace from one run to the next too)
        assert sorted(from_lake.stdout.splitlines()) == sorted(from_db.stdout.splitlines())
        assert from_db.stdout.count("\n") > 2


def test_spark_simulate_prints_what_simulate_prints(spark: Any, cli: Cli, lake: Path) -> None:
    proposed = CONFIG / "proposed-rules.yaml"
    for fmt in ("csv", "markdown"):
        on_spark = cli("spark", "simulate", proposed, "--lake", lake, "-f", fmt)
        local = cli("simulate", proposed, "--lake", lake, "-f", fmt)
        assert on_spark.exit_code == 0, on_spark.stderr
        assert sorted(on_spark.stdout.splitlines()) == sorted(local.stdout.splitlines())
        assert on_spark.stderr == local.stderr
    gate = cli("spark", "simulate", proposed, "--lake", lake, "--fail-on", "newly_blocked", "-f", "csv")
    assert gate.exit_code == 6 and "newly blocked" in gate.stderr
    html = cli("spark", "simulate", proposed, "--lake", lake, "-o", "x.html")
    assert html.exit_code == 2 and "no HTML report" in html.stderr


def test_an_existing_lake_is_kept_unless_overwrite(spark: Any, cli: Cli, lake: Path, logs: Path) -> None:
    again = cli("spark", "ingest", logs / "access.log", "--lake", lake, *CONFIG_ARGS)
    assert again.exit_code == 2 and "exists and is not empty" in again.stderr
    assert (lake / "manifest.json").is_file()


def test_uris_are_read_through_their_file_system(spark: Any, cli: Cli, logs: Path, tmp_path: Path) -> None:
    """A file:// URI takes the remote path (listed and copied through pyarrow's file systems); the lake
    records the URI and holds the same rows as for the local path."""
    uri = (logs / "access.log.1.gz").as_uri()
    for name, source in (("remote", uri), ("local", str(logs / "access.log.1.gz"))):
        result = cli("spark", "ingest", source, "--lake", tmp_path / name, *CONFIG_ARGS)
        assert result.exit_code == 0, result.stderr
    query = ("SELECT * EXCLUDE (file) FROM read_parquet('{}/requests/**/*.parquet', hive_partitioning = true) "
             "ORDER BY line_no")
    remote = duckdb.sql(query.format(tmp_path / "remote")).fetchall()
    assert len(remote) > 100 and remote == duckdb.sql(query.format(tmp_path / "local")).fetchall()
    files = duckdb.sql(f"SELECT DISTINCT file FROM '{tmp_path}/remote/requests/**/*.parquet'").fetchall()
    assert files == [(uri,)]


def test_spark_submit_runs_the_entry_script(spark: Any, cli: Cli, logs: Path, tmp_path: Path) -> None:
    import pyspark

    script = cli("spark", "script").stdout.strip()
    assert script.endswith("submit.py") and Path(script).is_file()
    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    # (not this process's gateway to its own JVM: spark-submit starts one)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK_", "SPARK_"))}
    env.update(PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    done = subprocess.run([str(submit), "--master", "local[1]", script, "ingest", str(logs / "access.log"),
                           "--lake", str(tmp_path / "lake"), "--apps", str(CONFIG / "apps.yaml"), "-q"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    # (spark-submit passes on the driver's stderr on its stdout)
    assert "wrote the lake" in done.stdout + done.stderr
    assert cli("report", "apps", "--lake", tmp_path / "lake", "-f", "csv").stdout.count("\n") > 2


def test_a_lake_of_no_log_is_empty_not_broken(spark: Any, cli: Cli, logs: Path, tmp_path: Path) -> None:
    result = cli("spark", "ingest", logs / "error.log", "--lake", tmp_path / "lake", *CONFIG_ARGS)
    assert result.exit_code == 3 and "1 file skipped" in result.stderr
    report = cli("report", "blocked", "--lake", tmp_path / "lake")
    assert report.exit_code == 4 and "holds no requests" in report.stderr
    status = cli("status", "--lake", tmp_path / "lake", "-f", "csv")
    assert status.exit_code == 0 and "requests,0" in status.stdout

"""`appaccess spark simulate` answers what `appaccess simulate` answers: the same summary, the same
changes by app and space and by endpoint, for a lake written on one machine or by Spark, in both
modes and with a window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from analyzer import Context
from analyzer.errors import UsageError
from analyzer.spark.simulate import spark_simulate
from analyzer.whatif import Window
from tests.differential.scenarios import HERE, SCENARIOS, built
from tests.spark.conftest import CONFIG

PROPOSALS = (CONFIG / "proposed-rules.yaml", HERE / "config" / "proposed-variety.yaml")

#: One worker runs this module: its SparkSession and the lakes its tests share are built once.
pytestmark = pytest.mark.xdist_group("spark-simulate")



@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "lake"
    with built(SCENARIOS["synthetic"]) as (ctx, _):
        ctx.export(out, partition_by=("day", "site"))
    return out


@pytest.mark.parametrize(("proposed", "mode", "window"), [
    (PROPOSALS[0], "replace", Window()),
    (PROPOSALS[0], "add", Window(since=dt.datetime(2026, 9, 12))),
    (PROPOSALS[1], "replace", Window(since=dt.datetime(2026, 9, 8), until=dt.datetime(2026, 9, 20))),
])
def test_spark_simulate_equals_simulate(spark: Any, lake: Path, proposed: Path, mode: str, window: Window) -> None:
    with Context(lake=lake) as ctx:
        want = ctx.simulate(proposed, mode=mode, window=window)
    got = spark_simulate(spark, str(lake), proposed, mode=mode, window=window)
    assert want.summary["evaluated"] > 1000 and want.by_app_space.rows
    assert got.summary == want.summary
    assert got.by_app_space == want.by_app_space
    assert got.by_endpoint == want.by_endpoint
    assert got.policies == want.policies and got.mode == mode and set(got.warnings) == set(want.warnings)


def test_a_name_clash_in_add_mode_is_refused_as_on_one_machine(spark: Any, lake: Path, tmp_path: Path) -> None:
    clash = tmp_path / "clash.yaml"
    clash.write_text((CONFIG / "rules.yaml").read_text())
    with pytest.raises(UsageError, match="also active"):
        spark_simulate(spark, str(lake), clash, mode="add")


def test_a_lake_given_as_a_uri_is_read_through_spark_alone(spark: Any, lake: Path) -> None:
    """The driver copies the small parts with Hadoop's file system and never reads requests itself."""
    local = spark_simulate(spark, str(lake), PROPOSALS[1])
    remote = spark_simulate(spark, lake.as_uri(), PROPOSALS[1])
    assert remote.summary == local.summary and remote.by_app_space == local.by_app_space
    assert local.summary["newly_blocked"] + local.summary["unblocked"] > 0

"""One local[2] SparkSession per test module, and the inputs the Spark tests share.

Without pyspark or a Java runtime the Spark tests skip with one line saying which is missing;
in CI (the environment variable CI is set) they fail instead, so that they never pass by
not running.
"""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analyzer.spark.ingest import Configuration
from analyzer.spark.session import unavailable
from analyzer.synth import write_log

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_logs"
CONFIG = SAMPLES / "config"
INVENTORY = (CONFIG / "sites.csv", CONFIG / "spaces.csv", CONFIG / "content.csv")
SAMPLE_CONFIG = Configuration(apps=CONFIG / "apps.yaml", rules=CONFIG / "rules.yaml", inventory=INVENTORY)
#: Apps recognised by a logged field too, and policies with activation windows.
VARIETY = ROOT / "tests" / "differential" / "config"
VARIETY_CONFIG = Configuration(apps=VARIETY / "apps-variety.yaml", rules=VARIETY / "rules-variety.yaml",
                               inventory=INVENTORY)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    reason = unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the Spark tests must run in CI: {reason}")
        pytest.skip(reason)
    from analyzer.spark.session import session

    active = session("local[2]")
    active.conf.set("spark.sql.shuffle.partitions", "4")
    yield active
    active.stop()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every sample log (all formats, the config files among them: not logs, skipped) and a seeded
    synthetic log in four formats, one of them gzip-compressed."""
    root = tmp_path_factory.mktemp("inputs")
    shutil.copytree(SAMPLES, root / "samples")
    synthetic = root / "synthetic"
    synthetic.mkdir()
    write_log(synthetic / "vhost.log", 4000, "vhost_combined", seed=1201)
    write_log(synthetic / "gateway.jsonl", 1500, "json", seed=1202)
    write_log(synthetic / "envoy.jsonl", 1500, "envoy", seed=1204)
    plain = write_log(synthetic / "iis.log", 1200, "w3c", seed=1203)
    (synthetic / "iis.log.gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    return root

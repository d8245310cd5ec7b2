"""A workspace built once per module through the CLI: the nginx sample with the sample apps,
inventory and rules (read-only tests share it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_logs"
CONFIG = SAMPLES / "config"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cli = Cli()
    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    for args in (("ingest", SAMPLES / "nginx-vhost_combined.log"), ("apps", "load", CONFIG / "apps.yaml"),
                 ("inventory", "load", CONFIG / "sites.csv", CONFIG / "spaces.csv", CONFIG / "content.csv"),
                 ("rules", "load", CONFIG / "rules.yaml")):
        result = cli(*args, "--db", db)
        assert result.exit_code == 0, result.stderr
    return db

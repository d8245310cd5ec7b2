"""--lake through the real entry point: every reading command answers from a lake as from the
workspace it was exported from, and a lake refuses what would change it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import CONFIG
from tests.conftest import Cli


@pytest.fixture(scope="module")
def lake(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lake") / "lake"
    result = Cli()("export", "--db", sample_db, "-o", out, "--partition-by", "site")
    assert result.exit_code == 0, result.stderr
    assert (out / "manifest.json").is_file()
    return out


@pytest.mark.parametrize("args", [
    ("report", "blocked", "-f", "csv"),
    ("report", "blocked", "--site", "acme.atlassian.net", "--since", "2026-09-10", "--until", "2026-09-20",
     "-f", "csv"),
    ("report", "apps", "-f", "csv"),
    ("report", "anomalies", "-f", "csv"),
    ("simulate", str(CONFIG / "proposed-rules.yaml"), "-f", "csv"),
    ("suggest", "--coverage", "spaces=HR,FIN", "-f", "yaml"),
    ("sql", "SELECT decision, count(*) AS n FROM decisions GROUP BY 1 ORDER BY 1", "-f", "csv"),
    ("query", "run", "reports/overview", "-f", "json"),
    ("files", "-f", "csv"),
    ("rejects", "-f", "csv"),
])
def test_a_lake_answers_like_the_workspace(cli: Cli, sample_db: Path, lake: Path, args: tuple[str, ...]) -> None:
    from_db = cli(*args, "--db", sample_db)
    from_lake = cli(*args, "--lake", lake)
    assert from_db.exit_code == 0, from_db.stderr
    assert from_lake.exit_code == 0, from_lake.stderr
    # (sorted: reports break some ties in no set order, a workspace from one run to the next too)
    assert sorted(from_lake.stdout.splitlines()) == sorted(from_db.stdout.splitlines())
    assert from_db.stdout.count("\n") >= 1


def test_status_names_the_lake(cli: Cli, lake: Path) -> None:
    result = cli("status", "--lake", lake, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert "requests,3000" in result.stdout and str(lake) in result.stdout


def test_db_and_lake_exclude_each_other(cli: Cli, sample_db: Path, lake: Path) -> None:
    result = cli("report", "blocked", "--db", sample_db, "--lake", lake)
    assert result.exit_code == 2 and "--db and --lake exclude each other" in result.stderr


def test_a_missing_lake_is_one_line(cli: Cli, tmp_path: Path) -> None:
    result = cli("report", "apps", "--lake", tmp_path / "nowhere")
    assert result.exit_code == 4 and result.stderr.count("\n") == 1 and "no lake at" in result.stderr

"""Typos in rules files and in filters must not produce silently wrong answers.

`site: acme.atlasian.net` or `spaces: [HR, FNI]` protect nothing; a report
filtered on `--space FNI` prints a clean empty table. Each is a warning naming
file:line (or the option) and the closest known name; --strict makes it an error.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.cli.conftest import CONFIG
from tests.conftest import Cli

TYPOS = """\
# HR and Finance, with three typos
policies:
  - name: Restricted HR and Finance
    site: acme.atlasian.net
    coverage:
      spaces:
        - HR
        - FNI
    app_access:
      mode: allowlist
      apps: [com.acme.backup]
  - name: Confidential
    site: acme.atlassian.net
    coverage:
      classification: [confidental]
    app_access:
      mode: block_all
"""


@pytest.fixture
def typos(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(TYPOS)
    return path


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning: ")]


def test_rules_with_typos_warn_with_file_line_and_a_guess(cli: Cli, sample_db: Path, typos: Path,
                                                          tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    db.write_bytes(sample_db.read_bytes())
    result = cli("rules", "load", typos, "--db", db)
    assert result.exit_code == 0, result.stderr
    warnings = _warnings(result.stderr)
    assert len(warnings) == 3, result.stderr
    site, space, classification = warnings
    assert site.startswith(f"warning: {typos}:4: site 'acme.atlasian.net'")
    assert site.endswith("did you mean acme.atlassian.net?")
    assert space.startswith(f"warning: {typos}:8: space 'FNI'") and space.endswith("did you mean FIN?")
    assert classification.startswith(f"warning: {typos}:15: classification 'confidental'")
    assert classification.endswith("did you mean confidential?")
    assert "loaded 2 policies" in result.stderr


def test_strict_refuses_the_typos_and_loads_nothing(cli: Cli, sample_db: Path, typos: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    db.write_bytes(sample_db.read_bytes())
    before = cli("rules", "list", "--db", db, "-f", "csv").stdout
    result = cli("rules", "load", typos, "--db", db, "--strict")
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"appaccess: error: {typos}:4: site 'acme.atlasian.net'")
    assert "and 2 more names" in result.stderr
    assert cli("rules", "list", "--db", db, "-f", "csv").stdout == before


def test_correct_rules_load_without_warnings(cli: Cli, sample_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    db.write_bytes(sample_db.read_bytes())
    result = cli("rules", "load", CONFIG / "rules.yaml", "--db", db, "--strict")
    assert result.exit_code == 0 and _warnings(result.stderr) == []


def test_simulate_warns_about_typos_in_the_proposal(cli: Cli, sample_db: Path, typos: Path) -> None:
    result = cli("simulate", typos, "--db", sample_db, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert any("'FNI'" in w and "did you mean FIN?" in w for w in _warnings(result.stderr))
    strict = cli("simulate", typos, "--db", sample_db, "--strict")
    assert strict.exit_code == 3 and "acme.atlasian.net" in strict.stderr


def test_suggest_checks_its_coverage(cli: Cli, sample_db: Path) -> None:
    result = cli("suggest", "--coverage", "spaces=HR,FNI", "--db", sample_db, "-f", "yaml")
    assert result.exit_code == 0, result.stderr
    assert any("--coverage: space 'FNI'" in w and "did you mean FIN?" in w for w in _warnings(result.stderr))


@pytest.mark.parametrize(("option", "value", "guess"), [("--space", "FNI", "FIN"), ("--site", "acme.atlasian.net",
                                                        "acme.atlassian.net"), ("--app", "io.reportbto",
                                                                                "io.reportbot")])
def test_filters_that_match_nothing_warn(cli: Cli, sample_db: Path, option: str, value: str, guess: str) -> None:
    result = cli("report", "blocked", "--db", sample_db, option, value, "-f", "csv")
    assert result.exit_code == 0
    assert list(csv.DictReader(io.StringIO(result.stdout))) == []
    (warning,) = _warnings(result.stderr)
    assert warning == (f"warning: {option}: {value!r} matches no {option[2:]} in the inventory or the traffic; "
                       f"did you mean {guess}?")
    strict = cli("report", "blocked", "--db", sample_db, option, value, "--strict")
    assert strict.exit_code == 2 and strict.stderr.startswith(f"appaccess: error: {option}: {value!r}")


def test_filters_that_match_do_not_warn(cli: Cli, sample_db: Path) -> None:
    result = cli("report", "blocked", "--db", sample_db, "--space", "HR", "--app", "(unknown)", "--site",
                 "acme.atlassian.net", "-f", "csv", "--strict")
    assert result.exit_code == 0 and result.stderr == ""


def test_a_workspace_that_knows_nothing_yet_says_names_were_not_checked(cli: Cli, typos: Path,
                                                                      tmp_path: Path) -> None:
    """Rules loaded before any traffic or inventory: nothing to compare with, a note and no failure;
    classification coverage, which no inventory classification can match, is a warning."""
    result = cli("rules", "load", typos, "--db", tmp_path / "new.duckdb", "--strict")
    assert result.exit_code == 3  # the classification can match nothing at all
    assert "the inventory has no space classification" in result.stderr
    no_classes = tmp_path / "spaces-only.yaml"
    no_classes.write_text(TYPOS.split("  - name: Confidential")[0])
    result = cli("rules", "load", no_classes, "--db", tmp_path / "new2.duckdb", "--strict")
    assert result.exit_code == 0, result.stderr
    assert any("knows no site yet" in w for w in _warnings(result.stderr))
    assert any("knows no space yet" in w for w in _warnings(result.stderr))

"""What-if as a policy-as-code gate: `simulate --fail-on` exit codes and the Markdown summary."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from analyzer.errors import ExitCode
from tests.cli.conftest import CONFIG
from tests.conftest import Cli

PROPOSED = CONFIG / "proposed-rules.yaml"


@pytest.fixture(scope="module")
def summary(sample_db: Path) -> dict[str, int]:
    """The proposal's totals, read from the machine output (one line on stderr with -f csv)."""
    result = Cli()("simulate", PROPOSED, "--db", sample_db, "-f", "csv")
    totals = result.stderr[result.stderr.index("evaluated"):]
    counts = {k.replace(" ", "_"): int(v.replace(",", "")) for k, v in
              re.findall(r"(newly blocked|newly filtered|unblocked|undeterminable|other) ([\d,]+)", totals)}
    assert set(counts) == {"newly_blocked", "newly_filtered", "unblocked", "undeterminable", "other"}
    assert counts["newly_blocked"] > 0 and counts["unblocked"] == 0
    return counts


def test_fail_on_trips_when_the_proposal_blocks_something_new(cli: Cli, sample_db: Path,
                                                              summary: dict[str, int]) -> None:
    result = cli("simulate", PROPOSED, "--db", sample_db, "--fail-on", "newly_blocked,newly_filtered")
    assert result.exit_code == ExitCode.CHANGES == 6
    assert result.stdout  # the report is still printed
    last = result.stderr.splitlines()[-1]
    assert last.startswith("appaccess: error: the proposal changes requests: ")
    assert f"newly blocked {summary['newly_blocked']:,}" in last


def test_fail_on_passes_when_nothing_of_that_class_changes(cli: Cli, sample_db: Path) -> None:
    result = cli("simulate", PROPOSED, "--db", sample_db, "--fail-on", "unblocked")
    assert result.exit_code == 0, result.stderr


def test_fail_on_the_active_rules_themselves_passes(cli: Cli, sample_db: Path, tmp_path: Path) -> None:
    """Replaying the policy in force changes nothing: the gate is open. (The sample's second policy
    is a draft, which a simulation activates, so it is left out.)"""
    active = tmp_path / "active.yaml"
    active.write_text((CONFIG / "rules.yaml").read_text().split("\n  - name: Sandbox")[0] + "\n")
    result = cli("simulate", active, "--db", sample_db, "--fail-on", "any")
    assert result.exit_code == 0, result.stderr


def test_fail_on_rejects_unknown_classes(cli: Cli, sample_db: Path) -> None:
    result = cli("simulate", PROPOSED, "--db", sample_db, "--fail-on", "newly_blockd")
    assert result.exit_code == 2 and "newly_blockd is not a change class" in result.stderr


def test_markdown_summary_for_a_pull_request(cli: Cli, sample_db: Path, tmp_path: Path,
                                             summary: dict[str, int]) -> None:
    out = tmp_path / "whatif.md"
    result = cli("simulate", PROPOSED, "--db", sample_db, "-o", out, "--fail-on", "newly_blocked")
    assert result.exit_code == 6  # written first, then the gate
    text = out.read_text()
    assert text.startswith("## What-if: proposed-rules.yaml\n")
    assert f"| newly blocked | {summary['newly_blocked']:,} |" in text
    assert f"| newly filtered | {summary['newly_filtered']:,} |" in text
    assert "### Apps and spaces affected" in text and "### Busiest endpoints" in text
    changes = list(csv.DictReader(io.StringIO(cli("simulate", PROPOSED, "--db", sample_db, "-f", "csv").stdout)))
    busiest = changes[0]
    assert f"| {busiest['app']} |" in text.replace("\\_", "_").replace("\\:", ":")
    assert "GET /wiki/" in text


def test_markdown_to_stdout(cli: Cli, sample_db: Path) -> None:
    result = cli("simulate", PROPOSED, "--db", sample_db, "-f", "markdown")
    assert result.exit_code == 0 and result.stdout.startswith("## What-if:")

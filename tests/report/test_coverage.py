"""Confluence's own view of coverage (a saved GET /wiki/api/v2/data-policies/spaces) against the loaded rules."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import Cli

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"


def _data_policy_spaces(base: str, spaces: list[tuple[str, str, str, bool]]) -> dict[str, object]:
    """A MultiEntityResult<DataPolicySpace> as the v2 spec describes it."""
    return {"results": [{"id": sid, "key": key, "name": name, "description": None,
                         "dataPolicy": {"anyContentBlocked": blocked}, "icon": None,
                         "_links": {"webui": f"/spaces/{key}"}} for sid, key, name, blocked in spaces],
            "_links": {"base": base}}


@pytest.fixture
def db(tmp_path: Path, cli: Cli) -> Path:
    db = tmp_path / "w.duckdb"
    for args in (("ingest", GOLDEN / "access.log"), ("apps", "load", GOLDEN / "apps.yaml"),
                 ("rules", "load", GOLDEN / "rules.yaml"),
                 ("inventory", "load", GOLDEN / "sites.csv", GOLDEN / "spaces.csv", GOLDEN / "content.csv")):
        assert cli(*args, "--db", db).exit_code == 0
    return db


def _anomalies(cli: Cli, db: Path, *args: str) -> list[dict[str, str]]:
    result = cli("report", "anomalies", "--db", db, "-f", "csv", *args)
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_report_anomalies_lists_where_confluence_and_the_rules_disagree(cli: Cli, db: Path, tmp_path: Path) -> None:
    before = _anomalies(cli, db)
    acme = tmp_path / "acme-data-policies.json"
    acme.write_text(json.dumps(_data_policy_spaces("https://acme.atlassian.net/wiki", [
        ("101", "HR", "Human Resources", True),      # covered by "Restricted HR", blocked: agree
        ("102", "DEV", "Engineering", True),         # blocked, yet no rule covers DEV
        ("103", "~abc", "Cole, Ann", False),         # covered by "Restricted HR" (an allowlist), open
        ("104", "MKT", "Marketing", False),          # neither: agree
    ])))
    beta = tmp_path / "beta-data-policies.json"
    beta.write_text(json.dumps(_data_policy_spaces("https://beta.atlassian.net/wiki", [
        ("201", "OPS", "Operations", False),         # "Beta lockdown" (block_all) covers every beta space
    ])))
    loaded = cli("inventory", "load", acme, beta, "--db", db)
    assert loaded.exit_code == 0, loaded.stderr
    assert "data_policies: 4 rows" in loaded.stderr
    assert cli("inventory", "load", acme, "--db", db).exit_code == 0  # loading again replaces, adds nothing

    rows = _anomalies(cli, db)
    assert rows[:len(before)] == before  # the other anomalies are untouched
    coverage = {r["subject"]: r for r in rows[len(before):]}
    assert [r["kind"] for r in rows[len(before):]] == ["coverage_unruled", "coverage_open", "coverage_open"]
    dev = coverage["space DEV (102) on acme.atlassian.net: Confluence blocks apps there, no active rule covers it"]
    # DEV's traffic in the golden log: page 5002 (lines 4, 28, 38), space/DEV/content (37), a search in DEV (19)
    assert (dev["requests"], dev["apps"], dev["policies"], dev["example"]) == ("5", "io.reportbot", "", str(acme))
    personal = coverage["space ~abc (103) on acme.atlassian.net: covered by a rule, Confluence blocks nothing "
                        "there (the rule's app list may exempt the app that saved the response)"]
    assert personal["policies"] == "Restricted HR" and personal["sites"] == "acme.atlassian.net"
    ops = coverage["space OPS (201) on beta.atlassian.net: covered by a rule, Confluence blocks nothing there"]
    assert ops["policies"] == "Beta lockdown"

    only_beta = _anomalies(cli, db, "--site", "beta.atlassian.net")
    assert [r["subject"] for r in only_beta if r["kind"].startswith("coverage_")] == [ops["subject"]]
    table = cli("report", "anomalies", "--db", db)
    assert "coverage_unruled" in table.stdout and "coverage_open" in table.stdout


def test_rules_that_cover_no_space_confluence_blocks_leave_no_disagreement(cli: Cli, db: Path,
                                                                           tmp_path: Path) -> None:
    agree = tmp_path / "agree.json"
    agree.write_text(json.dumps(_data_policy_spaces("https://acme.atlassian.net/wiki", [
        ("101", "HR", "Human Resources", True), ("102", "DEV", "Engineering", False)])))
    assert cli("inventory", "load", agree, "--db", db).exit_code == 0
    assert not [r for r in _anomalies(cli, db) if r["kind"].startswith("coverage_")]


def test_a_data_policy_response_without_the_flag_is_refused(cli: Cli, db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    doc = _data_policy_spaces("https://acme.atlassian.net/wiki", [("101", "HR", "Human Resources", True)])
    doc["results"][0]["dataPolicy"] = {}  # type: ignore[index]
    bad.write_text(json.dumps(doc))
    result = cli("inventory", "load", bad, "--db", db)
    assert result.exit_code == 3
    assert result.stderr.strip() == (f"appaccess: error: {bad}: space HR has no boolean dataPolicy.anyContentBlocked "
                                     "(save the answer of GET /wiki/api/v2/data-policies/spaces as it is)")

"""`appaccess formats` describes every format; `ingest --timezone` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from analyzer.formats import REGISTRY
from tests.conftest import Cli

SAMPLES = Path(__file__).resolve().parents[2] / "sample_logs"


def test_formats_lists_every_format_with_fields_and_an_example(cli: Cli) -> None:
    result = cli("formats", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["format"] for r in rows] == [*REGISTRY, "custom"]
    for r in rows:
        assert r["description"] and r["fields"] and r["example"], r["format"]
    by_name = {r["format"]: r for r in rows}
    assert "cs-uri-path" in by_name["proxysg"]["fields"] and "x-host-header" in by_name["cloudfront"]["fields"]


def test_ingest_reads_local_times_in_the_zone_given(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = cli("ingest", SAMPLES / "iis-advanced.log", "--db", db, "--timezone", "Europe/Berlin")
    assert result.exit_code == 0, result.stderr
    assert "[w3c]" in result.stderr and "304 stored" in result.stderr
    # the sample's first line is 2026-09-01 02:01:46.xxx Berlin time (CEST)
    local = (SAMPLES / "iis-advanced.log").read_text(encoding="utf-8", errors="replace").splitlines()[4]
    assert local.startswith("2026-09-01 02:")
    stored = cli("sql", "SELECT strftime(ts, '%Y-%m-%d %H:%M') FROM requests WHERE line_no = 5", "--db", db,
                 "-f", "csv")
    assert stored.stdout.splitlines()[1] == "2026-09-01 00:" + local[14:16]


def test_unknown_time_zone_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("ingest", SAMPLES / "iis-advanced.log", "--db", tmp_path / "w.duckdb", "--timezone", "Mars/Olympus")
    assert result.exit_code == 2
    assert "unknown time zone 'Mars/Olympus'" in result.stderr and "IANA" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

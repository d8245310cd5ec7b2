"""The CLI end to end on the bundled samples: ingest, configure, query, export, and errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_logs"
CONFIG = SAMPLES / "config"


@pytest.fixture
def db(tmp_path: Path, cli: Cli) -> Path:
    db = tmp_path / "w.duckdb"
    result = cli("ingest", SAMPLES / "nginx-vhost_combined.log", "--db", db)
    assert result.exit_code == 0, result.stderr
    assert "3,000 stored" in result.stderr
    for args in (("apps", "load", CONFIG / "apps.yaml"), ("rules", "load", CONFIG / "rules.yaml"),
                 ("inventory", "load", CONFIG / "sites.csv", CONFIG / "spaces.csv", CONFIG / "content.csv")):
        result = cli(*args, "--db", db)
        assert result.exit_code == 0, result.stderr
    return db


def test_sql_csv_output_is_pipeable(cli: Cli, db: Path) -> None:
    result = cli("sql", "SELECT decision, count(*) AS n FROM decisions GROUP BY 1 ORDER BY 1", "--db", db, "-f", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sum(int(r["n"]) for r in rows) == 3000
    assert {"allowed", "blocked"} <= {r["decision"] for r in rows}
    assert result.stderr == ""


def test_export_formats(cli: Cli, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.parquet"
    result = cli("export", "--db", db, "--out", out, "--since", "2026-09-11")
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect()
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{out}'").fetchall()]
    for name in ("file", "line_no", "ts", "site", "method", "path", "query", "status", "app_key", "auth",
                 "endpoint_method", "endpoint_path", "api_version", "api_blocked", "space_key", "space_id",
                 "decision", "policy"):
        assert name in columns
    assert con.execute(f"SELECT min(ts) >= '2026-09-11' FROM '{out}'").fetchall()[0][0] is True
    jsonl = tmp_path / "d.jsonl"
    assert cli("export", "--db", db, "--out", jsonl).exit_code == 0
    first = json.loads(jsonl.read_text().splitlines()[0])
    assert first["line_no"] == 1
    lake = tmp_path / "lake"
    result = cli("export", "--db", db, "--out", lake)
    assert result.exit_code == 0, result.stderr
    assert "wrote a lake of 3,000 requests" in result.stderr
    days = sorted(p.name for p in (lake / "requests").iterdir())
    assert days[0].startswith("day=2026-09-") and len(days) >= 28
    total = con.execute(f"SELECT count(*) FROM read_parquet('{lake}/requests/**/*.parquet', hive_partitioning=true)")
    assert total.fetchall()[0][0] == 3000
    refused = cli("export", "--db", db, "--out", tmp_path / "parts", "--what", "requests")
    assert refused.exit_code == 2 and "a directory receives a lake" in refused.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("ingest", "/no/such/file.log"), 3, "no such file"),
        (("apps", "load", "/no/such/apps.yaml"), 3, "no such file"),
        (("sql", "SELEC nonsense"), 2, "SQL error"),
        (("export", "--out", "x.xlsx"), 2, "cannot tell the export format"),
        (("export", "-o", "/no/such/dir/x.parquet"), 2, "does not exist"),
        (("report", "blocked", "-o", "x.xlsx"), 2, "cannot tell what to write to 'x.xlsx'"),
        (("report", "blocked", "-o", "/no/such/dir/x.csv"), 3, "cannot write /no/such/dir/x.csv"),
        (("report", "apps", "-o", "/no/such/dir/x.html"), 3, "cannot write /no/such/dir/x.html"),
        (("files", "-o", "files.html"), 2, "cannot tell what to write to 'files.html'"),
        (("files", "-f", "parquet"), 2, "needs -o FILE.parquet"),
        (("report", "blocked", "--since", "2026-09-20", "--until", "2026-09-10"), 2, "is not before --until"),
        (("catalog", "lookup", "GET", "/nope"), 5, "not a catalogued Confluence endpoint"),
        (("ingest", "--field", "colour=x", "README.md"), 2, "unknown canonical field"),
    ],
)
def test_errors_are_one_line_with_exit_codes(cli: Cli, db: Path, args: tuple[str, ...], code: int,
                                             message: str) -> None:
    result = cli(*args, "--db", db) if args[0] != "catalog" else cli(*args)
    assert result.exit_code == code
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("appaccess: error:") and message in lines[0]
    assert "Traceback" not in result.stderr


def test_read_commands_refuse_missing_workspace(cli: Cli, tmp_path: Path) -> None:
    result = cli("files", "--db", tmp_path / "none.duckdb")
    assert result.exit_code == 4 and "no workspace at" in result.stderr


def test_debug_shows_traceback(cli: Cli, tmp_path: Path) -> None:
    result = cli("--debug", "apps", "load", tmp_path / "missing.yaml", "--db", tmp_path / "w.duckdb")
    assert result.exit_code == 3 and "Traceback" in result.stderr


def test_catalog_list_csv_columns(cli: Cli) -> None:
    result = cli("catalog", "list", "--format", "csv", "--not-blocked", "--version", "2")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["method", "path", "version", "group", "name", "blocked", "deprecated", "source"]
    assert rows and all(r["blocked"] == "false" and r["version"] == "2" for r in rows)


def test_simulate_outputs(cli: Cli, db: Path, tmp_path: Path) -> None:
    proposed = CONFIG / "proposed-rules.yaml"
    result = cli("simulate", proposed, "--db", db, "-f", "csv", "--rows", tmp_path / "rows.csv",
                 "-o", tmp_path / "changes.csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader((tmp_path / "changes.csv").open()))
    assert rows and {"app", "space", "change", "requests", "days_with_attempts", "last_attempt"} <= set(rows[0])
    assert "evaluated" in result.stderr and "newly blocked" in result.stderr
    per_request = list(csv.DictReader((tmp_path / "rows.csv").open()))
    assert {"file", "line_no", "baseline_decision", "proposed_decision", "change"} <= set(per_request[0])
    page = tmp_path / "whatif.html"
    assert cli("simulate", proposed, "--db", db, "-o", page).exit_code == 0
    assert '<section id="whatif">' in page.read_text() and "newly blocked" in page.read_text()


def test_simulate_old_spellings_still_work(cli: Cli, db: Path, tmp_path: Path) -> None:
    """--out (the per-request rows, now --rows) and --html (now -o FILE.html) are kept, unlisted."""
    proposed = CONFIG / "proposed-rules.yaml"
    result = cli("simulate", proposed, "--db", db, "-f", "csv", "--out", tmp_path / "rows.csv",
                 "--html", tmp_path / "whatif.html")
    assert result.exit_code == 0, result.stderr
    assert next(iter(csv.DictReader(io.StringIO(result.stdout))))["change"]
    assert "baseline_decision" in (tmp_path / "rows.csv").read_text().splitlines()[0]
    assert '<section id="whatif">' in (tmp_path / "whatif.html").read_text()
    help_text = cli("simulate", "--help").stdout
    assert "--rows" in help_text and "--out " not in help_text and "--html" not in help_text


def test_status_summarises_the_workspace(cli: Cli, db: Path) -> None:
    result = cli("status", "--db", db, "-f", "csv")
    assert result.exit_code == 0
    items = dict(row for row in csv.reader(io.StringIO(result.stdout)))
    assert items["requests"] == "3000" and items["apps"] == "4" and items["active policies"] == "1"
    decided = sum(int(v) for k, v in items.items() if k.startswith("decision: "))
    assert decided == 3000

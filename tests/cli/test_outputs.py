"""Outputs behave like the ecosystem's tools: -o FILE by extension, --version, completion,
readable 80-column tables, explicit empty cases. All through the real entry point."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.version import __version__
from tests.cli.conftest import CONFIG
from tests.conftest import Cli


def run(*args: object, columns: int = 200) -> tuple[int, str, str]:
    """The CLI with a terminal of ``columns`` columns (rich reads $COLUMNS)."""
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


# -- -o FILE: the format from the extension ----------------------------------------------

@pytest.mark.parametrize("command", [("report", "blocked"), ("report", "apps"), ("report", "anomalies"),
                                     ("files",), ("status",)])
def test_output_file_format_from_extension(sample_db: Path, tmp_path: Path, command: tuple[str, ...]) -> None:
    code, _, _ = run(*command, "--db", sample_db, "-f", "csv")
    expected = list(csv.DictReader(io.StringIO(run(*command, "--db", sample_db, "-f", "csv")[1])))
    assert code == 0 and expected
    for suffix in (".csv", ".json", ".jsonl", ".parquet", ".md", ".txt"):
        out = tmp_path / f"out{suffix}"
        code, stdout, stderr = run(*command, "--db", sample_db, "-o", out)
        assert code == 0, stderr
        assert stdout == "" and "wrote" in stderr and str(out) in stderr
        if suffix == ".csv":
            assert list(csv.DictReader(out.open())) == expected
        elif suffix in (".json", ".jsonl"):
            rows = [json.loads(line) for line in out.read_text().splitlines()]
            assert len(rows) == len(expected) and list(rows[0]) == list(expected[0])
        elif suffix == ".parquet":
            with duckdb.connect() as con:
                assert con.execute(f"SELECT count(*) FROM '{out}'").fetchall()[0][0] == len(expected)
        elif suffix == ".md":
            text = out.read_text()
            assert text.count("\n| ") >= len(expected) and "|---" in text
        else:  # .txt: the terminal table as text, nothing cut or left out
            text = out.read_text()
            assert "┏" not in text and "…" not in text and "not shown at" not in text


@pytest.mark.parametrize("command", [("report", "blocked"), ("report", "apps"), ("report", "anomalies")])
def test_reports_write_html_by_extension(sample_db: Path, tmp_path: Path, command: tuple[str, ...]) -> None:
    out = tmp_path / "r.html"
    code, _, stderr = run(*command, "--db", sample_db, "-o", out)
    assert code == 0, stderr
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    sections = set(re.findall(r'<section id="([a-z-]+)">', page))
    assert {"blocked": {"charts", "blocked", "apps", "anomalies"}, "apps": {"charts", "apps"},
            "anomalies": {"anomalies"}}[command[1]] == sections


def test_report_apps_html_is_the_apps_report(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "apps.html"
    code, _, stderr = run("report", "apps", "--db", sample_db, "-f", "html", "-o", out)
    assert code == 0, stderr
    page = out.read_text()
    assert "<h1>Confluence apps: dependency profiles</h1>" in page and 'id="table-apps"' in page
    assert 'id="blocked"' not in page


def test_unwritable_output_is_one_line(sample_db: Path, tmp_path: Path) -> None:
    for command in (("report", "blocked"), ("sql", "SELECT 1"), ("simulate", CONFIG / "proposed-rules.yaml")):
        code, _, stderr = run(*command, "--db", sample_db, "-o", tmp_path / "missing" / "x.csv")
        assert code == 3, stderr
        assert stderr.count("\n") == 1 and stderr.startswith("appaccess: error: cannot write")


def test_format_choices_are_those_the_command_supports(sample_db: Path) -> None:
    code, _, stderr = run("files", "--db", sample_db, "-f", "html")
    assert code == 2 and "html" in stderr
    _, help_files, _ = run("files", "--help")
    assert "[table|csv|json|parquet|markdown]" in help_files and "html" not in help_files.split("--format")[1]
    _, help_report, _ = run("report", "blocked", "--help")
    assert "[table|csv|json|parquet|markdown|html]" in help_report
    _, help_suggest, _ = run("suggest", "--help")
    assert "[table|csv|json|parquet|markdown|yaml]" in help_suggest


def test_enum_options_are_real_choices(sample_db: Path) -> None:
    code, _, stderr = run("simulate", CONFIG / "proposed-rules.yaml", "--db", sample_db, "--mode", "merge")
    assert code == 2 and "replace" in stderr and "add" in stderr
    code, _, stderr = run("export", "--db", sample_db, "-o", "x.parquet", "--what", "everything")
    assert code == 2 and "decisions" in stderr and "requests" in stderr
    assert "[replace|add]" in run("simulate", "--help")[1]
    assert "[decisions|requests]" in run("export", "--help")[1]


def test_old_out_spelling_is_kept(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "apps.csv"
    code, _, stderr = run("report", "apps", "--db", sample_db, "--out", out)
    assert code == 0, stderr
    assert next(csv.reader(out.open()))[0] == "app"
    assert "--out " not in run("report", "apps", "--help")[1]


# -- --version, completion --------------------------------------------------------------

def test_version() -> None:
    code, stdout, _ = run("--version")
    assert code == 0 and stdout == f"appaccess {__version__}\n"


def test_shell_completion_is_installable(monkeypatch: pytest.MonkeyPatch) -> None:
    _, help_text, _ = run("--help")
    assert "--install-completion" in help_text and "--show-completion" in help_text
    # --show-completion is for the shell it detects from the process tree: bash here, whatever runs the
    # tests (under `make`, /bin/sh would be found, which completion does not support)
    import typer.completion

    monkeypatch.setattr(typer.completion, "_get_shell_name", lambda: "bash")
    code, stdout, stderr = run("--show-completion")
    assert code == 0 and "_APPACCESS_COMPLETE" in stdout, stderr


# -- readable at 80 and 120 columns --------------------------------------------------------



def _assert_readable(text: str, width: int, numbers: list[int]) -> None:
    lines = text.splitlines()
    assert lines, "nothing printed"
    assert max(len(line) for line in lines) <= width
    for line in lines:
        for date in re.findall(r"\d{4}-\d[\d-]*", line):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date), f"a date is cut: {date!r} in {line!r}"
    words = set(re.findall(r"[\d,]+", text))
    missing = [n for n in numbers if f"{n:,}" not in words]
    assert not missing, f"numbers wrapped or cut: {missing[:5]}"


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize(("command", "column"), [
    (("report", "blocked", "-n", "1000"), "requests"), (("report", "apps"), "requests"),
    (("report", "anomalies"), "requests"), (("simulate", CONFIG / "proposed-rules.yaml"), "requests"),
    (("suggest", "--coverage", "spaces=HR,FIN"), "would_block"), (("status",), None), (("files",), None),
])
def test_every_report_is_readable_at_80_and_120_columns(sample_db: Path, width: int, command: tuple[object, ...],
                                                         column: str | None) -> None:
    code, stdout, stderr = run(*command, "--db", sample_db, columns=width)
    assert code == 0, stderr
    numbers: list[int] = []
    if column is not None:
        _, data, _ = run(*command, "--db", sample_db, "-f", "csv")
        numbers = [int(r[column]) for r in csv.DictReader(io.StringIO(data))]
    text = stdout.split("\n# Suggested by")[0]  # suggest prints the policy YAML after its table
    _assert_readable(text, width, numbers)


def test_narrow_tables_say_what_they_left_out(sample_db: Path) -> None:
    _, stdout, _ = run("report", "apps", "--db", sample_db, columns=80)
    assert "not shown at 80 columns:" in stdout
    _, wide, _ = run("report", "apps", "--db", sample_db, columns=200)
    assert "not shown at" not in wide and "v1 deprecated" in wide


def test_stderr_messages_are_not_wrapped(cli: Cli, tmp_path: Path) -> None:
    """A piped stderr is not 80 columns wide: messages stay one line each."""
    deep = tmp_path / ("a-rather-long-directory-name-" * 4)
    deep.mkdir()
    apps = deep / "apps.yaml"
    apps.write_text((CONFIG / "apps.yaml").read_text())
    code, _, stderr = run("apps", "load", apps, "--db", tmp_path / "w.duckdb", columns=80)
    assert code == 0
    assert stderr.count("\n") == 1 and str(apps) in stderr


# -- the empty case is explicit --------------------------------------------------------------

@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    db = tmp_path / "empty.duckdb"
    assert run("apps", "load", CONFIG / "apps.yaml", "--db", db)[0] == 0
    return db


@pytest.mark.parametrize("command", [("report", "blocked"), ("report", "apps"), ("report", "anomalies"),
                                     ("simulate", CONFIG / "proposed-rules.yaml"),
                                     ("suggest", "--coverage", "spaces=HR")])
def test_empty_workspace_says_so(empty_db: Path, tmp_path: Path, command: tuple[object, ...]) -> None:
    out = tmp_path / ("policy.yaml" if command[0] == "suggest" else "out.csv")
    code, stdout, stderr = run(*command, "--db", empty_db, "-o", out)
    assert code == 4
    assert stderr.startswith("appaccess: error: the workspace") and "holds no requests" in stderr
    assert stdout == "" and not out.exists()


def test_window_without_requests_says_so(sample_db: Path) -> None:
    code, _, stderr = run("report", "blocked", "--db", sample_db, "--since", "2030-01-01")
    assert code == 4 and "no stored request is in the window" in stderr and "2026-09-01" in stderr


def test_since_after_until_is_refused(sample_db: Path) -> None:
    for command in (("report", "apps"), ("simulate", CONFIG / "proposed-rules.yaml"), ("export", "-o", "x.csv")):
        code, _, stderr = run(*command, "--db", sample_db, "--since", "2026-09-20", "--until", "2026-09-01")
        assert code == 2 and "is not before --until" in stderr


# -- small things -----------------------------------------------------------------------------

def test_one_policy_is_singular(tmp_path: Path) -> None:
    rules = tmp_path / "one.yaml"
    rules.write_text("policies:\n  - name: One\n    coverage:\n      all_spaces: true\n"
                     "    app_access:\n      mode: block_all\n")
    code, _, stderr = run("rules", "load", rules, "--db", tmp_path / "w.duckdb")
    assert code == 0 and "loaded 1 policy from" in stderr


def test_confluence_requests_mean_the_same_in_status_and_html(sample_db: Path, tmp_path: Path) -> None:
    _, status, _ = run("status", "--db", sample_db, "-f", "csv")
    items = dict(csv.reader(io.StringIO(status)))
    out = tmp_path / "r.html"
    assert run("report", "blocked", "--db", sample_db, "-o", out)[0] == 0
    card = re.search(r"<dt>Confluence requests</dt><dd>([\d,]+)</dd>", out.read_text())
    assert card is not None and card.group(1).replace(",", "") == items["Confluence requests"]
    with duckdb.connect(str(sample_db), read_only=True) as con:
        not_confluence = con.execute("SELECT count(*) FROM requests WHERE NOT is_wiki").fetchall()[0][0]
    assert int(items["Confluence requests"]) == int(items["requests"]) - not_confluence


@pytest.mark.parametrize("decision", ["blocked", "exempt", "allowed", "not_eligible"])
def test_report_blocked_decision_filter(sample_db: Path, decision: str) -> None:
    code, stdout, stderr = run("report", "blocked", "--db", sample_db, "--decision", decision, "-f", "csv")
    assert code == 0, stderr
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert rows
    if decision == "exempt":
        assert all(r["exempt"] == "true" and r["decision"] == "allowed" for r in rows)
    else:
        assert all(r["decision"] == decision and r["exempt"] == "false" for r in rows)
    _, everything, _ = run("report", "blocked", "--db", sample_db, "-f", "csv")
    expected = sum(int(r["requests"]) for r in csv.DictReader(io.StringIO(everything))
                   if ("exempt" if r["exempt"] == "true" else r["decision"]) == decision)
    assert sum(int(r["requests"]) for r in rows) == expected

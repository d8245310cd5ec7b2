"""Hostile input and a hostile environment still end in one clean line and the documented exit code:
deeply nested JSON or YAML (3), Ctrl-C (130), a damaged workspace and a full disk (4), internal
queries asked of `query run` (2), an inventory CSV whose stray quote would swallow rows (3)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analyzer import Context
from analyzer.sql import list_queries, user_queries
from analyzer.workspace import Workspace
from tests.conftest import Cli

LOG = ('acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:{m:02d}:{s:02d} +0000] '
       '"GET /wiki/api/v2/pages/{n} HTTP/1.1" 200 5 "-" "BackupPro/2.1"\n')
DEPTH = 100_000


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("appaccess: error: ") and "internal error" not in lines[0], lines[0]
    assert "Traceback" not in stderr
    return lines[0]


def _log(path: Path, n: int) -> Path:
    path.write_text("".join(LOG.format(m=(i // 60) % 60, s=i % 60, n=i) for i in range(n)))
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A workspace holding a few requests."""
    path = tmp_path / "ws.duckdb"
    with Context(path) as ctx:
        ctx.ingest([_log(tmp_path / "a.log", 50)])
    return path


def _deep_files(tmp_path: Path) -> dict[str, Path]:
    deep = "[" * DEPTH + "]" * DEPTH
    files = {
        "yaml": ("rules.yaml", f"policies: {deep}\n"),
        "json": ("spaces.json", f'{{"results": {deep}}}'),
        "har": ("deep.har", f'{{"log": {{"version": "1.2", "entries": {deep}}}}}'),
        "jsonl": ("deep.jsonl", '{"ts": "2026-09-11T10:00:00Z", "method": "GET", "url": "/wiki/api/v2/pages/1", '
                                f'"status": 200, "x": {deep}}}\n'),
    }
    out = {}
    for key, (name, text) in files.items():
        out[key] = tmp_path / name
        out[key].write_text(text)
    return out


@pytest.mark.parametrize("command", [
    ["apps", "load", "{yaml}"], ["rules", "load", "{yaml}"], ["simulate", "{yaml}"], ["inventory", "load", "{json}"],
])
def test_deeply_nested_config_is_one_line(cli: Cli, db: Path, tmp_path: Path, command: list[str]) -> None:
    files = _deep_files(tmp_path)
    result = cli(*[c.format(**{k: str(v) for k, v in files.items()}) for c in command], "--db", db)
    assert result.exit_code == 3, result.stderr
    assert "nested too deeply" in _one_line(result.stderr)


def test_deeply_nested_logs_are_rejects_not_crashes(cli: Cli, db: Path, tmp_path: Path) -> None:
    files = _deep_files(tmp_path)
    result = cli("ingest", files["har"], "--db", db)  # the whole document is one reject with its reason
    assert result.exit_code == 3 and "internal error" not in result.stderr, result.stderr
    result = cli("ingest", "--input-format", "json", files["jsonl"], "--db", db)  # DuckDB reads it
    assert "internal error" not in result.stderr, result.stderr
    with Context(db, read_only=True) as ctx:
        reasons = [r[0] for r in ctx.ws.con.execute("SELECT reason FROM rejects").fetchall()]
    assert any("nested too deeply" in r for r in reasons), reasons


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _interrupt_when_busy(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``command``, send Ctrl-C (SIGINT) once it has done a second of work, return how it ended."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    try:
        while child.poll() is None and _cpu_seconds(child.pid) < 1.0:
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=120)
    finally:
        child.kill()
    return subprocess.CompletedProcess(command, child.returncode, stdout, stderr)


def test_ctrl_c_inside_a_database_query_exits_130(db: Path) -> None:
    # a query that runs for minutes: the signal lands while DuckDB works
    result = _interrupt_when_busy([sys.executable, "-m", "analyzer", "sql", "--db", str(db),
                                   "SELECT count(*) FROM range(100000) a, range(100000) b"])
    assert result.returncode == 130, result.stderr
    assert "interrupted" in _one_line(result.stderr)


def test_ctrl_c_while_reading_standard_input_exits_130(db: Path) -> None:
    reader, writer = os.pipe()  # a pipe that never ends: the ingest waits for more lines
    try:
        os.write(writer, LOG.format(m=1, s=1, n=9).encode())
        child = subprocess.Popen([sys.executable, "-m", "analyzer", "ingest", "-", "--db", str(db)], stdin=reader,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while not list(db.parent.glob(".appaccess-stdin-*")) and child.poll() is None:  # spooling: reading
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=120)
    finally:
        os.close(writer)
        os.close(reader)
    assert child.returncode == 130, stderr
    assert "interrupted" in _one_line(stderr)


def test_ctrl_c_reported_by_duckdb_as_runtime_error_exits_130(cli: Cli, db: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Query interrupted")  # what DuckDB raises when SIGINT arrives mid-statement

    monkeypatch.setattr(Context, "ingest", interrupted)
    result = cli("ingest", _log(tmp_path / "b.log", 3), "--db", db)
    assert result.exit_code == 130
    assert "interrupted" in _one_line(result.stderr)


def test_a_damaged_workspace_exits_4(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "ws.duckdb"
    with Context(db) as ctx:
        ctx.ingest([_log(tmp_path / "a.log", 20_000)])
    size = db.stat().st_size
    with db.open("r+b") as handle:  # overwrite data blocks (not the header) with garbage
        for offset in range(size // 4, size - 4096, max(4096, size // 16)):
            handle.seek(offset)
            handle.write(b"\xa5" * 4096)
    result = cli("report", "blocked", "--db", db)
    assert result.exit_code == 4, result.stderr
    assert "damaged" in _one_line(result.stderr)


def _small_disk() -> None:
    """In the child: files cannot grow past 2 MB, as on a full disk (EFBIG instead of a signal)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2 << 20, 2 << 20))


def test_a_full_disk_exits_4(tmp_path: Path) -> None:
    log = _log(tmp_path / "big.log", 60_000)
    result = subprocess.run([sys.executable, "-m", "analyzer", "ingest", "--quiet", str(log), "--db",
                             str(tmp_path / "ws.duckdb")], capture_output=True, text=True, preexec_fn=_small_disk,
                            timeout=300)
    assert result.returncode == 4, result.stderr
    assert "disk is full" in _one_line(result.stderr)


def test_query_run_offers_and_runs_only_user_facing_queries(cli: Cli, db: Path) -> None:
    listed = cli("query", "list", "-f", "csv").stdout.splitlines()[1:]
    names = [line.split(",", 1)[0] for line in listed]
    assert names == [q.name for q in user_queries()]
    assert {n.split("/")[0] for n in names} == {"reports", "export", "config"}
    for name in names:  # every query offered runs on a workspace as it is
        result = cli("query", "run", name, "-f", "csv", "--db", db)
        assert result.exit_code == 0, (name, result.stderr)
    internal = [q.name for q in list_queries() if q.name not in names and q.name != "macros"]
    assert {n.split("/")[0] for n in internal} >= {"ingest", "schema", "migrations", "simulate"}
    for name in internal:
        result = cli("query", "run", name, "--db", db)
        assert result.exit_code == 2, (name, result.stderr)
        assert "internal to appaccess" in _one_line(result.stderr)


SPACES = "space_id,space_key,name,site,classification\n"


@pytest.mark.parametrize(("body", "line", "message"), [
    ('1,HR,"Human Resources,acme.atlassian.net,internal\n2,FIN,Finance,acme.atlassian.net,internal\n'
     '3,DEV,Engineering,acme.atlassian.net,internal\n', 2, "never closed"),
    ('1,HR,Human Resources,acme.atlassian.net,internal\n\n2,FIN,"Fin\n3,DEV,Eng",acme.atlassian.net,internal\n',
     4, "runs over lines 4 to 5"),
    ('1,HR,Human Resources,acme.atlassian.net,internal\n2,FIN,"Fin"ance,acme.atlassian.net,internal\n', 3,
     "bad quoting"),
])
def test_inventory_csv_with_a_stray_quote_says_where(cli: Cli, db: Path, tmp_path: Path, body: str, line: int,
                                                      message: str) -> None:
    path = tmp_path / "spaces.csv"
    path.write_text(SPACES + body)
    result = cli("inventory", "load", path, "--db", db)
    assert result.exit_code == 3
    error = _one_line(result.stderr)
    assert f"spaces.csv:{line}:" in error and message in error, error
    with Workspace.open(db, read_only=True) as ws:  # nothing was loaded
        assert ws.con.execute("SELECT count(*) FROM spaces").fetchall() == [(0,)]

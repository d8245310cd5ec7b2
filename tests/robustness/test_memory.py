"""Memory stays under a fixed bound on pathological inputs (SECURITY.md, "Resource bounds").

Each file is generated on the fly and ingested (or loaded) by a separate `appaccess` process,
whose peak resident set size is read from the kernel when it exits (os.wait4), so nothing else
the test run does can blur the measure. Before the bounds, these inputs peaked at 2 to 6 GB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from analyzer.workspace import Workspace

#: The bound SECURITY.md states for any input, in MB of peak RSS.
BOUND_MB = 1024

LINE = ('acme.atlassian.net:443 10.20.0.11 - - [11/Sep/2026:10:00:00 +0000] '
        '"GET /wiki/api/v2/pages/1 HTTP/1.1" 200 512 "-" "BackupPro/2.1"\n')
ENTRY = json.dumps({"startedDateTime": "2026-09-30T10:00:00.000Z", "time": 5,
                    "request": {"method": "GET", "url": "https://acme.atlassian.net/wiki/api/v2/pages/1",
                                "headers": []},
                    "response": {"status": 200, "bodySize": 10}}).encode()
BOMB = "".join(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9 if prev else ['lol'] * 9)}]\n"
               for prev, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True))


def run_measured(*args: str | Path) -> tuple[int, int, str]:
    """Run `appaccess ARGS` in a new process: (exit code, peak RSS in MB, stderr)."""
    command = [sys.executable, "-m", "analyzer", *map(str, args)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    stderr = process.stderr.read().decode("utf-8", errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss // 1024, stderr  # ru_maxrss is in KB on Linux


def _file_counts(db: Path) -> tuple[int, int, int, int]:
    with Workspace.open(db, read_only=True) as ws:
        return ws.con.execute(
            "SELECT lines_read, rows_stored, rows_rejected, rows_skipped FROM files").fetchall()[0]


@pytest.mark.slow
def test_millions_of_tiny_rejected_lines(tmp_path: Path) -> None:
    path = tmp_path / "tiny.log"
    with path.open("w") as handle:
        handle.write(LINE * 60)
        handle.write("x\n" * 4_000_000)
    code, peak, stderr = run_measured("ingest", "-q", "--db", tmp_path / "ws.duckdb", path)
    assert code == 0, stderr
    assert peak < BOUND_MB
    assert _file_counts(tmp_path / "ws.duckdb") == (4_000_060, 60, 4_000_000, 0)


@pytest.mark.slow
def test_megabytes_of_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.log"
    with path.open("w") as handle:
        handle.write(LINE * 60)
        handle.write("\n" * 25_000_000)
    code, peak, stderr = run_measured("ingest", "-q", "--db", tmp_path / "ws.duckdb", path)
    assert code == 0, stderr
    assert peak < BOUND_MB
    assert _file_counts(tmp_path / "ws.duckdb") == (25_000_060, 60, 25_000_000, 0)


def _gzip_har(path: Path, middle: bytes, megabytes: int) -> None:
    """A .har.gz of a few MB whose document holds ``megabytes`` MB of ``middle`` between two entries."""
    with path.open("wb") as handle:
        packer = zlib.compressobj(1, zlib.DEFLATED, 31)
        handle.write(packer.compress(b'{"log": {"version": "1.2", "entries": [' + ENTRY + b","))
        block = middle * ((1 << 20) // len(middle))
        for _ in range(megabytes):
            handle.write(packer.compress(block))
        handle.write(packer.compress(ENTRY + b"]}}\n"))
        handle.write(packer.flush())


@pytest.mark.slow
def test_har_gz_with_gigabytes_of_whitespace_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "session.har.gz"
    _gzip_har(path, b" \n", 1200)
    assert path.stat().st_size < 10 << 20
    code, peak, stderr = run_measured("ingest", "-q", "--db", tmp_path / "ws.duckdb", path)
    assert code == 0, stderr
    assert peak < BOUND_MB
    assert _file_counts(tmp_path / "ws.duckdb") == (2, 2, 0, 0)


@pytest.mark.slow
def test_har_nested_a_hundred_thousand_levels_is_one_reject_within_bounds(tmp_path: Path) -> None:
    # 200 KB of brackets: ijson would give every level its prefix (a word per level above it),
    # 20 GB of text for one read, before any event reached the reader
    path = tmp_path / "deep.har"
    path.write_bytes(b'{"log": {"version": "1.2", "entries": [' + ENTRY + b", " + b"[" * 100_000
                     + b"]" * 100_000 + b"]}}")
    db = tmp_path / "ws.duckdb"
    code, peak, stderr = run_measured("ingest", "-q", "--db", db, path)
    assert code == 3, stderr  # refused at the read that nests too deeply: here, the whole file
    assert "entirely rejected" in stderr
    assert peak < BOUND_MB
    with Workspace.open(db, read_only=True) as ws:
        reasons = [r[0] for r in ws.con.execute("SELECT reason FROM rejects").fetchall()]
    assert len(reasons) == 1 and "nested too deeply" in reasons[0], reasons


@pytest.mark.slow
def test_har_gz_with_a_gigabyte_string_is_refused_within_bounds(tmp_path: Path) -> None:
    path = tmp_path / "body.har.gz"
    with path.open("wb") as handle:  # an entry whose response body is one 1.1 GB string
        packer = zlib.compressobj(1, zlib.DEFLATED, 31)
        handle.write(packer.compress(b'{"log": {"entries": [' + ENTRY + b', {"response": {"content": {"text": "'))
        block = b"A" * (1 << 20)
        for _ in range(1100):
            handle.write(packer.compress(block))
        handle.write(packer.compress(b'"}}}]}}'))
        handle.write(packer.flush())
    db = tmp_path / "ws.duckdb"
    code, peak, stderr = run_measured("ingest", "-q", "--db", db, path)
    assert code == 0, stderr  # the first entry was read
    assert peak < BOUND_MB
    assert _file_counts(db) == (2, 1, 1, 0)
    with Workspace.open(db, read_only=True) as ws:
        reason = ws.con.execute("SELECT reason FROM rejects").fetchall()[0][0]
    assert reason.startswith("not a HAR document: a JSON value longer than 64 MB")


@pytest.fixture
def locked_workspace(tmp_path: Path) -> object:
    """A workspace another process holds open for writing (the lock any loader must wait for)."""
    db = tmp_path / "ws.duckdb"
    Workspace.open(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from analyzer.workspace import Workspace; "
                               "ws = Workspace.open(sys.argv[1]); print('ready', flush=True); time.sleep(120)",
         str(db)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    yield db
    holder.kill()
    holder.wait()


@pytest.mark.parametrize("command", [["apps", "load"], ["rules", "load"], ["simulate"]])
def test_yaml_alias_bomb_is_refused_before_the_workspace_is_locked(locked_workspace: Path, tmp_path: Path,
                                                                    command: list[str]) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    assert len(BOMB) < 400
    code, peak, stderr = run_measured(*command, bomb, "--db", locked_workspace)
    assert code == 3, stderr  # the file's error, not "workspace locked" (4): parsed before the lock
    assert "YAML aliases are followed: refused" in stderr and "bomb.yaml:" in stderr
    assert peak < BOUND_MB

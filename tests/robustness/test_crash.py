"""Crash safety: SIGKILL an ingest at random moments; the workspace stays consistent and a
re-run finishes the job with no duplicate and no missing line."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analyzer.workspace import Workspace

LINE = ('acme.atlassian.net:443 10.20.0.{ip} - - [11/Sep/2026:10:{m:02d}:{s:02d} +0000] '
        '"GET /wiki/api/v2/pages/{n}/footer-comments HTTP/1.1" 200 {n} "-" "BackupPro/2.1"')


def _write_log(path: Path, start: int, count: int) -> None:
    with path.open("w") as handle:
        for i in range(start, start + count):
            handle.write(LINE.format(ip=i % 250, m=(i // 60) % 60, s=i % 60, n=i) + "\n")
            if i % 997 == 0:
                handle.write("a line that is not a log line\n")


def _consistent(db: Path) -> dict[str, int]:
    """Every recorded file is complete (its lines all present), nothing else is stored."""
    with Workspace.open(db) as ws:
        files = ws.con.execute("SELECT file_id, lines_read FROM files").fetchall()
        stored = dict(ws.con.execute("SELECT file_id, count(*) FROM requests GROUP BY 1").fetchall())
        rejected = dict(ws.con.execute("SELECT file_id, count(*) FROM rejects GROUP BY 1").fetchall())
        orphans = ws.con.execute(
            "SELECT count(*) FROM requests WHERE file_id NOT IN (SELECT file_id FROM files)").fetchall()[0][0]
        duplicates = ws.con.execute(
            "SELECT count(*) FROM (SELECT file_id, line_no FROM requests GROUP BY ALL HAVING count(*) > 1)"
        ).fetchall()[0][0]
        decided = ws.con.execute("SELECT count(*) FROM decisions").fetchall()[0][0]
        total = ws.con.execute("SELECT count(*) FROM requests").fetchall()[0][0]
    assert orphans == 0 and duplicates == 0
    for file_id, lines_read in files:
        assert stored.get(file_id, 0) + rejected.get(file_id, 0) == lines_read
    assert decided == total
    return {"files": len(files), "requests": total}


@pytest.mark.slow
def test_sigkill_during_ingest_then_rerun(tmp_path: Path) -> None:
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    _write_log(logs[0], 0, 120_000)
    _write_log(logs[1], 500_000, 80_000)
    db = tmp_path / "ws.duckdb"
    command = [sys.executable, "-m", "analyzer", "ingest", "--quiet", "--db", str(db), *map(str, logs)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    rng = random.Random(20261129)
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env)
    full = time.perf_counter() - started
    db.unlink()
    db.with_name(db.name + ".wal").unlink(missing_ok=True)
    kills = 0
    for _ in range(6):
        child = subprocess.Popen(command, env=env)
        time.sleep(rng.uniform(0.2, max(full, 0.5)))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait()
        if db.exists():
            _consistent(db)
    subprocess.run(command, check=True, env=env)
    counts = _consistent(db)
    assert counts == {"files": 2, "requests": 200_000}
    assert kills >= 1
    with Workspace.open(db) as ws:
        lines = ws.con.execute("SELECT sum(lines_read) FROM files").fetchall()[0][0]
        assert lines == 200_000 + len(range(0, 120_000, 997)) + len([i for i in range(500_000, 580_000)
                                                                      if i % 997 == 0])

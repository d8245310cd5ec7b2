"""The workspace file: locking between processes, schema versions and migrations, bad files."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import analyzer.workspace as workspace_module
from analyzer.errors import WorkspaceError, WorkspaceLockedError
from analyzer.workspace import Workspace

HOLD = textwrap.dedent("""
    import sys, time
    from analyzer.workspace import Workspace
    ws = Workspace.open(sys.argv[1], read_only=sys.argv[3] == "ro")
    print("ready", flush=True)
    time.sleep(float(sys.argv[2]))
    ws.close()
""")


def _hold(path: Path, seconds: float, mode: str = "rw") -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds), mode], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def test_second_writer_fails_clearly_or_waits(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    Workspace.open(path).close()
    child = _hold(path, 2.0)
    try:
        with pytest.raises(WorkspaceLockedError, match=r"in use by another process.*--wait"):
            Workspace.open(path)
        started = time.monotonic()
        with Workspace.open(path, wait=30) as ws:  # queues behind the holder
            assert time.monotonic() - started > 0.5
            assert ws.schema_version() == workspace_module.SCHEMA_VERSION
    finally:
        child.wait(timeout=30)


def test_readers_share_the_workspace(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    Workspace.open(path).close()
    child = _hold(path, 1.0, "ro")
    try:
        with Workspace.open(path, read_only=True) as ws:
            assert ws.con.execute("SELECT count(*) FROM requests").fetchall() == [(0,)]
    finally:
        child.wait(timeout=30)


def test_newer_workspace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with Workspace.open(path) as ws:
        ws.set_meta("schema_version", str(workspace_module.SCHEMA_VERSION + 1))
    with pytest.raises(WorkspaceError, match="newer than this appaccess"):
        Workspace.open(path)


def test_older_workspace_is_migrated_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.duckdb"
    with Workspace.open(path) as ws:
        ws.con.execute("INSERT INTO sites VALUES ('acme.atlassian.net', 'c1')")
    new_version = workspace_module.SCHEMA_VERSION + 1
    monkeypatch.setattr(workspace_module, "SCHEMA_VERSION", new_version)
    monkeypatch.setattr(workspace_module, "MIGRATIONS", {
        new_version: (lambda con: con.execute("ALTER TABLE sites ADD COLUMN region VARCHAR DEFAULT 'eu'"),)})
    with Workspace.open(path) as ws:
        assert ws.schema_version() == new_version
        assert ws.con.execute("SELECT site, region FROM sites").fetchall() == [("acme.atlassian.net", "eu")]


def test_failed_migration_leaves_the_old_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.duckdb"
    Workspace.open(path).close()
    old = workspace_module.SCHEMA_VERSION

    def broken(con: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(workspace_module, "SCHEMA_VERSION", old + 1)
    monkeypatch.setattr(workspace_module, "MIGRATIONS", {old + 1: (broken,)})
    with pytest.raises(RuntimeError):
        Workspace.open(path)
    monkeypatch.setattr(workspace_module, "SCHEMA_VERSION", old)
    with Workspace.open(path) as ws:
        assert ws.schema_version() == old


def test_not_a_workspace(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(WorkspaceError, match=r"not a usable appaccess workspace|cannot open workspace"):
        Workspace.open(junk)
    with pytest.raises(WorkspaceError, match="is a directory"):
        Workspace.open(tmp_path)
    with pytest.raises(WorkspaceError, match="no workspace at"):
        Workspace.open(tmp_path / "missing.duckdb", read_only=True)


def test_a_new_catalogue_reroutes_stored_requests(tmp_path: Path) -> None:
    from analyzer.ingest import ingest

    sample = Path(__file__).resolve().parents[1] / "sample_logs" / "nginx-vhost_combined.log"
    path = tmp_path / "w.duckdb"
    query = "SELECT endpoint_id, path_space_key, path_space_id, path_content_id FROM requests ORDER BY line_no"
    with Workspace.open(path) as ws:
        ingest(ws, [sample])
        routed = ws.con.execute(query).fetchall()
        ws.con.execute("UPDATE targets SET endpoint_id = NULL, path_space_key = NULL, path_content_id = NULL")
        ws.set_meta("catalog", "an older catalogue")
    with Workspace.open(path) as ws:  # the packaged catalogue differs: every request is routed again
        assert ws.con.execute(query).fetchall() == routed
        assert sum(1 for r in routed if r[0] is not None) > 2500

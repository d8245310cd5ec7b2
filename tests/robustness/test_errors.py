"""Every user mistake: one line on stderr naming the cause and the fix, a non-zero exit
code, no traceback (unless --debug)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analyzer.workspace import SCHEMA_VERSION, Workspace
from tests.conftest import Cli

LOG = ('acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2/pages/1 HTTP/1.1" 200 5 '
       '"-" "x"\n')


def _files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "log": (LOG, "a.log"),
        "unknown_log": ("hello\nworld\n", "b.log"),
        "bad_yaml": ("apps: [unclosed\n", "bad.yaml"),
        "dup_policy": (textwrap.dedent("""\
            policies:
              - name: P
                coverage: {all_spaces: true}
                app_access: {mode: block_all}
              - name: P
                coverage: {all_spaces: true}
                app_access: {mode: block_all}
            """), "dup.yaml"),
        "many_apps": ("policies:\n  - name: P\n    coverage: {all_spaces: true}\n    app_access:\n"
                      "      mode: allowlist\n      apps: [" + ", ".join(f"app{i}" for i in range(25)) + "]\n",
                      "many.yaml"),
        "bad_coverage": ("policies:\n  - name: P\n    coverage: {projects: [X]}\n    app_access: {mode: block_all}\n",
                         "cov.yaml"),
    }
    out = {}
    for key, (text, name) in files.items():
        out[key] = tmp_path / name
        out[key].write_text(text)
    return out


CASES = [
    ("missing file", ["ingest", "{tmp}/nope.log"], 3, "no such file"),
    ("unknown format name", ["ingest", "--format", "apache2", "{log}"], 3, "unknown format 'apache2'"),
    ("undetectable format", ["ingest", "{unknown_log}"], 3, "cannot detect the format"),
    ("bad YAML", ["apps", "load", "{bad_yaml}"], 3, "invalid YAML"),
    ("unknown --field", ["ingest", "--field", "colour=x", "{log}"], 2, "unknown canonical field"),
    ("malformed --field", ["ingest", "--field", "user_agent", "{log}"], 2, "is not CANONICAL=SOURCE"),
    ("duplicate policy names", ["rules", "load", "{dup_policy}"], 3, "duplicate policy name 'P'"),
    ("more than 20 apps", ["rules", "load", "{many_apps}"], 3, "Atlassian allows at most 20"),
    ("unknown coverage key", ["rules", "load", "{bad_coverage}"], 3, "unknown coverage key 'projects'"),
    ("bad --since", ["report", "blocked", "--since", "last tuesday"], 2, "is not a date or timestamp"),
    ("unknown query", ["query", "run", "reports/nope"], 2, "no query named 'reports/nope'"),
]


@pytest.mark.parametrize(("label", "args", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_user_mistakes(cli: Cli, tmp_path: Path, label: str, args: list[str], code: int, message: str) -> None:
    paths = _files(tmp_path)
    db = tmp_path / "ws.duckdb"
    Workspace.open(db).close()
    argv = [a.format(tmp=tmp_path, **{k: str(v) for k, v in paths.items()}) for a in args] + ["--db", str(db)]
    result = cli(*argv)
    assert result.exit_code == code, (label, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("appaccess: error: ") and message in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_locked_workspace_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "ws.duckdb"
    Workspace.open(db).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from analyzer.workspace import Workspace
        ws = Workspace.open({str(db)!r})
        print("ready", flush=True)
        time.sleep(20)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = subprocess.run([sys.executable, "-m", "analyzer", "rules", "list", "--db", str(db)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 4
        assert result.stderr.count("\n") == 1 and "in use by another process" in result.stderr
        assert "--wait" in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_newer_workspace_is_one_line(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "ws.duckdb"
    with Workspace.open(db) as ws:
        ws.set_meta("schema_version", str(SCHEMA_VERSION + 5))
    result = cli("files", "--db", db)
    assert result.exit_code == 4
    assert "newer than this appaccess" in result.stderr and "upgrade appaccess" in result.stderr

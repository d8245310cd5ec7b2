"""`appaccess ingest` on a real log directory and on standard input, through the real entry point.

Every nginx directory has an error.log; rotations leave empty and truncated
.gz files; people keep a README or an image next to their logs. Each is
skipped with one line, everything else is read, and the exit code says that
something was skipped.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]
NGINX = ROOT / "sample_logs" / "nginx-vhost_combined.log"
ERROR_LOG = (
    '2026/09/11 08:00:00 [error] 1234#0: *5 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file '
    'or directory), client: 10.0.0.1, server: _, request: "GET /favicon.ico HTTP/1.1", host: "acme"\n'
    "2026/09/11 08:00:01 [warn] 1234#0: *6 an upstream response is buffered to a temporary file\n")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _stored(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM requests").fetchall()[0][0]


@pytest.fixture
def logdir(tmp_path: Path) -> Path:
    """access.log (3,000 lines), one good rotation, and five things that are not logs to read."""
    root = tmp_path / "nginx"
    root.mkdir()
    lines = NGINX.read_bytes().splitlines(keepends=True)
    (root / "access.log").write_bytes(b"".join(lines[:2000]))
    (root / "access.log.1.gz").write_bytes(gzip.compress(b"".join(lines[2000:])))
    whole = gzip.compress(b"".join(lines))
    (root / "access.log.2.gz").write_bytes(whole[: len(whole) // 2])  # truncated by a full disk
    (root / "access.log.3.gz").write_bytes(gzip.compress(b""))  # rotated while empty
    (root / "error.log").write_text(ERROR_LOG)
    (root / "README").write_text("Proxy logs, rotated daily by logrotate.\nKeep 14 days.\n")
    (root / "zz-logo.png").write_bytes(PNG)  # sorted after the logs: must not stop them being read
    return root


def test_directory_skips_what_is_not_a_log_and_reads_the_rest(cli: Cli, logdir: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = cli("ingest", logdir, "--db", db)
    assert result.exit_code == 3, result.stderr
    lines = result.stderr.splitlines()
    skipped = [line for line in lines if line.strip().startswith("skipped")]
    assert len(skipped) == 5, result.stderr
    for name in ("error.log", "README", "zz-logo.png", "access.log.2.gz", "access.log.3.gz"):
        assert sum(name in line for line in skipped) == 1, (name, skipped)
    assert any("access.log.2.gz" in line and "damaged gzip" in line for line in skipped)
    assert any("access.log.3.gz" in line and "empty" in line for line in skipped)
    # the per-file summary of what was read, then one error line at the end
    # a long path puts the counts on a second line
    pairs = [f"{a} {b}" for a, b in zip(lines, [*lines[1:], ""], strict=True)]
    assert any(p.split()[:2] == ["new", str(logdir / "access.log")] and "2,000 stored" in p for p in pairs)
    assert any(p.split()[:2] == ["new", str(logdir / "access.log.1.gz")] and "1,000 stored" in p for p in pairs)
    assert lines[-1].startswith("appaccess: error: 5 files skipped; 2 other files ingested")
    assert "Traceback" not in result.stderr
    assert _stored(db) == 3000  # nothing of the truncated rotation was kept


def test_nothing_skipped_exits_zero(cli: Cli, logdir: Path, tmp_path: Path) -> None:
    for name in ("error.log", "README", "zz-logo.png", "access.log.2.gz", "access.log.3.gz"):
        (logdir / name).unlink()
    result = cli("ingest", logdir, "--db", tmp_path / "w.duckdb")
    assert result.exit_code == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if line.strip().startswith("skipped")]


def test_standard_input(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    text = NGINX.read_text()
    first = cli("ingest", "-", "--db", db, input=text)
    assert first.exit_code == 0, first.stderr
    assert "<stdin>" in first.stderr and "3,000 stored" in first.stderr
    assert _stored(db) == 3000
    again = cli("ingest", "-", "--db", db, input=text)  # recognised by content: nothing added
    assert again.exit_code == 0 and "unchanged  <stdin>" in again.stderr
    more = ('acme.atlassian.net:443 10.0.0.1 - - [30/Sep/2026:23:59:59 +0000] "GET /wiki/api/v2/pages/1 HTTP/1.1" '
            '200 5 "-" "curl/8.0"\n')
    grown = cli("ingest", "-", "--db", db, input=text + more)  # the same log, grown: only the new line
    assert grown.exit_code == 0 and "appended  <stdin>" in grown.stderr and "1 line," in grown.stderr
    assert _stored(db) == 3001
    assert not [p for p in tmp_path.iterdir() if "stdin" in p.name], "the spooled copy must be removed"


def test_compressed_standard_input(cli: Cli, tmp_path: Path) -> None:
    """`cat access.log.gz | appaccess ingest -`: the spooled copy is recognised by its magic bytes."""
    db = tmp_path / "w.duckdb"
    data = gzip.compress(NGINX.read_bytes())
    result = cli("ingest", "-", "--db", db, input=data)  # type: ignore[arg-type]
    assert result.exit_code == 0, result.stderr
    assert _stored(db) == 3000


def test_empty_standard_input_is_one_line(cli: Cli, tmp_path: Path) -> None:
    result = cli("ingest", "-", "--db", tmp_path / "w.duckdb", input="")
    assert result.exit_code == 3
    assert result.stderr == "appaccess: error: <stdin> is empty: nothing to ingest\n"


def test_a_file_entirely_rejected_warns_and_fails(cli: Cli, tmp_path: Path) -> None:
    """Wrong --input-format: every line rejected is loud, not a quiet `0 stored`."""
    result = cli("ingest", "--input-format", "alb", NGINX, "--db", tmp_path / "w.duckdb")
    assert result.exit_code == 3
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "all 3,000 rejected" in warning[0] and "--input-format" in warning[0]
    assert result.stderr.splitlines()[-1].startswith("appaccess: error: 1 file entirely rejected")


def test_old_format_spelling_still_names_the_input_format(cli: Cli, tmp_path: Path) -> None:
    result = cli("ingest", "--format", "vhost_combined", NGINX, "--db", tmp_path / "w.duckdb")
    assert result.exit_code == 0, result.stderr
    assert "[vhost_combined]" in result.stderr

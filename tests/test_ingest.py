"""Ingest: nothing lost, idempotent re-ingest, growth, rotation, in-place change, compression,
interruption."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from analyzer.errors import FormatError, InputFileError, UsageError
from analyzer.ingest import IngestOptions, ingest
from analyzer.workspace import Workspace

LINE = ('acme.atlassian.net:443 10.20.0.11 - - [11/Sep/2026:10:00:{s:02d} +0000] '
        '"GET /wiki/api/v2/pages/{n} HTTP/1.1" 200 512 "-" "BackupPro/2.1"')


def _lines(start: int, count: int) -> list[str]:
    return [LINE.format(s=i % 60, n=1000 + i) for i in range(start, start + count)]


def _write(path: Path, lines: list[str], end: str = "\n") -> Path:
    path.write_text("\n".join(lines) + end, encoding="utf-8")
    return path


def _count(ws: Workspace, table: str) -> int:
    return ws.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def test_hostile_lines_each_land_in_rejects(ws: Workspace, tmp_path: Path) -> None:
    good = _lines(0, 3)
    hostile = [
        'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/a\\"b HTTP/1.1" 200 5 '
        '"-" "UA with \\"quotes\\""',  # escaped quotes: parsed, kept
        "garbage that is not a log line",
        'acme.atlassian.net:443 10.0.0.1 - - [31/Foo/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "x"',
        'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /x HTTP/1.1" 2000 5 "-" "x"',
        'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "-" 400 0 "-" "-"',
        'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2/pa',
    ]
    path = tmp_path / "mixed.log"
    data = ("\n".join(good + hostile) + "\n").encode() + b"bad \xff\xfe bytes\nnul\x00byte\n\n" + \
        b"y" * (1 << 20 + 1) + b"\n"
    path.write_bytes(data)
    result = ingest(ws, [path], IngestOptions(format="vhost_combined"))
    f = result.files[0]
    assert f.lines_read == len(good) + len(hostile) + 4
    assert f.lines_read == f.stored + f.rejected
    assert f.stored == 4
    assert _count(ws, "requests") == f.stored and _count(ws, "rejects") == f.rejected
    reasons = dict(ws.con.execute("SELECT line_no, reason FROM rejects").fetchall())
    assert reasons[5].startswith("line does not match")
    assert reasons[6].startswith("bad timestamp")
    assert reasons[7].startswith("bad status")
    assert reasons[8].startswith("bad request line")
    assert reasons[9].startswith("line does not match")
    assert reasons[10].startswith("invalid UTF-8")
    assert reasons[11] == "NUL byte in line"
    assert reasons[12] == "empty line"
    assert reasons[13].startswith("line longer than")
    quoted = ws.con.execute("SELECT path, user_agent FROM requests WHERE line_no = 4").fetchall()[0]
    assert quoted == ('/wiki/a"b', 'UA with "quotes"')


def test_reingest_adds_nothing_and_growth_adds_only_new_lines(ws: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "access.log", _lines(0, 50))
    first = ingest(ws, [path]).files[0]
    assert (first.action, first.stored) == ("new", 50)
    again = ingest(ws, [path]).files[0]
    assert (again.action, again.stored) == ("unchanged", 0)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(_lines(50, 20)) + "\n")
    grown = ingest(ws, [path]).files[0]
    assert (grown.action, grown.stored, grown.lines_read) == ("appended", 20, 20)
    assert _count(ws, "requests") == 70
    numbers = [r[0] for r in ws.con.execute("SELECT line_no FROM requests ORDER BY 1").fetchall()]
    assert numbers == list(range(1, 71))


def test_unterminated_last_line_is_completed_later(ws: Workspace, tmp_path: Path) -> None:
    lines = _lines(0, 5)
    path = tmp_path / "tail.log"
    cut = lines[4][:40]
    path.write_text("\n".join(lines[:4]) + "\n" + cut, encoding="utf-8")
    first = ingest(ws, [path]).files[0]
    assert first.lines_read == 5 and first.rejected == 1  # the cut line is rejected for now
    with path.open("a", encoding="utf-8") as handle:
        handle.write(lines[4][40:] + "\n" + lines[0] + "\n")
    ingest(ws, [path])
    assert _count(ws, "requests") == 6
    assert _count(ws, "rejects") == 0
    rows = ws.con.execute("SELECT line_no, path FROM requests ORDER BY line_no").fetchall()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[4][1] == "/wiki/api/v2/pages/1004"


def test_rotated_file_is_recognised_by_content(ws: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "access.log", _lines(0, 30))
    ingest(ws, [path])
    rotated = path.rename(tmp_path / "access.log.1")
    _write(tmp_path / "access.log", _lines(100, 10))
    result = ingest(ws, [tmp_path])
    actions = {Path(f.path).name: f.action for f in result.files}
    assert actions == {"access.log.1": "renamed", "access.log": "new"}
    assert _count(ws, "requests") == 40
    assert rotated.exists()


def test_changed_in_place_is_refused_unless_replace(ws: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "access.log", _lines(0, 10))
    ingest(ws, [path])
    _write(path, _lines(0, 1) + _lines(500, 3))  # the same first line, then other lines: edited, not rotated
    (skipped,) = ingest(ws, [path]).skipped_files  # refused: skipped with the reason, the rest is read
    assert skipped.path == str(path.resolve()) and "changed in place" in skipped.reason and "--replace" in skipped.hint
    assert _count(ws, "requests") == 10
    replaced = ingest(ws, [path], IngestOptions(replace=True)).files[0]
    assert replaced.action == "replaced"
    assert _count(ws, "requests") == 4


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_compressed_inputs(ws: Workspace, tmp_path: Path, compression: str) -> None:
    data = ("\n".join(_lines(0, 25)) + "\n").encode()
    path = tmp_path / f"access.log.{compression}"
    path.write_bytes(gzip.compress(data) if compression == "gzip" else zstandard.compress(data))
    f = ingest(ws, [path]).files[0]
    assert f.stored == 25 and f.format == "vhost_combined"
    assert ingest(ws, [path]).files[0].action == "unchanged"


def test_interrupted_file_leaves_no_trace(ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import analyzer.ingest.core as ingest_module

    path = _write(tmp_path / "big.log", _lines(0, 3000))
    calls = {"n": 0}
    real = {name: getattr(ingest_module, name) for name in ("store_chunk", "store_fast_chunk")}

    def flaky(name: str) -> Callable[..., None]:
        def store(*args: object, **kwargs: object) -> None:
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt
            real[name](*args, **kwargs)
        return store

    for name in real:
        monkeypatch.setattr(ingest_module, name, flaky(name))
    with pytest.raises(KeyboardInterrupt):
        ingest(ws, [path], IngestOptions(batch_bytes=64 * 1024))
    assert _count(ws, "requests") == 0 and _count(ws, "files") == 0
    for name, function in real.items():
        monkeypatch.setattr(ingest_module, name, function)
    f = ingest(ws, [path], IngestOptions(batch_bytes=64 * 1024)).files[0]
    assert f.stored == 3000 and _count(ws, "requests") == 3000


def test_unknown_format_and_field_errors(ws: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "x.log", ["hello world", "not a log"])
    result = ingest(ws, [path])
    assert result.files == () and "cannot detect the format" in result.skipped_files[0].reason
    with pytest.raises(FormatError, match="unknown format"):
        ingest(ws, [path], IngestOptions(format="nope"))
    with pytest.raises(UsageError, match="unknown canonical field"):
        IngestOptions(fields={"colour": "x"})
    with pytest.raises(InputFileError, match="no such file"):
        ingest(ws, [tmp_path / "missing.log"])


def test_routing_is_stored(ws: Workspace, tmp_path: Path) -> None:
    lines = [
        'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] '
        '"GET /wiki/rest/api/space/%7Eabc/content?expand=body HTTP/1.1" 200 5 "-" "x"',
        'api.atlassian.com:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] '
        '"GET /ex/confluence/cid-1/wiki/rest/api/content/search?cql=space%3DHR HTTP/1.1" 200 5 "-" "x"',
        'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /status HTTP/1.1" 200 5 "-" "x"',
    ]
    ingest(ws, [_write(tmp_path / "r.log", lines)])
    rows = ws.con.execute(
        "SELECT r.line_no, e.path, r.path_space_key, r.cloud_id, r.query_space_keys, r.is_wiki "
        "FROM requests r LEFT JOIN endpoints e ON e.id = r.endpoint_id ORDER BY line_no").fetchall()
    assert rows[0][1:3] == ("/wiki/rest/api/space/{spaceKey}/content", "~abc")
    assert rows[1][1] == "/wiki/rest/api/content/search" and rows[1][3] == "cid-1" and rows[1][4] == ["HR"]
    assert rows[2][1] is None and rows[2][5] is False


def test_incremental_decisions_equal_a_full_recompute(ws: Workspace, tmp_path: Path) -> None:
    from analyzer.apps import load_apps_file, store_apps
    from analyzer.rules import load_rules_file, store_policies

    (tmp_path / "apps.yaml").write_text("apps:\n  - key: backup\n    match: {user_agent: '^BackupPro/'}\n")
    (tmp_path / "rules.yaml").write_text(
        "policies:\n  - name: all\n    coverage: {all_spaces: true}\n    app_access: {mode: block_all}\n")
    store_apps(ws, load_apps_file(tmp_path / "apps.yaml"))
    store_policies(ws, load_rules_file(tmp_path / "rules.yaml").policies)
    first = _write(tmp_path / "one.log", _lines(0, 40))
    ingest(ws, [first])
    with first.open("a") as handle:
        handle.write("\n".join(_lines(40, 10)) + "\n")
    ingest(ws, [first, _write(tmp_path / "two.log", _lines(900, 25))])
    cached = ws.con.execute("SELECT * FROM decisions ORDER BY file_id, line_no").fetchall()
    ws.con.execute("INSERT INTO policies SELECT 'fresh', * EXCLUDE (policy_set) FROM policies")
    fresh = ws.con.execute("SELECT * FROM decided_requests('fresh') ORDER BY file_id, line_no").fetchall()
    assert len(cached) == 75 and cached == fresh
    assert {row[-4] for row in cached} == {"blocked"}  # decision column: every page read is blocked

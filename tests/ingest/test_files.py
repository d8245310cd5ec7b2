"""File identity (analyzer/ingest/files.py, SECURITY.md "File identity"): every way a log pipeline
moves, copies, rotates and rewrites files is read exactly once, without flags."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
import zstandard

from analyzer import Context
from analyzer.errors import NotFoundError
from analyzer.ingest import IngestOptions, ingest
from analyzer.workspace import Workspace

LINE = ('acme.atlassian.net:443 10.20.0.11 - - [11/Sep/2026:10:{m:02d}:{s:02d} +0000] '
        '"GET /wiki/api/v2/pages/{n} HTTP/1.1" 200 512 "-" "BackupPro/2.1"')


def _lines(start: int, count: int) -> str:
    return "".join(LINE.format(m=(i // 60) % 60, s=i % 60, n=1000 + i) + "\n" for i in range(start, start + count))


def _stored(ws: Workspace) -> list[int]:
    """Page numbers of every stored request: each line once, so no duplicates are allowed."""
    return sorted(int(r[0].rsplit("/", 1)[1]) for r in ws.con.execute("SELECT path FROM requests").fetchall())


def _actions(result: object) -> dict[str, str]:
    return {Path(f.path).name: f.action for f in result.files}  # type: ignore[attr-defined]


def _files(ws: Workspace) -> dict[str, tuple[object, ...]]:
    rows = ws.con.execute("SELECT path, compression, lines_read, rows_stored, rows_rejected, rows_skipped "
                          "FROM files").fetchall()
    return {Path(r[0]).name: r[1:] for r in rows}


def test_small_file_appended_while_it_is_read_is_not_refused_later(ws: Workspace, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import analyzer.ingest.core as core

    path = tmp_path / "access.log"
    path.write_text(_lines(0, 5))
    real_read_head = core.read_head

    def head_then_a_writer_appends(*args: object, **kwargs: object) -> bytes:
        head = real_read_head(*args, **kwargs)  # type: ignore[arg-type]
        with path.open("a") as handle:  # the log's writer appends between the head and the load
            handle.write(_lines(5, 3))
        return head

    monkeypatch.setattr(core, "read_head", head_then_a_writer_appends)
    assert ingest(ws, [path]).files[0].stored == 8
    monkeypatch.undo()
    assert _actions(ingest(ws, [path])) == {"access.log": "unchanged"}
    with path.open("a") as handle:
        handle.write(_lines(8, 2))
    again = ingest(ws, [path])
    assert (again.files[0].action, again.files[0].stored, again.skipped_files) == ("appended", 2, ())
    assert _stored(ws) == list(range(1000, 1010))


def test_copies_are_never_read_twice_even_after_the_original_grows(ws: Workspace, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    original = logs / "access.log"
    original.write_text(_lines(0, 20))
    ingest(ws, [logs])
    shutil.copy(original, logs / "access.log.bak")
    (logs / "access.log.gz").write_bytes(gzip.compress(original.read_bytes()))  # gzip -k
    first = ingest(ws, [logs])
    assert _actions(first) == {"access.log": "unchanged", "access.log.bak": "copy", "access.log.gz": "copy"}
    assert {f.note for f in first.files if f.action == "copy"} == {f"a copy of {original.resolve()}: not read again"}
    with original.open("a") as handle:
        handle.write(_lines(20, 10))
    grown = ingest(ws, [logs])
    assert _actions(grown) == {"access.log": "appended", "access.log.bak": "copy", "access.log.gz": "copy"}
    assert _stored(ws) == list(range(1000, 1030))
    counts = _files(ws)
    assert counts["access.log"] == ("none", 30, 30, 0, 0)
    assert counts["access.log.bak"] == ("none", 20, 0, 0, 20)  # its lines are counted as skipped: read elsewhere
    assert counts["access.log.gz"] == ("gzip", 20, 0, 0, 20)


def test_a_copy_made_later_of_the_grown_original_is_a_copy(ws: Workspace, tmp_path: Path) -> None:
    original = tmp_path / "access.log"
    original.write_text(_lines(0, 10))
    ingest(ws, [original])
    with original.open("a") as handle:
        handle.write(_lines(10, 5))
    shutil.copy(original, tmp_path / "backup.log")  # copied before the growth was read
    result = ingest(ws, [tmp_path / "backup.log", original])
    assert _actions(result) == {"backup.log": "copy", "access.log": "appended"}
    assert _stored(ws) == list(range(1000, 1015))


def test_a_copy_that_goes_on_differently_is_read_after_the_shared_lines(ws: Workspace, tmp_path: Path) -> None:
    original = tmp_path / "a.log"
    original.write_text(_lines(0, 10))
    ingest(ws, [original])
    fork = tmp_path / "b.log"
    fork.write_text(_lines(0, 10) + _lines(100, 4))
    result = ingest(ws, [fork]).files[0]
    assert (result.action, result.lines_read, result.stored) == ("new", 4, 4)
    assert result.note is not None and "first 10 lines are a copy of" in result.note
    assert _stored(ws) == [*range(1000, 1010), *range(1100, 1104)]
    assert _files(ws)["b.log"] == ("none", 14, 4, 0, 10)
    assert _actions(ingest(ws, [tmp_path])) == {"a.log": "unchanged", "b.log": "unchanged"}


def test_logrotate_copytruncate_is_a_rotation_without_flags(ws: Workspace, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    live = logs / "access.log"
    live.write_text(_lines(0, 10))
    ingest(ws, [logs])
    with live.open("a") as handle:  # written after the last ingest, before the rotation
        handle.write(_lines(10, 2))
    shutil.copy(live, logs / "access.log.1")  # copytruncate: copy, then truncate in place
    with live.open("r+") as handle:
        handle.truncate(0)
    live.write_text(_lines(200, 3))
    result = ingest(ws, [logs])
    assert result.skipped_files == ()
    assert _actions(result) == {"access.log": "new", "access.log.1": "appended"}
    assert _stored(ws) == [*range(1000, 1012), *range(1200, 1203)]
    with live.open("a") as handle:  # and it grows on
        handle.write(_lines(203, 2))
    assert _actions(ingest(ws, [logs])) == {"access.log": "appended", "access.log.1": "unchanged"}
    # the next rotation, regrown past the old size before anything is read: still a rotation
    shutil.copy(live, logs / "access.log.1")
    live.write_text(_lines(300, 40))
    result = ingest(ws, [logs])
    assert (result.skipped_files, _actions(result)) == ((), {"access.log": "new", "access.log.1": "renamed"})
    assert _stored(ws) == [*range(1000, 1012), *range(1200, 1205), *range(1300, 1340)]


def test_a_refused_file_does_not_stop_the_directory(ws: Workspace, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.log").write_text(_lines(0, 5))
    ingest(ws, [logs])
    (logs / "a.log").write_text(_lines(0, 1) + _lines(50, 4))  # edited in place: same first line
    (logs / "b.log").write_text(_lines(100, 3))
    result = ingest(ws, [logs])
    assert [Path(s.path).name for s in result.skipped_files] == ["a.log"]
    assert "changed in place" in result.skipped_files[0].reason
    assert "files forget" in (result.skipped_files[0].hint or "")
    assert _actions(result) == {"b.log": "new"}


def test_renamed_gz_gets_its_compression(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "access.log.1"
    path.write_text(_lines(0, 10))
    ingest(ws, [path])
    packed = tmp_path / "access.log.1.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    path.unlink()  # logrotate's compress
    assert _actions(ingest(ws, [packed])) == {"access.log.1.gz": "renamed"}
    assert _files(ws)["access.log.1.gz"][0] == "gzip"


@pytest.mark.parametrize("compression", ["gzip", "zstd", "xz", "bzip2"])
def test_truncated_compressed_files_are_refused(ws: Workspace, tmp_path: Path, compression: str) -> None:
    import bz2
    import lzma

    data = _lines(0, 3000).encode()
    packed = {"gzip": gzip.compress, "zstd": zstandard.compress, "xz": lzma.compress, "bzip2": bz2.compress}[
        compression](data)
    path = tmp_path / f"access.log.{compression}"
    path.write_bytes(packed[: len(packed) // 2])
    result = ingest(ws, [path])
    assert result.files == ()
    (skipped,) = result.skipped_files
    assert f"damaged {compression} data" in skipped.reason
    assert ws.con.execute("SELECT count(*) FROM requests").fetchall()[0][0] == 0


def test_zstd_files_of_several_frames_are_read_whole(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "access.log.zst"
    path.write_bytes(zstandard.compress(_lines(0, 4).encode()) + zstandard.compress(_lines(4, 3).encode()))
    assert ingest(ws, [path]).files[0].stored == 7


def test_an_empty_file_never_captures_the_next_one(ws: Workspace, tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_text("")
    result = ingest(ws, [empty], IngestOptions(format="squid"))
    assert result.files == () and "is empty" in result.skipped_files[0].reason
    path = tmp_path / "access.log"
    path.write_text(_lines(0, 6))
    after = ingest(ws, [path]).files[0]
    assert (after.action, after.format, after.stored) == ("new", "vhost_combined", 6)


def test_replace_reads_an_unchanged_file_again_with_another_format(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text(_lines(0, 8))
    wrong = ingest(ws, [path], IngestOptions(format="squid")).files[0]
    assert (wrong.stored, wrong.rejected) == (0, 8)
    assert ingest(ws, [path], IngestOptions(format="vhost_combined")).files[0].action == "unchanged"
    fixed = ingest(ws, [path], IngestOptions(format="vhost_combined", replace=True)).files[0]
    assert (fixed.action, fixed.format, fixed.stored, fixed.rejected) == ("replaced", "vhost_combined", 8, 0)
    assert ws.con.execute("SELECT count(*) FROM rejects").fetchall()[0][0] == 0
    assert _stored(ws) == list(range(1000, 1008))


def test_files_forget_drops_a_file_so_it_is_read_as_new(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text(_lines(0, 4))
    with Context(tmp_path / "ws.duckdb") as ctx:
        ctx.ingest([path])
        shutil.copy(path, tmp_path / "copy.log")
        ctx.ingest([tmp_path / "copy.log"])
        dropped = ctx.forget_file(path)
        assert [(Path(p).name, stored, rejected) for p, stored, rejected in dropped] == [
            ("access.log", 4, 0), ("copy.log", 0, 0)]
        assert ctx.ws.con.execute("SELECT count(*) FROM files").fetchall()[0][0] == 0
        assert ctx.ws.con.execute("SELECT count(*) FROM requests").fetchall()[0][0] == 0
        assert ctx.ingest([path]).files[0].action == "new"
        with pytest.raises(NotFoundError, match="no ingested file is recorded at"):
            ctx.forget_file(tmp_path / "never.log")


def test_files_forget_command(cli: object, tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text(_lines(0, 3))
    db = tmp_path / "ws.duckdb"
    assert cli("ingest", path, "--db", db, "-q").exit_code == 0  # type: ignore[operator]
    done = cli("files", "forget", path, "--db", db)  # type: ignore[operator]
    assert done.exit_code == 0, done.stderr
    assert "forgot" in done.stderr and "3 stored" in done.stderr
    missing = cli("files", "forget", path, "--db", db)  # type: ignore[operator]
    assert missing.exit_code == 5 and "no ingested file is recorded at" in missing.stderr
    listed = cli("files", "--db", db, "-f", "csv")  # type: ignore[operator]
    assert listed.exit_code == 0 and listed.stdout.strip().splitlines()[0].startswith("file_id,path")

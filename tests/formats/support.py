"""Helpers shared by the per-format tests: ingest a sample, look rows up, hunt for secrets, fuzz."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from analyzer.ingest import FileResult, IngestOptions, ingest, ingest_file
from analyzer.workspace import Workspace

SAMPLES = Path(__file__).resolve().parents[2] / "sample_logs"
GATEWAY_CLOUD_ID = "7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11"

#: Credential material present in the samples (JWTs, basic-auth and cookie values, API tokens);
#: none of it may reach the workspace in any column, in `extra` or in a reject's raw text.
SECRETS = ("eyJ", "ATATT3x", "b3BzLWJvdEBhY21l", "c00k13", "s3ss10n", "5up3r53cr3t", "tok_5up3r",
           "session.token", "SessionId")


def ingest_one(ws: Workspace, path: Path, **options: Any) -> FileResult:
    """One file through ingest(); a file ingest() skips raises its error (nothing of it was kept)."""
    opts = IngestOptions(**options)
    ingested = ingest(ws, [path], opts)
    if ingested.skipped_files:
        ingest_file(ws, path, opts)  # raises the error the skip reported
    result = ingested.files[0]
    assert result.lines_read == result.stored + result.rejected + result.skipped
    return result


def reasons(ws: Workspace, file_id: int | None = None) -> dict[int, str]:
    where = "" if file_id is None else f"WHERE file_id = {int(file_id)}"
    return dict(ws.con.execute(f"SELECT line_no, reason FROM rejects {where} ORDER BY line_no").fetchall())


def row(ws: Workspace, line_no: int, file_id: int | None = None) -> dict[str, Any]:
    """One stored request as a dict (the first file unless file_id is given)."""
    cursor = ws.con.execute(
        "SELECT * FROM requests WHERE line_no = ? AND file_id = coalesce(?, (SELECT min(file_id) FROM files))",
        [line_no, file_id])
    names = [d[0] for d in cursor.description]
    found = cursor.fetchall()
    assert found, f"line {line_no} was not stored"
    return dict(zip(names, found[0], strict=True))


def assert_no_secrets(ws: Workspace) -> None:
    texts = [str(r) for r in ws.con.execute("SELECT * FROM requests").fetchall()]
    texts += [r[0] or "" for r in ws.con.execute("SELECT raw FROM rejects").fetchall()]
    texts += [r[0] for r in ws.con.execute("SELECT extra FROM requests WHERE extra IS NOT NULL").fetchall()]
    leaks = sorted({s for s in SECRETS for t in texts if s in t})
    assert not leaks, f"credential material stored: {leaks}"


def assert_gateway_routed(ws: Workspace) -> None:
    """Some call went through the OAuth/Forge gateway and was routed to a catalogued endpoint."""
    n = ws.con.execute(
        "SELECT count(*) FROM requests WHERE host = 'api.atlassian.com' AND cloud_id = ? AND is_wiki "
        "AND endpoint_id IS NOT NULL AND starts_with(path, '/wiki/')", [GATEWAY_CLOUD_ID]).fetchall()[0][0]
    assert n > 0


# -- fuzzing ---------------------------------------------------------------------------------

_counter = itertools.count()


@dataclass
class Fuzzer:
    """Ingests generated files into one workspace, emptied between examples (content hashes
    would otherwise make a repeated example an 'unchanged' file)."""

    ws: Workspace
    folder: Path

    def check(self, data: bytes, fmt: str, suffix: str = ".log") -> FileResult:
        for table in ("files", "facts", "rejects"):
            self.ws.con.execute(f"DELETE FROM {table}")
        path = self.folder / f"fuzz-{next(_counter)}{suffix}"
        path.write_bytes(data)
        done = ingest(self.ws, [path], IngestOptions(format=fmt))
        if not data:  # an empty file is skipped, never recorded, whatever the format
            assert done.files == () and "is empty" in done.skipped_files[0].reason
            return FileResult(str(path), None, fmt, "skipped", 0, 0, 0, 0, 0, 0.0)
        result = done.files[0]
        expected = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        if fmt != "har":
            assert result.lines_read == expected
        assert result.lines_read == result.stored + result.rejected + result.skipped
        numbers = [r[0] for r in self.ws.con.execute(
            "SELECT line_no FROM requests UNION ALL SELECT line_no FROM rejects").fetchall()]
        assert len(numbers) == len(set(numbers)) == result.stored + result.rejected
        return result


#: Characters that break parsers: quotes, escapes, separators, brackets, high Unicode.
NASTY = st.sampled_from(['"', "\\", " ", ",", "{", "}", "[", "]", ":", "-", "#", "'", "\t", "%", "+", "é", "\u2028"])


@st.composite
def mutated(draw: st.DrawFn, lines: list[str]) -> str:
    """A valid line with a few characters deleted, duplicated, replaced or inserted."""
    line = draw(st.sampled_from(lines))
    for _ in range(draw(st.integers(1, 4))):
        if not line:
            break
        i = draw(st.integers(0, len(line) - 1))
        op = draw(st.sampled_from(("delete", "cut", "duplicate", "insert", "replace")))
        if op == "delete":
            line = line[:i] + line[i + draw(st.integers(1, 8)):]
        elif op == "cut":
            line = line[:i]
        elif op == "duplicate":
            line = line[:i] + line[i] * draw(st.integers(2, 4)) + line[i + 1:]
        elif op == "insert":
            line = line[:i] + draw(NASTY) + line[i:]
        else:
            line = line[:i] + draw(st.one_of(NASTY, st.characters(codec="utf-8", exclude_characters="\n\r"))) \
                + line[i + 1:]
    return line


def text_lines(max_lines: int = 8) -> st.SearchStrategy[list[str]]:
    """Arbitrary text lines (no line breaks inside)."""
    return st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=80),
                    min_size=1, max_size=max_lines)

"""W3C extended logs (IIS): the sample, #Fields changing mid-file, resuming a grown file, fuzzing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import UsageError
from analyzer.workspace import Workspace
from tests.formats.support import (
    SAMPLES,
    Fuzzer,
    assert_gateway_routed,
    assert_no_secrets,
    ingest_one,
    mutated,
    reasons,
    row,
    text_lines,
)

SAMPLE = SAMPLES / "iis-w3c.log"
HEADER = ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
          "#Date: 2026-09-30 00:00:00",
          "#Fields: date time cs-method cs-uri-stem cs-uri-query c-ip cs(User-Agent) sc-status sc-bytes time-taken"]
LINE = "2026-09-30 10:00:{s:02d} GET /wiki/api/v2/pages/{n} - 10.20.0.11 BackupPro/2.1 200 512 12"


def test_sample(ws: Workspace) -> None:
    f = ingest_one(ws, SAMPLE)
    # 4 + 4 directive lines and a #Remark are skipped: neither requests nor rejects
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("w3c", 318, 303, 6, 9)
    first = row(ws, 5)
    assert first["ts"] == dt.datetime(2026, 9, 1, 1, 47, 36)
    assert (first["method"], first["host"], first["path"], first["query"], first["status"], first["bytes"],
            first["duration_ms"], first["client_ip"]) == (
        "GET", "acme.atlassian.net", "/wiki/api/v2/pages/98315003/classification-level", None, 200, 70465, 115.0,
        "10.20.0.11")
    assert first["user_agent"] == "BackupPro/2.1 ( https://backup.example)"  # IIS writes '+' for a space
    assert json.loads(first["extra"]) == {"s-ip": "10.0.0.5", "s-port": "443", "cs(Referer)": "-",
                                          "sc-substatus": "0", "sc-win32-status": "0", "cs-bytes": "168"}
    # after the second #Fields: other columns, a cookie column, X-Forwarded-For
    after = row(ws, 309)
    assert (after["path"], after["query"], after["client_ip"], after["bytes"], after["duration_ms"]) == (
        "/wiki/rest/api/space", "limit=5", "10.20.0.11", 1024, 15.0)
    assert after["extra"] is None  # the cookie column is never kept
    assert row(ws, 310)["client_ip"] == "203.0.113.7"  # c-ip empty: X-Forwarded-For
    quoted = row(ws, 311)
    assert (quoted["user_agent"], quoted["duration_ms"]) == ('Mozilla/5.0 "quoted" agent', 250.0)  # 0.25 s
    assert reasons(ws) == {
        313: "7 fields, #Fields declares 14",
        314: "bad timestamp: 2026-09-31 23:10:04",
        315: "bad status: 2xx",
        316: "4 fields, #Fields declares 14",
        317: "invalid UTF-8 at byte 31",
        318: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


def test_fields_change_mid_file_and_on_resume(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "u_ex260930.log"
    lines = HEADER + [LINE.format(s=i, n=100 + i) for i in range(3)]
    lines += ["#Fields: time c-ip cs-method cs-uri-stem sc-status"]  # no date column: #Date gives it
    lines += [f"11:00:0{i} 10.30.5.9 DELETE /wiki/rest/api/content/{i} 204" for i in range(2)]
    path.write_text("\n".join(lines) + "\n")
    first = ingest_one(ws, path)
    assert (first.stored, first.rejected, first.skipped) == (5, 0, 5)
    assert (row(ws, 10)["method"], row(ws, 10)["ts"], row(ws, 10)["client_ip"]) == (
        "DELETE", dt.datetime(2026, 9, 30, 11, 0, 1), "10.30.5.9")
    # the file grows: new lines follow the layout in force at its end, not the first #Fields
    with path.open("a") as handle:
        handle.write("11:00:05 10.30.5.9 PUT /wiki/rest/api/content/7 200\n")
    grown = ingest_one(ws, path)
    assert (grown.action, grown.stored, grown.rejected) == ("appended", 1, 0)
    assert (row(ws, 11)["method"], row(ws, 11)["ts"]) == ("PUT", dt.datetime(2026, 9, 30, 11, 0, 5))


def test_field_override(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "custom-fields.log"
    path.write_text("\n".join([
        "#Version: 1.0",
        "#Fields: date time cs-method cs-uri-stem c-ip x-app-id sc-status",
        "2026-09-30 10:00:00 GET /wiki/rest/api/space 10.0.0.1 com.acme.backup 200",
    ]) + "\n")
    ingest_one(ws, path, fields={"app_key": "X-App-Id"})
    assert row(ws, 3)["app_key"] == "com.acme.backup"
    other = tmp_path / "other.log"
    other.write_text(path.read_text().replace("10:00:00", "10:00:01"))
    with pytest.raises(UsageError, match="has no field 'x-nope'"):
        ingest_one(ws, other, format="w3c", fields={"app_key": "x-nope"})


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("w3c-fuzz"))


VALID = SAMPLE.read_text(encoding="utf-8", errors="replace").splitlines()[:20]


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(mutated(VALID), min_size=1, max_size=6))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check(("\n".join(VALID[:4] + lines) + "\n").encode(), "w3c")


@settings(max_examples=30, deadline=None)
@given(lines=text_lines())
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check("\n".join(lines).encode(), "w3c")

"""CSV with a header: the sample, quoting, header-only and empty files, --field, resuming, fuzzing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import FormatError, UsageError
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

SAMPLE = SAMPLES / "proxy-export.csv"
HEADER = "time;src;verb;uri;code;size;agent;oauthClientId;route"


def test_sample(ws: Workspace) -> None:
    f = ingest_one(ws, SAMPLE)
    # the header, and the same header repeated further down, are skipped
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("csv", 311, 302, 7, 2)
    first = row(ws, 2)
    assert first["ts"] == dt.datetime(2026, 9, 1, 1, 33, 23, 15000)  # no offset: UTC
    assert (first["method"], first["host"], first["cloud_id"], first["path"], first["status"], first["bytes"],
            first["duration_ms"], first["client_ip"], first["user_agent"]) == (
        "GET", "api.atlassian.com", "7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11", "/wiki/api/v2/spaces/98312/labels", 201,
        52929, 168.268, "198.51.100.7", "Forge/1.0 node-fetch")
    assert row(ws, 3)["client_id"] == "Rb7xQ2oauthClient"
    assert row(ws, 302)["user_agent"] == 'Mozilla/5.0 (X11; Linux x86_64), "quoted" agent'
    assert row(ws, 304)["ts"] == dt.datetime(2026, 9, 30, 23, 59, 50)  # epoch seconds
    assert reasons(ws) == {
        305: "unterminated quoted field (a field holding a line break is not supported)",
        306: "unterminated quoted field (a field holding a line break is not supported)",
        307: "6 columns, the header has 10",
        308: "bad timestamp: 2026-09-31 23:50:03.000",
        309: "bad status: 20x",
        310: "invalid UTF-8 at byte 73",
        311: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


def test_semicolons_field_mapping_and_extra(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("\n".join([
        HEADER,
        '2026-09-30T10:00:00+02:00;203.0.113.40;GET;"https://api.atlassian.com/ex/confluence/c1/wiki/api/v2/pages/1";'
        "200;12;ReportBot/1.4;Rb7xQ2oauthClient;egress-2",
    ]) + "\n")
    f = ingest_one(ws, path, fields={"client_id": "oauthClientId", "method": "verb"})
    assert (f.format, f.stored, f.skipped) == ("csv", 1, 1)
    stored = row(ws, 2)
    assert (stored["ts"], stored["method"], stored["client_id"], stored["cloud_id"], stored["client_ip"],
            stored["status"], stored["bytes"], stored["user_agent"]) == (
        dt.datetime(2026, 9, 30, 8, 0), "GET", "Rb7xQ2oauthClient", "c1", "203.0.113.40", 200, 12, "ReportBot/1.4")
    assert json.loads(stored["extra"]) == {"route": "egress-2"}
    other = tmp_path / "other.csv"
    other.write_text(HEADER + "\n")
    with pytest.raises(UsageError, match="the CSV header has no column 'nope'"):
        ingest_one(ws, other, format="csv", fields={"client_id": "nope"})


def test_header_only_and_empty_files(ws: Workspace, tmp_path: Path) -> None:
    header_only = tmp_path / "header.csv"
    header_only.write_text("timestamp,client_ip,method,url,status\n")
    f = ingest_one(ws, header_only)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("csv", 1, 0, 0, 1)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(FormatError, match="is empty"):
        ingest_one(ws, empty)
    with pytest.raises(FormatError, match="is empty"):  # a format given changes nothing: an empty file is
        ingest_one(ws, empty, format="csv")  # never recorded (it would capture the next file read)


def test_grown_file_keeps_its_header_and_field_mapping(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "grow.csv"
    line = "2026-09-30 10:00:0{i},10.0.0.1,GET,https://acme.atlassian.net/wiki/api/v2/pages/{i},200,1,app{i}\n"
    # a byte-order mark before the header is no part of the first column's name
    path.write_text("\ufefftimestamp,client_ip,method,url,status,bytes,tool\n" + line.format(i=1), encoding="utf-8")
    first = ingest_one(ws, path, fields={"app_key": "tool"})
    assert (first.stored, first.skipped, row(ws, 2)["app_key"]) == (1, 1, "app1")
    with path.open("a") as handle:
        handle.write(line.format(i=2) + line.format(i=3))
    grown = ingest_one(ws, path)  # no --field now: the recorded mapping is kept
    assert (grown.action, grown.lines_read, grown.stored, grown.skipped) == ("appended", 2, 2, 0)
    assert (row(ws, 4)["path"], row(ws, 4)["app_key"]) == ("/wiki/api/v2/pages/3", "app3")


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("csv-fuzz"))


VALID = SAMPLE.read_text(encoding="utf-8", errors="replace").splitlines()[1:20]
CSV_HEADER = SAMPLE.read_text(encoding="utf-8", errors="replace").splitlines()[0]


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(mutated(VALID), min_size=1, max_size=6))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check(("\n".join([CSV_HEADER, *lines]) + "\n").encode(), "csv")


@settings(max_examples=30, deadline=None)
@given(lines=text_lines())
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check("\n".join(lines).encode(), "csv")

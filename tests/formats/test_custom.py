"""Custom layouts (--log-format): GoAccess-style and regex, their errors, resuming, fuzzing, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import UsageError
from analyzer.ingest import IngestOptions, ingest
from analyzer.workspace import Workspace
from tests.conftest import Cli
from tests.formats.support import Fuzzer, ingest_one, mutated, reasons, row, text_lines

GOACCESS = '%h %v [%x] "%r" %s %b %T "%R" "%u"'
LINES = [
    '10.20.0.11 acme.atlassian.net:443 [11/Sep/2026:12:00:00 +0200] "GET /wiki/api/v2/pages/42?limit=5 HTTP/1.1" '
    '200 512 0.042 "-" "BackupPro/2.1"',
    '203.0.113.40 api.atlassian.com [11/Sep/2026:10:00:01 +0000] "GET /ex/confluence/c1/wiki/rest/api/space '
    'HTTP/2.0" 403 - 0.003 "https://example.com/" "ReportBot/1.4"',
    '10.20.0.11 acme.atlassian.net [11/Sep/2026:10:00:02 +0000] "GET /wiki/x HTTP/1.1" 2x0 512 0.1 "-" "x"',
    '10.20.0.11 acme.atlassian.net [31/Sep/2026:10:00:03 +0000] "GET /wiki/x HTTP/1.1" 200 512 0.1 "-" "x"',
    "a line of another layout",
]
REGEX = (r"regex:^(?P<ts>\S+) (?P<client_ip>\S+) (?P<method>[A-Z]+) (?P<url>\S+) (?P<status>\d{3}) "
         r"(?P<duration_ms>[\d.]+) app=(?P<app_key>\S+) trace=(?P<trace_id>\S+)$")


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_goaccess_layout(ws: Workspace, tmp_path: Path) -> None:
    f = ingest_one(ws, _write(tmp_path / "custom.log", LINES), log_format=GOACCESS)
    assert (f.format, f.lines_read, f.stored, f.rejected) == ("custom", 5, 2, 3)
    first = row(ws, 1)
    assert (first["ts"], first["method"], first["host"], first["path"], first["query"], first["status"],
            first["bytes"], first["duration_ms"], first["client_ip"], first["user_agent"]) == (
        dt.datetime(2026, 9, 11, 10, 0), "GET", "acme.atlassian.net", "/wiki/api/v2/pages/42", "limit=5", 200, 512,
        42.0, "10.20.0.11", "BackupPro/2.1")
    assert json.loads(first["extra"]) == {"referer": "-"}  # %R has no canonical column
    gateway = row(ws, 2)
    assert (gateway["cloud_id"], gateway["bytes"], gateway["endpoint_id"] is not None) == ("c1", 0, True)
    assert reasons(ws) == {3: "bad status: 2x0", 4: "bad timestamp: 31/Sep/2026:10:00:03 +0000",
                           5: "line does not match the custom --log-format layout"}


def test_goaccess_date_and_time_fields(ws: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "split.log", ["2026-09-11 10:00:00.250|GET|/wiki/rest/api/space|200|1500"])
    f = ingest_one(ws, path, log_format="%d %t|%m|%U|%s|%D")
    assert f.stored == 1
    stored = row(ws, 1)
    assert (stored["ts"], stored["duration_ms"]) == (dt.datetime(2026, 9, 11, 10, 0, 0, 250000), 1.5)


def test_regex_layout_keeps_other_groups_in_extra(ws: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "regex.log", [
        "2026-09-11T10:00:00Z 10.20.0.11 GET https://acme.atlassian.net/wiki/api/v2/spaces 200 12.5 "
        "app=com.acme.backup trace=abc123",
        "2026-09-11T10:00:00Z 10.20.0.11 GET",
    ])
    f = ingest_one(ws, path, log_format=REGEX)
    assert (f.stored, f.rejected) == (1, 1)
    stored = row(ws, 1)
    assert (stored["host"], stored["path"], stored["app_key"], stored["duration_ms"], json.loads(stored["extra"])) == (
        "acme.atlassian.net", "/wiki/api/v2/spaces", "com.acme.backup", 12.5, {"trace_id": "abc123"})


@pytest.mark.parametrize(("layout", "message"), [
    ("%h %z", "unsupported specifier %z at position 4"),
    ("%h%s", "%h is followed directly by %s"),
    ('%h "%r" %s', "lacks a timestamp"),
    ("%h [%x] %U %s", "lacks a method"),
    ("%x %r %r", "%r appears twice"),
    ("regex:(?P<ts>x", "regex does not compile: missing \\)"),
    ("regex:(?P<ts>\\S+) (?P<request>.*)(?=x)", "not usable by DuckDB \\(RE2\\)"),
    ("just words", "neither a GoAccess-style layout"),
    ("", "--log-format is empty"),
])
def test_bad_layouts_are_named(layout: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        IngestOptions(log_format=layout)


def test_layout_excludes_other_formats() -> None:
    with pytest.raises(UsageError, match="exclude each other"):
        IngestOptions(format="squid", log_format=GOACCESS)
    with pytest.raises(UsageError, match="--format custom needs --log-format"):
        IngestOptions(format="custom")


def test_grown_file_keeps_its_layout(ws: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "grow.log", LINES[:1])
    ingest_one(ws, path, log_format=GOACCESS)
    with path.open("a") as handle:
        handle.write(LINES[1] + "\n")
    grown = ingest(ws, [path]).files[0]  # no --log-format: the recorded one is used
    assert (grown.action, grown.format, grown.stored) == ("appended", "custom", 1)


def test_cli_ingest_with_a_layout_and_the_formats_list(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path / "cli.log", LINES[:2])
    db = tmp_path / "cli.duckdb"
    result = cli("ingest", str(path), "--db", str(db), "--log-format", GOACCESS)
    assert result.exit_code == 0, result.stderr
    assert "[custom]" in result.stderr and "2 stored" in result.stderr
    bad = cli("ingest", str(path), "--db", str(db), "--log-format", "%h %z")
    assert bad.exit_code == 2 and "unsupported specifier %z" in bad.stderr
    listing = cli("formats", "--format", "csv")
    assert listing.exit_code == 0
    for name in ("squid", "alb", "envoy", "cloudflare", "json", "w3c", "csv", "har", "custom"):
        assert f"\n{name}," in listing.stdout


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("custom-fuzz"))


class _CustomFuzzer:
    """Fuzzer.check with a layout instead of a format name."""

    def __init__(self, fuzzer: Fuzzer, layout: str) -> None:
        self.fuzzer, self.layout = fuzzer, layout

    def check(self, data: bytes) -> None:
        for table in ("files", "facts", "rejects"):
            self.fuzzer.ws.con.execute(f"DELETE FROM {table}")
        path = self.fuzzer.folder / f"custom-{abs(hash(data))}.log"
        path.write_bytes(data)
        f = ingest(self.fuzzer.ws, [path], IngestOptions(log_format=self.layout)).files[0]
        assert f.lines_read == f.stored + f.rejected == data.count(b"\n")


@settings(max_examples=30, deadline=None)
@given(lines=st.lists(mutated(LINES[:2]), min_size=1, max_size=5), layout=st.sampled_from([GOACCESS, REGEX]))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, lines: list[str], layout: str) -> None:
    _CustomFuzzer(fuzzer, layout).check(("\n".join(lines) + "\n").encode())


@settings(max_examples=20, deadline=None)
@given(lines=text_lines(), layout=st.sampled_from([GOACCESS, REGEX]))
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str], layout: str) -> None:
    _CustomFuzzer(fuzzer, layout).check(("\n".join(lines) + "\n").encode())

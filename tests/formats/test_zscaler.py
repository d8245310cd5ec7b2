"""Zscaler NSS web feeds: the default CSV output and the JSON feed (samples, the feed's time zone,
the long key names of some SIEM guides), and fuzzing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.synth import generate_requests
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

TEXT = SAMPLES / "zscaler-nss-web.log"
JSONL = SAMPLES / "zscaler-nss-web.jsonl"


def test_default_feed_sample(ws: Workspace) -> None:
    f = ingest_one(ws, TEXT)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("zscaler", 311, 304, 7, 0)
    first = row(ws, 1)
    drawn = next(generate_requests(300, 32))  # the sample: 300 requests of seed 32
    assert first["ts"] == drawn.ts.replace(microsecond=0)  # the feed's default zone: GMT
    assert (first["method"], first["host"], first["status"], first["bytes"], first["duration_ms"],
            first["client_ip"], first["user_agent"], first["remote_user"]) == (
        drawn.method, drawn.scheme_host.split("://")[1], drawn.status, drawn.bytes,
        float(max(1, round(drawn.duration_ms))), drawn.client_ip, drawn.user_agent,
        drawn.remote_user or "dc-fra-gre")  # without authentication the location is the login
    extra = json.loads(first["extra"])
    assert (extra["urlcat"], extra["location"], extra["appname"]) == ("Professional Services", "DC Frankfurt",
                                                                      "Confluence")
    assert not {"time", "eurl", "reqmethod", "respcode", "cip", "ua", "login"} & set(extra)
    connect = row(ws, 301)
    assert (connect["method"], connect["host"], connect["path"], connect["is_wiki"]) == (
        "CONNECT", "acme.atlassian.net", "/", False)
    blocked = row(ws, 302)  # Zscaler's own block page
    assert (blocked["status"], json.loads(blocked["extra"])["rulelabel"]) == (403, "Block Confluence Exports")
    assert (row(ws, 303)["status"], row(ws, 303)["bytes"]) == (None, 0)  # respcode NA: no response
    jwt = row(ws, 304)
    assert (jwt["jwt_iss"], jwt["query"], jwt["user_agent"]) == (
        "backup-pro-connect", "cql=title~%22Q3%22&jwt=REDACTED", "BackupPro/2.1 (+https://backup.example)")
    assert reasons(ws) == {
        305: "not an HTTP request: FTP record without a request method",
        306: "35 fields, the NSS web feed's default output has 34",
        307: "bad timestamp: Thu Sep 31 23:59:07 2026",
        308: "bad status: 2OO",
        309: "line does not match the zscaler layout",
        310: "invalid UTF-8 at byte 74",
        311: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


def test_feed_time_zone(ws: Workspace) -> None:
    ingest_one(ws, TEXT, timezone="America/New_York")  # a feed set to New York time: EDT, UTC-4
    drawn = next(generate_requests(300, 32))
    assert row(ws, 1)["ts"] == drawn.ts.replace(microsecond=0) + dt.timedelta(hours=4)


def test_tab_separated_output(ws: Workspace, tmp_path: Path) -> None:
    line = VALID_TEXT[0]
    path = tmp_path / "nss-tsv.log"
    path.write_text(line[1:-1].replace('","', "\t") + "\n")
    f = ingest_one(ws, path)
    assert (f.format, f.stored) == ("zscaler", 1)
    drawn = next(generate_requests(300, 32))
    assert (row(ws, 1)["user_agent"], row(ws, 1)["status"]) == (drawn.user_agent, drawn.status)


def test_json_feed_sample(ws: Workspace) -> None:
    f = ingest_one(ws, JSONL)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("zscaler_json", 311, 303, 8, 0)
    first = row(ws, 1)
    drawn = next(generate_requests(300, 33))
    assert (first["ts"], first["method"], first["status"], first["bytes"], first["client_ip"],
            first["user_agent"]) == (drawn.ts.replace(microsecond=0), drawn.method, drawn.status, drawn.bytes,
                                     drawn.client_ip, drawn.user_agent)  # eua is URL-decoded
    assert json.loads(first["extra"])["cintip"] == "203.0.113.5"
    assert (row(ws, 301)["method"], row(ws, 301)["is_wiki"]) == ("CONNECT", False)
    assert row(ws, 302)["user_agent"] == 'Mozilla/5.0 "quoted" agent'
    assert (row(ws, 303)["path"], row(ws, 303)["query"]) == ("/wiki/rest/api/content", 'title="Q3 plan"')
    assert reasons(ws) == {
        304: "not a JSON object",
        305: "missing timestamp (time)",
        306: "bad timestamp: yesterday",
        307: "not an HTTP request: FTP record without a request method",
        308: "bad status: 2OO",
        309: "not a JSON object",
        310: "invalid UTF-8 at byte 801",
        311: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


LONG_NAMES = {"datetime": "2026-09-30 10:00:00", "protocol": "HTTPS", "requestmethod": "GET",
              "url": "acme.atlassian.net/wiki/api/v2/pages/98311004", "status": "200", "responsesize": "512",
              "ClientIP": "10.20.0.11", "user": "svc-backup@acme.com", "useragent": "BackupPro/2.1",
              "urlcategory": "Professional Services", "product": "NSS", "vendor": "Zscaler", "appid": "x1"}


def test_json_feed_with_long_key_names(ws: Workspace, tmp_path: Path) -> None:
    """The layout of some SIEM guides: ISO datetime, long names (generic JSON would match too)."""
    path = tmp_path / "nss.jsonl"
    path.write_text(json.dumps({"sourcetype": "zscalernss-web", "event": LONG_NAMES}) + "\n")
    f = ingest_one(ws, path, fields={"app_key": "event.appid"})
    assert f.format == "zscaler_json"
    stored = row(ws, 1)
    assert (stored["ts"], stored["method"], stored["host"], stored["path"], stored["status"], stored["bytes"],
            stored["client_ip"], stored["remote_user"], stored["user_agent"], stored["app_key"]) == (
        dt.datetime(2026, 9, 30, 10), "GET", "acme.atlassian.net", "/wiki/api/v2/pages/98311004", 200, 512,
        "10.20.0.11", "svc-backup@acme.com", "BackupPro/2.1", "x1")


def test_json_feed_times_in_the_feed_zone(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "nss.jsonl"
    times = ("2026-09-30 10:00:00", "2026-09-30T10:00:00+02:00", "2026-09-30T10:00:00Z", "1790762400")
    path.write_text("".join(json.dumps({"sourcetype": "zscalernss-web", "event": {**LONG_NAMES, "datetime": t}})
                            + "\n" for t in times))
    ingest_one(ws, path, timezone="Asia/Tokyo")  # UTC+9: only the time without an offset is read in it
    assert [row(ws, n)["ts"] for n in (1, 2, 3, 4)] == [
        dt.datetime(2026, 9, 30, 1), dt.datetime(2026, 9, 30, 8), dt.datetime(2026, 9, 30, 10),
        dt.datetime(2026, 9, 30, 10)]


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("zscaler-fuzz"))


VALID_TEXT = TEXT.read_text(encoding="utf-8", errors="replace").splitlines()[:20]
VALID_JSON = JSONL.read_text(encoding="utf-8", errors="replace").splitlines()[:20]


@settings(max_examples=30, deadline=None)
@given(lines=st.lists(mutated(VALID_TEXT), min_size=1, max_size=6))
def test_mutated_text_lines_are_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check(("\n".join(lines) + "\n").encode(), "zscaler")


@settings(max_examples=30, deadline=None)
@given(lines=st.lists(mutated(VALID_JSON), min_size=1, max_size=6))
def test_mutated_json_lines_are_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check(("\n".join(lines) + "\n").encode(), "zscaler_json")


@settings(max_examples=30, deadline=None)
@given(lines=text_lines())
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check("\n".join(lines).encode(), "zscaler")
    fuzzer.check("\n".join(lines).encode(), "zscaler_json")

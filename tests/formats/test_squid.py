"""Squid native access.log: the sample, hostile lines, and fuzzing."""

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

SAMPLE = SAMPLES / "squid-access.log"


def test_sample(ws: Workspace) -> None:
    f = ingest_one(ws, SAMPLE)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("squid", 309, 303, 6, 0)
    first = row(ws, 1)
    assert first["ts"] == dt.datetime(2026, 9, 1, 0, 23, 45, 164000)  # 1788222225.164, UTC
    assert (first["method"], first["host"], first["cloud_id"], first["path"]) == (
        "GET", "api.atlassian.com", "7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11", "/wiki/api/v2/space-roles/98314031")
    assert (first["status"], first["bytes"], first["duration_ms"], first["client_ip"]) == (200, 66322, 477.0,
                                                                                           "198.51.100.7")
    assert first["extra"] == ('{"cache_result":"TCP_MISS","hierarchy":"HIER_DIRECT/104.192.142.18",'
                              '"content_type":"application/json"}')
    connect = row(ws, 301)  # a CONNECT tunnel: kept, marked as not Confluence REST
    assert (connect["method"], connect["host"], connect["is_wiki"], connect["endpoint_id"]) == (
        "CONNECT", "acme.atlassian.net", False, None)
    assert row(ws, 302)["status"] is None  # TCP_MISS_ABORTED/000: no reply
    quoted = row(ws, 303)
    assert quoted["query"] == 'cql=title~%22Q3%5C%22plan%22&title="Q3"'
    assert quoted["remote_user"] == "ops-bot@acme.com"  # URL-decoded proxy user
    assert reasons(ws) == {
        304: "line does not match the squid layout",
        305: "line does not match the squid layout",
        306: "bad timestamp: 17908x2705.000",
        307: "bad status: TCP_MISS/2OO",
        308: "invalid UTF-8 at byte 87",
        309: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    folder = tmp_path_factory.mktemp("squid-fuzz")
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, folder)


VALID = SAMPLE.read_text(encoding="utf-8", errors="replace").splitlines()[:20]


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(mutated(VALID), min_size=1, max_size=6))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check(("\n".join(lines) + "\n").encode(), "squid")


@settings(max_examples=30, deadline=None)
@given(lines=text_lines())
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check("\n".join(lines).encode(), "squid")


def test_url_with_spaces_takes_the_slow_split(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "padded.log"
    path.write_text("1790812700.000  250 10.30.5.9  TCP_MISS/200 12 GET https://acme.atlassian.net/wiki/rest/api/space"
                    " -  HIER_DIRECT/1.2.3.4 text/html;  charset=utf-8\n")
    f = ingest_one(ws, path, format="squid")
    assert f.stored == 1
    assert row(ws, 1)["extra"].endswith('"content_type":"text/html; charset=utf-8"}')


def test_squidmime_sample(ws: Workspace) -> None:
    """logformat squidmime: request and reply headers after the type; IPv6 and named clients."""
    f = ingest_one(ws, SAMPLES / "squid-mime.log")
    assert (f.format, f.lines_read, f.stored, f.rejected) == ("squid", 310, 304, 6)
    first = row(ws, 1)
    drawn = next(generate_requests(300, 36))  # the sample: 300 requests of seed 36
    assert (first["user_agent"], first["client_ip"], first["status"]) == (drawn.user_agent, drawn.client_ip,
                                                                          drawn.status)
    assert json.loads(first["extra"]) == {"cache_result": "TCP_MISS", "hierarchy": "HIER_DIRECT/104.192.142.18",
                                          "content_type": "application/json"}  # no headers kept
    assert (row(ws, 301)["client_ip"], row(ws, 301)["user_agent"]) == ("2001:db8::7", "curl/8.5.0")
    named = row(ws, 302)  # %>A: the client by name; the Connect JWT in the Authorization header
    assert (named["client_ip"], named["jwt_iss"], named["user_agent"]) == (
        "backup01.corp.acme.com", "backup-pro-connect", "BackupPro/2.1 (+https://backup.example)")
    tunnel = row(ws, 303)  # Proxy-Authorization is the proxy's credential: never read
    assert (tunnel["method"], tunnel["is_wiki"], tunnel["remote_user"]) == ("CONNECT", False, None)
    assert row(ws, 304)["remote_user"] == "ops-bot@acme.com"  # from the basic-auth header
    assert reasons(ws) == {
        305: "not an HTTP request: squid error:transaction-end-before-headers",
        306: "not an HTTP request: a cache-peer query (ICP_QUERY)",
        307: "line does not match the squid layout",
        308: "bad status: TCP_MISS/2OO",
        309: "invalid UTF-8 at byte 87",
        310: "NUL byte in line",
    }
    assert_no_secrets(ws)


def test_header_values_appended_to_the_native_format(ws: Workspace, tmp_path: Path) -> None:
    """logformat squid ... %mt "%{Referer}>h" "%{User-Agent}>h" (or the user agent alone)."""
    path = tmp_path / "ua.log"
    path.write_text(
        '1790812700.000     15 10.20.0.11 TCP_MISS/200 100 GET https://acme.atlassian.net/wiki/api/v2/spaces - '
        'HIER_DIRECT/104.192.142.18 application/json "https://acme.atlassian.net/wiki" "Mozilla/5.0 (X11) \\"q\\""\n'
        '1790812701.000     15 10.20.0.11 TCP_MISS/200 100 GET https://acme.atlassian.net/wiki/api/v2/spaces - '
        'HIER_DIRECT/104.192.142.18 text/html;  charset=utf-8 "BackupPro/2.1"\n')
    assert ingest_one(ws, path).stored == 2
    first, second = row(ws, 1), row(ws, 2)
    assert first["user_agent"] == 'Mozilla/5.0 (X11) "q"'
    assert json.loads(first["extra"])["referer"] == "https://acme.atlassian.net/wiki"
    assert (second["user_agent"], json.loads(second["extra"])["content_type"]) == (
        "BackupPro/2.1", "text/html; charset=utf-8")

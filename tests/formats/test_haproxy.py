"""HAProxy HTTP log: the syslog and stdout samples, captured-header positions, hostile lines, fuzzing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import UsageError
from analyzer.formats import get_format
from analyzer.workspace import Workspace
from tests.formats.differential import assert_matches_synthetic
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

SYSLOG = SAMPLES / "haproxy-syslog.log"
STDOUT = SAMPLES / "haproxy-stdout.log"
LINE = ("10.20.0.11:51234 [11/Sep/2026:10:00:00.123] fe be/s1 0/0/1/10/12 200 512 - - ---- 1/1/1/1/0 0/0 "
        '{CAPS} "GET /wiki/api/v2/pages/42 HTTP/1.1"')


def test_syslog_sample(ws: Workspace) -> None:
    f = ingest_one(ws, SYSLOG)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("haproxy", 318, 307, 11, 0)
    # lines 3-302: the synthetic requests, Host/User-Agent/Authorization captured
    assert_matches_synthetic(ws, f.file_id, 31, first_line=3, precision="ms", identity=("remote_user", "jwt_iss"))
    assert json.loads(row(ws, 3)["extra"])["termination_state"] == "----"
    rsyslog, rfc5424, encoded, aborted, basic, jwt, nosrv = (row(ws, n) for n in range(303, 310))
    assert (rsyslog["ts"], rsyslog["path"], rsyslog["query"]) == (
        dt.datetime(2026, 9, 30, 23, 59, 1), "/wiki/rest/api/space", "limit=5")
    assert (rfc5424["ts"], rfc5424["path"], rfc5424["client_ip"]) == (
        dt.datetime(2026, 9, 30, 23, 59, 2), "/wiki/api/v2/spaces", "192.0.2.99")
    assert (encoded["user_agent"], encoded["query"]) == ('Mozilla/5.0 "quoted" agent | pipe', 'cql=title~"Q3"')
    assert (aborted["client_ip"], aborted["status"], aborted["bytes"], aborted["duration_ms"]) == (
        "2001:db8::7", None, 0, 5.0)
    assert (basic["method"], basic["remote_user"], basic["jwt_iss"]) == ("PUT", "ops-bot@acme.com", None)
    assert (jwt["jwt_iss"], jwt["query"]) == ("backup-pro-connect", "jwt=REDACTED&limit=5")
    assert (nosrv["status"], json.loads(nosrv["extra"])["server"]) == (503, "<NOSRV>")
    assert reasons(ws) == {
        1: "not an HTTP request line: Proxy fe_confluence started.",
        2: "not an HTTP request line: Proxy be_atlassian started.",
        310: "not an HTTP request line: Server be_atlassian/atl2 is DOWN, reason: Layer4 timeout, check duration: "
             "2001ms",
        311: "not an HTTP request line: a TCP connection log (option tcplog)",
        312: "not an HTTP request line: fe_confluence/1: SSL handshake failure",
        313: "bad request line: <BADREQ> (HAProxy could not parse the request)",
        314: "request line cut short (no closing quote): raise the length of HAProxy log lines",
        315: "bad timestamp: 31/Sep/2026:23:59:15.000",
        316: "bad status: 2OO",
        317: "invalid UTF-8 at byte 180",
        318: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


def test_stdout_sample(ws: Workspace) -> None:
    f = ingest_one(ws, STDOUT)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("haproxy", 308, 302, 6, 0)
    # User-Agent and Host captured in that order, then a response header block
    assert_matches_synthetic(ws, f.file_id, 32, first_line=4, precision="ms")
    h2, ipv6 = row(ws, 304), row(ws, 305)
    assert (h2["host"], h2["cloud_id"], h2["path"], h2["endpoint_id"] is not None) == (
        "api.atlassian.com", "7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11", "/wiki/api/v2/pages/98311004", True)
    assert (ipv6["client_ip"], ipv6["user_agent"], ipv6["host"]) == ("2001:db8::7", "Mozilla/5.0 {brace}",
                                                                     "acme.atlassian.net")
    assert reasons(ws) == {
        1: "not an HTTP request line: [NOTICE]   (1) : haproxy version is 2.8.5-1ubuntu3",
        2: "not an HTTP request line: [NOTICE]   (1) : New worker (8) forked",
        3: "not an HTTP request line: [NOTICE]   (1) : Loading success.",
        306: "not an HTTP request line: [WARNING]  (8) : Server be_atlassian/atl2 is DOWN, reason: Layer4 timeout. "
             "1 act",
        307: "bad request line: GET",
        308: "line does not match the haproxy layout (cut short?)",
    }
    assert_no_secrets(ws)


def _params(lines: list[str], fields: dict[str, str] | None = None) -> list[int]:
    return get_format("haproxy").file_params(lines, fields or {})["hdr"]


@pytest.mark.parametrize(("caps", "expected"), [
    # [host, user_agent, authorization, client_ip, client_id, app_key, remote_user]
    ("{acme.atlassian.net|BackupPro/2.1|JWT a.b.c}", [1, 2, 3, 0, 0, 0, 0]),
    ("{curl/8.5.0|203.0.113.9, 10.0.0.2|acme.atlassian.net:443}", [3, 1, 0, 2, 0, 0, 0]),
    # a media type is no user agent; a response block is never read
    ("{application/json|acme.atlassian.net} {curl/8.5.0}", [2, 0, 0, 0, 0, 0, 0]),
    ("", [0, 0, 0, 0, 0, 0, 0]),
])
def test_captured_headers_are_recognised_by_their_values(caps: str, expected: list[int]) -> None:
    assert _params([LINE.replace("{CAPS}", caps)] * 3) == expected


def test_field_names_a_captured_header(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "haproxy.log"
    path.write_text(LINE.replace("{CAPS}", "{acme.atlassian.net|Rb7xQ2oauthClient|BackupPro/2.1}") + "\n")
    f = ingest_one(ws, path, fields={"client_id": "request_header_2"})
    assert (f.format, f.stored) == ("haproxy", 1)
    stored = row(ws, 1)
    assert (stored["host"], stored["client_id"], stored["user_agent"]) == (
        "acme.atlassian.net", "Rb7xQ2oauthClient", "BackupPro/2.1")


@pytest.mark.parametrize("fields", [{"client_id": "X-Client-Id"}, {"ts": "request_header_1"},
                                    {"user_agent": "request_header_0"}])
def test_field_that_is_no_captured_header_is_refused(fields: dict[str, str]) -> None:
    with pytest.raises(UsageError, match="request_header_N"):
        _params([LINE.replace("{CAPS}", "{x}")], fields)


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("haproxy-fuzz"))


VALID = SYSLOG.read_text(encoding="utf-8", errors="replace").splitlines()[:20]


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(mutated(VALID), min_size=1, max_size=6))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check(("\n".join(lines) + "\n").encode(), "haproxy")


@settings(max_examples=30, deadline=None)
@given(lines=text_lines())
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check("\n".join(lines).encode(), "haproxy")

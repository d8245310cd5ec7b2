"""JSON access logs of cloud front doors: AWS API Gateway, GCP HTTP(S) Load Balancing, Azure Application
Gateway (v1 and v2) and Front Door (Standard/Premium and classic). Samples, spellings, fuzzing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from tests.formats.test_json_proxies import _tail, _write

APIGW = SAMPLES / "apigateway-access.jsonl"
GCP = SAMPLES / "gcp-lb.jsonl"
APPGW2 = SAMPLES / "azure-appgw-v2.jsonl"
APPGW1 = SAMPLES / "azure-appgw-v1.jsonl"
FRONTDOOR = SAMPLES / "azure-frontdoor.jsonl"


def test_apigateway_sample(ws: Workspace) -> None:
    f = ingest_one(ws, APIGW)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("apigateway", 311, 303, 8, 0)
    # requestTimeEpoch (ms); $context has no query string; identity.sourceIp / identity.userAgent nested;
    # the authorizer's principalId and Cognito client_id give the identity
    assert_matches_synthetic(ws, f.file_id, 38, precision="ms", query=False, identity=("remote_user", "client_id"))
    refused, api_key, principal = (row(ws, n) for n in range(301, 304))
    assert (refused["status"], refused["bytes"], refused["duration_ms"]) == (403, 0, None)  # '-' values
    assert api_key["extra"] is None  # an apiKey key only this record has: its extra is dropped whole
    assert principal["remote_user"] == "ops-bot@acme.com"
    assert reasons(ws) == {304: "missing timestamp (key requestTimeEpoch)",
                           **_tail(311, "requestTimeEpoch", "yesterday", 388)}
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


def test_apigateway_without_path(ws: Workspace, tmp_path: Path) -> None:
    """Without $context.path the resource template is the path (routed, ids unknown); the HTTP API console
    default logs neither (routeKey is a template with the method): such records are rejected."""
    rest = {"requestId": "c6af9ac6", "ip": "10.20.0.11", "requestTime": "11/Sep/2026:10:00:00 +0000",
            "httpMethod": "GET", "resourcePath": "/wiki/api/v2/pages/{id}", "status": "200",
            "protocol": "HTTP/1.1", "responseLength": "512"}
    http_api = {"requestId": "JnCIpiWBoAMEJ8g=", "ip": "10.20.0.11", "requestTime": "11/Sep/2026:10:00:00 +0000",
                "httpMethod": "GET", "routeKey": "GET /wiki/{proxy+}", "status": "200", "protocol": "HTTP/1.1",
                "responseLength": "512"}
    f = ingest_one(ws, _write(tmp_path / "rest-api.jsonl", [rest]))
    assert (f.format, f.stored) == ("apigateway", 1)
    stored = row(ws, 1, f.file_id)
    assert (stored["ts"], stored["client_ip"], stored["path"], stored["status"], stored["bytes"]) == (
        dt.datetime(2026, 9, 11, 10), "10.20.0.11", "/wiki/api/v2/pages/{id}", 200, 512)
    assert stored["endpoint_id"] is not None
    f = ingest_one(ws, _write(tmp_path / "http-api.jsonl", [http_api]))
    assert (f.format, f.rejected) == ("apigateway", 1)
    assert reasons(ws, f.file_id) == {1: "missing URL or path"}


def test_gcp_lb_sample(ws: Workspace) -> None:
    f = ingest_one(ws, GCP)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("gcp_lb", 312, 305, 7, 0)
    # httpRequest.requestUrl is absolute (host from it); latency "0.402338s"
    assert_matches_synthetic(ws, f.file_id, 39)
    first = row(ws, 1)
    assert json.loads(first["extra"])["resource"]["type"] == "http_load_balancer"
    jwt, redirect, ipv6, closed, no_agent = (row(ws, n) for n in range(301, 306))
    assert (jwt["jwt_iss"], jwt["query"]) == ("backup-pro-connect", "jwt=REDACTED&limit=5")
    assert (redirect["status"], redirect["duration_ms"]) == (302, None)
    assert ipv6["client_ip"] == "2001:db8::7"
    assert closed["status"] is None
    assert no_agent["user_agent"] is None
    assert reasons(ws) == _tail(312, "timestamp", "2026-09-30 25:00:00", 170)
    assert_no_secrets(ws)


def test_gcp_bigquery_style_spelling(ws: Workspace, tmp_path: Path) -> None:
    """Exports with snake_case names (http_request.request_method) match too."""
    record = {"timestamp": "2026-09-11T10:00:00.5Z", "http_request": {
        "request_method": "GET", "request_url": "https://acme.atlassian.net/wiki/api/v2/pages/98311001",
        "status": 200, "response_size": "512", "remote_ip": "10.20.0.11", "latency": "0.041s",
        "user_agent": "BackupPro/2.1"}}
    f = ingest_one(ws, _write(tmp_path / "bq.jsonl", [record]))
    assert (f.format, f.stored) == ("gcp_lb", 1)
    stored = row(ws, 1)
    assert (stored["host"], stored["status"], stored["bytes"], stored["duration_ms"], stored["client_ip"],
            stored["user_agent"]) == ("acme.atlassian.net", 200, 512, 41.0, "10.20.0.11", "BackupPro/2.1")


def test_azure_appgw_v2_sample(ws: Workspace) -> None:
    f = ingest_one(ws, APPGW2)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("azure_appgw", 310, 303, 7, 0)
    # v2: timeStamp (seconds), originalRequestUriWithArgs, originalHost, timeTaken in seconds
    assert_matches_synthetic(ws, f.file_id, 40, precision="s")
    jwt, rewritten, unfinished = (row(ws, n) for n in range(301, 304))
    assert (jwt["jwt_iss"], jwt["query"]) == ("backup-pro-connect", "jwt=REDACTED&limit=5")
    assert rewritten["host"] == "acme.atlassian.net"  # originalHost, not the rewritten host
    assert (unfinished["status"], unfinished["bytes"]) == (None, 0)
    assert reasons(ws) == _tail(310, "timeStamp", "30/09/2026 23:59", 400)
    assert_no_secrets(ws)


def test_azure_appgw_v1_sample(ws: Workspace) -> None:
    f = ingest_one(ws, APPGW1)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("azure_appgw", 309, 302, 7, 0)
    # v1: time, requestUri + requestQuery, host, timeTaken in milliseconds
    assert_matches_synthetic(ws, f.file_id, 41, precision="s")
    query, no_agent = row(ws, 301), row(ws, 302)
    assert (query["path"], query["query"], query["query_space_keys"]) == (
        "/wiki/rest/api/content/search", "cql=space%3DHR&limit=5", ["HR"])
    assert no_agent["user_agent"] is None
    assert reasons(ws) == _tail(309, "time", "2026-09-30T24:59:59Z", 362)
    assert_no_secrets(ws)


def test_azure_frontdoor_sample(ws: Workspace) -> None:
    f = ingest_one(ws, FRONTDOOR)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("azure_frontdoor", 310, 303, 7, 0)
    # time with 7 fractional digits, requestUri absolute with :443, values as strings
    assert_matches_synthetic(ws, f.file_id, 42)
    jwt, classic, socket = (row(ws, n) for n in range(301, 304))
    assert (jwt["jwt_iss"], jwt["query"]) == ("backup-pro-connect", "jwt=REDACTED&limit=5")
    extra = json.loads(jwt["extra"])["properties"]
    assert extra["originUrl"].endswith("?jwt=REDACTED&limit=5")  # credentials in unmapped values are masked too
    assert extra["referer"] == "https://acme.atlassian.net/wiki/spaces/HR?jwt=REDACTED"
    assert (classic["path"], classic["status"]) == ("/wiki/api/v2/spaces", 200)
    assert socket["client_ip"] == "192.0.2.99"  # clientIp empty: socketIp
    assert reasons(ws) == _tail(310, "time", "2026-02-30T00:00:00Z", 237)
    assert_no_secrets(ws)


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("json-clouds-fuzz"))


def _valid(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()[:15]


WHICH = [("apigateway", APIGW), ("gcp_lb", GCP), ("azure_appgw", APPGW2), ("azure_appgw", APPGW1),
         ("azure_frontdoor", FRONTDOOR)]


@settings(max_examples=30, deadline=None)
@given(data=st.data(), which=st.sampled_from(WHICH))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, data: st.DataObject, which: tuple[str, Path]) -> None:
    fmt, sample = which
    lines = data.draw(st.lists(mutated(_valid(sample)), min_size=1, max_size=6))
    fuzzer.check(("\n".join(lines) + "\n").encode(), fmt)


@settings(max_examples=20, deadline=None)
@given(lines=text_lines(), fmt=st.sampled_from(sorted({w[0] for w in WHICH})))
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str], fmt: str) -> None:
    fuzzer.check("\n".join(lines).encode(), fmt)

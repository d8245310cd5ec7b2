"""Envoy's (and Istio's) default text access log and Traefik's common format: samples, hostile lines, fuzzing."""

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

ENVOY = SAMPLES / "envoy-text.log"
TRAEFIK = SAMPLES / "traefik-common.log"


def test_envoy_text_sample(ws: Workspace) -> None:
    f = ingest_one(ws, ENVOY)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("envoy_text", 311, 304, 7, 0)
    # X-Forwarded-For "client, 10.0.0.2" or "client": its first entry is the client
    assert_matches_synthetic(ws, f.file_id, 33, precision="ms")
    extra = json.loads(row(ws, 1)["extra"])
    assert (extra["upstream_host"], extra["response_flags"]) == ("104.192.142.18:443", None)
    quoted, ipv6, reset, jwt = (row(ws, n) for n in range(301, 305))
    assert (quoted["user_agent"], quoted["query"]) == ('Mozilla/5.0 "quoted" agent', "limit=5")
    assert (ipv6["client_ip"], ipv6["host"]) == ("2001:db8::7", "acme.atlassian.net")
    assert (reset["status"], reset["bytes"], reset["client_ip"], reset["user_agent"]) == (None, 0, None, None)
    assert json.loads(reset["extra"])["response_flags"] == "UC"
    assert (jwt["jwt_iss"], jwt["query"]) == ("backup-pro-connect", "jwt=REDACTED&limit=5")
    assert reasons(ws) == {
        305: 'not an HTTP request line: a TCP connection (method and path are "-")',
        306: "line does not match the envoy_text layout",
        307: "line does not match the envoy_text layout",
        308: "bad timestamp: 2026-09-31T23:59:08.000Z",
        309: "bad status: 2x0",
        310: "invalid UTF-8 at byte 98",
        311: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


ISTIO = ('[2026-09-11T10:00:00.123Z] "GET /wiki/rest/api/space HTTP/1.1" 200 - via_upstream - "-" 0 512 41 39 '
         '"-" "curl/8.5.0" "abc" "acme.atlassian.net" "104.192.142.18:443" outbound|443||acme.atlassian.net '
         "10.0.7.3:40112 10.0.7.3:443 10.20.0.11:51234 acme.atlassian.net confluence-egress")


@pytest.mark.parametrize("line", [ISTIO, ISTIO.replace('"curl/8.5.0"', '"curl "8" agent"')])
def test_istio_default_text_format(ws: Workspace, tmp_path: Path, line: str) -> None:
    path = tmp_path / "istio-proxy.log"
    path.write_text(line + "\n")
    f = ingest_one(ws, path)
    assert (f.format, f.stored) == ("envoy_text", 1)
    stored = row(ws, 1)
    # no X-Forwarded-For: the downstream peer is the client
    assert (stored["ts"], stored["path"], stored["status"], stored["bytes"], stored["duration_ms"],
            stored["client_ip"]) == (dt.datetime(2026, 9, 11, 10, 0, 0, 123000), "/wiki/rest/api/space", 200, 512,
                                     41.0, "10.20.0.11")
    extra = json.loads(stored["extra"])
    assert (extra["route_name"], extra["response_code_details"]) == ("confluence-egress", "via_upstream")


def test_traefik_common_sample(ws: Workspace) -> None:
    f = ingest_one(ws, TRAEFIK)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("traefik_common", 311, 305, 6, 0)
    # no Host header in this format: the host is the service URL's (https://<site>)
    assert_matches_synthetic(ws, f.file_id, 34, precision="s", identity=("remote_user",))
    assert json.loads(row(ws, 1)["extra"])["router"] == "confluence-egress@file"
    local, no_origin, quoted, basic, jwt = (row(ws, n) for n in range(301, 306))
    assert (local["ts"], local["query"]) == (dt.datetime(2026, 9, 30, 23, 59, 1), "limit=5")  # +0200 applied
    assert (no_origin["status"], no_origin["bytes"], no_origin["host"]) == (None, 0, None)
    assert quoted["user_agent"] == 'Mozilla/5.0 "quoted" agent'
    assert (basic["method"], basic["remote_user"]) == ("PUT", "ops-bot@acme.com")
    assert (jwt["jwt_iss"], jwt["query"]) == ("backup-pro-connect", "jwt=REDACTED&limit=5")
    assert reasons(ws) == {
        306: "line does not match the traefik_common layout",
        307: "line does not match the traefik_common layout",
        308: "bad timestamp: [31/Sep/2026:23:59:08 +0000]",
        309: "bad status: abc",
        310: "invalid UTF-8 at byte 96",
        311: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("proxytext-fuzz"))


def _valid(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()[:15]


SAMPLES_BY_FORMAT = {"envoy_text": [*_valid(ENVOY), ISTIO], "traefik_common": _valid(TRAEFIK)}


@settings(max_examples=40, deadline=None)
@given(data=st.data(), fmt=st.sampled_from(sorted(SAMPLES_BY_FORMAT)))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, data: st.DataObject, fmt: str) -> None:
    lines = data.draw(st.lists(mutated(SAMPLES_BY_FORMAT[fmt]), min_size=1, max_size=6))
    fuzzer.check(("\n".join(lines) + "\n").encode(), fmt)


@settings(max_examples=30, deadline=None)
@given(lines=text_lines(), fmt=st.sampled_from(sorted(SAMPLES_BY_FORMAT)))
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str], fmt: str) -> None:
    fuzzer.check("\n".join(lines).encode(), fmt)


def test_traefik_common_service_url_credentials_are_not_kept(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "traefik.log"
    path.write_text('10.20.0.11 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2/pages/42 HTTP/1.1" 200 512 "-" '
                    '"BackupPro/2.1" 1234 "confluence@file" "https://bot:5up3r53cr3t@acme.atlassian.net:443/x" 41ms\n')
    f = ingest_one(ws, path)
    assert (f.format, f.stored) == ("traefik_common", 1)
    stored = row(ws, 1)
    assert (stored["host"], json.loads(stored["extra"])["service_url"]) == ("acme.atlassian.net",
                                                                           "https://acme.atlassian.net:443/x")
    assert_no_secrets(ws)

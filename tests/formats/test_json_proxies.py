"""JSON access logs of reverse proxies: nginx (escape=json), Caddy, Traefik. Samples, key choices, fuzzing."""

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

NGINX = SAMPLES / "nginx-json.jsonl"
CADDY = SAMPLES / "caddy-access.jsonl"
TRAEFIK = SAMPLES / "traefik-access.jsonl"

#: The rejects every JSON sample ends with (scripts/samples_fronts.py _json_rejects), from its 7th-last line.
JSON_TAIL = ("bad status: OK", "bad JSON", "not a JSON object")


def _tail(last: int, ts_key: str, bad_ts: str, utf8_byte: int) -> dict[int, str]:
    first = last - 6
    return {first: f"missing timestamp (key {ts_key})", first + 1: f"bad timestamp: {bad_ts}",
            **{first + 2 + i: reason for i, reason in enumerate(JSON_TAIL)},
            last - 1: f"invalid UTF-8 at byte {utf8_byte}", last: "NUL byte in line"}


def test_nginx_json_sample(ws: Workspace) -> None:
    f = ingest_one(ws, NGINX)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("nginx_json", 314, 306, 8, 0)
    # msec (milliseconds) is preferred to time_local; $request gives method and target;
    # remote_user and the Authorization header ($http_authorization) give the identity
    assert_matches_synthetic(ws, f.file_id, 35, precision="ms", identity=("remote_user", "jwt_iss"))
    extra = json.loads(row(ws, 1)["extra"])
    assert set(extra) == {"time_local", "http_referer", "request_id", "upstream_response_time"}
    escaped, referer, bearer, forwarded, closed, basic = (row(ws, n) for n in range(301, 307))
    assert (escaped["path"], escaped["query"]) == ("/wiki/rest/api/content/search", 'cql=title~"Q3\\plan café"')
    assert json.loads(referer["extra"])["http_referer"] == \
        "https://acme.atlassian.net/wiki/spaces/HR?jwt=REDACTED&lic=none"
    assert (bearer["remote_user"], bearer["jwt_iss"]) == (None, None)
    assert forwarded["client_ip"] == "203.0.113.9"  # $remote_addr empty: first X-Forwarded-For entry
    assert (closed["status"], closed["duration_ms"], json.loads(closed["extra"])["upstream_response_time"]) == (
        499, 0.0, "-")
    assert basic["remote_user"] == "ops-bot@acme.com"
    assert reasons(ws) == {307: "missing method", **_tail(314, "msec", "yesterday", 258)}
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_nginx_json_with_other_variables(ws: Workspace, tmp_path: Path) -> None:
    """$time_iso8601 with an offset, $request_method + $uri + $args, $http_host, $bytes_sent."""
    record = {"time_iso8601": "2026-09-11T12:00:00+02:00", "remote_addr": "10.20.0.11", "request_method": "GET",
              "uri": "/wiki/rest/api/content/search", "args": "cql=space%3DHR", "status": "200",
              "bytes_sent": "700", "request_time": "0.041", "http_host": "acme.atlassian.net:443",
              "http_user_agent": "BackupPro/2.1"}
    f = ingest_one(ws, _write(tmp_path / "access.json", [record]))
    assert (f.format, f.stored) == ("nginx_json", 1)
    stored = row(ws, 1)
    assert (stored["ts"], stored["host"], stored["path"], stored["query"], stored["bytes"], stored["duration_ms"],
            stored["query_space_keys"]) == (dt.datetime(2026, 9, 11, 10), "acme.atlassian.net",
                                            "/wiki/rest/api/content/search", "cql=space%3DHR", 700, 41.0, ["HR"])


def test_caddy_sample(ws: Workspace) -> None:
    f = ingest_one(ws, CADDY)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("caddy", 313, 306, 7, 0)
    # headers are lists (the first item is read); Authorization logged (log_credentials) gives the identity
    assert_matches_synthetic(ws, f.file_id, 36, identity=("remote_user", "jwt_iss"))
    extra = json.loads(row(ws, 1)["extra"])
    assert extra["logger"] == "http.log.access.log0" and "uri" not in extra["request"]
    redacted, cookie, took, old, basic, jwt = (row(ws, n) for n in range(301, 307))
    assert (redacted["jwt_iss"], redacted["remote_user"]) == (None, None)  # Caddy's default: REDACTED
    assert "Cookie" not in json.dumps(cookie["extra"] or "")
    assert took["duration_ms"] == 12.5  # "12.5ms": the unit in the value wins
    assert old["client_ip"] == "2001:db8::7"  # no client_ip (Caddy < 2.7): remote_ip
    assert basic["remote_user"] == "ops-bot@acme.com"
    assert (jwt["jwt_iss"], jwt["query"]) == ("backup-pro-connect", "jwt=REDACTED&limit=5")
    assert reasons(ws) == _tail(313, "ts", "soon", 292)
    assert_no_secrets(ws)


def test_traefik_json_sample(ws: Workspace) -> None:
    f = ingest_one(ws, TRAEFIK)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("traefik_json", 312, 305, 7, 0)
    # StartUTC has nanoseconds; Duration is nanoseconds; request_User-Agent / request_Authorization headers
    assert_matches_synthetic(ws, f.file_id, 37, identity=("remote_user", "jwt_iss"))
    assert row(ws, 1)["duration_ms"] == pytest.approx(873.505)
    redacted, cookie, bad_gateway, basic, escaped = (row(ws, n) for n in range(301, 306))
    assert redacted["jwt_iss"] is None and "request_Authorization" not in json.loads(redacted["extra"])
    assert cookie["extra"] is None or "request_Cookie" not in json.loads(cookie["extra"])
    assert bad_gateway["status"] == 502  # DownstreamStatus: what the client got
    assert (basic["remote_user"], basic["client_ip"]) == ("ops-bot@acme.com", "10.30.5.9")
    assert escaped["query"] == 'cql=title~"Q3\\plan café"'
    assert reasons(ws) == _tail(312, "StartUTC", "2026-13-01T00:00:00Z", 454)
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("json-proxies-fuzz"))


def _valid(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()[:15]


WHICH = [("nginx_json", NGINX), ("caddy", CADDY), ("traefik_json", TRAEFIK)]


@settings(max_examples=30, deadline=None)
@given(data=st.data(), which=st.sampled_from(WHICH))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, data: st.DataObject, which: tuple[str, Path]) -> None:
    fmt, sample = which
    lines = data.draw(st.lists(mutated(_valid(sample)), min_size=1, max_size=6))
    fuzzer.check(("\n".join(lines) + "\n").encode(), fmt)


@settings(max_examples=20, deadline=None)
@given(lines=text_lines(), fmt=st.sampled_from([w[0] for w in WHICH]))
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str], fmt: str) -> None:
    fuzzer.check("\n".join(lines).encode(), fmt)

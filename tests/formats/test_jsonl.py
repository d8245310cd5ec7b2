"""JSON-lines formats (Envoy/Istio, Cloudflare Logpush, generic JSON): samples, --field, fuzzing."""

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

ENVOY = SAMPLES / "envoy-istio.jsonl"
CLOUDFLARE = SAMPLES / "cloudflare-logpush.jsonl"
GENERIC = SAMPLES / "app-gateway.jsonl"


def test_envoy_sample(ws: Workspace) -> None:
    f = ingest_one(ws, ENVOY)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("envoy", 313, 305, 8, 0)
    first = row(ws, 1)
    assert first["ts"] == dt.datetime(2026, 9, 1, 2, 13, 10, 835000)
    assert (first["method"], first["host"], first["path"], first["status"], first["bytes"],
            first["duration_ms"]) == ("GET", "acme.atlassian.net", "/wiki/api/v2/folders/98311034/properties",
                                      200, 35166, 402.0)
    # x_forwarded_for "192.0.2.99, 10.0.0.2" is preferred to downstream_remote_address
    assert (first["client_ip"], first["user_agent"]) == ("192.0.2.99", "curl/8.5.0")
    extra = json.loads(first["extra"])
    assert extra["request_id"] == "000054e5cd536ffc" and extra["route_name"] == "confluence-egress"
    assert "path" not in extra and "start_time" not in extra  # mapped keys are columns, not extra
    assert row(ws, 2)["client_ip"] == "203.0.113.40"  # no X-Forwarded-For: the peer address, port dropped
    assert row(ws, 301)["query"] == 'cql=title~"Q3\\plan café"'  # JSON escapes decoded
    assert row(ws, 302)["client_ip"] == "203.0.113.9"
    assert row(ws, 303)["client_ip"] == "2001:db8::7"
    assert row(ws, 304)["status"] is None  # response_code 0: reset before a response
    assert row(ws, 305)["extra"] is None  # a nested credential: extra dropped whole
    assert reasons(ws) == {
        306: "missing timestamp (key start_time)",
        307: "bad timestamp: yesterday",
        308: "missing method",
        309: "bad status: abc",
        310: "bad JSON",
        311: "not a JSON object",
        312: "invalid UTF-8 at byte 238",
        313: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


def test_cloudflare_sample(ws: Workspace) -> None:
    f = ingest_one(ws, CLOUDFLARE)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("cloudflare", 310, 304, 6, 0)
    first = row(ws, 1)
    assert first["ts"] == dt.datetime(2026, 9, 1, 1, 42, 34, 643415)  # unix nanoseconds
    assert (first["method"], first["host"], first["path"], first["status"], first["bytes"], first["duration_ms"],
            first["client_ip"], first["user_agent"]) == (
        "GET", "acme.atlassian.net", "/wiki/rest/api/content/98312010/restriction/byOperation", 200, 1786, 399.0,
        "10.30.5.9", "python-requests/2.32.3")
    assert json.loads(first["extra"])["RayID"] == "0000044fd2bf4ed1"
    assert row(ws, 301)["ts"] == dt.datetime(2026, 9, 30, 21, 59, 1)  # RFC 3339 with +02:00
    assert row(ws, 302)["ts"] == dt.datetime(2026, 9, 30, 23, 59, 59)  # unix seconds
    assert row(ws, 303)["query"] == 'title=%22Q3%22&x="y"'
    assert "Cookies" not in json.loads(row(ws, 304)["extra"])
    assert reasons(ws) == {
        305: "missing timestamp (key EdgeStartTimestamp)",
        306: "bad timestamp: 2026-02-30T00:00:00Z",
        307: "bad status: 2000",
        308: "bad JSON",
        309: "invalid UTF-8 at byte 239",
        310: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


def test_generic_json_sample(ws: Workspace) -> None:
    f = ingest_one(ws, GENERIC)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("json", 313, 307, 6, 0)
    first = row(ws, 1)
    assert first["ts"] == dt.datetime(2026, 9, 1, 0, 54, 16, 954000)  # 02:54:16.954+02:00
    assert (first["method"], first["host"], first["path"], first["query"], first["status"], first["bytes"],
            first["duration_ms"], first["client_ip"]) == (
        "GET", "acme.atlassian.net", "/wiki/rest/api/settings/theme", "limit=50", 200, 74141, 383.976, "10.30.5.9")
    assert first["remote_user"] == "ops-bot@acme.com"  # from "authorization": "Basic ..."
    assert json.loads(first["extra"]) == {"level": "info", "msg": "upstream request",
                                          "request_id": "0000b2fdadeae622", "route": "confluence"}
    assert row(ws, 2)["jwt_iss"] == "backup-pro-connect"  # from "authorization": "JWT ..."
    assert row(ws, 301)["ts"] == dt.datetime(2026, 9, 30, 12, 0)  # no offset: UTC
    assert row(ws, 302)["ts"] == dt.datetime(2026, 9, 30, 23, 59, 59)  # epoch milliseconds
    assert row(ws, 303)["ts"] == dt.datetime(2026, 9, 30, 10, 0)  # NCSA form with +0200
    jwt_query = row(ws, 304)
    assert (jwt_query["jwt_iss"], jwt_query["query"]) == ("backup-pro-connect", "jwt=REDACTED&limit=5")
    assert row(ws, 306)["extra"] is None  # a nested cookie: extra dropped whole
    oauth = row(ws, 307)
    assert (oauth["host"], oauth["cloud_id"], oauth["client_id"], oauth["path"]) == (
        "api.atlassian.com", "7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11", "Rb7xQ2oauthClient", "/wiki/api/v2/pages/98311004")
    assert oauth["endpoint_id"] is not None
    assert reasons(ws) == {
        308: "missing URL or path",
        309: "bad timestamp: not a time",
        310: "bad status: OK",
        311: "bad JSON",
        312: "invalid UTF-8 at byte 233",
        313: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_field_maps_nested_and_dotted_keys(ws: Workspace, tmp_path: Path) -> None:
    records = [{"when": 1790812799.5, "req": {"verb": "GET", "target": "/wiki/rest/api/space",
                                              "headers": {"user-agent": "BackupPro/2.1"}},
                "res": {"code": 200}, "labels": {"app.key": "com.acme.backup"}, "site": "acme.atlassian.net"}]
    path = _write(tmp_path / "nested.jsonl", records)
    fields = {"ts": "when", "method": "req.verb", "url": "req.target", "user_agent": "req.headers.user-agent",
              "status": "res.code", "app_key": 'labels."app.key"', "host": "site"}
    f = ingest_one(ws, path, format="json", fields=fields)
    assert f.stored == 1
    stored = row(ws, 1)
    assert (stored["ts"], stored["method"], stored["host"], stored["path"], stored["user_agent"], stored["status"],
            stored["app_key"]) == (dt.datetime(2026, 9, 30, 23, 59, 59, 500000), "GET", "acme.atlassian.net",
                                   "/wiki/rest/api/space", "BackupPro/2.1", 200, "com.acme.backup")


def test_well_known_nested_names_are_found(ws: Workspace, tmp_path: Path) -> None:
    """ECS-style documents need no --field: http.request.method, url.original, source.ip..."""
    record = {"@timestamp": "2026-09-30T10:00:00Z", "http": {"request": {"method": "get"},
                                                          "response": {"status_code": 403}},
              "url": {"original": "https://acme.atlassian.net/wiki/api/v2/pages/98311001"},
              "source": {"ip": "10.20.0.11"}, "user_agent": {"original": "BackupPro/2.1"},
              "event": {"duration": 2_500_000}}
    path = _write(tmp_path / "ecs.jsonl", [record])
    f = ingest_one(ws, path)
    assert (f.format, f.stored) == ("json", 1)
    stored = row(ws, 1)
    assert (stored["method"], stored["status"], stored["client_ip"], stored["user_agent"], stored["duration_ms"]) == (
        "GET", 403, "10.20.0.11", "BackupPro/2.1", 2.5)


def test_field_on_a_format_without_fields_is_refused(ws: Workspace) -> None:
    with pytest.raises(UsageError, match="--field does not apply to the squid format"):
        ingest_one(ws, SAMPLES / "squid-access.log", fields={"client_id": "x"})


def test_unknown_keys_say_how_to_map_them(ws: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "odd.jsonl", [{"when": "2026-09-30T10:00:00Z", "verb": "GET", "target": "/wiki"}])
    f = ingest_one(ws, path, format="json")
    assert f.rejected == 1
    assert reasons(ws)[1].startswith("missing timestamp (no timestamp key among when, verb, target; pass --field ts=")


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("json-fuzz"))


def _valid(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()[:15]


@settings(max_examples=25, deadline=None)
@given(data=st.data(), which=st.sampled_from([("envoy", ENVOY), ("cloudflare", CLOUDFLARE), ("json", GENERIC)]))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, data: st.DataObject,
                                              which: tuple[str, Path]) -> None:
    fmt, sample = which
    lines = data.draw(st.lists(mutated(_valid(sample)), min_size=1, max_size=6))
    fuzzer.check(("\n".join(lines) + "\n").encode(), fmt)


@settings(max_examples=25, deadline=None)
@given(lines=text_lines(), fmt=st.sampled_from(["envoy", "cloudflare", "json"]))
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str], fmt: str) -> None:
    fuzzer.check("\n".join(lines).encode(), fmt)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10)


@settings(max_examples=25, deadline=None)
@given(records=st.lists(st.dictionaries(
    st.sampled_from(["ts", "time", "method", "url", "path", "status", "bytes", "client_ip", "authorization",
                     "token", "user_agent", "duration_ms", "x"]), json_values, max_size=8), min_size=1, max_size=5))
def test_arbitrary_json_records_are_stored_or_rejected(fuzzer: Fuzzer, records: list[dict[str, object]]) -> None:
    fuzzer.check("".join(json.dumps(r) + "\n" for r in records).encode(), "json")

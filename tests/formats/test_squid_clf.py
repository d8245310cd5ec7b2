"""Squid's common and combined logformats: the samples, and fuzzing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

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


def test_common_sample(ws: Workspace) -> None:
    f = ingest_one(ws, SAMPLES / "squid-common.log")
    assert (f.format, f.lines_read, f.stored, f.rejected) == ("squid_common", 311, 304, 7)
    first = row(ws, 1)
    drawn = next(generate_requests(300, 34))  # the sample: 300 requests of seed 34
    assert first["ts"] == drawn.ts.replace(microsecond=0)  # %tl at +0200, stored as UTC
    assert (first["method"], first["host"], first["status"], first["bytes"], first["client_ip"],
            first["user_agent"], first["remote_user"]) == (
        drawn.method, drawn.scheme_host.split("://")[1], drawn.status, drawn.bytes, drawn.client_ip, None,
        drawn.remote_user)
    assert json.loads(first["extra"]) == {"cache_result": "TCP_MISS", "hierarchy": "HIER_DIRECT"}
    connect = row(ws, 301)
    assert (connect["method"], connect["host"], connect["is_wiki"], connect["endpoint_id"]) == (
        "CONNECT", "acme.atlassian.net", False, None)
    assert row(ws, 302)["status"] is None  # 0: no reply
    assert row(ws, 303)["client_ip"] == "2001:db8::7"
    assert row(ws, 304)["remote_user"] == "ops-bot@acme.com"  # URL-decoded
    assert reasons(ws) == {
        305: "not an HTTP request: squid error:transaction-end-before-headers",
        306: "not an HTTP request: squid error:invalid-request",
        307: "line does not match the squid_common layout",
        308: "bad timestamp: [31/Sep/2026:01:59:08 +0200]",
        309: "bad status: 2000",
        310: "invalid UTF-8 at byte 82",
        311: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


def test_combined_sample(ws: Workspace) -> None:
    f = ingest_one(ws, SAMPLES / "squid-combined.log")
    assert (f.format, f.lines_read, f.stored, f.rejected) == ("squid_combined", 309, 303, 6)
    drawn = next(generate_requests(300, 35))
    assert (row(ws, 1)["user_agent"], row(ws, 1)["ts"]) == (drawn.user_agent, drawn.ts.replace(microsecond=0))
    assert row(ws, 301)["user_agent"] == 'Mozilla/5.0 "quoted" agent'  # escaped quotes
    referer = row(ws, 302)
    assert (referer["ts"], json.loads(referer["extra"])["referer"]) == (
        dt.datetime(2026, 9, 30, 23, 59, 2), "https://acme.atlassian.net/wiki/spaces/HR")
    assert (row(ws, 303)["method"], row(ws, 303)["user_agent"]) == ("CONNECT", "python-requests/2.32.3")
    assert reasons(ws) == {
        304: "not an HTTP request: squid error:transaction-end-before-headers",
        305: "line does not match the squid_combined layout",
        306: "bad timestamp: [30/Sep/2026:25:59:06 +0200]",
        307: "bad status: abc",
        308: "invalid UTF-8 at byte 119",
        309: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("squid-clf-fuzz"))


VALID = {name: (SAMPLES / f"squid-{name}.log").read_text(encoding="utf-8", errors="replace").splitlines()[:20]
         for name in ("common", "combined")}


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(VALID)))
    lines = data.draw(st.lists(mutated(VALID[name]), min_size=1, max_size=6))
    fuzzer.check(("\n".join(lines) + "\n").encode(), f"squid_{name}")


@settings(max_examples=20, deadline=None)
@given(lines=text_lines())
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check("\n".join(lines).encode(), "squid_common")
    fuzzer.check("\n".join(lines).encode(), "squid_combined")

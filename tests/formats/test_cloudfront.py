"""AWS CloudFront standard logs: the sample (tab-separated W3C, x-host-header), and fuzzing."""

from __future__ import annotations

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

SAMPLE = SAMPLES / "cloudfront-standard.log"


def test_sample(ws: Workspace) -> None:
    f = ingest_one(ws, SAMPLE)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("cloudfront", 312, 304, 6, 2)
    first = row(ws, 3)
    drawn = next(generate_requests(300, 30))  # the sample: 300 requests of seed 30
    assert first["ts"] == drawn.ts.replace(microsecond=0)
    # the viewer's Host header (x-host-header), not the distribution's cloudfront.net name (cs(Host))
    assert (first["host"], first["status"], first["bytes"], first["client_ip"], first["user_agent"]) == (
        drawn.scheme_host.split("://")[1], drawn.status, drawn.bytes, drawn.client_ip, drawn.user_agent)
    assert first["duration_ms"] == pytest.approx(round(drawn.duration_ms / 1000, 3) * 1000)  # seconds logged
    extra = json.loads(first["extra"])
    assert (extra["cs(Host)"], extra["x-edge-location"]) == ("d3k9x2mz8q7abc.cloudfront.net", "FRA56-P3")
    assert row(ws, 303)["status"] is None  # 000: the viewer went away before a response
    assert row(ws, 304)["user_agent"] == 'Mozilla/5.0 (X11; Linux x86_64) "quoted"'  # URL-decoded
    jwt = row(ws, 305)
    assert (jwt["jwt_iss"], jwt["query"], jwt["path"]) == ("backup-pro-connect", "jwt=REDACTED&limit=5",
                                                          "/wiki/rest/api/space")
    assert "cs(Cookie)" not in json.loads(row(ws, 306)["extra"])
    assert reasons(ws) == {
        307: "1 fields, #Fields declares 33",  # spaces where the tabs were
        308: "7 fields, #Fields declares 33",
        309: "bad timestamp: 2026-09-31 23:59:07",
        310: "bad status: 2xx",
        311: "invalid UTF-8 at byte 85",
        312: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("cloudfront-fuzz"))


VALID = SAMPLE.read_text(encoding="utf-8", errors="replace").splitlines()[:20]


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(mutated(VALID[2:]), min_size=1, max_size=6))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check(("\n".join(VALID[:2] + lines) + "\n").encode(), "cloudfront")


@settings(max_examples=30, deadline=None)
@given(lines=text_lines())
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check("\n".join(lines).encode(), "cloudfront")

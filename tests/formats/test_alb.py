"""AWS ALB access logs: the sample, hostile lines, and fuzzing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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

SAMPLE = SAMPLES / "alb-access.log"


def test_sample(ws: Workspace) -> None:
    f = ingest_one(ws, SAMPLE)
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("alb", 309, 302, 7, 0)
    first = row(ws, 1)
    assert first["ts"] == dt.datetime(2026, 9, 1, 2, 17, 58, 929042)
    assert (first["method"], first["host"], first["path"], first["status"], first["bytes"]) == (
        "GET", "acme.atlassian.net", "/favicon.ico", 200, 14743)
    assert first["duration_ms"] == pytest.approx(527.0)
    assert (first["client_ip"], first["user_agent"]) == ("10.20.0.11", "BackupPro/2.1 (+https://backup.example)")
    assert first["is_wiki"] is False  # not Confluence REST, but kept
    extra = json.loads(first["extra"])
    assert extra["target_group_arn"].endswith("targetgroup/confluence/73e2d6bc24d8a067")
    assert extra["trace_id"] == "Root=1-6a9635d6-00002397b230443900002397"
    assert row(ws, 301)["user_agent"] == 'Mozilla/5.0 "quoted" agent'  # \" inside the quoted field
    client_closed = row(ws, 302)  # ALB's 460 with '-' target and -1 times
    assert (client_closed["status"], client_closed["duration_ms"]) == (460, None)
    assert reasons(ws) == {
        303: "bad request line: - - - ",
        304: "line does not match the alb layout",
        305: "line does not match the alb layout",
        306: "bad timestamp: 2026-09-31T25:59:06.000000Z",
        307: "bad status: abc",
        308: "invalid UTF-8 at byte 181",
        309: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("alb-fuzz"))


VALID = SAMPLE.read_text(encoding="utf-8", errors="replace").splitlines()[:20]


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(mutated(VALID), min_size=1, max_size=6))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check(("\n".join(lines) + "\n").encode(), "alb")


@settings(max_examples=30, deadline=None)
@given(lines=text_lines())
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check("\n".join(lines).encode(), "alb")

"""HAR 1.2 documents: the sample, documents that are not HAR, a grown file, fuzzing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    reasons,
    row,
)

SAMPLE = SAMPLES / "browser-export.har"


def _har(entries: list[Any]) -> str:
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}})


def _entry(url: str = "https://acme.atlassian.net/wiki/api/v2/pages/1", **extra: Any) -> dict[str, Any]:
    return {"startedDateTime": "2026-09-30T10:00:00.000Z", "time": 5,
            "request": {"method": "GET", "url": url, "headers": []},
            "response": {"status": 200, "bodySize": 10}, **extra}


def test_sample(ws: Workspace) -> None:
    f = ingest_one(ws, SAMPLE)
    # line_no is the entry's 1-based index in log.entries
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("har", 309, 303, 6, 0)
    first = row(ws, 1)
    assert first["ts"] == dt.datetime(2026, 9, 1, 0, 16, 15, 949000)
    assert (first["method"], first["host"], first["path"], first["status"], first["bytes"], first["duration_ms"],
            first["user_agent"], first["jwt_iss"], first["client_ip"]) == (
        "GET", "acme.atlassian.net", "/wiki/api/v2/inline-comments", 200, 26341, 15.857,
        "BackupPro/2.1 (+https://backup.example)", "backup-pro-connect", None)
    assert json.loads(first["extra"])["serverIPAddress"] == "104.192.142.18"
    offset = row(ws, 301)
    assert (offset["ts"], offset["bytes"], offset["user_agent"]) == (
        dt.datetime(2026, 9, 30, 21, 59), 321, 'Mozilla/5.0 "quoted" agent')  # +02:00; content.size
    assert row(ws, 302)["remote_user"] == "ops-bot@acme.com"  # from the Basic Authorization header
    assert row(ws, 303)["status"] is None  # status 0: the browser got no response
    assert reasons(ws) == {
        304: "missing startedDateTime",
        305: "bad startedDateTime: 30/09/2026 23:59",
        306: "missing request.url",
        307: "bad status: 200",
        308: "NUL character in request.url",
        309: "entry is not a JSON object",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


@pytest.mark.parametrize(("content", "reason"), [
    (b'{"log": {"entries": [', "incomplete HAR document: it ends early (still being written?); read again when "
                               "it grows"),
    (b'{"log": {"version": "1.2"}}', "not a HAR document: no log.entries list"),
    (b'{"log": {"entries": ["caf\xe9"]}}', "not a HAR document: bad JSON (lexical error: invalid bytes in UTF8 "
                                          "string.)"),
])
def test_a_document_that_is_not_har_is_one_reject(ws: Workspace, tmp_path: Path, content: bytes,
                                                  reason: str) -> None:
    path = tmp_path / "broken.har"
    path.write_bytes(content)
    f = ingest_one(ws, path, format="har")
    assert (f.lines_read, f.stored, f.rejected) == (1, 0, 1)
    assert reasons(ws) == {1: reason}


def test_entries_before_bad_json_are_kept(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "cut.har"
    good = json.dumps(_entry())
    path.write_bytes(b'\xef\xbb\xbf{"log": {"entries": [' + good.encode() + b", " + good.encode() + b", }")
    f = ingest_one(ws, path, format="har")
    assert (f.lines_read, f.stored, f.rejected) == (3, 2, 1)
    assert reasons(ws) == {3: "not a HAR document: bad JSON (parse error: unallowed token at this point in JSON "
                              "text) (after entry 2)"}


def test_incomplete_document_is_read_on_when_completed(ws: Workspace, tmp_path: Path) -> None:
    """A HAR saved while still being written keeps no stale reject once it is complete."""
    path = tmp_path / "live.har"
    whole = _har([_entry(), _entry(url="https://acme.atlassian.net/wiki/rest/api/space"), _entry()])
    cut = whole.index('"startedDateTime"', whole.index('"startedDateTime"') + 1) + 10  # inside entry 2
    path.write_text(whole[:cut])
    first = ingest_one(ws, path)
    assert (first.lines_read, first.stored, first.rejected) == (2, 1, 1)
    assert reasons(ws)[2].startswith("incomplete HAR document")
    path.write_text(whole)
    completed = ingest_one(ws, path)
    assert completed.action == "appended"
    assert reasons(ws) == {}
    stored = ws.con.execute("SELECT line_no, path FROM requests ORDER BY line_no").fetchall()
    assert stored == [(1, "/wiki/api/v2/pages/1"), (2, "/wiki/rest/api/space"), (3, "/wiki/api/v2/pages/1")]
    files = ws.con.execute("SELECT lines_read, rows_stored, rows_rejected, unterminated FROM files").fetchall()
    assert files == [(3, 3, 0, False)]


def test_grown_document_adds_only_new_records(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "session.har"
    path.write_text(_har([_entry(), _entry(url="https://acme.atlassian.net/wiki/rest/api/space")]))
    assert ingest_one(ws, path).stored == 2
    with path.open("a") as handle:  # still the same document: nothing new
        handle.write("\n")
    again = ingest_one(ws, path)
    assert (again.action, again.lines_read, again.stored) == ("appended", 0, 0)
    with path.open("a") as handle:  # bytes after the document: the whole file is no HAR any more
        handle.write('{"log": 1}\n')
    broken = ingest_one(ws, path)
    assert (broken.lines_read, broken.stored, broken.rejected) == (1, 0, 1)
    assert reasons(ws)[3] == "not a HAR document: bad JSON (parse error: trailing garbage) (after entry 2)"
    assert ws.con.execute("SELECT count(*) FROM requests").fetchall()[0][0] == 2


def test_secrets_in_rejected_entries_are_masked(ws: Workspace, tmp_path: Path) -> None:
    entry = _entry(startedDateTime="never")
    entry["request"]["headers"] = [{"name": "Authorization", "value": "Basic b3BzLWJvdEBhY21lLmNvbTpzM2NyM3Q="},
                                   {"name": "Cookie", "value": "tenant.session.token=c00k13"}]
    entry["request"]["cookies"] = [{"name": "tenant.session.token", "value": "c00k13"}]
    path = tmp_path / "secret.har"
    path.write_text(_har([entry]))
    f = ingest_one(ws, path)
    assert f.rejected == 1
    assert_no_secrets(ws)


def test_nonstandard_numbers_stop_the_document(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "nan.har"
    path.write_text(_har([_entry(), _entry(time=float("nan")), _entry()]))
    f = ingest_one(ws, path)
    assert (f.lines_read, f.stored, f.rejected) == (2, 1, 1)
    assert reasons(ws)[2].startswith("not a HAR document: bad JSON (lexical error: invalid char in json text")


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("har-fuzz"))


# Standard JSON (RFC 8259): the streaming parser refuses NaN, Infinity and integers beyond 63 bits and a
# sign, which json.dumps would write (test_nonstandard_numbers_stop_the_document checks how).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
entries = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={
        "startedDateTime": st.one_of(st.text(max_size=30), st.just("2026-09-30T10:00:00+02:00"), json_values),
        "time": json_values,
        "request": st.fixed_dictionaries({}, optional={
            "method": st.one_of(st.sampled_from(["GET", "POST"]), json_values),
            "url": st.one_of(st.just("https://acme.atlassian.net/wiki/api/v2/pages/1"), st.text(max_size=30)),
            "headers": st.lists(st.fixed_dictionaries({"name": st.sampled_from(["Host", "User-Agent", "Cookie"]),
                                                       "value": json_values}), max_size=3)}),
        "response": json_values,
    }))


@settings(max_examples=40, deadline=None)
@given(items=st.lists(entries, max_size=6))
def test_arbitrary_entries_are_stored_or_rejected(fuzzer: Fuzzer, items: list[Any]) -> None:
    result = fuzzer.check(_har(items).encode(), "har", suffix=".har")
    assert result.lines_read == len(items)


@settings(max_examples=20, deadline=None)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_are_one_reject_or_entries(fuzzer: Fuzzer, data: bytes) -> None:
    # behind a JSON start: bytes that begin like gzip or bzip2 would be read as compressed files
    fuzzer.check(b'{"log": {"entries": [' + data, "har", suffix=".har")

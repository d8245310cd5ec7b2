"""The line splitter: every input line is a good line or a reject, with exact numbering."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.formats.lines import iter_line_chunks, redact_text, split_lines


def _collect(data: bytes, **kwargs: int) -> tuple[list[tuple[int, str]], list[tuple[int, str]], int]:
    good: list[tuple[int, str]] = []
    bad: list[tuple[int, str]] = []
    total = 0
    for chunk in iter_line_chunks(io.BytesIO(data), **kwargs):
        total += chunk.n_lines
        good += [(r["line_no"], r["line"]) for r in chunk.lines.to_pylist()]
        bad += [(r["line_no"], r["reason"]) for r in chunk.rejects.to_pylist()]
    return good, bad, total


def test_crlf_and_last_line_without_newline() -> None:
    good, bad, total = _collect(b"one\r\ntwo\nthree")
    assert good == [(1, "one"), (2, "two"), (3, "three")]
    assert bad == [] and total == 3


def test_bad_lines_are_rejected_with_reasons() -> None:
    data = b"ok\n\nnul\x00here\nbad \xff byte\n" + b"x" * 40 + b"\ncaf\xc3\xa9\n"
    good, bad, total = _collect(data, max_line_bytes=30)
    assert good == [(1, "ok"), (6, "caf\u00e9")]
    reasons = dict(bad)
    assert reasons[2] == "empty line"
    assert reasons[3] == "NUL byte in line"
    assert reasons[4].startswith("invalid UTF-8")
    assert reasons[5] == "line longer than 30 bytes"
    assert total == 6


def test_long_line_spanning_reads_is_skipped_not_buffered() -> None:
    data = b"a\n" + b"y" * 5000 + b"\nb\n"
    good, bad, total = _collect(data, max_line_bytes=100, read_bytes=64)
    assert good == [(1, "a"), (3, "b")]
    assert bad == [(2, "line longer than 100 bytes")]
    assert total == 3


def test_offsets_count_every_byte() -> None:
    data = b"alpha\nbeta\ngam"
    chunks = list(iter_line_chunks(io.BytesIO(data), read_bytes=4))
    assert chunks[-1].end_offset == len(data)
    assert chunks[-1].unterminated


def test_reject_text_masks_credentials() -> None:
    text = redact_text('GET /x?jwt=eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.sig "Authorization: Basic dXNlcjpwYXNz"')
    assert "eyJhbGci" not in text and "dXNlcjpwYXNz" not in text
    assert "REDACTED" in text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=60), max_size=40), st.integers(min_value=1, max_value=50))
def test_every_line_is_accounted_for(lines: list[bytes], read_bytes: int) -> None:
    data = b"\n".join(line.replace(b"\n", b"") for line in lines)
    good, bad, total = _collect(data, read_bytes=read_bytes, max_line_bytes=40)
    expected = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    assert total == expected
    numbers = sorted([n for n, _ in good] + [n for n, _ in bad])
    assert numbers == list(range(1, expected + 1))


def test_split_lines_direct() -> None:
    lines, rejects, n = split_lines(b"a\nb\n", 10)
    assert n == 2 and lines.column("line_no").to_pylist() == [10, 11] and rejects.num_rows == 0

"""Tests for the page parser: it must find every entry, in the right part and section.

The counts are derived from the raw text with deliberately simpler rules than the
parser's, so a parser bug cannot hide behind a count computed the same way.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from analyzer.catalog.build import reference_dir_from
from analyzer.catalog.seed import (
    DOCUMENT_FILENAME,
    SeedEntry,
    load_seed,
    normalise_group,
    parse_seed_text,
)
from analyzer.errors import InputFileError

REFERENCE_DIR = reference_dir_from(None)

# The link line as printed: an upper-case method badge, a space, the link text.
STRICT_LINK = re.compile(r"^(GET|POST|PUT|DEL|PATCH) \S")
NOT_BLOCKED_HEADING = "Not blocked when an app access rule applies"

# Entries that have no well-formed link line, found by reading the page: two lost
# their method badge, one has no link at all.  (name, last line or None, verdict)
ENTRIES_WITHOUT_STRICT_LINK = (
    ("Get all content from Confluence", "Get Content", "blocked"),
    ("Get content history", None, "blocked"),
    ("Get content template", "Template Get content template", "not_blocked"),
)


@pytest.fixture(scope="module")
def document_lines() -> list[str]:
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference documents not present at {REFERENCE_DIR} (set APPACCESS_REFERENCE_DIR)")
    text = (REFERENCE_DIR / DOCUMENT_FILENAME).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def entries(document_lines: list[str]) -> list[SeedEntry]:
    return load_seed(REFERENCE_DIR)


def test_entry_count_matches_independent_count(document_lines: list[str], entries: list[SeedEntry]) -> None:
    strict_links = [line for line in document_lines if STRICT_LINK.match(line)]
    assert len(strict_links) == 293
    for name, last_line, _ in ENTRIES_WITHOUT_STRICT_LINK:
        assert name in document_lines
        assert last_line is None or last_line in document_lines
    assert len(entries) == len(strict_links) + len(ENTRIES_WITHOUT_STRICT_LINK) == 296


def test_every_strict_link_line_is_one_entry_link_in_order(
    document_lines: list[str], entries: list[SeedEntry]
) -> None:
    strict_links = [line for line in document_lines if STRICT_LINK.match(line)]
    assert [e.link_raw for e in entries if e.has_strict_link] == strict_links


def test_entries_without_strict_link(entries: list[SeedEntry]) -> None:
    found = [(e.name, e.link_raw, e.verdict) for e in entries if not e.has_strict_link]
    assert found == list(ENTRIES_WITHOUT_STRICT_LINK)
    by_name = {e.name: e for e in entries if not e.has_strict_link}
    assert by_name["Get all content from Confluence"].link_text == "Get Content"
    assert by_name["Get content template"].link_text == "Get content template"
    history = by_name["Get content history"]
    assert (history.link_method, history.link_text, history.deprecated) == (None, None, True)


def test_verdict_split_matches_part_headings(document_lines: list[str], entries: list[SeedEntry]) -> None:
    split = document_lines.index(NOT_BLOCKED_HEADING)
    blocked_links = sum(1 for line in document_lines[:split] if STRICT_LINK.match(line))
    not_blocked_links = sum(1 for line in document_lines[split:] if STRICT_LINK.match(line))
    extra = {
        v: sum(1 for *_, verdict in ENTRIES_WITHOUT_STRICT_LINK if verdict == v)
        for v in ("blocked", "not_blocked")
    }
    assert sum(e.verdict == "blocked" for e in entries) == blocked_links + extra["blocked"] == 199
    assert sum(e.verdict == "not_blocked" for e in entries) == not_blocked_links + extra["not_blocked"] == 97
    # Document order: all blocked entries come first.
    assert [e.verdict for e in entries] == sorted((e.verdict for e in entries), key="blocked".__ne__)


def test_deprecated_marks_all_attributed(document_lines: list[str], entries: list[SeedEntry]) -> None:
    assert sum(e.deprecated for e in entries) == document_lines.count("非推奨") == 41


def test_every_table_is_a_section(document_lines: list[str], entries: list[SeedEntry]) -> None:
    # A section is a run of consecutive entries under one heading; headings repeat
    # across parts ("Search API (version 1)" is in both), so runs, not names, count.
    runs = sum(
        1
        for prev, cur in zip([None, *entries], entries, strict=False)
        if prev is None or (prev.verdict, prev.section) != (cur.verdict, cur.section)
    )
    assert runs == document_lines.count("API docs link") == 58


def test_indexes_are_sequential_and_lines_increase(entries: list[SeedEntry]) -> None:
    assert [e.index for e in entries] == list(range(1, len(entries) + 1))
    assert all(a.line_no < b.line_no for a, b in itertools.pairwise(entries))


def test_selected_entries(entries: list[SeedEntry]) -> None:
    by_line = {(e.name, e.section): e for e in entries}
    copy = by_line[("Copy page hierarchy", "Content - children and descendants APIs (version 1)")]
    assert copy.description.count("\n") == 2  # intro sentence plus two bullets
    assert (copy.link_method, copy.link_text, copy.version) == ("POST", "Copy page hierarchy", 1)
    delete = by_line[("Delete attachment", "Attachment APIs (version 2)")]
    assert (delete.link_method, delete.link_http_method, delete.group) == ("DEL", "DELETE", "Attachment")
    translated = by_line[("ブログ投稿を作成", "Blog post APIs (version 2)")]
    assert (translated.link_text, translated.verdict) == ("Create blog post", "blocked")
    watches = by_line[("Get space watchers", "Content – watches (version 1)")]
    assert (watches.group, watches.verdict) == ("Content - watches", "not_blocked")


@pytest.mark.parametrize(
    ("title", "group"),
    [
        ("Content - restrictions APIs", "Content - restrictions"),
        ("Space – permissions API", "Space - permissions"),
        ("Content - states", "Content - states"),
        ("Content – watches", "Content - watches"),
        ("Long-running task APIs", "Long-running task"),
        ("Content APIs", "Content"),
        ("Space", "Space"),
    ],
)
def test_normalise_group(title: str, group: str) -> None:
    assert normalise_group(title) == group


# --- synthetic documents: parser behaviour that does not need the reference page ---

SYNTHETIC = """Intro
Glossary (version 1)

Blocked when app access rule applies

Widget APIs (version 2)

Some intro prose.

名前

説明

API docs link

Get widget

Returns a widget.

GET Get widget

Old widget

非推奨

Returns an old widget.

Returns an old widget.

Delete widget

非推奨

Deletes a widget.

DEL Delete widget

Not blocked when an app access rule applies

Gadget – things API (Version 1)

名前

説明

API docs link

Read gadget

Reads a gadget.

  • Bullet one.

Widget Get gadget

最終更新日 2024
"""


def test_synthetic_document() -> None:
    parsed = parse_seed_text(SYNTHETIC)
    assert [
        (e.index, e.verdict, e.group, e.version, e.name, e.deprecated, e.link_method, e.link_text)
        for e in parsed
    ] == [
        (1, "blocked", "Widget", 2, "Get widget", False, "GET", "Get widget"),
        # No link line: the 非推奨 after "Delete widget" shows where the next entry starts.
        (2, "blocked", "Widget", 2, "Old widget", True, None, None),
        (3, "blocked", "Widget", 2, "Delete widget", True, "DEL", "Delete widget"),
        (4, "not_blocked", "Gadget - things", 1, "Read gadget", False, None, "Get gadget"),
    ]
    assert parsed[1].description == "Returns an old widget.\nReturns an old widget."
    assert parsed[3].description == "Reads a gadget.\n• Bullet one."
    assert parsed[3].link_raw == "Widget Get gadget"
    assert parsed[0].line_no == 16


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (SYNTHETIC.replace("Blocked when app access rule applies", "Something else"), "both parts"),
        # A lost part heading merges two tables; the parser notices instead of guessing.
        (
            SYNTHETIC.replace("Not blocked when an app access rule applies", "Something else"),
            "without description",
        ),
        (SYNTHETIC.replace("API docs link\n\nGet widget", "Get widget"), "no table"),
        (SYNTHETIC.replace("Get widget\n\nReturns a widget.", "Get widget"), "no description"),
    ],
)
def test_synthetic_layout_errors_are_loud(broken: str, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        parse_seed_text(broken)


def test_missing_document_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="cannot read"):
        load_seed(tmp_path)

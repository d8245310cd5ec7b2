"""Parse the "App Access for Confluence Cloud REST APIs" page into structured entries.

Why this module exists: the only authoritative statement of which REST operations an
app access rule blocks is a human-written web page (dumped to text, partly with
Japanese UI labels).  The OpenAPI specs carry an ``app-access-rule-exempt`` flag too,
but the page is the document the user relies on, so the endpoint catalogue is seeded
from it.  This module turns the page into :class:`SeedEntry` records and nothing
more; matching entries to OpenAPI operations (and repairing the page's copy errors)
is :mod:`analyzer.catalog.build`'s job.

Layout of the dump (blank lines between every line are ignored):

* a glossary, then two *parts*: "Blocked when app access rule applies" and
  "Not blocked when an app access rule applies";
* each part holds *sections* headed ``<Title> [API|APIs] (version N)``; the
  spelling varies ("Version", en dash vs hyphen, "API" missing), so the header is
  recognised only by its trailing ``(version N)``;
* each section has optional intro prose, then a three-line table header
  (``名前`` / ``説明`` / ``API docs link``), then entries;
* an entry is a name line, an optional ``非推奨`` line (deprecated), one or more
  description lines and usually a link line ``METHOD Link text`` where METHOD is
  the badge GET/POST/PUT/DEL/PATCH (DEL means DELETE).

Irregularities handled on purpose (see :func:`_classify_link`):

* a link line whose method badge was lost or garbled in the copy ("Get Content",
  "Template Get content template"): recorded with ``link_method=None`` and the
  link text that follows the stray word, so the builder can still match it;
* an entry with no link line at all: it ends at the next section, or before a line
  that is followed by ``非推奨`` (which only ever follows a name); recorded with
  ``link_method=link_text=None``.

The parser fails with :class:`~analyzer.errors.InputFileError` instead of guessing
when the layout is not what is described above, so a changed page is noticed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from analyzer.errors import InputFileError

Verdict = Literal["blocked", "not_blocked"]

DOCUMENT_FILENAME = "app-access-for-confluence-cloud-rest-apis.txt"

# Method badges as the page prints them, mapped to HTTP methods.
BADGE_TO_HTTP: dict[str, str] = {
    "GET": "GET",
    "POST": "POST",
    "PUT": "PUT",
    "DEL": "DELETE",
    "DELETE": "DELETE",
    "PATCH": "PATCH",
}

DEPRECATED_MARK = "非推奨"
TABLE_HEADER: tuple[str, str, str] = ("名前", "説明", "API docs link")

# Part headings, matched on the whole normalised line.  The two are worded slightly
# differently ("an app access rule" vs "app access rule"), so "an" is optional.
_PART_PATTERNS: tuple[tuple[re.Pattern[str], Verdict], ...] = (
    (re.compile(r"^not blocked when (?:an )?app access rule applies$", re.I), "not_blocked"),
    (re.compile(r"^blocked when (?:an )?app access rule applies$", re.I), "blocked"),
)

# The only stable part of a section heading is the trailing "(version N)".
_SECTION_RE = re.compile(r"^(?P<title>\S.*?)\s*\((?i:version)\s*(?P<version>[12])\)$")
_API_SUFFIX_RE = re.compile(r"\s+APIs?$", re.I)
# A spaced hyphen or any en/em dash separates "Content - restrictions"; "Long-running" keeps its hyphen.
_DASHES_RE = re.compile(r"\s+[-‐‑‒–—]\s+|\s*[‒–—]\s*")

# "最終更新日" ("last updated") starts the page footer; nothing after it is data.
_FOOTER_RE = re.compile(r"^最終更新日")

_STRICT_LINK_RE = re.compile(r"^(?P<badge>GET|POST|PUT|DEL|DELETE|PATCH)\s+(?P<text>\S.*)$")
# A link line whose badge is missing or replaced by one stray capitalised word.  It
# must read like an operation title (starts with an HTTP-ish verb) and must not end
# like prose; description lines in this page are sentences or bullets.
_GARBLED_LINK_RE = re.compile(
    r"^(?:(?P<stray>[A-Z][A-Za-z]*)\s+)??(?P<text>(?:Get|Post|Put|Patch|Delete|Del)\b.*[^.:;,])$"
)
_BULLET_RE = re.compile(r"^[•·*-]\s")


@dataclass(frozen=True, slots=True)
class SeedEntry:
    """One row of one table of the page, in document order.

    ``index`` is 1-based and counts every entry of the page, duplicates included.
    ``link_method`` is the badge as printed (``DEL`` stays ``DEL``); use
    :attr:`link_http_method` for the HTTP method.  ``link_raw`` keeps the link line
    verbatim so a garbled badge stays visible downstream.
    """

    index: int
    verdict: Verdict
    section: str
    group: str
    version: int
    name: str
    deprecated: bool
    description: str
    link_method: str | None
    link_text: str | None
    line_no: int
    link_raw: str | None = None

    @property
    def link_http_method(self) -> str | None:
        """HTTP method named by the link badge, or None when the badge is missing."""
        return BADGE_TO_HTTP[self.link_method] if self.link_method else None

    @property
    def has_strict_link(self) -> bool:
        """True when the link line had a proper method badge."""
        return self.link_method is not None


@dataclass(frozen=True, slots=True)
class _Line:
    no: int  # 1-based line number in the original file, blank lines included
    text: str


def normalise_group(title: str) -> str:
    """Section title without the "APIs" suffix, with every dash spelled " - "."""
    title = " ".join(title.split())
    title = _API_SUFFIX_RE.sub("", title)
    return _DASHES_RE.sub(" - ", title)


def _part_verdict(text: str) -> Verdict | None:
    normalised = " ".join(text.split())
    for pattern, verdict in _PART_PATTERNS:
        if pattern.match(normalised):
            return verdict
    return None


def _classify_link(text: str) -> tuple[str | None, str] | None:
    """Return ``(badge or None, link text)`` if ``text`` is a link line, else None.

    Only called for lines that follow at least one description line, so an entry's
    name (which also often starts with "Get") is never mistaken for a link.
    """
    strict = _STRICT_LINK_RE.match(text)
    if strict:
        return strict["badge"], strict["text"].strip()
    if _BULLET_RE.match(text):
        return None
    garbled = _GARBLED_LINK_RE.match(text)
    if garbled:
        return None, garbled["text"].strip()
    return None


def _content_lines(text: str) -> list[_Line]:
    return [_Line(no, line.strip()) for no, line in enumerate(text.splitlines(), start=1) if line.strip()]


@dataclass
class _Draft:
    name: _Line
    deprecated: bool = False
    description: list[str] | None = None

    def finish(
        self,
        *,
        index: int,
        verdict: Verdict,
        section: str,
        version: int,
        link: tuple[str | None, str] | None,
        link_raw: str | None,
    ) -> SeedEntry:
        title = _SECTION_RE.match(section)
        assert title is not None  # sections are only created from matching headers
        return SeedEntry(
            index=index,
            verdict=verdict,
            section=section,
            group=normalise_group(title["title"]),
            version=version,
            name=self.name.text,
            deprecated=self.deprecated,
            description="\n".join(self.description or []),
            link_method=link[0] if link else None,
            link_text=link[1] if link else None,
            line_no=self.name.no,
            link_raw=link_raw,
        )


def _error(path: str, line: _Line, message: str) -> InputFileError:
    return InputFileError(
        f"{path}:{line.no}: {message}: {line.text!r}",
        hint="the page layout changed; update analyzer/catalog/seed.py",
    )


def _parse_table(
    lines: Sequence[_Line],
    *,
    path: str,
    verdict: Verdict,
    section: str,
    version: int,
    first_index: int,
) -> Iterator[SeedEntry]:
    """Yield the entries of one section's table (``lines`` excludes the header)."""
    index = first_index
    draft: _Draft | None = None

    def finish(link: tuple[str | None, str] | None, raw: str | None) -> SeedEntry:
        nonlocal index, draft
        assert draft is not None
        entry = draft.finish(
            index=index, verdict=verdict, section=section, version=version, link=link, link_raw=raw
        )
        index += 1
        draft = None
        return entry

    for pos, line in enumerate(lines):
        next_text = lines[pos + 1].text if pos + 1 < len(lines) else None
        if draft is None:
            if line.text == DEPRECATED_MARK or _STRICT_LINK_RE.match(line.text):
                raise _error(path, line, "expected an entry name")
            draft = _Draft(line)
        elif draft.description is None:
            if line.text == DEPRECATED_MARK and not draft.deprecated:
                draft.deprecated = True
            elif _STRICT_LINK_RE.match(line.text) or line.text == DEPRECATED_MARK:
                raise _error(path, line, f"entry {draft.name.text!r} has no description")
            else:
                draft.description = [line.text]
        elif next_text == DEPRECATED_MARK:
            # 非推奨 only ever follows a name, so this line names the next entry and
            # the current one had no link line.
            yield finish(None, None)
            draft = _Draft(line)
        else:
            link = _classify_link(line.text)
            if link is None:
                draft.description.append(line.text)
            else:
                yield finish(link, line.text)
    if draft is not None:
        if draft.description is None:
            raise _error(path, draft.name, "section ends inside an entry without description")
        yield finish(None, None)


def parse_seed_text(text: str, *, path: str = DOCUMENT_FILENAME) -> list[SeedEntry]:
    """Parse the page's text into entries, in document order."""
    lines = _content_lines(text)
    entries: list[SeedEntry] = []
    verdict: Verdict | None = None
    parts_seen: list[Verdict] = []
    pos = 0
    while pos < len(lines):
        line = lines[pos]
        if _FOOTER_RE.match(line.text):
            break
        part = _part_verdict(line.text)
        if part is not None:
            if part in parts_seen:
                raise _error(path, line, "part heading repeated")
            verdict = part
            parts_seen.append(part)
            pos += 1
            continue
        header = _SECTION_RE.match(line.text) if verdict is not None else None
        if header is None:
            pos += 1  # glossary and part/section intro prose
            continue
        # Find the table header, then the end of the section.
        start = pos + 1
        while start < len(lines) and tuple(t.text for t in lines[start : start + 3]) != TABLE_HEADER:
            if _SECTION_RE.match(lines[start].text) or _part_verdict(lines[start].text):
                raise _error(path, line, "section has no table")
            start += 1
        if start >= len(lines):
            raise _error(path, line, "section has no table")
        start += len(TABLE_HEADER)
        end = start
        while end < len(lines) and not (
            _SECTION_RE.match(lines[end].text)
            or _part_verdict(lines[end].text)
            or _FOOTER_RE.match(lines[end].text)
        ):
            end += 1
        body = lines[start:end]
        if not body:
            raise _error(path, line, "section table is empty")
        assert verdict is not None
        entries.extend(
            _parse_table(
                body,
                path=path,
                verdict=verdict,
                section=line.text,
                version=int(header["version"]),
                first_index=len(entries) + 1,
            )
        )
        pos = end
    if sorted(parts_seen) != ["blocked", "not_blocked"]:
        raise InputFileError(f"{path}: expected both parts (blocked / not blocked), found {parts_seen}")
    return entries


def load_seed(reference_dir: Path) -> list[SeedEntry]:
    """Read and parse the page from ``reference_dir``."""
    path = reference_dir / DOCUMENT_FILENAME
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputFileError(
            f"cannot read {path}: {exc.strerror or exc}",
            hint="pass --reference-dir or set APPACCESS_REFERENCE_DIR",
        ) from exc
    return parse_seed_text(text, path=str(path))

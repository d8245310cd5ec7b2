"""Build the endpoint catalogue in ``analyzer/catalog/data`` from the reference documents.

Why this module exists: the analyser needs, for every Confluence Cloud REST operation,
whether an app access rule blocks it and which path parameter names the space or the
content it touches.  Two sources say different things:

* the user's page (parsed by :mod:`analyzer.catalog.seed`) is the authority for the
  *verdict* (blocked / not blocked), but it names operations by their docs link text
  and contains copy errors;
* the OpenAPI specs are the authority for *which operations exist*, their method,
  path template and an ``app-access-rule-exempt`` flag.

This script resolves every page entry to exactly one spec operation, repairs the
page's copy errors through the reviewed :data:`OVERRIDES` table, and writes
``endpoints.csv`` (every spec operation), ``seed_entries.csv`` (every page entry and
how it was resolved) and ``README.md``.  It writes nothing and exits non-zero when any
entry is unresolved, ambiguous, suspicious and unreviewed, or when a table below is
stale, so a changed page or spec forces a human decision instead of a silent guess.

Run ``python -m analyzer.catalog.build [--reference-dir DIR] [--output-dir DIR] [--check]``
(``make catalog``).  Output is deterministic: rerunning gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from analyzer.catalog.seed import DOCUMENT_FILENAME, SeedEntry, Verdict, load_seed
from analyzer.errors import InputFileError

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
REFERENCE_DIR_ENV = "APPACCESS_REFERENCE_DIR"

SPEC_FILES: tuple[tuple[int, str], ...] = (
    (1, "confluence-rest-v1.openapi.json"),
    (2, "confluence-rest-v2.openapi.json"),
)
HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
EXEMPT_FLAG = "app-access-rule-exempt"
POLICY_KEY = "x-atlassian-data-security-policy"

ENDPOINTS_CSV = "endpoints.csv"
SEED_ENTRIES_CSV = "seed_entries.csv"
README_MD = "README.md"

ENDPOINT_COLUMNS = (
    "method",
    "path",
    "version",
    "group",
    "name",
    "blocked",
    "deprecated",
    "source",
    "operation_id",
    "spec_exempt",
    "space_key_param",
    "space_id_param",
    "content_id_param",
)
SEED_COLUMNS = (
    "index",
    "verdict",
    "group",
    "version",
    "name",
    "deprecated",
    "link_method",
    "link_text",
    "method",
    "path",
    "resolution",
)

OpKey = tuple[str, str]  # (METHOD, full path template)
# Seed entries are addressed by what a reviewer sees on the page, not by a line
# number that shifts whenever the page is re-exported.  ``occurrence`` is 1-based
# and counts entries with the same (verdict, group, name) in document order.
SeedKey = tuple[Verdict, str, str, int]
ParamRole = Literal["space_key", "space_id", "content_id"]


# ---------------------------------------------------------------------------
# Reviewed decisions.  Every table is checked for stale rows on each build.
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Override:
    """Force a page entry onto one operation; ``reason`` lands in seed_entries.csv."""

    method: str
    path: str
    reason: str


_RESTRICTION_BY_NAME = "/wiki/rest/api/content/{id}/restriction/byOperation/{operationKey}/group/{groupName}"
_RESTRICTION_BY_ID = "/wiki/rest/api/content/{id}/restriction/byOperation/{operationKey}/byGroupId/{groupId}"
_TWO_RESTRICTIONS = "two operations share this summary (group by name, deprecated; group by id)"
# Where the page lists several operations under one name, it lists them in the same
# order as the v1 spec does, and the 非推奨 marks line up with the spec's deprecated
# flags; both facts are used below to pair entries with operations.
OVERRIDES: dict[SeedKey, Override] = {
    # --- copy errors: the link line names some other operation ---
    ("blocked", "Content - attachments", "Get attachments", 1): Override(
        "GET",
        "/wiki/rest/api/content/{id}/child/attachment",
        'link repeats the next entry\'s "POST Create attachment"; the entry is a deprecated read of '
        "a content's attachments, which is the deprecated GET on the same collection",
    ),
    ("blocked", "Content - attachments", "Create or update attachment", 1): Override(
        "PUT",
        "/wiki/rest/api/content/{id}/child/attachment",
        'link names "Update attachment properties" (also linked by its own entry); the entry is '
        "create-or-update, whose spec summary equals the entry name",
    ),
    ("blocked", "Content - children and descendants", "Get content children", 1): Override(
        "GET",
        "/wiki/rest/api/content/{id}/child",
        'link names "Get attachments"; the entry lists all children and its name is the summary of '
        "the deprecated GET .../child",
    ),
    ("blocked", "Custom content", "Get custom content by type in space", 1): Override(
        "GET",
        "/wiki/api/v2/spaces/{id}/custom-content",
        'link repeats the previous entry\'s "Get custom content by type in page"; the entry is the '
        "space variant, whose spec summary equals the entry name",
    ),
    ("blocked", "Content - restrictions", "Remove group from content restriction", 1): Override(
        "DELETE",
        _RESTRICTION_BY_NAME,
        'link repeats "PUT Add group to content restriction"; the entry removes a group and is '
        "marked deprecated, so it is the deprecated DELETE addressed by group name",
    ),
    # --- one summary, several operations: pair by 非推奨 mark and page order (= spec order) ---
    ("blocked", "Content - restrictions", "Get content restriction status for group", 1): Override(
        "GET",
        _RESTRICTION_BY_NAME,
        _TWO_RESTRICTIONS + "; the deprecated entry is the deprecated variant addressed by group name",
    ),
    ("blocked", "Content - restrictions", "Add group to content restriction", 1): Override(
        "PUT",
        _RESTRICTION_BY_NAME,
        _TWO_RESTRICTIONS + "; the deprecated entry is the deprecated variant addressed by group name",
    ),
    ("blocked", "Content - restrictions", "Get content restriction status for group", 2): Override(
        "GET",
        _RESTRICTION_BY_ID,
        _TWO_RESTRICTIONS + "; the current entry is the variant addressed by group id",
    ),
    ("blocked", "Content - restrictions", "Add group to content restriction", 2): Override(
        "PUT",
        _RESTRICTION_BY_ID,
        _TWO_RESTRICTIONS + "; the current entry is the variant addressed by group id",
    ),
    ("blocked", "Content - restrictions", "Remove group from content restriction", 2): Override(
        "DELETE",
        _RESTRICTION_BY_ID,
        _TWO_RESTRICTIONS + "; the current entry is the variant addressed by group id",
    ),
    ("not_blocked", "Group", "Delete user group", 1): Override(
        "DELETE",
        "/wiki/rest/api/group",
        "two operations share this summary; the deprecated entry deletes by name, as the deprecated "
        "variant taking the name as a query parameter does",
    ),
    ("not_blocked", "Group", "Delete user group", 2): Override(
        "DELETE",
        "/wiki/rest/api/group/by-id",
        "two operations share this summary; the current entry deletes by group id",
    ),
    ("not_blocked", "Group", "Get group", 1): Override(
        "GET",
        "/wiki/rest/api/group/by-name",
        "three operations share this summary; the first deprecated (by name) entry is the first "
        "deprecated variant in spec order, with the name as a query parameter",
    ),
    ("not_blocked", "Group", "Get group", 2): Override(
        "GET",
        "/wiki/rest/api/group/by-id",
        "three operations share this summary; the current entry reads by group id",
    ),
    ("not_blocked", "Group", "Get group", 3): Override(
        "GET",
        "/wiki/rest/api/group/{groupName}",
        "three operations share this summary; the second deprecated (by name) entry is the second "
        "deprecated variant in spec order, with the name in the path",
    ),
    ("not_blocked", "Group", "Get group members", 1): Override(
        "GET",
        "/wiki/rest/api/group/member",
        "three operations share this summary; the first deprecated entry is the first deprecated "
        "variant in spec order, with the group name as a query parameter",
    ),
    ("not_blocked", "Group", "Get group members", 2): Override(
        "GET",
        "/wiki/rest/api/group/{groupName}/member",
        "three operations share this summary; the second deprecated entry is the second deprecated "
        "variant in spec order, with the group name in the path",
    ),
    ("not_blocked", "Group", "Get group members", 3): Override(
        "GET",
        "/wiki/rest/api/group/{groupId}/membersByGroupId",
        "three operations share this summary; the current entry reads members by group id",
    ),
    # --- the link text matches no summary of this version ---
    ("not_blocked", "Space - permissions", "Get space permissions", 1): Override(
        "GET",
        "/wiki/api/v2/spaces/{id}/permissions",
        'link "Get space permissions" matches no v2 summary; the only v2 operation listing a '
        'space\'s permissions is "Get space permissions assignments"',
    ),
}

_TRANSLATED = "name is a Japanese UI translation of the linked operation"
_PARAPHRASE = "name paraphrases the linked summary"
_WORDING = "name differs from the linked summary only in grammar"
_NO_BADGE = "link line lost its method badge; the link text is the summary"
_TYPO = "link text misspells the summary; the entry name is the summary"

# Entries whose name differs from their link text and whose automatic resolution was
# reviewed and is right.  An entry with such a difference that is in neither this
# table nor OVERRIDES fails the build: a differing name is how copy errors show.
ACCEPTED_NAME_MISMATCHES: dict[SeedKey, str] = {
    ("blocked", "Blog post", "ブログ投稿を作成", 1): _TRANSLATED,
    ("blocked", "Comment", "Get child footer comments", 1): _PARAPHRASE,
    ("blocked", "Comment", "Get child inline comments", 1): _PARAPHRASE,
    ("blocked", "Content", "Get all content from Confluence", 1): _NO_BADGE,
    ("blocked", "Content", "Create new content", 1): _PARAPHRASE,
    ("blocked", "Content", "ページをアーカイブする", 1): _TRANSLATED,
    ("blocked", "Content - comments", "Get comments", 1): _PARAPHRASE,
    (
        "blocked",
        "Content - macro body",
        "Get macro body by macro ID and convert representation asynchronously",
        1,
    ): _TYPO,
    ("blocked", "Content - restrictions", "Get restrictions for content", 1): _PARAPHRASE,
    ("blocked", "Content - restrictions", "Add restrictions for content", 1): _PARAPHRASE,
    ("blocked", "Content - restrictions", "Delete restrictions for content", 1): _PARAPHRASE,
    (
        "blocked",
        "Content - states",
        "Set the content state of content and publish a new version of the content.",
        1,
    ): _WORDING,
    (
        "blocked",
        "Content - states",
        "Removes the content state of content and publish a new version.",
        1,
    ): _WORDING,
    ("blocked", "Content - states", "Get available content states for content.", 1): _WORDING,
    ("blocked", "Content - states", "Bulk set content state of content", 1): _PARAPHRASE,
    ("blocked", "Content - states", "Get content in space with a given content state", 1): _WORDING,
    ("blocked", "Page", "ページの削除", 1): _TRANSLATED,
    ("blocked", "Search", "Search for content with CQL", 1): _PARAPHRASE,
    ("not_blocked", "Audit", "Get audit records by date", 1): _PARAPHRASE,
    ("not_blocked", "Audit", "Export audit records to a file", 1): _PARAPHRASE,
    ("not_blocked", "Audit", "Get retention period for audit log records", 1): _PARAPHRASE,
    ("not_blocked", "Audit", "Set retention period for audit log records", 1): _PARAPHRASE,
    ("not_blocked", "Audit", "Get audit records for a time period", 1): _WORDING,
    ("not_blocked", "Group", "Add member to group by group ID", 1): _WORDING,
    ("not_blocked", "Long-running task", "Get a specific long-running task", 1): _PARAPHRASE,
    ("not_blocked", "Search", "Search users with CQL", 1): _PARAPHRASE,
    ("not_blocked", "Settings", "Set look and feel settings for a space", 1): _PARAPHRASE,
    ("not_blocked", "Space", "スペースの作成", 1): _TRANSLATED,
    ("not_blocked", "User", "Get user email addresses in bulk", 1): _PARAPHRASE,
}

# When several page entries land on one operation with different verdicts, the
# winner must be chosen here.  The current page has no such case.
VERDICT_WINNERS: dict[OpKey, tuple[Verdict, str]] = {}

# Spec-only operations whose spec carries no exempt flag need a verdict from a human.
MISSING_FLAG_VERDICTS: dict[OpKey, tuple[bool, str]] = {
    ("GET", "/wiki/api/v2/classification-levels"): (
        False,
        "lists the site's classification levels; touches no space or content",
    ),
}

# Which path parameter carries a space key, a space id or a content id.  Keyed by
# (API version, literal path segment right before the parameter, parameter): the
# segment decides because v2 spells pages, labels and tasks all as "{id}".  Every
# parameter in the specs must be listed, so a new one forces a decision.  When a path
# has several parameters of one role, the outermost (first) wins.
_V2_CONTENT_COLLECTIONS = (
    "pages",
    "blogposts",
    "attachments",
    "footer-comments",
    "inline-comments",
    "comments",
    "custom-content",
    "whiteboards",
    "databases",
    "embeds",
    "folders",
)
PARAM_ROLES: dict[tuple[int, str, str], ParamRole | None] = {
    # v1: spaces are addressed by key
    (1, "space", "spaceKey"): "space_key",  # /space/{spaceKey}/..., /user/watch/space/{spaceKey}
    # v1: content ids (pages, blog posts, comments, attachments, custom content)
    (1, "content", "id"): "content_id",  # /content/{id}/...
    (1, "content", "pageId"): "content_id",  # /content/{pageId}/move/...
    (1, "content", "contentId"): "content_id",  # /analytics/content/{contentId}, /user/watch/content/...
    (1, "instance", "draftId"): "content_id",  # /content/blueprint/instance/{draftId}: the draft page
    (1, "attachment", "attachmentId"): "content_id",  # inner; the owning {id} comes first
    (1, "{position}", "targetId"): "content_id",  # move target page; inner, {pageId} comes first
    # v1: not a space or content
    (1, "content", "type"): None,  # /space/{spaceKey}/content/{type}: a content type name
    (1, "child", "type"): None,
    (1, "descendant", "type"): None,
    (1, "async", "id"): None,  # /contentbody/convert/async/{id}: an async conversion task id
    (1, "async", "to"): None,  # representation names
    (1, "convert", "to"): None,
    (1, "history", "version"): None,
    (1, "version", "versionNumber"): None,
    (1, "id", "macroId"): None,
    (1, "byOperation", "operationKey"): None,
    (1, "byGroupId", "groupId"): None,
    (1, "group", "groupId"): None,
    (1, "group", "groupName"): None,
    (1, "label", "label"): None,
    (1, "label", "labelName"): None,
    (1, "property", "key"): None,
    (1, "permission", "id"): None,  # space permission id
    (1, "inlinetasks", "inlineTaskId"): None,
    (1, "task", "taskId"): None,
    (1, "longtask", "id"): None,
    (1, "template", "contentTemplateId"): None,
    (1, "theme", "themeKey"): None,
    (1, "user", "userId"): None,
    (1, "move", "position"): None,
    (1, "relation", "relationName"): None,
    (1, "from", "sourceType"): None,
    (1, "to", "targetType"): None,
    # relation keys are a user, space or content depending on {sourceType}/{targetType},
    # which only the request knows; the path alone cannot say.
    (1, "{sourceType}", "sourceKey"): None,
    (1, "{targetType}", "targetKey"): None,
    # v2: spaces are addressed by numeric id
    (2, "spaces", "id"): "space_id",
    (2, "spaces", "space-id"): "space_id",
    # v2: content collections, spelled "{id}" or "{<kind>-id}"
    **{(2, coll, "id"): "content_id" for coll in _V2_CONTENT_COLLECTIONS},
    (2, "pages", "page-id"): "content_id",
    (2, "blogposts", "blogpost-id"): "content_id",
    (2, "attachments", "attachment-id"): "content_id",
    (2, "footer-comments", "comment-id"): "content_id",
    (2, "inline-comments", "comment-id"): "content_id",
    (2, "comments", "comment-id"): "content_id",
    (2, "custom-content", "custom-content-id"): "content_id",
    (2, "whiteboards", "whiteboard-id"): "content_id",
    (2, "databases", "database-id"): "content_id",
    (2, "embeds", "embed-id"): "content_id",
    (2, "folders", "folder-id"): "content_id",
    # v2: not a space or content
    (2, "labels", "id"): None,
    (2, "tasks", "id"): None,
    (2, "space-roles", "id"): None,
    (2, "properties", "property-id"): None,
    (2, "versions", "version-number"): None,
}

# First word of an entry name -> methods it can mean.  Used only as a cross-check
# that a resolved operation does not contradict its entry (e.g. "Get" on a POST).
_NAME_VERB_METHODS: dict[str, frozenset[str]] = {
    "get": frozenset({"GET"}),
    "gets": frozenset({"GET"}),
    "find": frozenset({"GET"}),
    "delete": frozenset({"DELETE"}),
    "remove": frozenset({"DELETE"}),
    "removes": frozenset({"DELETE"}),
    "create": frozenset({"POST", "PUT"}),
    "add": frozenset({"POST", "PUT"}),
    "update": frozenset({"PUT", "POST"}),
    "set": frozenset({"PUT"}),
}


# ---------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------


class CatalogBuildError(InputFileError):
    """The reference documents cannot be turned into a catalogue without a decision."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s) building the endpoint catalogue: " + "; ".join(self.problems),
            hint="fix OVERRIDES / ACCEPTED_NAME_MISMATCHES in analyzer/catalog/build.py",
        )


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of one OpenAPI spec, with its path made absolute."""

    version: int
    method: str
    path: str
    summary: str
    operation_id: str
    first_tag: str
    deprecated: bool
    spec_exempt: bool | None

    @property
    def key(self) -> OpKey:
        return (self.method, self.path)


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where one page entry landed, and how."""

    entry: SeedEntry
    key: SeedKey
    op: Operation
    how: Literal["exact", "override", "no_badge", "name"]
    note: str  # the seed_entries.csv ``resolution`` value


@dataclass(frozen=True, slots=True)
class Catalogue:
    operations: tuple[Operation, ...]
    resolutions: tuple[Resolution, ...]
    endpoint_rows: tuple[dict[str, str], ...]
    disagreements: tuple[tuple[OpKey, Verdict, bool | None], ...]


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def _norm(text: str) -> str:
    """Comparison form of a name or summary: case, spacing and a final period ignored."""
    return " ".join(text.casefold().split()).rstrip(".")


def load_operations(reference_dir: Path) -> list[Operation]:
    """Every operation of both specs, paths prefixed with the server's base path."""
    operations: list[Operation] = []
    for version, filename in SPEC_FILES:
        path = reference_dir / filename
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputFileError(
                f"cannot read OpenAPI spec {path}: {exc}",
                hint=f"pass --reference-dir or set {REFERENCE_DIR_ENV}",
            ) from exc
        # v2 paths are relative to a server URL ending in /wiki/api/v2; v1 paths are
        # already absolute and its server URL has no path.
        base = urlsplit(spec["servers"][0]["url"]).path.rstrip("/")
        for raw_path, item in spec["paths"].items():
            for method, op in item.items():
                if method.upper() not in HTTP_METHODS:
                    continue
                policy = op.get(POLICY_KEY) or [{}]
                exempt = policy[0].get(EXEMPT_FLAG)
                operations.append(
                    Operation(
                        version=version,
                        method=method.upper(),
                        path=base + raw_path,
                        summary=op["summary"],
                        operation_id=op.get("operationId", ""),
                        first_tag=(op.get("tags") or [""])[0],
                        deprecated=bool(op.get("deprecated", False)),
                        spec_exempt=exempt if isinstance(exempt, bool) else None,
                    )
                )
    duplicates = [k for k, n in Counter(op.key for op in operations).items() if n > 1]
    if duplicates:
        raise CatalogBuildError([f"operation defined twice across specs: {m} {p}" for m, p in duplicates])
    return operations


def seed_keys(entries: Iterable[SeedEntry]) -> dict[int, SeedKey]:
    """Map entry index -> (verdict, group, name, occurrence)."""
    seen: Counter[tuple[str, str, str]] = Counter()
    keys: dict[int, SeedKey] = {}
    for entry in entries:
        base = (entry.verdict, entry.group, entry.name)
        seen[base] += 1
        keys[entry.index] = (entry.verdict, entry.group, entry.name, seen[base])
    return keys


# ---------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------


def _fmt(key: SeedKey, entry: SeedEntry) -> str:
    verdict, group, name, occurrence = key
    return f"#{entry.index} line {entry.line_no} ({verdict}, {group!r}, {name!r}, {occurrence})"


def _ops_str(ops: Iterable[Operation]) -> str:
    return ", ".join(f"{op.method} {op.path}" for op in ops)


def resolve(entries: Sequence[SeedEntry], operations: Sequence[Operation]) -> list[Resolution]:
    """Resolve every entry to one operation or raise :class:`CatalogBuildError`."""
    by_key = {op.key: op for op in operations}
    by_summary: dict[tuple[int, str], list[Operation]] = defaultdict(list)
    for op in operations:
        by_summary[(op.version, _norm(op.summary))].append(op)
    keys = seed_keys(entries)
    problems: list[str] = []
    resolutions: list[Resolution] = []

    for stale in sorted(set(OVERRIDES) - set(keys.values())):
        problems.append(f"OVERRIDES names no page entry: {stale}")
    for stale in sorted(set(ACCEPTED_NAME_MISMATCHES) - set(keys.values())):
        problems.append(f"ACCEPTED_NAME_MISMATCHES names no page entry: {stale}")

    for entry in entries:
        key = keys[entry.index]
        where = _fmt(key, entry)
        method = entry.link_http_method
        link_hits: list[Operation] = []
        if entry.link_text is not None:
            link_hits = [
                op
                for op in by_summary.get((entry.version, _norm(entry.link_text)), [])
                if method is None or op.method == method
            ]
        name_hits = [
            op
            for op in by_summary.get((entry.version, _norm(entry.name)), [])
            if method is None or op.method == method
        ]

        override = OVERRIDES.get(key)
        if override is not None:
            op = by_key.get((override.method, override.path))
            if op is None:
                problems.append(
                    f"{where}: override points at a missing operation {override.method} {override.path}"
                )
                continue
            if op.version != entry.version:
                problems.append(f"{where}: override points at a v{op.version} operation")
                continue
            if len(link_hits) == 1 and link_hits[0] is op:
                problems.append(f"{where}: override is redundant, the link already resolves to it")
                continue
            resolutions.append(
                Resolution(
                    entry, key, op, "override", f"override: {override.reason} -> {op.method} {op.path}"
                )
            )
            continue

        if len(link_hits) == 1 and method is not None:
            resolutions.append(Resolution(entry, key, link_hits[0], "exact", "exact"))
        elif len(link_hits) == 1:
            op = link_hits[0]
            resolutions.append(
                Resolution(
                    entry,
                    key,
                    op,
                    "no_badge",
                    f"no method badge: link line {entry.link_raw!r} lacks GET/POST/...; its text is the "
                    f"summary of the only v{op.version} operation so named -> {op.method} {op.path}",
                )
            )
        elif len(link_hits) > 1:
            problems.append(
                f"{where}: link {entry.link_raw!r} is ambiguous ({_ops_str(link_hits)}); add an override"
            )
        elif len(name_hits) == 1:
            op = name_hits[0]
            why = (
                "no link line"
                if entry.link_text is None
                else f"link text {entry.link_text!r} matches no v{entry.version} summary"
            )
            resolutions.append(
                Resolution(
                    entry,
                    key,
                    op,
                    "name",
                    f"name: {why}; the entry name is the summary of {op.method} {op.path}",
                )
            )
        elif len(name_hits) > 1:
            problems.append(f"{where}: name is ambiguous ({_ops_str(name_hits)}); add an override")
        else:
            problems.append(
                f"{where}: neither link {entry.link_raw!r} nor name matches an operation; add an override"
            )

    problems.extend(_review_problems(resolutions, operations))
    if problems:
        raise CatalogBuildError(problems)
    return resolutions


def _review_problems(resolutions: Sequence[Resolution], operations: Sequence[Operation]) -> list[str]:
    """Cross-checks that catch copy errors the summary match cannot see."""
    problems: list[str] = []
    by_summary: dict[tuple[int, str], list[Operation]] = defaultdict(list)
    for op in operations:
        by_summary[(op.version, _norm(op.summary))].append(op)

    for res in resolutions:
        entry, where = res.entry, _fmt(res.key, res.entry)
        # A name that differs from its link is how every copy error on the page shows.
        differs = entry.link_text is not None and _norm(entry.name) != _norm(entry.link_text)
        accepted = res.key in ACCEPTED_NAME_MISMATCHES
        if res.how != "override":
            if differs and not accepted:
                problems.append(
                    f"{where}: name differs from link {entry.link_raw!r} (resolved to "
                    f"{res.op.method} {res.op.path}); review it and add it to "
                    "ACCEPTED_NAME_MISMATCHES or OVERRIDES"
                )
            # The name being the exact summary of a different operation is a copy error.
            elsewhere = [
                op for op in by_summary.get((entry.version, _norm(entry.name)), []) if op is not res.op
            ]
            if differs and elsewhere:
                problems.append(
                    f"{where}: name is the summary of {_ops_str(elsewhere)} but the link "
                    f"resolves to {res.op.method} {res.op.path}; add an override"
                )
        if accepted and (not differs or res.how == "override"):
            problems.append(
                f"{where}: stale ACCEPTED_NAME_MISMATCHES row (name equals link or entry is overridden)"
            )
        verb = entry.name.split()[0].casefold() if entry.name.split() else ""
        allowed = _NAME_VERB_METHODS.get(verb)
        if allowed is not None and res.op.method not in allowed:
            problems.append(
                f"{where}: name starts with {verb!r} but resolves to {res.op.method} {res.op.path}"
            )

    # The same link twice in one section means one of the two was copied.
    by_link: dict[tuple[str, str, str | None, str], list[Resolution]] = defaultdict(list)
    for res in resolutions:
        entry = res.entry
        if entry.link_text is not None:
            # Headings repeat across the two parts, so the part is part of the section.
            by_link[(entry.verdict, entry.section, entry.link_method, _norm(entry.link_text))].append(res)
    for group in by_link.values():
        unreviewed = [r for r in group if r.how != "override"]
        if len(unreviewed) > 1:
            problems.append(
                "same link in one section, at most one may be taken at face value: "
                + "; ".join(_fmt(r.key, r.entry) for r in unreviewed)
            )
    return problems


# ---------------------------------------------------------------------------
# Catalogue rows
# ---------------------------------------------------------------------------

_PARAM_RE = re.compile(r"\{([^{}]+)\}")


def param_roles(version: int, path: str) -> dict[ParamRole, str]:
    """Outermost path parameter per role, from :data:`PARAM_ROLES`.

    Raises KeyError for a parameter the table does not list.
    """
    roles: dict[ParamRole, str] = {}
    segments = path.strip("/").split("/")
    for pos, segment in enumerate(segments):
        match = _PARAM_RE.fullmatch(segment)
        if not match:
            continue
        previous = segments[pos - 1] if pos else ""
        role = PARAM_ROLES[(version, previous, match[1])]
        if role is not None:
            roles.setdefault(role, match[1])
    return roles


def _bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def build_catalogue(entries: Sequence[SeedEntry], operations: Sequence[Operation]) -> Catalogue:
    """Resolve the page and derive one row per spec operation."""
    resolutions = resolve(entries, operations)
    claims: dict[OpKey, list[Resolution]] = defaultdict(list)
    for res in resolutions:
        claims[res.op.key].append(res)

    problems: list[str] = []
    for stale in sorted(set(VERDICT_WINNERS) - set(claims)):
        problems.append(f"VERDICT_WINNERS names an operation no entry claims: {stale}")
    for stale in sorted(
        set(MISSING_FLAG_VERDICTS)
        - {op.key for op in operations if op.spec_exempt is None and op.key not in claims}
    ):
        problems.append(f"MISSING_FLAG_VERDICTS row not needed: {stale}")

    rows: list[dict[str, str]] = []
    disagreements: list[tuple[OpKey, Verdict, bool | None]] = []
    for op in sorted(operations, key=lambda o: (o.version, o.path, o.method)):
        try:
            roles = param_roles(op.version, op.path)
        except KeyError as exc:
            problems.append(f"{op.method} {op.path}: path parameter {exc.args[0]} not in PARAM_ROLES")
            continue
        claimed = claims.get(op.key)
        if claimed:
            verdicts = {r.entry.verdict for r in claimed}
            if len(verdicts) > 1:
                winner = VERDICT_WINNERS.get(op.key)
                if winner is None:
                    problems.append(
                        f"{op.method} {op.path}: entries disagree on the verdict ("
                        + "; ".join(f"{_fmt(r.key, r.entry)} {r.entry.verdict}" for r in claimed)
                        + "); add VERDICT_WINNERS"
                    )
                    continue
                verdict = winner[0]
            else:
                (verdict,) = verdicts
            first = min(claimed, key=lambda r: r.entry.index).entry
            blocked = verdict == "blocked"
            if op.spec_exempt is None or op.spec_exempt == blocked:
                disagreements.append((op.key, verdict, op.spec_exempt))
            group, name, source = first.group, first.name, "seed"
            deprecated = op.deprecated or any(r.entry.deprecated for r in claimed)
        else:
            if op.spec_exempt is None:
                decided = MISSING_FLAG_VERDICTS.get(op.key)
                if decided is None:
                    problems.append(
                        f"{op.method} {op.path}: no exempt flag in the spec and no page "
                        "entry; add MISSING_FLAG_VERDICTS"
                    )
                    continue
                blocked = decided[0]
            else:
                blocked = not op.spec_exempt
            group, name, source, deprecated = op.first_tag, op.summary, "spec", op.deprecated
        rows.append(
            {
                "method": op.method,
                "path": op.path,
                "version": str(op.version),
                "group": group,
                "name": name,
                "blocked": _bool(blocked),
                "deprecated": _bool(deprecated),
                "source": source,
                "operation_id": op.operation_id,
                "spec_exempt": _bool(op.spec_exempt),
                "space_key_param": roles.get("space_key", ""),
                "space_id_param": roles.get("space_id", ""),
                "content_id_param": roles.get("content_id", ""),
            }
        )
    if problems:
        raise CatalogBuildError(problems)
    return Catalogue(tuple(operations), tuple(resolutions), tuple(rows), tuple(disagreements))


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def _csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def seed_rows(catalogue: Catalogue) -> list[dict[str, str]]:
    return [
        {
            "index": str(r.entry.index),
            "verdict": r.entry.verdict,
            "group": r.entry.group,
            "version": str(r.entry.version),
            "name": r.entry.name,
            "deprecated": _bool(r.entry.deprecated),
            "link_method": r.entry.link_method or "",
            "link_text": r.entry.link_text or "",
            "method": r.op.method,
            "path": r.op.path,
            "resolution": r.note,
        }
        for r in sorted(catalogue.resolutions, key=lambda r: r.entry.index)
    ]


def readme_text(catalogue: Catalogue) -> str:
    rows = catalogue.endpoint_rows
    res = catalogue.resolutions
    by_source = Counter(r["source"] for r in rows)
    blocked = Counter((r["source"], r["blocked"]) for r in rows)
    how = Counter(r.how for r in res)
    lines = [
        "# Endpoint catalogue",
        "",
        "Generated by `python -m analyzer.catalog.build` (`make catalog`) from",
        f"`../shared/reference/` (`{DOCUMENT_FILENAME}` and the v1/v2 OpenAPI specs).",
        "Do not edit by hand: change `analyzer/catalog/build.py` and rebuild; review the diff.",
        "`tests/catalog/test_build.py` fails when these files differ from a fresh build.",
        "",
        "## Files",
        "",
        "- `endpoints.csv`: one row per spec operation, sorted by version, path, method.",
        "  - `method`, `path`: HTTP method and full path template as the spec spells it",
        "    (v2 paths carry the `/wiki/api/v2` server prefix).",
        "  - `version`: 1 or 2. `operation_id`: the spec's operationId.",
        "  - `group`, `name`: the page's section (normalised) and entry name when the page lists",
        "    the operation, else the spec's first tag and summary.",
        "  - `blocked`: whether an app access rule blocks the operation; the page's verdict wins",
        "    over the spec flag. `spec_exempt`: the spec's `app-access-rule-exempt` (empty if absent).",
        "  - `deprecated`: spec says deprecated or the page marks the entry 非推奨.",
        "  - `source`: `seed` (verdict from the page) or `spec` (verdict from the spec flag).",
        "  - `space_key_param`, `space_id_param`, `content_id_param`: name of the path parameter",
        "    holding a space key, space id or content id (outermost one), else empty.",
        "- `seed_entries.csv`: one row per page entry (duplicates included), with the operation it",
        "  resolved to. `resolution` is `exact` (link text equals the summary, same method and",
        "  version) or says how a missing/garbled link or copy error was resolved.",
        "",
        "## Counts",
        "",
        f"- Spec operations: {len(rows)} ({sum(1 for r in rows if r['version'] == '1')} v1, "
        f"{sum(1 for r in rows if r['version'] == '2')} v2).",
        f"- Page entries: {len(res)} ({sum(1 for r in res if r.entry.verdict == 'blocked')} blocked, "
        f"{sum(1 for r in res if r.entry.verdict == 'not_blocked')} not blocked), naming "
        f"{by_source['seed']} distinct operations.",
        f"- Resolution: {how['exact']} exact, {how['override']} override, {how['name']} by name, "
        f"{how['no_badge']} link without method badge.",
        f"- Blocked: {sum(1 for r in rows if r['blocked'] == 'true')} "
        f"({blocked[('seed', 'true')]} from the page, {blocked[('spec', 'true')]} from the spec); "
        f"not blocked: {sum(1 for r in rows if r['blocked'] == 'false')} "
        f"({blocked[('seed', 'false')]} from the page, {blocked[('spec', 'false')]} from the spec).",
        f"- Page verdict disagrees with the spec flag: {len(catalogue.disagreements)}"
        + (":" if catalogue.disagreements else "."),
    ]
    for (method, path), verdict, exempt in sorted(catalogue.disagreements):
        flag = "absent" if exempt is None else f"exempt={_bool(exempt)}"
        lines.append(f"  - `{method} {path}`: page says {verdict.replace('_', ' ')}, spec {flag}")
    return "\n".join(lines) + "\n"


def render(catalogue: Catalogue) -> dict[str, str]:
    """File name -> content, for everything the build writes."""
    return {
        ENDPOINTS_CSV: _csv_text(ENDPOINT_COLUMNS, catalogue.endpoint_rows),
        SEED_ENTRIES_CSV: _csv_text(SEED_COLUMNS, seed_rows(catalogue)),
        README_MD: readme_text(catalogue),
    }


def build(reference_dir: Path) -> dict[str, str]:
    """Parse, resolve and render; raises instead of returning partial output."""
    return render(build_catalogue(load_seed(reference_dir), load_operations(reference_dir)))


def reference_dir_from(cli_value: str | None) -> Path:
    """``--reference-dir`` beats ``$APPACCESS_REFERENCE_DIR`` beats ``../shared/reference``."""
    value = cli_value or os.environ.get(REFERENCE_DIR_ENV)
    return Path(value) if value else DEFAULT_REFERENCE_DIR


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analyzer.catalog.build",
        description="Build analyzer/catalog/data from the reference documents.",
    )
    parser.add_argument(
        "--reference-dir",
        help=f"directory with the page and specs (default: ${REFERENCE_DIR_ENV} or {DEFAULT_REFERENCE_DIR})",
    )
    parser.add_argument("--output-dir", type=Path, default=DATA_DIR, help=f"default: {DATA_DIR}")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the files on disk differ from a fresh build",
    )
    args = parser.parse_args(argv)
    reference_dir = reference_dir_from(args.reference_dir)
    try:
        files = build(reference_dir)
    except CatalogBuildError as exc:
        print(f"error: {len(exc.problems)} problem(s) building the endpoint catalogue:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return int(exc.exit_code)
    except InputFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return int(exc.exit_code)

    output_dir: Path = args.output_dir
    if args.check:
        stale = [
            name
            for name, text in files.items()
            if not (output_dir / name).is_file() or (output_dir / name).read_text(encoding="utf-8") != text
        ]
        for name in stale:
            print(f"out of date: {output_dir / name}", file=sys.stderr)
        return 1 if stale else 0
    output_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (output_dir / name).write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {', '.join(files)} to {output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

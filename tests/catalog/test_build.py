"""Tests for the catalogue build: resolution of every page entry, the reviewed overrides,
the committed CSVs being a fresh build, and the path-parameter roles.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from analyzer.catalog import build
from analyzer.catalog.build import (
    DATA_DIR,
    DEFAULT_REFERENCE_DIR,
    ENDPOINT_COLUMNS,
    ENDPOINTS_CSV,
    README_MD,
    REFERENCE_DIR_ENV,
    REPO_ROOT,
    SEED_COLUMNS,
    SEED_ENTRIES_CSV,
    CatalogBuildError,
    build_catalogue,
    load_operations,
    reference_dir_from,
)
from analyzer.catalog.seed import BADGE_TO_HTTP, SeedEntry, load_seed

REFERENCE_DIR = reference_dir_from(None)

Row = dict[str, str]


def _read_csv(name: str) -> list[Row]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def reference_dir() -> Path:
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference documents not present at {REFERENCE_DIR} (set {REFERENCE_DIR_ENV})")
    return REFERENCE_DIR


@pytest.fixture(scope="module")
def entries(reference_dir: Path) -> list[SeedEntry]:
    return load_seed(reference_dir)


@pytest.fixture(scope="module")
def operations(reference_dir: Path) -> list[build.Operation]:
    return load_operations(reference_dir)


@pytest.fixture(scope="module")
def endpoints() -> dict[tuple[str, str], Row]:
    return {(r["method"], r["path"]): r for r in _read_csv(ENDPOINTS_CSV)}


@pytest.fixture(scope="module")
def seed_rows() -> list[Row]:
    return _read_csv(SEED_ENTRIES_CSV)


def _key(row: Row, rows: list[Row]) -> tuple[str, str, str, int]:
    """(verdict, group, name, occurrence) of a seed_entries.csv row."""
    base = (row["verdict"], row["group"], row["name"])
    same = [r for r in rows if (r["verdict"], r["group"], r["name"]) == base]
    return (*base, same.index(row) + 1)


# ---------------------------------------------------------------------------
# Committed files are a fresh, deterministic build
# ---------------------------------------------------------------------------


def test_committed_files_equal_fresh_build(reference_dir: Path, tmp_path: Path) -> None:
    assert build.main(["--reference-dir", str(reference_dir), "--output-dir", str(tmp_path / "a")]) == 0
    assert build.main(["--reference-dir", str(reference_dir), "--output-dir", str(tmp_path / "b")]) == 0
    for name in (ENDPOINTS_CSV, SEED_ENTRIES_CSV, README_MD):
        fresh = (tmp_path / "a" / name).read_bytes()
        assert fresh == (tmp_path / "b" / name).read_bytes(), f"{name}: build is not deterministic"
        assert fresh == (DATA_DIR / name).read_bytes(), f"{name} is stale: run `make catalog`"


def test_check_mode_accepts_committed_files(reference_dir: Path, tmp_path: Path) -> None:
    assert build.main(["--check", "--reference-dir", str(reference_dir)]) == 0
    assert build.main(["--check", "--reference-dir", str(reference_dir), "--output-dir", str(tmp_path)]) == 1


def test_reference_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(REFERENCE_DIR_ENV, raising=False)
    assert reference_dir_from(None) == DEFAULT_REFERENCE_DIR == REPO_ROOT.parent / "shared" / "reference"
    monkeypatch.setenv(REFERENCE_DIR_ENV, str(tmp_path))
    assert reference_dir_from(None) == tmp_path
    assert reference_dir_from("elsewhere") == Path("elsewhere")


# ---------------------------------------------------------------------------
# Shape of the CSVs
# ---------------------------------------------------------------------------


def test_endpoints_csv_shape(operations: list[build.Operation]) -> None:
    with (DATA_DIR / ENDPOINTS_CSV).open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == ENDPOINT_COLUMNS
    rows = _read_csv(ENDPOINTS_CSV)
    assert len(rows) == len(operations) == 363
    assert {(r["method"], r["path"]) for r in rows} == {op.key for op in operations}
    assert rows == sorted(rows, key=lambda r: (int(r["version"]), r["path"], r["method"]))
    for row in rows:
        assert row["method"] in {"GET", "POST", "PUT", "DELETE", "PATCH"}
        assert row["blocked"] in {"true", "false"} and row["deprecated"] in {"true", "false"}
        assert row["spec_exempt"] in {"true", "false", ""}
        assert row["source"] in {"seed", "spec"}
        prefix = "/wiki/api/v2/" if row["version"] == "2" else "/"
        assert row["path"].startswith(prefix)


def test_seed_entries_csv_shape(entries: list[SeedEntry], seed_rows: list[Row]) -> None:
    with (DATA_DIR / SEED_ENTRIES_CSV).open(encoding="utf-8", newline="") as handle:
        assert tuple(next(csv.reader(handle))) == SEED_COLUMNS
    assert len(seed_rows) == len(entries) == 296
    assert [int(r["index"]) for r in seed_rows] == [e.index for e in entries]


# ---------------------------------------------------------------------------
# Every page entry resolves, with its method and verdict
# ---------------------------------------------------------------------------

# Entries whose method badge is itself the copy error: the name's verb is right.
BADGE_COPY_ERRORS = {
    ("blocked", "Content - attachments", "Get attachments", 1): "GET",  # badge says POST
    ("blocked", "Content - restrictions", "Remove group from content restriction", 1): "DELETE",  # PUT
}


def test_every_entry_resolves_to_a_spec_operation_with_its_method(
    seed_rows: list[Row], operations: list[build.Operation]
) -> None:
    existing = {op.key for op in operations}
    for row in seed_rows:
        key = _key(row, seed_rows)
        assert (row["method"], row["path"]) in existing, key
        if key in BADGE_COPY_ERRORS:
            expected = BADGE_COPY_ERRORS[key]
        elif row["link_method"]:
            expected = BADGE_TO_HTTP[row["link_method"]]
        else:  # badge missing: every such entry is a read
            assert row["name"].startswith("Get"), key
            expected = "GET"
        assert row["method"] == expected, key


def test_seed_verdict_preserved_in_endpoints(
    seed_rows: list[Row], endpoints: dict[tuple[str, str], Row]
) -> None:
    for row in seed_rows:
        endpoint = endpoints[(row["method"], row["path"])]
        assert endpoint["source"] == "seed"
        assert endpoint["blocked"] == ("true" if row["verdict"] == "blocked" else "false"), row["index"]
        if row["deprecated"] == "true":
            assert endpoint["deprecated"] == "true", row["index"]
    first_names: dict[tuple[str, str], Row] = {}
    for row in seed_rows:
        first_names.setdefault((row["method"], row["path"]), row)
    for op_key, row in first_names.items():
        assert (endpoints[op_key]["name"], endpoints[op_key]["group"]) == (row["name"], row["group"])


def test_spec_only_rows_follow_the_spec_flag(endpoints: dict[tuple[str, str], Row]) -> None:
    spec_rows = [r for r in endpoints.values() if r["source"] == "spec"]
    assert len(spec_rows) == 67
    for row in spec_rows:
        if row["spec_exempt"]:
            assert row["blocked"] == ("false" if row["spec_exempt"] == "true" else "true"), row["path"]
    # The one operation without a flag, decided in MISSING_FLAG_VERDICTS.
    assert [(r["method"], r["path"], r["blocked"]) for r in spec_rows if not r["spec_exempt"]] == [
        ("GET", "/wiki/api/v2/classification-levels", "false")
    ]
    assert all(r["version"] == "2" for r in spec_rows)  # the page covers every v1 operation


def test_seed_vs_spec_disagreements(endpoints: dict[tuple[str, str], Row]) -> None:
    disagree = {
        key
        for key, r in endpoints.items()
        if r["source"] == "seed" and r["spec_exempt"] and (r["blocked"] == r["spec_exempt"])
    }
    assert disagree == {
        ("GET", "/wiki/rest/api/space/{spaceKey}/state"),  # page: not blocked; spec: not exempt
        ("POST", "/wiki/rest/api/contentbody/convert/async/{to}"),  # page: blocked; spec: exempt
    }
    assert endpoints[("GET", "/wiki/rest/api/space/{spaceKey}/state")]["blocked"] == "false"
    assert endpoints[("POST", "/wiki/rest/api/contentbody/convert/async/{to}")]["blocked"] == "true"


# Every entry not resolved as "exact", and a few neighbours whose links were copied.
PINNED = [
    # link line without a method badge
    (
        "blocked",
        "Content",
        "Get all content from Confluence",
        1,
        "GET",
        "/wiki/rest/api/content",
        "no method",
    ),
    (
        "not_blocked",
        "Template",
        "Get content template",
        1,
        "GET",
        "/wiki/rest/api/template/{contentTemplateId}",
        "no method",
    ),
    # no link line / misspelt link: resolved by name
    ("blocked", "Content", "Get content history", 1, "GET", "/wiki/rest/api/content/{id}/history", "name"),
    (
        "blocked",
        "Content - macro body",
        "Get macro body by macro ID and convert representation asynchronously",
        1,
        "GET",
        "/wiki/rest/api/content/{id}/history/{version}/macro/id/{macroId}/convert/async/{to}",
        "name",
    ),
    # copy errors
    (
        "blocked",
        "Content - attachments",
        "Get attachments",
        1,
        "GET",
        "/wiki/rest/api/content/{id}/child/attachment",
        "override",
    ),
    (
        "blocked",
        "Content - attachments",
        "Create or update attachment",
        1,
        "PUT",
        "/wiki/rest/api/content/{id}/child/attachment",
        "override",
    ),
    (
        "blocked",
        "Content - children and descendants",
        "Get content children",
        1,
        "GET",
        "/wiki/rest/api/content/{id}/child",
        "override",
    ),
    (
        "blocked",
        "Custom content",
        "Get custom content by type in space",
        1,
        "GET",
        "/wiki/api/v2/spaces/{id}/custom-content",
        "override",
    ),
    (
        "blocked",
        "Content - restrictions",
        "Remove group from content restriction",
        1,
        "DELETE",
        build._RESTRICTION_BY_NAME,
        "override",
    ),
    (
        "not_blocked",
        "Space - permissions",
        "Get space permissions",
        1,
        "GET",
        "/wiki/api/v2/spaces/{id}/permissions",
        "override",
    ),
    # one name, several operations
    (
        "blocked",
        "Content - restrictions",
        "Get content restriction status for group",
        1,
        "GET",
        build._RESTRICTION_BY_NAME,
        "override",
    ),
    (
        "blocked",
        "Content - restrictions",
        "Add group to content restriction",
        1,
        "PUT",
        build._RESTRICTION_BY_NAME,
        "override",
    ),
    (
        "blocked",
        "Content - restrictions",
        "Get content restriction status for group",
        2,
        "GET",
        build._RESTRICTION_BY_ID,
        "override",
    ),
    (
        "blocked",
        "Content - restrictions",
        "Add group to content restriction",
        2,
        "PUT",
        build._RESTRICTION_BY_ID,
        "override",
    ),
    (
        "blocked",
        "Content - restrictions",
        "Remove group from content restriction",
        2,
        "DELETE",
        build._RESTRICTION_BY_ID,
        "override",
    ),
    ("not_blocked", "Group", "Delete user group", 1, "DELETE", "/wiki/rest/api/group", "override"),
    ("not_blocked", "Group", "Delete user group", 2, "DELETE", "/wiki/rest/api/group/by-id", "override"),
    ("not_blocked", "Group", "Get group", 1, "GET", "/wiki/rest/api/group/by-name", "override"),
    ("not_blocked", "Group", "Get group", 2, "GET", "/wiki/rest/api/group/by-id", "override"),
    ("not_blocked", "Group", "Get group", 3, "GET", "/wiki/rest/api/group/{groupName}", "override"),
    ("not_blocked", "Group", "Get group members", 1, "GET", "/wiki/rest/api/group/member", "override"),
    (
        "not_blocked",
        "Group",
        "Get group members",
        2,
        "GET",
        "/wiki/rest/api/group/{groupName}/member",
        "override",
    ),
    (
        "not_blocked",
        "Group",
        "Get group members",
        3,
        "GET",
        "/wiki/rest/api/group/{groupId}/membersByGroupId",
        "override",
    ),
    # the entries whose links were copied keep their own operation
    (
        "blocked",
        "Content - attachments",
        "Create attachment",
        1,
        "POST",
        "/wiki/rest/api/content/{id}/child/attachment",
        "exact",
    ),
    (
        "blocked",
        "Content - attachments",
        "Update attachment properties",
        1,
        "PUT",
        "/wiki/rest/api/content/{id}/child/attachment/{attachmentId}",
        "exact",
    ),
    (
        "blocked",
        "Custom content",
        "Get custom content by type in page",
        1,
        "GET",
        "/wiki/api/v2/pages/{id}/custom-content",
        "exact",
    ),
    ("blocked", "Attachment", "Get attachments", 1, "GET", "/wiki/api/v2/attachments", "exact"),
    ("not_blocked", "Space", "Get spaces", 1, "GET", "/wiki/api/v2/spaces", "exact"),
    ("blocked", "Space", "Get spaces", 1, "GET", "/wiki/rest/api/space", "exact"),
]


@pytest.mark.parametrize(
    ("verdict", "group", "name", "occurrence", "method", "path", "how"),
    PINNED,
    ids=[f"{p[2]}#{p[3]}({p[0]})" for p in PINNED],
)
def test_pinned_resolution(
    seed_rows: list[Row],
    verdict: str,
    group: str,
    name: str,
    occurrence: int,
    method: str,
    path: str,
    how: str,
) -> None:
    matches = [r for r in seed_rows if _key(r, seed_rows) == (verdict, group, name, occurrence)]
    assert len(matches) == 1
    row = matches[0]
    assert (row["method"], row["path"]) == (method, path)
    if how == "exact":
        assert row["resolution"] == "exact"
    else:
        assert row["resolution"].startswith(how)


def test_every_non_exact_resolution_is_pinned(seed_rows: list[Row]) -> None:
    non_exact = {_key(r, seed_rows) for r in seed_rows if r["resolution"] != "exact"}
    assert non_exact == {p[:4] for p in PINNED if p[6] != "exact"}
    overridden = {_key(r, seed_rows) for r in seed_rows if r["resolution"].startswith("override")}
    assert overridden == set(build.OVERRIDES)


def test_no_operation_named_twice(seed_rows: list[Row]) -> None:
    ops = [(r["method"], r["path"]) for r in seed_rows]
    assert len(ops) == len(set(ops))


# ---------------------------------------------------------------------------
# The build fails loudly instead of guessing
# ---------------------------------------------------------------------------

ATTACHMENT_KEY = ("blocked", "Content - attachments", "Create or update attachment", 1)


def _problems(entries: list[SeedEntry], operations: list[build.Operation]) -> str:
    with pytest.raises(CatalogBuildError) as info:
        build_catalogue(entries, operations)
    return "\n".join(info.value.problems)


def test_copy_error_without_override_fails(
    monkeypatch: pytest.MonkeyPatch, entries: list[SeedEntry], operations: list[build.Operation]
) -> None:
    monkeypatch.delitem(build.OVERRIDES, ATTACHMENT_KEY)
    problems = _problems(entries, operations)
    assert "#48" in problems
    assert "name differs from link" in problems
    assert "name is the summary of PUT /wiki/rest/api/content/{id}/child/attachment" in problems
    assert "same link in one section" in problems


def test_ambiguous_name_without_override_fails(
    monkeypatch: pytest.MonkeyPatch, entries: list[SeedEntry], operations: list[build.Operation]
) -> None:
    monkeypatch.delitem(build.OVERRIDES, ("not_blocked", "Group", "Get group", 2))
    assert "is ambiguous" in _problems(entries, operations)


def test_override_to_missing_operation_fails(
    monkeypatch: pytest.MonkeyPatch, entries: list[SeedEntry], operations: list[build.Operation]
) -> None:
    monkeypatch.setitem(build.OVERRIDES, ATTACHMENT_KEY, build.Override("PUT", "/wiki/rest/api/nope", "test"))
    assert "missing operation PUT /wiki/rest/api/nope" in _problems(entries, operations)


def test_stale_tables_fail(
    monkeypatch: pytest.MonkeyPatch, entries: list[SeedEntry], operations: list[build.Operation]
) -> None:
    monkeypatch.setitem(
        build.OVERRIDES,
        ("blocked", "Nowhere", "Nothing", 1),
        build.Override("GET", "/wiki/rest/api/content", "test"),
    )
    monkeypatch.setitem(build.ACCEPTED_NAME_MISMATCHES, ("blocked", "Analytics", "Get views", 1), "test")
    problems = _problems(entries, operations)
    assert "OVERRIDES names no page entry" in problems
    assert "stale ACCEPTED_NAME_MISMATCHES row" in problems


def test_unreviewed_name_mismatch_fails(
    monkeypatch: pytest.MonkeyPatch, entries: list[SeedEntry], operations: list[build.Operation]
) -> None:
    key = ("not_blocked", "Audit", "Get audit records by date", 1)
    monkeypatch.delitem(build.ACCEPTED_NAME_MISMATCHES, key)
    assert "name differs from link 'GET Get audit records'" in _problems(entries, operations)


def test_conflicting_verdicts_fail(entries: list[SeedEntry], operations: list[build.Operation]) -> None:
    views = next(e for e in entries if e.name == "Get views")
    twin = dataclasses.replace(views, index=len(entries) + 1, verdict="not_blocked")
    assert "entries disagree on the verdict" in _problems([*entries, twin], operations)


def test_unknown_path_parameter_fails(
    monkeypatch: pytest.MonkeyPatch, entries: list[SeedEntry], operations: list[build.Operation]
) -> None:
    monkeypatch.delitem(build.PARAM_ROLES, (2, "tasks", "id"))
    assert "/wiki/api/v2/tasks/{id}: path parameter" in _problems(entries, operations)


def test_missing_flag_without_decision_fails(
    monkeypatch: pytest.MonkeyPatch, entries: list[SeedEntry], operations: list[build.Operation]
) -> None:
    monkeypatch.delitem(build.MISSING_FLAG_VERDICTS, ("GET", "/wiki/api/v2/classification-levels"))
    assert "no exempt flag" in _problems(entries, operations)


def test_cli_lists_problems_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], reference_dir: Path, tmp_path: Path
) -> None:
    monkeypatch.delitem(build.OVERRIDES, ATTACHMENT_KEY)
    code = build.main(["--reference-dir", str(reference_dir), "--output-dir", str(tmp_path)])
    assert code != 0
    err = capsys.readouterr().err
    assert "problem(s) building the endpoint catalogue" in err
    assert any(line.startswith("  - #48 ") for line in err.splitlines())
    assert list(tmp_path.iterdir()) == []


def test_cli_missing_reference_dir_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build.main(["--reference-dir", str(tmp_path / "absent"), "--output-dir", str(tmp_path)]) != 0
    assert "cannot read" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# Path parameter roles
# ---------------------------------------------------------------------------

# (method, path, space_key_param, space_id_param, content_id_param)
PARAM_SPOT_CHECKS = [
    ("GET", "/wiki/rest/api/space/{spaceKey}/property/{key}", "spaceKey", "", ""),
    ("GET", "/wiki/rest/api/space/{spaceKey}/content/{type}", "spaceKey", "", ""),
    ("DELETE", "/wiki/rest/api/space/{spaceKey}/permission/{id}", "spaceKey", "", ""),
    ("GET", "/wiki/rest/api/user/watch/space/{spaceKey}", "spaceKey", "", ""),
    ("GET", "/wiki/api/v2/spaces/{id}", "", "id", ""),
    ("GET", "/wiki/api/v2/spaces/{id}/pages", "", "id", ""),
    ("GET", "/wiki/api/v2/spaces/{space-id}/properties/{property-id}", "", "space-id", ""),
    ("GET", "/wiki/rest/api/content/{id}", "", "", "id"),
    ("GET", "/wiki/rest/api/content/{id}/child/attachment/{attachmentId}/download", "", "", "id"),
    ("GET", "/wiki/rest/api/content/{id}/version/{versionNumber}", "", "", "id"),
    ("PUT", "/wiki/rest/api/content/{pageId}/move/{position}/{targetId}", "", "", "pageId"),
    ("GET", "/wiki/rest/api/analytics/content/{contentId}/views", "", "", "contentId"),
    ("POST", "/wiki/rest/api/user/watch/content/{contentId}", "", "", "contentId"),
    ("PUT", "/wiki/rest/api/content/blueprint/instance/{draftId}", "", "", "draftId"),
    ("GET", "/wiki/api/v2/pages/{id}", "", "", "id"),
    ("GET", "/wiki/api/v2/attachments/{attachment-id}/properties", "", "", "attachment-id"),
    ("PUT", "/wiki/api/v2/footer-comments/{comment-id}", "", "", "comment-id"),
    ("GET", "/wiki/api/v2/blogposts/{blogpost-id}/versions/{version-number}", "", "", "blogpost-id"),
    ("GET", "/wiki/api/v2/custom-content/{custom-content-id}/properties", "", "", "custom-content-id"),
    ("GET", "/wiki/api/v2/whiteboards/{id}", "", "", "id"),
    ("GET", "/wiki/api/v2/databases/{database-id}/properties/{property-id}", "", "", "database-id"),
    ("DELETE", "/wiki/api/v2/folders/{id}", "", "", "id"),
    ("GET", "/wiki/api/v2/embeds/{id}/ancestors", "", "", "id"),
    # ids that are not spaces or content
    ("GET", "/wiki/rest/api/contentbody/convert/async/{id}", "", "", ""),
    ("POST", "/wiki/rest/api/contentbody/convert/{to}", "", "", ""),
    ("GET", "/wiki/api/v2/labels/{id}/pages", "", "", ""),
    ("GET", "/wiki/api/v2/tasks/{id}", "", "", ""),
    ("GET", "/wiki/rest/api/inlinetasks/{inlineTaskId}", "", "", ""),
    ("GET", "/wiki/rest/api/longtask/{id}", "", "", ""),
    ("GET", "/wiki/rest/api/user/{userId}/property/{key}", "", "", ""),
    ("GET", "/wiki/rest/api/group/{groupId}/membersByGroupId", "", "", ""),
    ("GET", "/wiki/rest/api/template/{contentTemplateId}", "", "", ""),
    # relation keys may be a user, space or content: the path alone cannot say
    (
        "GET",
        "/wiki/rest/api/relation/{relationName}/from/{sourceType}/{sourceKey}/to/{targetType}",
        "",
        "",
        "",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "space_key", "space_id", "content_id"),
    PARAM_SPOT_CHECKS,
    ids=[f"{m} {p}" for m, p, *_ in PARAM_SPOT_CHECKS],
)
def test_param_role_spot_checks(
    endpoints: dict[tuple[str, str], Row],
    method: str,
    path: str,
    space_key: str,
    space_id: str,
    content_id: str,
) -> None:
    row = endpoints[(method, path)]
    assert (row["space_key_param"], row["space_id_param"], row["content_id_param"]) == (
        space_key,
        space_id,
        content_id,
    )


def test_param_roles_name_real_parameters(endpoints: dict[tuple[str, str], Row]) -> None:
    for (_, path), row in endpoints.items():
        for column in ("space_key_param", "space_id_param", "content_id_param"):
            if row[column]:
                assert "{" + row[column] + "}" in path
        # A v1 spaceKey is always recognised; v2 never uses keys.
        assert bool(row["space_key_param"]) == ("{spaceKey}" in path)

"""Every answer of the differential scenarios equals what release 0.1.0 answered.

Release 0.1.0 stored and decided every request as its own row; its answers
were recorded in tests/differential/reference/ (see scenarios.py). The same
public-API calls are made again here and each answer must match: the same
columns with the same types, and the same rows (compared as sorted lists, so a
tie broken differently is not a difference; the stored order of exports is
checked on its own). A workspace written by release 0.1.0 must give the same
answers once this release has migrated it.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analyzer import Context, IngestOptions
from tests.differential.scenarios import FIXTURE, REFERENCE, SCENARIOS, answers, built, comparable

#: The "fixture" scenario's workspace as release 0.1.0 (schema version 1) left it.
V1_WORKSPACE = REFERENCE / "fixture-v1-workspace.duckdb.gz"

#: Answers whose shape changed on purpose since release 0.1.0, by answer name prefix: (columns added,
#: columns removed, columns redefined). Every other column must still be equal, row by row.
DELIBERATE: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    # issue 11: the app's auth kind in the blocked report
    "report_blocked_": (frozenset({"auth"}), frozenset(), frozenset()),
    # issue 11: "Confluence requests" counts every /wiki request, as `status` does
    "overview_": (frozenset({"confluence_requests"}), frozenset({"rest_requests"}), frozenset()),
    # issue 11: the heatmap tells enforcement from exposure, exemption and API-token traffic, and ranks
    # apps and spaces by the requests a rule does or could act on
    "chart_heatmap_": (frozenset({"enforced", "exposed", "undecided", "exempt", "not_eligible"}),
                       frozenset({"blocked"}), frozenset({"decisions", "app_rank", "space_rank"})),
    # issue 10: the stored path is the path as Confluence reads it (README "Which API"): escapes of
    # unreserved characters decoded (/space/%7Eabc is /space/~abc), path parameters and dot segments
    # resolved; every decision is the same
    "export_decisions": (frozenset(), frozenset(), frozenset({"path"})),
    "export_requests": (frozenset(), frozenset(), frozenset({"path"})),
}


def _deliberate(answer: str, table: pa.Table, expected: pa.Table) -> tuple[pa.Table, pa.Table] | None:
    """Both tables on their common columns when ``answer`` changed shape as DELIBERATE says, else None."""
    for prefix, (added, removed, redefined) in DELIBERATE.items():
        if answer.startswith(prefix):
            got, want = set(table.column_names), set(expected.column_names)
            if got - want != added or want - got != removed:
                return None
            common = [c for c in expected.column_names if c in got and c not in redefined]
            return table.select(common), expected.select(common)
    return None


def differences(name: str, produced: Iterable[tuple[str, pa.Table]]) -> list[str]:
    recorded = {p.stem: p for p in (REFERENCE / name).glob("*.parquet")}
    assert recorded, f"no reference answers for {name}"
    seen: set[str] = set()
    problems: list[str] = []
    for answer, table in produced:
        seen.add(answer)
        if answer not in recorded:
            problems.append(f"{answer}: not in the reference")
            continue
        expected = pq.read_table(recorded[answer])
        if narrowed := _deliberate(answer, table, expected):
            table, expected = narrowed
        if table.schema.names != expected.schema.names:
            problems.append(f"{answer}: columns {table.schema.names} != {expected.schema.names}")
            continue
        types = [(n, str(a), str(e)) for n, a, e in zip(table.schema.names, table.schema.types,
                                                         expected.schema.types, strict=True)
                 if a != e and str(e) != "null" and str(a) != "null"]
        if types:
            problems.append(f"{answer}: column types differ {types}")
        got, want = comparable(table), comparable(expected)
        if got != want:
            missing = [r for r in want if r not in got][:3]
            extra = [r for r in got if r not in want][:3]
            problems.append(f"{answer}: {len(got)} rows vs {len(want)}; missing {missing}; unexpected {extra}")
        if answer == "export_decisions":
            order = list(zip(table.column("file").to_pylist(), table.column("line_no").to_pylist(), strict=True))
            files = {f: i for i, f in enumerate(dict.fromkeys(f for f, _ in order))}
            if order != sorted(order, key=lambda fl: (files[fl[0]], fl[1])):
                problems.append(f"{answer}: not in stored order")
    return problems + [f"{answer}: no longer answered" for answer in sorted(set(recorded) - seen)]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_answers_equal_the_reference(name: str) -> None:
    scenario = SCENARIOS[name]
    with built(scenario) as (ctx, tmp):
        problems = differences(name, answers(ctx, scenario, tmp))
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_a_version_1_workspace_is_migrated_and_answers_the_same(tmp_path: Path) -> None:
    db = tmp_path / "v1.duckdb"
    db.write_bytes(gzip.decompress(V1_WORKSPACE.read_bytes()))
    with Context(db) as ctx:
        assert ctx.ws.schema_version() == 2
        problems = differences("fixture", answers(ctx, SCENARIOS["fixture"], tmp_path))
        tables = {r[0] for r in ctx.ws.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    assert not problems, "\n".join(problems)
    assert not tables & {"requests", "decision_cache", "route_cache"}, "version 1 tables were left behind"
    with Context(db, read_only=True) as ctx:  # once migrated, readers need nothing more
        assert ctx.report_blocked().rows
    with Context(db) as ctx:  # the file it was made from is recognised by its (release 0.1.0) content hash
        again = ctx.ingest([FIXTURE / "access.log"], IngestOptions()).files[0]
        # The recorded path is where the fixture workspace was built; from another checkout the file is
        # "renamed" (that path is gone), "a copy" (it still exists there) or "unchanged" (same place).
        assert again.action in ("unchanged", "renamed", "copy") and again.stored == 0 and again.lines_read == 0

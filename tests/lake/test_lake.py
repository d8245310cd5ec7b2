"""A workspace and the lake exported from it give every answer alike.

The differential scenarios (tests/differential/scenarios.py) are built as workspaces, written
as lakes with ``export -o DIR`` and opened with ``Context(lake=DIR)``; every answer the
scenarios collect (exports, rejects, files, status, every report with and without filters,
the chart queries, simulations in both modes with their per-request rows, suggestions) must
be the same, value by value and type by type.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from analyzer import Context
from analyzer.errors import UsageError, WorkspaceError
from analyzer.lake import LakeScope
from analyzer.report import Filters
from tests.differential.scenarios import SCENARIOS, Scenario, answers, built, comparable

#: One worker runs this module: the lakes its tests share are built once.
pytestmark = pytest.mark.xdist_group("lake")


def _differences(workspace: dict[str, pa.Table], lake: dict[str, pa.Table]) -> list[str]:
    problems = [f"{name}: only in the workspace's answers" for name in sorted(set(workspace) - set(lake))]
    problems += [f"{name}: only in the lake's answers" for name in sorted(set(lake) - set(workspace))]
    for name in sorted(set(workspace) & set(lake)):
        want, got = workspace[name], lake[name]
        shape = [(f.name, f.type) for f in want.schema]
        if [(f.name, f.type) for f in got.schema] != shape:  # (Parquet may drop NOT NULL: not an answer)
            problems.append(f"{name}: columns {got.schema} != {want.schema}")
        elif comparable(want) != comparable(got):
            problems.append(f"{name}: {got.num_rows} rows differ from the workspace's {want.num_rows}")
    return problems


def _collect(ctx: Context, scenario: Scenario, tmp: Path) -> dict[str, pa.Table]:
    tmp.mkdir()
    # `status` names the workspace or lake it describes: the one row that may differ.
    return {name: table.filter(pa.compute.invert(pa.compute.equal(table.column("item"), "workspace")))
            if name == "status" else table for name, table in answers(ctx, scenario, tmp)}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_lake_answers_like_its_workspace(name: str, tmp_path: Path) -> None:
    scenario = SCENARIOS[name]
    with built(scenario) as (ctx, _):
        lake = tmp_path / "lake"
        written = ctx.export(lake)
        assert written.format == "lake" and written.rows == ctx.overview()["requests"]
        expected = _collect(ctx, scenario, tmp_path / "workspace")
    with Context(lake=lake) as lake_ctx:
        got = _collect(lake_ctx, scenario, tmp_path / "from-lake")
    assert len(expected) > 40
    problems = _differences(expected, got)
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def sample_lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("lake")
    with built(SCENARIOS["samples"]) as (ctx, _):
        ctx.export(root / "by-day")
        ctx.export(root / "by-site", partition_by=("day", "site"))
        counts = dict(ctx.ws.con.execute("SELECT decision, count(*) FROM decisions GROUP BY 1").fetchall())
    return root, counts


def test_a_lake_decides_its_requests_as_the_rows_say(sample_lake: tuple[Path, dict[str, int]]) -> None:
    """The decisions stored in the rows (the writer's) equal those the reader makes from config/."""
    root, counts = sample_lake
    with Context(lake=root / "by-day") as ctx:
        con = ctx.ws.con
        assert dict(con.execute("SELECT decision, count(*) FROM decisions GROUP BY 1").fetchall()) == counts
        stored = con.execute(
            f"SELECT count(*) FROM read_parquet('{root}/by-day/requests/**/*.parquet', hive_partitioning = true) "
            "AS r JOIN decisions AS d USING (file_id, line_no) "
            "WHERE r.decision IS DISTINCT FROM d.decision OR r.policy IS DISTINCT FROM d.policy "
            "OR r.app IS DISTINCT FROM d.app OR r.space_key IS DISTINCT FROM d.space_key").fetchall()[0][0]
        assert stored == 0


def test_site_partitions_and_scopes_prune_without_changing_answers(
        sample_lake: tuple[Path, dict[str, int]]) -> None:
    root, _ = sample_lake
    sites = sorted(p.name for p in next((root / "by-site" / "requests").iterdir()).iterdir())
    assert all(s.startswith("site=") for s in sites)
    filters = Filters(since=dt.datetime(2026, 9, 11), until=dt.datetime(2026, 9, 20), site="acme.atlassian.net")
    with Context(lake=root / "by-day") as whole:
        expected = whole.report_blocked(filters)
        everything = whole.require_requests()
    scope = LakeScope(filters.since, filters.until, filters.site)
    with Context(lake=root / "by-site", scope=scope) as pruned:
        assert pruned.report_blocked(filters) == expected and expected.rows
        read = pruned.require_requests()
        plan = "\n".join(r[1] for r in pruned.ws.con.execute("EXPLAIN SELECT count(*) FROM facts").fetchall())
    assert 0 < read < everything  # only the days and site asked for were read
    assert "read_parquet" in plan.lower() or "parquet" in plan.lower()


def test_a_lake_cannot_be_changed_and_user_sql_reads_only_the_lake(
        sample_lake: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    root, _ = sample_lake
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with Context(lake=root / "by-day") as ctx:
        with pytest.raises(UsageError, match="a lake cannot be changed"):
            ctx.load_rules(Path(__file__).parents[2] / "sample_logs" / "config" / "rules.yaml")
        assert ctx.sql("SELECT count(*) AS n FROM rejects").rows[0][0] > 0
        with pytest.raises(UsageError, match="SQL error"):
            ctx.sql(f"SELECT * FROM read_csv('{secret}')")


def test_what_is_not_a_lake_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no lake at"):
        Context(lake=tmp_path / "missing").report_blocked()
    (tmp_path / "empty").mkdir()
    with pytest.raises(WorkspaceError, match=r"no lake at .* manifest\.json"):
        Context(lake=tmp_path / "empty").report_blocked()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text("{}")
    with pytest.raises(WorkspaceError, match="not a readable lake manifest"):
        Context(lake=tmp_path / "bad").report_blocked()


def test_colliding_key_ids_are_refused(sample_lake: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    root, _ = sample_lake

    lake = tmp_path / "lake"
    shutil.copytree(root / "by-day", lake)
    keys = next((lake / "keys").glob("*.parquet"))
    duckdb.execute(f"COPY (SELECT * REPLACE (CASE WHEN key_id = (SELECT max(key_id) FROM '{keys}') "
                   f"THEN (SELECT min(key_id) FROM '{keys}') ELSE key_id END AS key_id) FROM '{keys}') "
                   f"TO '{tmp_path / 'k.parquet'}'")
    shutil.move(tmp_path / "k.parquet", keys)
    with pytest.raises(WorkspaceError, match="key ids that stand for several keys"):
        Context(lake=lake).report_blocked()

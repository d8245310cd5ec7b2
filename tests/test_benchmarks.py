"""The benchmark scripts still run (tiny sizes, no timing asserted: speed lives in the README)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench_router


def test_router_benchmark_runs() -> None:
    result = bench_router.main(3000)
    assert result["routed"] == 3000
    assert 0 < result["catalogued"] <= 3000 and result["shapes"] > 10


def test_a_grown_lake_is_a_lake_of_that_many_requests(tmp_path: Path) -> None:
    """bench_spark's large lake: the base lake's rows repeated on later days; reports run on it."""
    from analyzer import Context
    from benchmarks.bench_spark import grow_lake
    from tests.differential.scenarios import SCENARIOS, built

    with built(SCENARIOS["fixture"]) as (ctx, _):
        ctx.export(tmp_path / "base")
        base = ctx.overview()["requests"]
        blocked = sum(r["requests"] for r in ctx.report_blocked().records())
    requests = grow_lake(tmp_path / "base", tmp_path / "grown", 3 * base)
    assert requests == 3 * base
    with Context(lake=tmp_path / "grown") as lake:
        assert lake.overview()["requests"] == requests
        assert sum(r["requests"] for r in lake.report_blocked().records()) == 3 * blocked


def test_unique_query_file_gives_every_line_its_own_parameter(tmp_path: Path) -> None:
    from analyzer.synth import write_log
    from benchmarks.bench_ingest import unique_query_file

    log = write_log(tmp_path / "small.log", 200, "vhost_combined", seed=3)
    unique = unique_query_file(log)
    before, after = log.read_text().splitlines(), unique.read_text().splitlines()
    assert len(after) == len(before) == 200
    targets = [line.split('"')[1].split(" ")[1] for line in after]
    assert len({t.split("rid=")[1] for t in targets}) == 200  # one rid per line, all different
    assert [t.replace("?rid=" + t.split("rid=")[1], "").replace("&rid=" + t.split("rid=")[1], "") for t in targets] \
        == [line.split('"')[1].split(" ")[1] for line in before]  # nothing else changed

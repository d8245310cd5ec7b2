"""The benchmark scripts still run (tiny sizes, no timing asserted: speed lives in the README)."""

from __future__ import annotations

from benchmarks import bench_router


def test_router_benchmark_runs() -> None:
    result = bench_router.main(3000)
    assert result["routed"] == 3000
    assert 0 < result["catalogued"] <= 3000 and result["shapes"] > 10

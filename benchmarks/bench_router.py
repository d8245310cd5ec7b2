"""Route 1M realistic URLs through the router SQL (per request: cut the query; per distinct target:
normalise and route) and compare with a raw DuckDB copy of the same columns.

Usage: python -m benchmarks.bench_router [N]
"""

from __future__ import annotations

import sys
import time

import pyarrow as pa

from analyzer import pipeline
from analyzer.formats.base import PARSED_SCHEMA
from analyzer.synth import generate_requests
from analyzer.workspace import Workspace, registered


def main(n: int = 1_000_000) -> dict[str, float]:
    requests = list(generate_requests(n, seed=3))
    methods = pa.array([r.method for r in requests], pa.string())
    targets = pa.array([r.scheme_host + r.target for r in requests], pa.string())
    columns = {name: pa.nulls(n, t) for name, t in zip(PARSED_SCHEMA.names, PARSED_SCHEMA.types, strict=True)}
    columns.update(line_no=pa.array(range(n), pa.int64()), method=methods, target=targets,
                   ts=pa.array([r.ts for r in requests], pa.timestamp("us")))
    parsed = pa.table(columns, schema=PARSED_SCHEMA)
    with Workspace.open(":memory:") as ws:
        con = ws.con
        with registered(con, "parsed", parsed):
            started = time.perf_counter()
            con.execute("CREATE OR REPLACE TEMP TABLE scan AS SELECT method, target FROM parsed")
            baseline = time.perf_counter() - started
            started = time.perf_counter()
            # per request: split off the query; per distinct target: normalise and route; then join back
            con.execute("CREATE OR REPLACE TEMP TABLE batch AS " + pipeline.row_batch("SELECT * FROM parsed"),
                        {"salt": None})
            con.execute("CREATE OR REPLACE TEMP TABLE resolved AS " + pipeline.resolve_targets(
                "SELECT DISTINCT method, host, raw_target AS target FROM batch"), {"salt": None})
            con.execute("CREATE OR REPLACE TEMP TABLE out AS SELECT b.line_no, r.endpoint_id, r.path_space_key, "
                        "r.path_content_id FROM batch AS b JOIN resolved AS r ON r.raw_method = b.method "
                        "AND r.raw_host IS NOT DISTINCT FROM b.host AND r.raw_target = b.raw_target")
            elapsed = time.perf_counter() - started
        matched = con.execute("SELECT count(endpoint_id), count(*) FROM out").fetchall()[0]
        shapes = con.execute("SELECT count(DISTINCT (route_method, shape)), count(*) FROM resolved").fetchall()[0]
    print(f"routed {n:,} URLs in {elapsed:.2f}s = {n / elapsed:,.0f} URLs/s ({matched[0]:,} catalogued; "
          f"{shapes[1]:,} distinct targets normalised, {shapes[0]:,} distinct shapes routed)")
    print(f"baseline raw DuckDB copy of the same columns: {baseline:.2f}s; ratio {elapsed / baseline:.1f}x")
    return {"routed": n, "catalogued": matched[0], "shapes": shapes[0], "targets": shapes[1], "seconds": elapsed}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

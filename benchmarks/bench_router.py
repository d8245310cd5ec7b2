"""Route 1M realistic URLs through the router SQL and compare with a raw DuckDB scan.

Usage: python -m benchmarks.bench_router [N]
"""

from __future__ import annotations

import sys
import time

import pyarrow as pa

from analyzer import pipeline, sql
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
            ctes = pipeline.to_batch(pipeline.from_parser("SELECT * FROM parsed"))
            con.execute("CREATE OR REPLACE TEMP TABLE batch AS " + pipeline.select_batch(ctes))
            con.execute(pipeline.insert_new_routes())
            routed = sql.load_query("ingest/routed")
            con.execute("CREATE OR REPLACE TEMP TABLE out AS " + routed.text, {"file_id": 0})
            elapsed = time.perf_counter() - started
        matched = con.execute("SELECT count(endpoint_id), count(*) FROM out").fetchall()[0]
        shapes = con.execute("SELECT count(*) FROM route_cache").fetchall()[0][0]
    print(f"routed {n:,} URLs in {elapsed:.2f}s = {n / elapsed:,.0f} URLs/s "
          f"({matched[0]:,} catalogued, {shapes:,} distinct shapes routed in Python-free SQL)")
    print(f"baseline raw DuckDB copy of the same columns: {baseline:.2f}s; ratio {elapsed / baseline:.1f}x")
    return {"routed": n, "catalogued": matched[0], "shapes": shapes, "seconds": elapsed}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

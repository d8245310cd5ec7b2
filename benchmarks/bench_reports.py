"""Report and what-if latency on a large workspace (default 10M stored requests).

Builds (once, cached in benchmarks/out/) a workspace from a seeded synthetic log and the
sample apps, inventory and rules, then times each report, a simulation, an export, and a
baseline in the same DuckDB: a plain GROUP BY over the per-line fact table (what any report
must at least read), plus the row-level `decisions` view for comparison.

Usage: python -m benchmarks.bench_reports [--lines 10000000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from analyzer import Context, IngestOptions
from analyzer.report import Filters
from benchmarks.bench_ingest import OUT, log_file, machine

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "sample_logs" / "config"


def workspace(lines: int) -> Path:
    db = OUT / f"reports-{lines}.duckdb"
    if not db.exists():
        log = log_file(lines, "vhost_combined")
        started = time.perf_counter()
        with Context(db.with_suffix(".tmp")) as ctx:
            ctx.ingest([log], IngestOptions())
            ctx.load_apps(CONFIG / "apps.yaml")
            ctx.load_inventory([CONFIG / "sites.csv", CONFIG / "spaces.csv", CONFIG / "content.csv"])
            ctx.load_rules(CONFIG / "rules.yaml")
        db.with_suffix(".tmp").rename(db)
        print(f"built {db.name} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return db


def timed(label: str, action: Callable[[], object], results: dict[str, float]) -> None:
    started = time.perf_counter()
    action()
    results[label] = round(time.perf_counter() - started, 2)
    print(f"  {label:<28} {results[label]:7.2f} s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000_000)
    args = parser.parse_args()
    db = workspace(args.lines)
    results: dict[str, float] = {}
    print(f"{machine()}\n{args.lines:,} stored requests", file=sys.stderr)
    # As the CLI does: reports and exports on a read-only connection, simulations read-write.
    with Context(db, read_only=True) as ctx, tempfile.TemporaryDirectory() as tmp:
        con = ctx.ws.con
        timed("baseline GROUP BY facts", lambda: con.execute(
            "SELECT key_id, status, count(*) FROM facts GROUP BY ALL").fetchall(), results)
        timed("decisions view GROUP BY", lambda: con.execute(
            "SELECT decision, count(*) FROM decisions GROUP BY ALL").fetchall(), results)
        timed("report blocked", lambda: ctx.report_blocked(Filters()), results)
        timed("report apps", lambda: ctx.report_apps(Filters()), results)
        timed("report anomalies", lambda: ctx.report_anomalies(Filters()), results)
        timed("export decisions parquet", lambda: ctx.export(Path(tmp) / "d.parquet"), results)
        timed("export requests parquet", lambda: ctx.export(Path(tmp) / "r.parquet", what="requests"), results)
    with Context(db) as ctx:
        timed("simulate proposed", lambda: ctx.simulate(CONFIG / "proposed-rules.yaml"), results)
    print(json.dumps({"machine": machine(), "requests": args.lines, **results}))


if __name__ == "__main__":
    main()

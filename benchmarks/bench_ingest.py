"""Ingest speed and memory against baselines measured in the same run, on the same file.

Generates (once, cached in benchmarks/out/) a seeded synthetic log, then times:
  * GoAccess parsing the same file (if `goaccess` is installed: apt-get install goaccess),
  * a raw DuckDB scan of the same file (read_csv of whole lines, counted),
  * `appaccess ingest` end to end (parse + route + store), in a subprocess, with peak RSS.
Prints lines/s and the ratios; machines are shared and noisy, so quote ratios.

Usage: python -m benchmarks.bench_ingest [--lines 1000000] [--format vhost_combined] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from analyzer.synth import FORMATTERS, write_log

OUT = Path(__file__).resolve().parent / "out"
GOACCESS_FORMATS = {"vhost_combined": "VCOMBINED", "combined": "COMBINED", "common": "COMMON", "squid": "SQUID"}


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}")


def log_file(lines: int, fmt: str) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"synthetic-{fmt}-{lines}.log"
    if not path.exists():
        started = time.perf_counter()
        write_log(path.with_suffix(".tmp"), lines, fmt, seed=42)
        path.with_suffix(".tmp").rename(path)
        print(f"generated {path.name} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.0f}s",
              file=sys.stderr)
    return path


def run_child(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) * 1024


def time_goaccess(path: Path, fmt: str) -> float | None:
    exe = shutil.which("goaccess")
    if exe is None or fmt not in GOACCESS_FORMATS:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        elapsed, _ = run_child([exe, str(path), f"--log-format={GOACCESS_FORMATS[fmt]}", "-o", f"{tmp}/out.json",
                                "--no-global-config"])
    return elapsed


def time_duckdb_scan(path: Path) -> float:
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(f"SELECT count(*) FROM read_csv('{path}', columns={{'line': 'VARCHAR'}}, delim='\\x01', "
                "quote='', escape='', header=false, auto_detect=false)").fetchall()
    return time.perf_counter() - started


def time_appaccess(path: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        return run_child([sys.executable, "-m", "analyzer", "ingest", "--quiet", "--db", f"{tmp}/bench.duckdb",
                          str(path)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--format", default="vhost_combined", choices=sorted(FORMATTERS))
    parser.add_argument("--repeat", type=int, default=1, help="runs of each contender; the best is kept")
    args = parser.parse_args()
    path = log_file(args.lines, args.format)
    results: dict[str, object] = {"machine": machine(), "format": args.format, "lines": args.lines,
                                  "file_mb": round(path.stat().st_size / 1e6, 1)}
    ours = min((time_appaccess(path) for _ in range(args.repeat)), key=lambda r: r[0])
    scan = min(time_duckdb_scan(path) for _ in range(args.repeat))
    goaccess_runs = [time_goaccess(path, args.format) for _ in range(args.repeat)]
    goaccess = min((g for g in goaccess_runs if g is not None), default=None)
    results.update(
        appaccess_seconds=round(ours[0], 2), appaccess_lines_per_s=round(args.lines / ours[0]),
        appaccess_peak_rss_mb=round(ours[1] / 1e6), duckdb_scan_seconds=round(scan, 2),
        ratio_vs_duckdb_scan=round(ours[0] / scan, 1),
    )
    if goaccess is not None:
        results.update(goaccess_seconds=round(goaccess, 2), goaccess_lines_per_s=round(args.lines / goaccess),
                       speedup_vs_goaccess=round(goaccess / ours[0], 1))
    print(json.dumps(results))
    print(f"\n{machine()}\n{args.lines:,} {args.format} lines ({results['file_mb']} MB)", file=sys.stderr)
    print(f"  appaccess ingest : {ours[0]:7.2f} s  {args.lines / ours[0]:>12,.0f} lines/s  peak RSS "
          f"{ours[1] / 1e6:,.0f} MB", file=sys.stderr)
    print(f"  DuckDB raw scan  : {scan:7.2f} s  {args.lines / scan:>12,.0f} lines/s  (appaccess takes "
          f"{ours[0] / scan:.1f}x)", file=sys.stderr)
    if goaccess is not None:
        print(f"  GoAccess         : {goaccess:7.2f} s  {args.lines / goaccess:>12,.0f} lines/s  (appaccess is "
              f"{goaccess / ours[0]:.1f}x faster)", file=sys.stderr)


if __name__ == "__main__":
    main()

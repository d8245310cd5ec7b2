"""Ingest speed and memory against baselines measured in the same run, on the same file.

Generates (once, cached in benchmarks/out/) a seeded synthetic log, then times:
  * GoAccess parsing the same file (if `goaccess` is installed: apt-get install goaccess),
  * a raw DuckDB scan of the same file (read_csv of whole lines, counted),
  * `appaccess ingest` end to end (parse + route + store), in a subprocess, with peak RSS.
Prints lines/s and the ratios; machines are shared and noisy, so quote ratios.

  --unique-queries  the worst case for keyed storage: every URL gets its own `rid=<random>`
                    query parameter, so no two lines share a query string (keys hold only
                    the parameters that can name a space, so they stay shared).
  --stream N        also pipe the file N times through `appaccess ingest -` (N x lines in
                    one stream) and report its peak RSS, to show memory stays flat.
  --startup         also time `appaccess --help` (best of 5).

Usage: python -m benchmarks.bench_ingest [--lines 1000000] [--format vhost_combined] [--repeat 1]
       [--unique-queries] [--stream 10] [--startup]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
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


def unique_query_file(path: Path) -> Path:
    """``path`` with a random ``rid=`` parameter added to every request URL (the request line's target)."""
    out = path.with_name(path.stem + "-unique.log")
    if out.exists():
        return out
    rng = random.Random(42)
    with path.open("rb") as src, out.with_suffix(".tmp").open("wb") as dst:
        for line in src:
            head, sep, rest = line.partition(b'"')
            request, sep2, tail = rest.partition(b'"')
            method, _, target = request.partition(b" ")
            url, _, protocol = target.rpartition(b" ")
            glue = b"&" if b"?" in url else b"?"
            rid = b"%016x" % rng.getrandbits(64)
            dst.write(head + sep + method + b" " + url + glue + b"rid=" + rid + b" " + protocol + sep2 + tail)
    out.with_suffix(".tmp").rename(out)
    return out


def run_child(command: list[str], stdin_from: Path | None = None, repeat: int = 1) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one child process (its own rusage, via wait4)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL if stdin_from is None else subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if stdin_from is not None:  # the file `repeat` times down one pipe, as `zcat *.gz | appaccess ingest -`
        assert child.stdin is not None
        for _ in range(repeat):
            with stdin_from.open("rb") as handle:
                shutil.copyfileobj(handle, child.stdin, 1 << 20)
        child.stdin.close()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, command)
    return elapsed, usage.ru_maxrss * 1024


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


def time_stream(path: Path, repeat: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        return run_child([sys.executable, "-m", "analyzer", "ingest", "--quiet", "--db", f"{tmp}/bench.duckdb",
                          "-"], stdin_from=path, repeat=repeat)


def time_startup() -> float:
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "analyzer", "--help"], check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--format", default="vhost_combined", choices=sorted(FORMATTERS))
    parser.add_argument("--repeat", type=int, default=1, help="runs of each contender; the best is kept")
    parser.add_argument("--unique-queries", action="store_true", help="every URL with its own rid= parameter")
    parser.add_argument("--stream", type=int, default=0, metavar="N", help="also ingest the file N times from stdin")
    parser.add_argument("--startup", action="store_true", help="also time `appaccess --help`")
    args = parser.parse_args()
    path = log_file(args.lines, args.format)
    if args.unique_queries:
        path = unique_query_file(path)
    results: dict[str, object] = {"machine": machine(), "format": args.format, "lines": args.lines,
                                  "unique_queries": args.unique_queries,
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
    if args.stream:
        streamed = time_stream(path, args.stream)
        results.update(stream_lines=args.lines * args.stream, stream_seconds=round(streamed[0], 1),
                       stream_lines_per_s=round(args.lines * args.stream / streamed[0]),
                       stream_peak_rss_mb=round(streamed[1] / 1e6))
    if args.startup:
        results.update(startup_seconds=round(time_startup(), 3))
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

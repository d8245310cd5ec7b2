"""Spark figures: ingest lines/s in local[1] and local[2] beside the single-machine ingest, and
`report blocked` over a large lake with its peak RSS.

1. A seeded synthetic vhost_combined log of --lines lines (cached in benchmarks/out/), also cut
   into --parts files (files are Spark's unit of work: rotated logs, one object per hour...).
2. `appaccess ingest` of the parts on one machine, then `appaccess spark ingest` of the same
   parts in local[1] (per-core throughput) and local[2] (the scaling factor), and of the whole
   file in local[2] (a single file is one task: no scaling), each in a subprocess.
3. A lake of --lake-requests requests generated on the fly from the local[2] lake: its rows
   repeated with their days shifted (keys, files and configuration stay valid), then
   `appaccess report blocked --lake` over all of it and over its last 30 days (partition
   pruning), and `report apps`, each in a subprocess with its peak RSS.

Machines are shared and noisy: quote ratios. Peak RSS is the largest process's (the JVM or a
Python worker for Spark runs).

Usage: python -m benchmarks.bench_spark [--lines 10000000] [--parts 8] [--lake-requests 100000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from analyzer.lake import Manifest
from benchmarks.bench_ingest import OUT, log_file, machine

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "sample_logs" / "config"
CONFIG_ARGS = ["--apps", str(CONFIG / "apps.yaml"), "--rules", str(CONFIG / "rules.yaml"),
               "--inventory", str(CONFIG / "sites.csv"), "--inventory", str(CONFIG / "spaces.csv"),
               "--inventory", str(CONFIG / "content.csv")]


def split_log(path: Path, parts: int) -> Path:
    """``path`` cut into ``parts`` files of consecutive lines (cached)."""
    folder = OUT / f"{path.stem}-parts{parts}"
    if folder.exists():
        return folder
    tmp = folder.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    total = sum(1 for _ in path.open("rb"))
    per = -(-total // parts)
    with path.open("rb") as source:
        for index in range(parts):
            with (tmp / f"access-{index:03d}.log").open("wb") as out:
                for _, line in zip(range(per), source, strict=False):
                    out.write(line)
    tmp.rename(folder)
    return folder


#: Runs a command and prints the largest peak RSS of its process tree (its own rusage of children:
#: a JVM and its Python workers included), so that each run is measured apart.
_MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)")


def appaccess(*args: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of `appaccess ARGS...` in its own process tree."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "analyzer", *args],
                          check=True, capture_output=True, text=True)
    seconds, peak = done.stdout.split()
    return float(seconds), int(peak)


def grow_lake(base: Path, target: Path, requests: int) -> int:
    """A lake of about ``requests`` requests: ``base``'s rows repeated, each copy shifted by the
    base's span of days (so days never overlap), with its keys, files and configuration."""
    con = duckdb.connect()
    rows_glob = f"{base}/requests/**/*.parquet"
    count, first, last = con.execute(f"SELECT count(*), min(day), max(day) FROM read_parquet('{rows_glob}', "
                                     "hive_partitioning = true)").fetchall()[0]
    copies = max(1, round(requests / count))
    span = (last - first).days + 1
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for part in ("keys", "rejects", "files", "config"):
        shutil.copytree(base / part, target / part)
    con.execute(
        f"COPY (SELECT r.* REPLACE (r.ts + INTERVAL (c.k * {span}) DAY AS ts, "
        f"r.day + CAST(c.k * {span} AS INTEGER) AS day, r.line_no + c.k * {count} AS line_no) "
        f"FROM read_parquet('{rows_glob}', hive_partitioning = true) AS r CROSS JOIN range({copies}) AS c(k)) "
        f"TO '{target / 'requests'}' (FORMAT parquet, PARTITION_BY (day))")
    manifest = Manifest.from_json((base / "manifest.json").read_text(), str(base))
    body = json.loads(manifest.to_json())
    body.update(requests=count * copies, writer=f"benchmarks.bench_spark x{copies}")
    (target / "manifest.json").write_text(json.dumps(body, indent=2))
    return count * copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--lake-requests", type=int, default=100_000_000)
    args = parser.parse_args()
    log = log_file(args.lines, "vhost_combined")
    parts = split_log(log, args.parts)
    results: dict[str, object] = {"machine": machine(), "lines": args.lines, "parts": args.parts}
    say = lambda text: print(text, file=sys.stderr)  # noqa: E731
    say(f"{machine()}\n{args.lines:,} vhost_combined lines in {args.parts} files")
    with tempfile.TemporaryDirectory(prefix="appaccess-bench-") as name:
        tmp = Path(name)
        runs = {"single machine": ["ingest", "--quiet", "--db", str(tmp / "w.duckdb"), str(parts)]}
        for master in ("local[1]", "local[2]"):
            runs[f"spark {master}"] = ["spark", "ingest", str(parts), "--lake", str(tmp / f"lake-{master[6]}"),
                                       "--master", master, "--quiet", *CONFIG_ARGS]
        runs["spark local[2], one file"] = ["spark", "ingest", str(log), "--lake", str(tmp / "lake-one"),
                                            "--master", "local[2]", "--quiet", *CONFIG_ARGS]
        for label, command in runs.items():
            seconds, peak = appaccess(*command)
            results[label] = {"seconds": round(seconds, 1), "lines_per_s": round(args.lines / seconds),
                              "peak_rss_mb": round(peak / 1e6)}
            say(f"  {label:<26} {seconds:8.1f} s {args.lines / seconds:>12,.0f} lines/s  peak RSS {peak / 1e6:,.0f} MB")
        one, two = results["spark local[1]"], results["spark local[2]"]
        results["scaling_local2_vs_local1"] = round(one["seconds"] / two["seconds"], 2)  # type: ignore[index]
        say(f"  local[2] / local[1] scaling: {results['scaling_local2_vs_local1']}x")
        lake = OUT / f"lake-{args.lake_requests}"
        requests = grow_lake(tmp / "lake-2", lake, args.lake_requests)
        results["lake_requests"] = requests
        size = sum(p.stat().st_size for p in (lake / "requests").rglob("*.parquet"))
        say(f"lake of {requests:,} requests ({size / 1e9:,.1f} GB of Parquet)")
        last_day = max(p.name for p in (lake / "requests").iterdir())[4:]
        since = (dt.date.fromisoformat(last_day) - dt.timedelta(days=29)).isoformat()
        for label, command in {
            "report blocked": ["report", "blocked", "--lake", str(lake), "-o", str(tmp / "b.csv")],
            "report blocked, last 30 days": ["report", "blocked", "--lake", str(lake), "--since", since,
                                             "-o", str(tmp / "b30.csv")],
            "report apps": ["report", "apps", "--lake", str(lake), "-o", str(tmp / "a.csv")],
        }.items():
            seconds, peak = appaccess(*command)
            results[label] = {"seconds": round(seconds, 1), "peak_rss_mb": round(peak / 1e6)}
            say(f"  {label:<30} {seconds:8.1f} s  peak RSS {peak / 1e6:,.0f} MB")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Scenarios whose every answer must stay the same across storage designs.

Each scenario builds a workspace through the public API only (``Context``:
ingest, apps, inventory, rules) and collects every answer a user can get from
it: the exported decisions and requests, the rejects and file counts, every
report with and without filters, the chart queries, simulations in both modes
with their per-request output, and suggestions. ``record`` wrote these answers
with release 0.1.0 (row-level storage and decisions) into ``reference/``;
tests/differential/test_differential.py computes them again with the current
code and compares value by value. Only the public API is used, so the same
code ran against both designs.

Re-record only when an answer changes on purpose (``python -m
tests.differential.scenarios --record``), and review the diff.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from analyzer import Context, IngestOptions
from analyzer.errors import AnalyzerError
from analyzer.output import Frame
from analyzer.report import Filters
from analyzer.synth import write_log
from analyzer.whatif import Window

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_logs"
CONFIG = SAMPLES / "config"
FIXTURE = ROOT / "tests" / "fixtures" / "golden"
HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference"

#: Synthetic logs of the "synthetic" scenario: (format, lines, seed).
SYNTHETIC_LOGS: tuple[tuple[str, int, int], ...] = (
    ("vhost_combined", 12000, 101), ("combined", 1500, 102), ("common", 800, 103), ("squid", 1500, 104),
    ("alb", 1500, 105), ("envoy", 1500, 106), ("cloudflare", 1500, 107), ("json", 1500, 108),
    ("w3c", 1500, 109), ("csv", 1500, 110), ("har", 400, 111),
)


@dataclass(frozen=True)
class Scenario:
    name: str
    build: Callable[[Context, Path], None]
    proposed: tuple[Path, ...]  # replayed by simulate (replace and add) and suggest
    coverages: tuple[str, ...]  # suggest --coverage
    filters: tuple[Filters, ...]  # report filters besides none


#: The sample logs of release 0.1.0 (later samples are not part of the recorded answers).
SAMPLE_FILES = ("alb-access.log", "apache-combined.log", "apache-common.log", "app-gateway.jsonl",
                "browser-export.har", "cloudflare-logpush.jsonl", "envoy-istio.jsonl", "iis-w3c.log",
                "nginx-vhost_combined.log", "proxy-export.csv", "squid-access.log")


def _build_samples(ctx: Context, tmp: Path) -> None:
    ctx.ingest([SAMPLES / name for name in SAMPLE_FILES], IngestOptions())
    ctx.load_apps(CONFIG / "apps.yaml")
    ctx.load_inventory([CONFIG / "sites.csv", CONFIG / "spaces.csv", CONFIG / "content.csv"])
    ctx.load_rules(CONFIG / "rules.yaml")


def _build_fixture(ctx: Context, tmp: Path) -> None:
    ctx.ingest([FIXTURE / "access.log"], IngestOptions())
    ctx.load_apps(FIXTURE / "apps.yaml")
    ctx.load_inventory([FIXTURE / "sites.csv", FIXTURE / "spaces.csv", FIXTURE / "content.csv"])
    ctx.load_rules(FIXTURE / "rules.yaml")


def _build_synthetic(ctx: Context, tmp: Path) -> None:
    logs = []
    for fmt, lines, seed in SYNTHETIC_LOGS:
        suffix = {"har": ".har", "csv": ".csv", "json": ".jsonl", "envoy": ".jsonl", "cloudflare": ".jsonl"}
        path = write_log(tmp / f"synthetic-{fmt}{suffix.get(fmt, '.log')}", lines, fmt, seed=seed)
        logs.append(path)
    ctx.ingest(logs, IngestOptions())
    ctx.load_apps(HERE / "config" / "apps-variety.yaml")
    ctx.load_inventory([CONFIG / "sites.csv", CONFIG / "spaces.csv", CONFIG / "content.csv"])
    ctx.load_rules(HERE / "config" / "rules-variety.yaml")


SCENARIOS: dict[str, Scenario] = {
    "samples": Scenario(
        "samples", _build_samples, (CONFIG / "proposed-rules.yaml",), ("spaces=HR,FIN", "all_spaces"),
        (Filters(site="acme.atlassian.net", space="HR"), Filters(since=dt.datetime(2026, 9, 11))),
    ),
    "fixture": Scenario(
        "fixture", _build_fixture, (FIXTURE / "proposed.yaml",), ("spaces=HR", "classification=confidential"),
        (Filters(site="acme.atlassian.net"), Filters(app="(unknown)")),
    ),
    "synthetic": Scenario(
        "synthetic", _build_synthetic,
        (CONFIG / "proposed-rules.yaml", HERE / "config" / "proposed-variety.yaml"),
        ("spaces=HR,FIN,DEV", "all_spaces", "classification=confidential"),
        (Filters(since=dt.datetime(2026, 9, 8), until=dt.datetime(2026, 9, 20)),
         Filters(app="com.acme.backup"), Filters(site="acme-sandbox.atlassian.net")),
    ),
}


def _frame_table(frame: Frame) -> pa.Table:
    return pa.Table.from_pylist([dict(zip(frame.columns, row, strict=True)) for row in frame.rows]) \
        if frame.rows else pa.table({c: pa.array([], pa.null()) for c in frame.columns})


def _basename_files(table: pa.Table, column: str = "file") -> pa.Table:
    if column not in table.column_names:
        return table
    names = [None if v is None else Path(v).name for v in table.column(column).to_pylist()]
    return table.set_column(table.column_names.index(column), column, pa.array(names, pa.string()))


def answers(ctx: Context, scenario: Scenario, tmp: Path) -> Iterator[tuple[str, pa.Table]]:
    """Every answer of a built scenario workspace, by name."""
    for what in ("decisions", "requests"):
        out = tmp / f"export-{what}.parquet"
        ctx.export(out, what=what)
        table = pq.read_table(out)
        if what == "requests":
            listing = ctx.files()
            file_names = {r[0]: Path(r[1]).name for r in listing.rows}
            table = table.set_column(0, "file_id", pa.array([file_names[f] for f in table.column(0).to_pylist()]))
        yield f"export_{what}", _basename_files(table)
    yield "rejects", _basename_files(_frame_table(ctx.rejects(limit=10_000_000)))
    files = ctx.files()
    keep = [c for c in files.columns if c not in ("file_id", "last_ingested")]
    yield "files", _basename_files(_frame_table(Frame(
        tuple(keep), tuple(tuple(r[files.columns.index(c)] for c in keep) for r in files.rows))), "path")
    status = ctx.status()
    yield "status", _frame_table(Frame(status.columns, tuple((r[0], str(r[1])) for r in status.rows
                                                          if r[0] != "workspace")))
    for index, filters in enumerate((Filters(), *scenario.filters)):
        yield f"report_blocked_{index}", _frame_table(ctx.report_blocked(filters))
        yield f"report_apps_{index}", _frame_table(ctx.report_apps(filters))
        yield f"report_anomalies_{index}", _basename_files(_frame_table(ctx.report_anomalies(filters)), "example")
        for chart in ("overview", "chart_heatmap", "chart_timeline", "chart_top_endpoints"):
            params = {k: v for k, v in filters.params().items()}
            yield f"{chart}_{index}", _frame_table(ctx.query(f"reports/{chart}", params))
    for p_index, proposed in enumerate(scenario.proposed):
        for mode in ("replace", "add"):
            for w_index, window in enumerate((Window(), Window(since=dt.datetime(2026, 9, 12)))):
                out = tmp / f"sim-{p_index}-{mode}-{w_index}.parquet"
                try:
                    sim = ctx.simulate(proposed, mode=mode, window=window, out=out)
                except AnalyzerError as error:  # e.g. a name clash in add mode: the error is the answer
                    yield f"simulate_{p_index}_{mode}_{w_index}_error", pa.table({"error": [str(error)]})
                    continue
                tag = f"simulate_{p_index}_{mode}_{w_index}"
                yield f"{tag}_summary", pa.Table.from_pylist([sim.summary])
                yield f"{tag}_by_app_space", _frame_table(sim.by_app_space)
                yield f"{tag}_requests", _basename_files(pq.read_table(out))
        suggestion = ctx.suggest(proposed=proposed)
        yield f"suggest_proposed_{p_index}", _frame_table(suggestion.apps)
        yield f"suggest_proposed_{p_index}_yaml", pa.table({"yaml": [suggestion.yaml],
                                                            "warnings": [json.dumps(suggestion.warnings)]})
    for c_index, coverage in enumerate(scenario.coverages):
        suggestion = ctx.suggest(coverage=coverage)
        yield f"suggest_coverage_{c_index}", _frame_table(suggestion.apps)
        yield f"suggest_coverage_{c_index}_yaml", pa.table({"yaml": [suggestion.yaml],
                                                            "warnings": [json.dumps(suggestion.warnings)]})


@contextmanager
def built(scenario: Scenario) -> Iterator[tuple[Context, Path]]:
    with tempfile.TemporaryDirectory(prefix=f"appaccess-{scenario.name}-") as name:
        tmp = Path(name)
        ctx = Context(tmp / "ws.duckdb")
        try:
            scenario.build(ctx, tmp)
            yield ctx, tmp
        finally:
            ctx.close()


def record(names: list[str]) -> None:
    for name in names:
        scenario = SCENARIOS[name]
        target = REFERENCE / name
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*.parquet"):
            old.unlink()
        with built(scenario) as (ctx, tmp):
            for answer, table in answers(ctx, scenario, tmp):
                pq.write_table(table, target / f"{answer}.parquet", compression="zstd", compression_level=19)
        print(f"recorded {name}: {len(list(target.glob('*.parquet')))} answers", file=sys.stderr)


def comparable(table: pa.Table) -> list[dict[str, Any]]:
    """Rows as dicts in a stable order (sorted by every column's text), for comparison."""
    rows = table.to_pylist()
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", help="write reference/ from the current code")
    parser.add_argument("scenarios", nargs="*", default=sorted(SCENARIOS))
    args = parser.parse_args()
    if not args.record:
        parser.error("nothing to do: pass --record")
    record(args.scenarios)


if __name__ == "__main__":
    main()

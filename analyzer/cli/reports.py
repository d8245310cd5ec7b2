"""``appaccess report``, ``simulate``, ``suggest`` and ``query``: the answers users came for."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from analyzer import report
from analyzer.cli import app
from analyzer.cli.options import DEFAULT_DB, Db, Format, Out, Wait
from analyzer.cli.times import parse_time
from analyzer.context import Context
from analyzer.errors import UsageError
from analyzer.output import Frame, OutputFormat, render, rich_table
from analyzer.report.terminal import (
    anomalies_renderable,
    apps_renderable,
    blocked_renderable,
    simulation_renderable,
)
from analyzer.sql import list_queries
from analyzer.whatif import Window

report_app = typer.Typer(help="Reports over the stored traffic and its decisions.", no_args_is_help=True)
app.add_typer(report_app, name="report")
_err = Console(stderr=True, highlight=False)

Since = Annotated[str | None, typer.Option("--since", help="Only requests at or after this UTC date/time.")]
Until = Annotated[str | None, typer.Option("--until", help="Only requests before this UTC date/time.")]
Site = Annotated[str | None, typer.Option("--site", help="Only this site, e.g. acme.atlassian.net.")]
AppKey = Annotated[str | None, typer.Option("--app", help="Only this app key ('(unknown)' for unidentified).")]
Space = Annotated[str | None, typer.Option("--space", help="Only this space key or id.")]


def _filters(since: str | None, until: str | None, site: str | None = None, app_key: str | None = None,
             space: str | None = None) -> report.Filters:
    return report.Filters(parse_time(since, "--since"), parse_time(until, "--until"), site, app_key, space)


def _emit(frame: Frame, fmt: OutputFormat, out: Path | None, ctx: Context, filters: report.Filters,
          renderable: object | None = None) -> None:
    if fmt is OutputFormat.html:
        from analyzer.report.html import write_html_report

        target = out or Path("appaccess-report.html")
        write_html_report(ctx.ws, target, filters)
        _err.print(f"wrote {target}")
    elif fmt is OutputFormat.table and out is None and renderable is not None:
        Console().print(renderable)
    else:
        render(frame, fmt, out)


@report_app.command("blocked")
def report_blocked(db: Db = DEFAULT_DB, since: Since = None, until: Until = None, site: Site = None,
                   app_key: AppKey = None, space: Space = None, fmt: Format = OutputFormat.table, out: Out = None,
                   wait: Wait = 0.0,
                   limit: Annotated[int, typer.Option(
                       "--limit", "-n", help="Rows per table on a terminal (csv, json and html show all).",
                       min=1)] = 40) -> None:
    """Which apps touched APIs that app access rules block, in which spaces.

    Every request to a blocked API (whether or not a rule was active then), grouped by app,
    site, space, endpoint and decision, with requests, distinct days, first and last seen and
    observed statuses: exposure before any rule and enforcement (blocked, filtered, exempt,
    not eligible) side by side. Site-wide lists and searches are shown apart.
    --format html writes the full HTML report with charts (default file appaccess-report.html).
    """
    filters = _filters(since, until, site, app_key, space)
    with Context(db, read_only=True, wait=wait) as ctx:
        frame = ctx.report_blocked(filters)
        _emit(frame, fmt, out, ctx, filters, blocked_renderable(frame, limit))


@report_app.command("apps")
def report_apps(db: Db = DEFAULT_DB, since: Since = None, until: Until = None, site: Site = None,
                app_key: AppKey = None, fmt: Format = OutputFormat.table, out: Out = None, wait: Wait = 0.0) -> None:
    """Each app's dependency profile: blocked APIs used, spaces touched, deprecated v1 endpoints
    still called, and the share of its traffic the active rules block."""
    filters = _filters(since, until, site, app_key)
    with Context(db, read_only=True, wait=wait) as ctx:
        frame = ctx.report_apps(filters)
        _emit(frame, fmt, out, ctx, filters, apps_renderable(frame))


@report_app.command("anomalies")
def report_anomalies(db: Db = DEFAULT_DB, since: Since = None, until: Until = None, site: Site = None,
                     fmt: Format = OutputFormat.table, out: Out = None, wait: Wait = 0.0) -> None:
    """Enforcement mismatches (blocked but succeeded; denied where nothing should block) and the
    unknown clients, unknown spaces and unknown sites that hide decisions."""
    filters = _filters(since, until, site)
    with Context(db, read_only=True, wait=wait) as ctx:
        frame = ctx.report_anomalies(filters)
        _emit(frame, fmt, out, ctx, filters, anomalies_renderable(frame))


@app.command("simulate")
def simulate_command(
    proposed: Annotated[Path, typer.Argument(help="Proposed policies, in the rules.yaml format.", dir_okay=False)],
    db: Db = DEFAULT_DB,
    mode: Annotated[str, typer.Option("--mode", help="replace: the proposal instead of the active rules; "
                                                     "add: on top of them.")] = "replace",
    since: Since = None, until: Until = None,
    fmt: Format = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Also write one row per request (file, line_no, "
                                                                 "baseline_decision, proposed_decision, change) "
                                                                 "to .parquet, .csv or .jsonl.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the HTML report (charts and tables) "
                                                             "with this what-if as its last section.",
                                              dir_okay=False)] = None,
    wait: Wait = 0.0,
) -> None:
    """What would a proposed rule have blocked? Replays the stored traffic against it.

    Prints requests evaluated, unchanged, newly blocked, newly filtered, unblocked and
    undeterminable (hidden by unknown clients or spaces), the window covered, then the
    changes per app and space with days with attempts and the last attempt.
    The workspace is not changed (the proposal lives in a rolled-back transaction).

    Example: appaccess simulate proposed.yaml --mode add --since 2026-09-01
    """
    window = Window(parse_time(since, "--since"), parse_time(until, "--until"))
    if fmt in (OutputFormat.html, OutputFormat.parquet):
        raise UsageError(f"--format {fmt.value} is not available for simulate",
                         hint="use --html FILE for the HTML report, --out FILE.parquet for per-request rows")
    with Context(db, wait=wait) as ctx:
        sim = ctx.simulate(proposed, mode=mode, window=window, out=out)
        if html is not None:
            from analyzer.report.html import write_html_report

            write_html_report(ctx.ws, html, report.Filters(since=window.since, until=window.until), simulation=sim)
    for warning in sim.warnings:
        _err.print(f"warning: {warning}")
    if fmt is OutputFormat.table:
        Console().print(simulation_renderable(sim.summary, sim.by_app_space,
                                              f"What-if: {proposed.name} ({sim.mode} mode, "
                                              f"{len(sim.policies)} policies)"))
    else:
        # Data (the changes per app and space) on stdout, the totals as one line on stderr.
        render(sim.by_app_space, fmt)
        s = sim.summary
        _err.print(f"evaluated {s['evaluated']:,}: unchanged {s['unchanged']:,}, newly blocked "
                   f"{s['newly_blocked']:,}, newly filtered {s['newly_filtered']:,}, unblocked {s['unblocked']:,}, "
                   f"undeterminable {s['undeterminable']:,}, other {s['other']:,}")
    if out is not None:
        _err.print(f"wrote {sim.requests_written:,} rows to {out}")
    if html is not None:
        _err.print(f"wrote {html}")


@app.command("suggest")
def suggest_command(
    proposed: Annotated[Path | None, typer.Argument(help="Proposed policies (rules.yaml format); or use --coverage.",
                                                    dir_okay=False)] = None,
    coverage: Annotated[str | None, typer.Option(
        "--coverage", help="all_spaces | spaces=KEY,KEY | classification=LEVEL,LEVEL")] = None,
    site: Site = None,
    db: Db = DEFAULT_DB,
    since: Since = None, until: Until = None,
    fmt: Format = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the suggested policy YAML here.")] = None,
    wait: Wait = 0.0,
) -> None:
    """Which apps would a proposed coverage break, and which allowlist keeps them working?

    Ranks apps by how much blocked use they have under the coverage, then prints (or writes
    with --out) a ready-to-use policy YAML with an allowlist; warns when more than Atlassian's
    20-app limit would be needed and when unidentified clients hide part of the picture.

    Example: appaccess suggest --coverage spaces=HR,FIN --site acme.atlassian.net -o hr.yaml
    """
    window = Window(parse_time(since, "--since"), parse_time(until, "--until"))
    with Context(db, wait=wait) as ctx:
        result = ctx.suggest(coverage=coverage, proposed=proposed, site=site, window=window)
    for warning in result.warnings:
        _err.print(f"warning: {warning}")
    if fmt is OutputFormat.table:
        Console().print(rich_table(result.apps))
    else:
        render(result.apps, fmt)
    if out is not None:
        out.write_text(result.yaml, encoding="utf-8")
        _err.print(f"wrote the suggested policy to {out}")
    elif fmt is OutputFormat.table:
        sys.stdout.write("\n" + result.yaml)


query_app = typer.Typer(help="Run the named SQL queries of queries/ (the same files the reports use).",
                        no_args_is_help=True)
app.add_typer(query_app, name="query")


@query_app.command("list")
def query_list(fmt: Format = OutputFormat.table) -> None:
    """List the named queries with their parameters."""
    rows = tuple((q.name, ", ".join(q.params), q.summary) for q in list_queries()
                 if q.name.split("/")[0] in ("reports", "simulate", "suggest", "export"))
    render(Frame(("name", "params", "description"), rows, title="Named queries"), fmt)


@query_app.command("run")
def query_run(
    name: Annotated[str, typer.Argument(help="Query name, e.g. reports/blocked (see `appaccess query list`).")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE (repeatable); unset "
                                                                          "parameters are NULL (no filter).")] = None,
    db: Db = DEFAULT_DB, fmt: Format = OutputFormat.table, out: Out = None, wait: Wait = 0.0,
) -> None:
    """Run a named query against the workspace.

    Example: appaccess query run reports/blocked -p site=acme.atlassian.net -f csv
    """
    params: dict[str, object] = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--param {item!r} is not NAME=VALUE")
        params[key.strip()] = parse_time(value, f"--param {key}") if key.strip() in ("since", "until") else value
    with Context(db, read_only=True, wait=wait) as ctx:
        render(ctx.query(name, params), fmt, out)

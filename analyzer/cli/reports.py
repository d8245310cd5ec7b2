"""``appaccess report``, ``simulate``, ``suggest`` and ``query``: the answers users came for."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from analyzer.cli import app
from analyzer.cli.options import (
    DEFAULT_DB,
    AppKey,
    AppTyper,
    Db,
    Format,
    Lake,
    Output,
    ReportFmt,
    ReportOutput,
    Site,
    Space,
    Strict,
    SuggestFmt,
    Until,
    Wait,
    aliased,
    emit,
    open_context,
    output_format,
    say,
    say_split,
    warn,
)
from analyzer.cli.options import Since as SinceOption
from analyzer.cli.times import parse_time, parse_window
from analyzer.errors import ChangesFoundError, UsageError
from analyzer.output import TABULAR, Frame, OutputFormat, check_writable, plural, render, write_text

report_app = AppTyper(help="Reports over the stored traffic and its decisions.")
app.add_typer(report_app, name="report")

REPORT_FORMATS = (*TABULAR, OutputFormat.html)

if TYPE_CHECKING:  # (imported where used: `appaccess --help` must start fast)
    from analyzer import report
    from analyzer.whatif import Simulation



class Decision(StrEnum):
    blocked = "blocked"
    filtered = "filtered"
    exempt = "exempt"
    allowed = "allowed"
    not_eligible = "not_eligible"
    unknown_client = "unknown_client"
    unknown_space = "unknown_space"


def _report(kind: str, db: Path, lake: Path | None, wait: float, filters: report.Filters, fmt: object,
            out: Path | None, strict: bool, limit: int | None = None) -> None:
    """The flow every report shares: check, compute, write."""
    from analyzer.lake import LakeScope
    from analyzer.report.terminal import anomalies_renderable, apps_renderable, blocked_renderable

    chosen = output_format(fmt, out, REPORT_FORMATS)  # type: ignore[arg-type]
    check_writable(out)
    scope = LakeScope(filters.since, filters.until, filters.site)
    with open_context(db, lake, read_only=True, wait=wait, scope=scope) as ctx:
        ctx.require_requests(filters.since, filters.until)
        for warning in ctx.check_filters(filters, strict=strict):
            warn(warning)
        if chosen is OutputFormat.html:
            target = out or Path("appaccess-report.html" if kind == "blocked" else f"appaccess-{kind}.html")
            ctx.write_html_report(target, filters, focus=kind)
            say(f"wrote {target}")
            return
        frame = {"blocked": ctx.report_blocked, "apps": ctx.report_apps,
                 "anomalies": ctx.report_anomalies}[kind](filters)
    draw = {"blocked": lambda width: blocked_renderable(frame, limit if out is None else None, width),
            "apps": lambda width: apps_renderable(frame, width),
            "anomalies": lambda width: anomalies_renderable(frame, width)}[kind]
    emit(frame, fmt, out, renderable=draw, supported=REPORT_FORMATS)  # type: ignore[arg-type]


@report_app.command("blocked")
def report_blocked(db: Db = DEFAULT_DB, lake: Lake = None, since: SinceOption = None, until: Until = None,
                   site: Site = None,
                   app_key: AppKey = None, space: Space = None,
                   decision: Annotated[Decision | None, typer.Option(
                       "--decision", help="Only requests with this decision (exempt: allowed thanks to a "
                                          "policy's allowlist).", show_default=False)] = None,
                   fmt: ReportFmt = None, out: ReportOutput = None, strict: Strict = False, wait: Wait = 0.0,
                   limit: Annotated[int, typer.Option(
                       "--limit", "-n", help="Rows per table on a terminal (files get every row).",
                       min=1, metavar="N")] = 40) -> None:
    """Which apps touched APIs that app access rules block, in which spaces.

    Every request to a blocked API (whether or not a rule was active then), grouped by app,
    site, space, endpoint and decision, with requests, distinct days, first and last seen and
    observed statuses: exposure before any rule and enforcement (blocked, filtered, exempt,
    not eligible) side by side. Site-wide lists and searches are shown apart.
    -f html writes the full HTML report with charts (default file appaccess-report.html).

    \b
    Examples:
      appaccess report blocked --site acme.atlassian.net --space HR
      appaccess report blocked --decision blocked -o blocked.csv
      appaccess report blocked -o report.html
      appaccess report blocked --lake /data/appaccess-lake/ --since 2026-09-01
    """
    from analyzer import report

    start, end = parse_window(since, until)
    filters = report.Filters(start, end, site, app_key, space, decision.value if decision else None)
    _report("blocked", db, lake, wait, filters, fmt, out, strict, limit)


@report_app.command("apps")
def report_apps(db: Db = DEFAULT_DB, lake: Lake = None, since: SinceOption = None, until: Until = None,
                site: Site = None,
                app_key: AppKey = None, fmt: ReportFmt = None, out: ReportOutput = None, strict: Strict = False,
                wait: Wait = 0.0) -> None:
    """Each app's dependency profile: blocked APIs used, spaces touched, deprecated v1 endpoints
    still called, and the share of its traffic the active rules block.

    \b
    Examples:
      appaccess report apps --since 2026-09-01
      appaccess report apps -o apps.html
    """
    from analyzer import report

    start, end = parse_window(since, until)
    _report("apps", db, lake, wait, report.Filters(start, end, site, app_key), fmt, out, strict)


@report_app.command("anomalies")
def report_anomalies(db: Db = DEFAULT_DB, lake: Lake = None, since: SinceOption = None, until: Until = None,
                     site: Site = None,
                     fmt: ReportFmt = None, out: ReportOutput = None, strict: Strict = False,
                     wait: Wait = 0.0) -> None:
    """Enforcement mismatches (blocked but succeeded; denied where nothing should block) and the
    unknown clients, unknown spaces and unknown sites that hide decisions.

    Example: appaccess report anomalies --site acme.atlassian.net -o anomalies.csv
    """
    from analyzer import report

    start, end = parse_window(since, until)
    _report("anomalies", db, lake, wait, report.Filters(start, end, site), fmt, out, strict)


# -- simulate ------------------------------------------------------------------------

class Mode(StrEnum):
    replace = "replace"
    add = "add"


CHANGE_CLASSES = ("newly_blocked", "newly_filtered", "unblocked", "undeterminable", "other")


def _fail_on(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    if "any" in items:
        return CHANGE_CLASSES
    unknown = [v for v in items if v not in CHANGE_CLASSES]
    if unknown or not items:
        raise UsageError(f"--fail-on {value!r}: {', '.join(unknown) or 'nothing'} is not a change class",
                         hint=f"a comma-separated list of {', '.join(CHANGE_CLASSES)}, or any")
    return items


@app.command("simulate", cls=aliased({"--out": "--rows"}))
def simulate_command(
    proposed: Annotated[Path, typer.Argument(help="Proposed policies, in the rules.yaml format.", dir_okay=False,
                                             metavar="PROPOSED.yaml")],
    db: Db = DEFAULT_DB,
    lake: Lake = None,
    mode: Annotated[Mode, typer.Option("--mode", help="replace: the proposal instead of the active rules; "
                                                      "add: on top of them.")] = Mode.replace,
    since: SinceOption = None, until: Until = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Exit with code 6 when the proposal has changes of these classes (comma-separated: "
                          "newly_blocked, newly_filtered, unblocked, undeterminable, other, or any): "
                          "a CI gate.", metavar="CLASSES", show_default=False)] = None,
    fmt: ReportFmt = None,
    out: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to FILE instead of stdout, in the format of its extension: .md (a summary "
                               "for a pull request), .html (the report with this what-if first), .txt, or the "
                               "changes by app and space as .csv .json .jsonl .parquet.", metavar="FILE",
        dir_okay=False, show_default=False)] = None,
    rows: Annotated[Path | None, typer.Option(
        "--rows", help="Also write one row per request (file, line_no, baseline_decision, proposed_decision, "
                       "change) to FILE.parquet, .csv or .jsonl.", metavar="FILE", dir_okay=False,
        show_default=False)] = None,
    html: Annotated[Path | None, typer.Option("--html", hidden=True, dir_okay=False)] = None,
    strict: Strict = False,
    wait: Wait = 0.0,
) -> None:
    """What would a proposed rule have blocked? Replays the stored traffic against it.

    Prints requests evaluated, unchanged, newly blocked, newly filtered, unblocked and
    undeterminable (hidden by unknown clients or spaces), the window covered, then the
    changes per app and space with days with attempts and the last attempt.
    The workspace is not changed (the proposal lives in a rolled-back transaction).
    -f markdown writes a summary for a pull-request comment or a CI job summary; with
    --fail-on the command is a policy-as-code gate.

    \b
    Examples:
      appaccess simulate proposed.yaml --mode add --since 2026-09-01
      appaccess simulate rules.yaml -f markdown -o whatif.md --fail-on newly_blocked,newly_filtered
    """
    from analyzer import report
    from analyzer.lake import LakeScope
    from analyzer.whatif import Window

    start, end = parse_window(since, until)
    classes = _fail_on(fail_on)
    chosen = output_format(fmt, out, REPORT_FORMATS)
    check_writable(out, rows, html)
    with open_context(db, lake, wait=wait, scope=LakeScope(start, end)) as ctx:
        sim = ctx.simulate(proposed, mode=mode.value, window=Window(start, end), out=rows, strict=strict,
                           require_requests=True)
        for target in (html, out or Path("appaccess-report.html") if chosen is OutputFormat.html else None):
            if target is not None:
                ctx.write_html_report(target, report.Filters(since=start, until=end), simulation=sim)
                say(f"wrote {target}")
    show_simulation(sim, proposed, chosen, fmt, out, rows, classes)


def show_simulation(sim: Simulation, proposed: Path, chosen: OutputFormat, fmt: object, out: Path | None,
                    rows: Path | None, classes: tuple[str, ...]) -> None:
    """Print (or write) a simulation as `simulate` does, then trip --fail-on (shared with `spark simulate`)."""
    from analyzer.report.markdown import simulation_markdown
    from analyzer.report.terminal import simulation_renderable


    for warning in sim.warnings:
        warn(warning)
    title = f"What-if: {proposed.name} ({sim.mode} mode, {plural(len(sim.policies), 'policy')})"
    s = sim.summary
    if chosen is OutputFormat.markdown:
        text = simulation_markdown(sim, proposed.name)
        if out is not None:
            write_text(out, text)
            say(f"wrote {out}")
        else:
            sys.stdout.write(text)
    elif chosen is OutputFormat.table:
        emit(sim.by_app_space, fmt, out, supported=REPORT_FORMATS,
             renderable=lambda width: simulation_renderable(s, sim.by_app_space, title, width))
    elif chosen is not OutputFormat.html:
        # Data (the changes per app and space) on stdout, the totals as one line on stderr.
        render(sim.by_app_space, chosen, out)
        if out is not None:
            say(f"wrote {plural(len(sim.by_app_space.rows), 'row')} to {out}")
    if chosen is not OutputFormat.table:
        say_split(f"evaluated {s['evaluated']:,}: unchanged {s['unchanged']:,}, newly blocked "
                  f"{s['newly_blocked']:,}, newly filtered {s['newly_filtered']:,},",
                  f"unblocked {s['unblocked']:,}, undeterminable {s['undeterminable']:,}, other {s['other']:,}")
    if rows is not None:
        say(f"wrote {plural(sim.requests_written or 0, 'row')} to {rows}")
    tripped = [f"{c.replace('_', ' ')} {s[c]:,}" for c in classes if s[c]]
    if tripped:
        raise ChangesFoundError(f"the proposal changes requests: {', '.join(tripped)}",
                                hint=f"--fail-on {','.join(classes)}")


@app.command("suggest")
def suggest_command(
    proposed: Annotated[Path | None, typer.Argument(help="Proposed policies (rules.yaml format); or use --coverage.",
                                                    dir_okay=False, metavar="PROPOSED.yaml")] = None,
    coverage: Annotated[str | None, typer.Option(
        "--coverage", help="all_spaces | spaces=KEY,KEY | classification=LEVEL,LEVEL", metavar="COVERAGE",
        show_default=False)] = None,
    site: Site = None,
    db: Db = DEFAULT_DB,
    lake: Lake = None,
    since: SinceOption = None, until: Until = None,
    fmt: SuggestFmt = None,
    out: Annotated[Path | None, typer.Option(
        "--output", "-o", help="FILE.yaml: write the suggested policy there (the apps still print); other "
                               "extensions (.csv .json .jsonl .parquet .md .txt) write the apps table.",
        metavar="FILE", dir_okay=False, show_default=False)] = None,
    strict: Strict = False,
    wait: Wait = 0.0,
) -> None:
    """Which apps would a proposed coverage break, and which allowlist keeps them working?

    Ranks apps by how much blocked use they have under the coverage, then prints (or writes
    with -o FILE.yaml) a ready-to-use policy YAML with an allowlist; warns when more than
    Atlassian's 20-app limit would be needed and when unidentified clients hide part of the
    picture. Refuses a workspace without requests: no policy is suggested from no data.

    \b
    Examples:
      appaccess suggest --coverage spaces=HR,FIN --site acme.atlassian.net -o hr.yaml
      appaccess suggest proposed.yaml -f yaml > allowlisted.yaml
    """
    from analyzer.lake import LakeScope
    from analyzer.report.terminal import suggest_renderable
    from analyzer.whatif import Window

    start, end = parse_window(since, until)
    chosen = output_format(fmt, out, (*TABULAR, OutputFormat.yaml))
    check_writable(out)
    with open_context(db, lake, wait=wait, scope=LakeScope(start, end)) as ctx:
        result = ctx.suggest(coverage=coverage, proposed=proposed, site=site, window=Window(start, end),
                             strict=strict)
    for warning in result.warnings:
        warn(warning)
    if chosen is OutputFormat.yaml:
        if out is not None:
            Console().print(suggest_renderable(result.apps))
            write_text(out, result.yaml)
            say(f"wrote the suggested policy to {out}")
        else:
            sys.stdout.write(result.yaml)
        return
    emit(result.apps, chosen, out, renderable=lambda width: suggest_renderable(result.apps, width))
    if chosen is OutputFormat.table and out is None:
        sys.stdout.write("\n" + result.yaml)


# -- named queries -------------------------------------------------------------------

query_app = AppTyper(help="Run the named SQL queries of queries/ the reports use: reports/*, export/* and config/* "
                          "(the other files are steps of appaccess itself).")
app.add_typer(query_app, name="query")


@query_app.command("list")
def query_list(fmt: Format = None, out: Output = None) -> None:
    """List the named queries you can run (reports/*, export/*, config/*) with their parameters.

    Example: appaccess query list -f csv
    """
    from analyzer.sql import user_queries

    rows = tuple((q.name, ", ".join(q.params), q.summary) for q in user_queries())
    emit(Frame(("name", "params", "description"), rows, title="Named queries"), fmt, out)


@query_app.command("run")
def query_run(
    name: Annotated[str, typer.Argument(help="Query name, e.g. reports/blocked (see `appaccess query list`).",
                                        metavar="NAME")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE (repeatable); unset "
                                                                          "parameters are NULL (no filter).",
                                                    metavar="NAME=VALUE")] = None,
    db: Db = DEFAULT_DB, lake: Lake = None, fmt: Format = None, out: Output = None, wait: Wait = 0.0,
) -> None:
    """Run a named query against the workspace (or a lake).

    Example: appaccess query run reports/blocked -p site=acme.atlassian.net -f csv
    """

    params: dict[str, object] = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--param {item!r} is not NAME=VALUE")
        params[key.strip()] = parse_time(value, f"--param {key}") if key.strip() in ("since", "until") else value
    with open_context(db, lake, read_only=True, wait=wait) as ctx:
        emit(ctx.query(name, params), fmt, out)

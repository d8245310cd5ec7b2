"""``appaccess ingest``, ``formats``, ``files`` and ``rejects``: get logs in, see what happened."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from analyzer.cli import app
from analyzer.cli.options import DEFAULT_DB, Db, Format, Out, Wait
from analyzer.context import Context
from analyzer.errors import UsageError
from analyzer.formats import REGISTRY
from analyzer.formats.base import CANONICAL_FIELDS
from analyzer.ingest import IngestOptions
from analyzer.output import Frame, OutputFormat, render


def _parse_fields(values: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for value in values:
        canonical, sep, source = value.partition("=")
        if not sep or not canonical.strip() or not source.strip():
            raise UsageError(f"--field {value!r} is not CANONICAL=SOURCE",
                             hint="e.g. --field client_id=oauthClientId; canonical fields: "
                                  + ", ".join(CANONICAL_FIELDS))
        fields[canonical.strip()] = source.strip()
    return fields


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[str], typer.Argument(
        help="Log files, directories (walked) or quoted globs. gzip, zstd, bzip2 and xz are read directly.",
        show_default=False)],
    db: Db = DEFAULT_DB,
    input_format: Annotated[str, typer.Option(
        "--format", help="Input format, or auto to detect per file (see `appaccess formats`).")] = "auto",
    field: Annotated[list[str] | None, typer.Option(
        "--field", help="Map a canonical field to a source field/column of JSON, CSV or W3C input: "
                        "CANONICAL=SOURCE (repeatable); nested JSON keys with dots: "
                        "user_agent=request.headers.user-agent; a W3C date and time field: "
                        "ts=date-stamp+time-stamp.")] = None,
    layout: Annotated[str | None, typer.Option(
        "--log-format", help="A custom line layout for every file: GoAccess-style "
                             "('%h %^[%x] \"%r\" %s %b \"%R\" \"%u\"') or a regex with named groups "
                             "('regex:^(?P<client_ip>\\S+) ... (?P<request>[^\"]*)...').",
        show_default=False)] = None,
    timezone: Annotated[str | None, typer.Option(
        "--timezone", help="IANA time zone (Europe/Berlin) of logs that write local times without an offset: "
                           "IIS Advanced Logging date-local/time-local when the log has no UTC date and "
                           "time, Zscaler NSS feeds. Default UTC (or the zone a grown file was loaded "
                           "with); logs with UTC times or offsets ignore it.",
        show_default=False)] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Re-load files whose content changed since they were ingested.")] = False,
    redact_pii: Annotated[bool, typer.Option(
        "--redact-pii", help="Store salted hashes instead of e-mail addresses and Atlassian account ids, in "
                             "this and every later load into this workspace (rewrites what is stored).")] = False,
    wait: Wait = 0.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Load logs into the workspace: parse, route each request to the catalogue, store.

    Every line becomes a stored request or a row in `rejects` with its reason.
    Re-ingesting a file adds nothing; a file that grew adds only its new lines.

    Example: appaccess ingest /var/log/nginx/ --db audit.duckdb
    """
    options = IngestOptions(format=input_format, fields=_parse_fields(field or []), replace=replace,
                            log_format=layout, redact_pii=redact_pii, timezone=timezone)
    err = Console(stderr=True)
    show = not quiet and err.is_terminal
    with Context(db, wait=wait) as ctx:
        if show:
            with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                          TimeRemainingColumn(), console=err, transient=True) as bar:
                tasks: dict[str, int] = {}

                def progress(path: str, done: int, total: int) -> None:
                    if path not in tasks:
                        tasks[path] = bar.add_task(Path(path).name[:40], total=total)
                    bar.update(tasks[path], completed=done)

                result = ctx.ingest(paths, options, progress)
        else:
            result = ctx.ingest(paths, options)
    if quiet:
        return
    for f in result.files:
        err.print(f"{f.action:>9}  {f.path}  [{f.format}]  {f.lines_read:,} lines, {f.stored:,} stored, "
                  f"{f.rejected:,} rejected" + (f", {f.skipped:,} skipped" if f.skipped else ""),
                  highlight=False, markup=False, soft_wrap=True)
    rate = result.lines_read / result.seconds if result.seconds > 0 else 0.0
    err.print(
        f"read {result.lines_read:,} lines: stored {result.stored:,} "
        f"({result.non_confluence:,} not Confluence REST), rejected {result.rejected:,}"
        + (f", skipped {result.skipped:,} header lines" if result.skipped else "")
        + f" in {result.seconds:.1f}s ({rate:,.0f} lines/s)", highlight=False, markup=False, soft_wrap=True)
    if result.rejected:
        err.print("see `appaccess rejects` for the rejected lines and their reasons", highlight=False)


@app.command("formats")
def formats_command(fmt: Format = OutputFormat.table) -> None:
    """List the input formats `ingest` understands: what each is, the fields it yields, an example line.

    Example: appaccess formats --format json | jq -r .fields
    """
    rows = (
        *((f.name, f.kind, f.summary, f.fields, f.example) for f in REGISTRY.values()),
        ("custom", "lines", "--log-format LAYOUT: GoAccess-style specifiers (%h %x %r %s %b %u ...) or a regex "
                            "with named groups (ts, method, url, request, status, ...)",
         "what the layout names: ts, method, url or request, host, status, bytes, duration, client_ip, "
         "user_agent, remote_user, ...; other named groups go to extra",
         '--log-format \'%h %^[%x] "%r" %s %b "%R" "%u"\''),
    )
    render(Frame(("format", "kind", "description", "fields", "example"), rows, title="Input formats"), fmt)


@app.command("status")
def status_command(db: Db = DEFAULT_DB, fmt: Format = OutputFormat.table, wait: Wait = 0.0) -> None:
    """Summarise the workspace: files, requests, rejects, apps, inventory, policies, decisions."""
    with Context(db, read_only=True, wait=wait) as ctx:
        render(ctx.status(), fmt)


@app.command("files")
def files_command(db: Db = DEFAULT_DB, fmt: Format = OutputFormat.table, out: Out = None,
                  wait: Wait = 0.0) -> None:
    """List ingested files with their line, stored and rejected counts."""
    with Context(db, read_only=True, wait=wait) as ctx:
        render(ctx.files(), fmt, out)


@app.command("rejects")
def rejects_command(
    db: Db = DEFAULT_DB, fmt: Format = OutputFormat.table, out: Out = None, wait: Wait = 0.0,
    file: Annotated[str | None, typer.Option("--file", help="Only lines of this file (path or suffix).")]
    = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many lines.", min=1)] = 100,
) -> None:
    """Show rejected lines with their reasons (credentials in them are masked)."""
    with Context(db, read_only=True, wait=wait) as ctx:
        render(ctx.rejects(limit=limit, file=file), fmt, out)

"""``appaccess ingest``, ``formats``, ``files`` and ``rejects``: get logs in, see what happened."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from analyzer.cli import app
from analyzer.cli.options import (
    DEFAULT_DB,
    AppGroup,
    AppTyper,
    Db,
    Format,
    Lake,
    Output,
    Wait,
    aliased,
    emit,
    err_console,
    open_context,
    say,
    warn,
)
from analyzer.environment import TIME_WINDOW_ENV
from analyzer.errors import InputFileError, UsageError
from analyzer.output import Frame, plural

if TYPE_CHECKING:  # (imported where used: `appaccess --help` must start fast)
    from analyzer.ingest import IngestResult



def _parse_fields(values: list[str]) -> dict[str, str]:
    from analyzer.formats.base import CANONICAL_FIELDS
    fields: dict[str, str] = {}
    for value in values:
        canonical, sep, source = value.partition("=")
        if not sep or not canonical.strip() or not source.strip():
            raise UsageError(f"--field {value!r} is not CANONICAL=SOURCE",
                             hint="e.g. --field client_id=oauthClientId; canonical fields: "
                                  + ", ".join(CANONICAL_FIELDS))
        fields[canonical.strip()] = source.strip()
    return fields


@app.command("ingest", cls=aliased({"--out": "--output", "--format": "--input-format"}))
def ingest_command(
    paths: Annotated[list[str], typer.Argument(
        help="Log files, directories (walked), quoted globs, or - for standard input. gzip, zstd, bzip2 and "
             "xz are read directly.", metavar="PATH", show_default=False)],
    db: Db = DEFAULT_DB,
    input_format: Annotated[str, typer.Option(
        "--input-format", "-i", help="Format of the logs, or auto to detect it per file (see `appaccess formats`).",
        metavar="NAME")] = "auto",
    field: Annotated[list[str] | None, typer.Option(
        "--field", help="Map a canonical field to a source field/column of JSON, CSV or W3C input: "
                        "CANONICAL=SOURCE (repeatable); nested JSON keys with dots: "
                        "user_agent=request.headers.user-agent; a W3C date and time field: "
                        "ts=date-stamp+time-stamp.", metavar="CANONICAL=SOURCE")] = None,
    layout: Annotated[str | None, typer.Option(
        "--log-format", help="A custom line layout for every file: GoAccess-style "
                             "('%h %^[%x] \"%r\" %s %b \"%R\" \"%u\"') or a regex with named groups "
                             "('regex:^(?P<client_ip>\\S+) ... (?P<request>[^\"]*)...').",
        metavar="LAYOUT", show_default=False)] = None,
    timezone: Annotated[str | None, typer.Option(
        "--timezone", help="IANA time zone (Europe/Berlin) of logs that write local times without an offset: "
                           "IIS Advanced Logging date-local/time-local when the log has no UTC date and "
                           "time, Zscaler NSS feeds. Default UTC (or the zone a grown file was loaded "
                           "with); logs with UTC times or offsets ignore it.",
        metavar="ZONE", show_default=False)] = None,
    time_window: Annotated[str | None, typer.Option(
        "--time-window", help="The request times accepted, FROM..TO (dates or ISO timestamps, UTC; a side left "
                              "empty keeps its default): a line outside is rejected with the reason. Default "
                              f"${TIME_WINDOW_ENV}, else 1990-01-01 to ten years from now.",
        metavar="FROM..TO", show_default=False)] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Drop what was loaded from these files and read them again from their start: a file "
                          "edited in place, or one read with the wrong --input-format.")] = False,
    redact_pii: Annotated[bool, typer.Option(
        "--redact-pii", help="Store salted hashes instead of e-mail addresses and Atlassian account ids, in "
                             "this and every later load into this workspace (rewrites what is stored).")] = False,
    wait: Wait = 0.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary (warnings still "
                                                              "show).")] = False,
) -> None:
    """Load logs into the workspace: parse, route each request to the catalogue, store.

    Every line becomes a stored request or a row in `rejects` with its reason.
    Re-ingesting a file adds nothing; a file that grew adds only its new lines.
    Files that are not logs (an nginx error.log, a README, an image), empty or
    damaged are skipped with one line each and the rest are read; the exit code
    is then 3. A file of which no line could be read (wrong --input-format?) is
    a warning and exit code 3 too.

    \b
    Examples:
      appaccess ingest /var/log/nginx/ --db audit.duckdb
      zcat /var/log/nginx/access.log.*.gz | appaccess ingest - --db audit.duckdb
    """
    from analyzer.context import Context
    from analyzer.ingest import IngestOptions, TimeWindow
    from analyzer.sources import STDIN

    options = IngestOptions(format=input_format, fields=_parse_fields(field or []), replace=replace,
                            log_format=layout, redact_pii=redact_pii, timezone=timezone,
                            time_window=TimeWindow.parse(time_window) if time_window is not None else None)
    err = err_console()
    if STDIN in paths and sys.stdin.isatty() and not quiet:
        say("reading logs from standard input (end with Ctrl-D)")
    show = not quiet and err.is_terminal
    with Context(db, wait=wait) as ctx:
        if show:
            with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                          TimeRemainingColumn(), console=err, transient=True) as bar:
                tasks: dict[str, int] = {}

                def progress(path: str, done: int, total: int) -> None:
                    if path not in tasks:
                        tasks[path] = bar.add_task(_shown(path)[-40:], total=total)
                    bar.update(tasks[path], completed=done)

                result = ctx.ingest(paths, options, progress)
        else:
            result = ctx.ingest(paths, options)
    empty = [f for f in result.files if f.lines_read and not f.stored and f.rejected]
    if not result.files and len(result.skipped_files) == 1:  # the one file named is not a log: one line
        skipped = result.skipped_files[0]
        raise InputFileError(skipped.reason.replace(skipped.path, _shown(skipped.path)), hint=skipped.hint)
    if not quiet:
        _summary(result)
    for f in empty:
        warn(f"no line of {_shown(f.path)} could be read as {f.format}: all {f.rejected:,} rejected; wrong "
             f"--input-format? (`appaccess rejects --file {Path(f.path).name}` shows why; read it again with "
             "--replace --input-format NAME)")
    if result.skipped_files or empty:
        parts = []
        if result.skipped_files:
            parts.append(f"{plural(len(result.skipped_files), 'file')} skipped")
        if empty:
            parts.append(f"{plural(len(empty), 'file')} entirely rejected")
        read = len(result.files) - len(empty)
        raise InputFileError(" and ".join(parts) + (f"; {plural(read, 'other file')} ingested" if read else ""),
                             hint="see the lines above")


def _shown(path: str) -> str:
    """A path as the user would type it: relative to the working directory when inside it; <stdin>."""
    from analyzer.sources import is_stdin

    if is_stdin(path):
        return "<stdin>"
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


#: Summary lines longer than this put their counts on a second line.
LINE = 80


def _two_lines(head: str, tail: str, indent: int = 11) -> str:
    return f"{head}  {tail}" if len(head) + 2 + len(tail) <= LINE else f"{head}\n{' ' * indent}{tail}"


def _summary(result: IngestResult) -> None:
    from analyzer.sources import is_stdin
    for f in result.files:
        action = "unchanged" if is_stdin(f.path) and f.action == "renamed" else f.action
        say(_two_lines(f"{action:>9}  {_shown(f.path)}",
                       f"[{f.format}] {plural(f.lines_read, 'line')}, {f.stored:,} stored, {f.rejected:,} rejected"
                       + (f", {f.skipped:,} skipped" if f.skipped else "")))
        if f.note:
            say(f"{'':>9}  ({f.note.replace(str(Path(f.path).parent) + '/', '')})")
    for s in result.skipped_files:
        reason = " ".join(s.reason.replace(s.path, _shown(s.path)).split())
        say(f"{'skipped':>9}  {_shown(s.path)}: {reason}" if _shown(s.path) not in reason
            else f"{'skipped':>9}  {reason}")
    for hint in dict.fromkeys(s.hint for s in result.skipped_files if s.hint):
        say(f"{'':>9}  ({hint})")
    if not result.files:
        return
    rate = result.lines_read / result.seconds if result.seconds > 0 else 0.0
    say(_two_lines(f"read {plural(result.lines_read, 'line')} from {plural(len(result.files), 'file')} in "
                   f"{result.seconds:.1f}s ({rate:,.0f} lines/s):",
                   f"stored {result.stored:,} ({result.non_confluence:,} not Confluence), "
                   f"rejected {result.rejected:,}" + (f", skipped {result.skipped:,} header lines"
                                                      if result.skipped else ""), indent=2))
    if result.rejected:
        say("see `appaccess rejects` for the rejected lines and their reasons")


@app.command("formats")
def formats_command(fmt: Format = None, out: Output = None) -> None:
    """List the input formats `ingest` understands: what each is, the fields it yields, an example line.

    Example: appaccess formats -f json | jq -r .fields
    """
    from analyzer.formats import REGISTRY


    rows = (
        *((f.name, f.kind, f.summary, f.fields, f.example) for f in REGISTRY.values()),
        ("custom", "lines", "--log-format LAYOUT: GoAccess-style specifiers (%h %x %r %s %b %u ...) or a regex "
                            "with named groups (ts, method, url, request, status, ...)",
         "what the layout names: ts, method, url or request, host, status, bytes, duration, client_ip, "
         "user_agent, remote_user, ...; other named groups go to extra",
         '--log-format \'%h %^[%x] "%r" %s %b "%R" "%u"\''),
    )
    emit(Frame(("format", "kind", "description", "fields", "example"), rows, title="Input formats"), fmt, out)


@app.command("status")
def status_command(db: Db = DEFAULT_DB, lake: Lake = None, fmt: Format = None, out: Output = None,
                   wait: Wait = 0.0) -> None:
    """Summarise the workspace (or a lake): files, requests, rejects, apps, inventory, policies, decisions.

    Example: appaccess status --db audit.duckdb
    """
    with open_context(db, lake, read_only=True, wait=wait) as ctx:
        emit(ctx.status(), fmt, out)


files_app = AppTyper(no_args_is_help=False, invoke_without_command=True, cls=AppGroup)  # help: files_command's
app.add_typer(files_app, name="files")


@files_app.callback()
def files_command(ctx: typer.Context, db: Db = DEFAULT_DB, lake: Lake = None, fmt: Format = None,
                  out: Output = None, wait: Wait = 0.0) -> None:
    """List ingested files with their line, stored and rejected counts (`files forget PATH` drops one).

    Standard input is listed under the hidden file it was spooled to
    (.appaccess-stdin-TIME-...), which is removed after the ingest. A copy of
    an ingested file is listed too, its lines counted as skipped: they were
    read from the original.

    \b
    Examples:
      appaccess files --db audit.duckdb -o files.csv
      appaccess files forget /var/log/nginx/access.log --db audit.duckdb
    """
    if ctx.invoked_subcommand is not None:
        return
    with open_context(db, lake, read_only=True, wait=wait) as context:
        emit(context.files(), fmt, out)


@files_app.command("forget")
def files_forget(
    path: Annotated[str, typer.Argument(help="The file, as `appaccess files` lists it (it may no longer exist).",
                                        metavar="PATH", show_default=False)],
    db: Db = DEFAULT_DB, wait: Wait = 0.0,
) -> None:
    """Drop everything loaded from one file, so the next ingest reads it as new.

    Its stored requests and rejected lines are deleted, with the records of
    its copies. For what the identity rules cannot know: a file edited in
    place that should be read again whole (or use ingest --replace), a file
    ingested by mistake.

    Example: appaccess files forget /var/log/nginx/access.log.1 --db audit.duckdb
    """
    with open_context(db, wait=wait) as ctx:
        dropped = ctx.forget_file(path)
    for where, stored, rejected in dropped:
        say(f"forgot {_shown(where)}: {stored:,} stored, {rejected:,} rejected")


@app.command("rejects")
def rejects_command(
    db: Db = DEFAULT_DB, lake: Lake = None, fmt: Format = None, out: Output = None, wait: Wait = 0.0,
    file: Annotated[str | None, typer.Option("--file", help="Only lines of this file (path or suffix).",
                                             metavar="PATH")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many lines.", min=1, metavar="N")] = 100,
) -> None:
    """Show rejected lines with their reasons (credentials in them are masked).

    Example: appaccess rejects --file access.log -n 20
    """
    with open_context(db, lake, read_only=True, wait=wait) as ctx:
        emit(ctx.rejects(limit=limit, file=file), fmt, out)

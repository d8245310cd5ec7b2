"""``appaccess export`` and ``appaccess sql``: get data out for other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from analyzer.cli import app
from analyzer.cli.options import DEFAULT_DB, Db, Format, Out, Wait
from analyzer.cli.times import parse_time
from analyzer.context import Context
from analyzer.output import OutputFormat, render

Since = Annotated[str | None, typer.Option("--since", help="Only requests at or after this time (UTC ISO date/time).")]
Until = Annotated[str | None, typer.Option("--until", help="Only requests before this time (UTC ISO date/time).")]


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="FILE.parquet, FILE.csv, FILE.jsonl, or a directory "
                                                          "for Hive-partitioned Parquet.")],
    db: Db = DEFAULT_DB,
    since: Since = None,
    until: Until = None,
    what: Annotated[str, typer.Option("--what", help="decisions (one row per request with its decision) or "
                                                     "requests (stored rows as they are).")] = "decisions",
    partition_by: Annotated[list[str] | None, typer.Option(
        "--partition-by", help="With a directory --out: day (default), site, decision. Repeatable.")] = None,
    wait: Wait = 0.0,
) -> None:
    """Export one row per stored request, with its decision under the active rules.

    Columns include file, line_no, ts, site, method, path, query, status, app_key, auth,
    endpoint_method, endpoint_path, api_version, api_blocked, space_key, space_id, decision, policy.

    Example: appaccess export --out decisions.parquet --since 2026-09-01
    """
    with Context(db, read_only=True, wait=wait) as ctx:
        result = ctx.export(out, what=what, since=parse_time(since, "--since"), until=parse_time(until, "--until"),
                            partition_by=tuple(partition_by or ()))
    where = f" partitioned by {', '.join(result.partitioned_by)}" if result.partitioned_by else ""
    Console(stderr=True, highlight=False).print(f"wrote {result.rows:,} rows to {result.path} ({result.format}{where})")


@app.command("sql")
def sql_command(
    query: Annotated[str, typer.Argument(help="A SQL query over the workspace (read-only).")],
    db: Db = DEFAULT_DB, fmt: Format = OutputFormat.table, out: Out = None, wait: Wait = 0.0,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many rows.", min=1)] = None,
) -> None:
    """Run SQL against the workspace.

    \b
    Tables: requests, rejects, files, endpoints, apps, app_identifiers, sites, spaces,
            content, policies, policy_spaces, policy_classifications, policy_apps
    Views:  decisions (one row per request with its decision), request_facts,
            attributed_requests; table macro decide('POLICY_SET')

    Example: appaccess sql "SELECT decision, count(*) FROM decisions GROUP BY 1" -f csv
    """
    with Context(db, read_only=True, wait=wait) as ctx:
        render(ctx.sql(query, limit=limit), fmt, out)

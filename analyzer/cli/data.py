"""``appaccess export`` and ``appaccess sql``: get data out for other tools."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli import app
from analyzer.cli.options import DEFAULT_DB, Db, Format, Output, Since, Until, Wait, emit, say
from analyzer.cli.times import parse_window
from analyzer.output import plural


class What(StrEnum):
    decisions = "decisions"
    requests = "requests"


class Partition(StrEnum):
    day = "day"
    site = "site"
    decision = "decision"


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--output", "-o", help="FILE.parquet, FILE.csv, FILE.jsonl, or a directory "
                                                             "for Hive-partitioned Parquet.", metavar="PATH",
                                      show_default=False)],
    db: Db = DEFAULT_DB,
    since: Since = None,
    until: Until = None,
    what: Annotated[What, typer.Option("--what", help="decisions: one row per request with its decision; "
                                                      "requests: the stored rows as they are.")] = What.decisions,
    partition_by: Annotated[list[Partition] | None, typer.Option(
        "--partition-by", help="With a directory -o: day (default), site, decision. Repeatable.")] = None,
    wait: Wait = 0.0,
) -> None:
    """Export one row per stored request, with its decision under the active rules.

    Columns include file, line_no, ts, site, method, path, query, status, app_key, auth,
    endpoint_method, endpoint_path, api_version, api_blocked, space_key, space_id, decision, policy.

    Example: appaccess export -o decisions.parquet --since 2026-09-01
    """
    from analyzer.context import Context

    start, end = parse_window(since, until)
    with Context(db, read_only=True, wait=wait) as ctx:
        result = ctx.export(out, what=what.value, since=start, until=end,
                            partition_by=tuple(p.value for p in partition_by or ()))
    where = f" partitioned by {', '.join(result.partitioned_by)}" if result.partitioned_by else ""
    say(f"wrote {plural(result.rows, 'row')} to {result.path} ({result.format}{where})")


@app.command("sql")
def sql_command(
    query: Annotated[str, typer.Argument(help="A SQL query over the workspace (read-only).", metavar="SQL")],
    db: Db = DEFAULT_DB, fmt: Format = None, out: Output = None, wait: Wait = 0.0,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many rows.", min=1,
                                              metavar="N")] = None,
) -> None:
    """Run SQL against the workspace.

    \b
    Tables: requests, rejects, files, endpoints, apps, app_identifiers, sites, spaces,
            content, policies, policy_spaces, policy_classifications, policy_apps
    Views:  decisions (one row per request with its decision), request_facts,
            attributed_requests; table macro decide('POLICY_SET')

    Example: appaccess sql "SELECT decision, count(*) FROM decisions GROUP BY 1" -f csv
    """
    from analyzer.context import Context

    with Context(db, read_only=True, wait=wait) as ctx:
        emit(ctx.sql(query, limit=limit), fmt, out)

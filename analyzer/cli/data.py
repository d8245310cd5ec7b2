"""``appaccess export`` and ``appaccess sql``: get data out for other tools."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli import app
from analyzer.cli.options import DEFAULT_DB, Db, Format, Lake, Output, Since, Until, Wait, emit, open_context, say
from analyzer.cli.times import parse_window
from analyzer.output import plural


class What(StrEnum):
    decisions = "decisions"
    requests = "requests"


class Partition(StrEnum):
    day = "day"
    site = "site"


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--output", "-o", help="FILE.parquet, FILE.csv, FILE.jsonl, or a new "
                                                             "directory for a lake (Hive-partitioned Parquet that "
                                                             "--lake reads).", metavar="PATH",
                                      show_default=False)],
    db: Db = DEFAULT_DB,
    lake: Lake = None,
    since: Since = None,
    until: Until = None,
    what: Annotated[What, typer.Option("--what", help="decisions: one row per request with its decision; "
                                                      "requests: the stored rows as they are.")] = What.decisions,
    partition_by: Annotated[list[Partition] | None, typer.Option(
        "--partition-by", help="With a directory -o: requests/ by day (always), and by site too with "
                               "--partition-by site.")] = None,
    wait: Wait = 0.0,
) -> None:
    """Export one row per stored request, with its decision under the active rules.

    Columns include file, line_no, ts, site, method, path, query, status, app_key, auth,
    endpoint_method, endpoint_path, api_version, api_blocked, space_key, space_id, decision, policy.
    A directory -o receives a lake, the layout `appaccess spark ingest` writes: requests/
    (one row per request, every column of the decisions view, by day), keys/, rejects/,
    files/, config/ (apps, inventory, policies) and manifest.json; `--lake DIR` reads it.

    \b
    Examples:
      appaccess export -o decisions.parquet --since 2026-09-01
      appaccess export -o lake/ && appaccess report blocked --lake lake/
    """
    from analyzer.lake import LakeScope

    start, end = parse_window(since, until)
    with open_context(db, lake, read_only=True, wait=wait, scope=LakeScope(start, end)) as ctx:
        result = ctx.export(out, what=what.value, since=start, until=end,
                            partition_by=tuple(p.value for p in partition_by or ()))
    if result.format == "lake":
        say(f"wrote a lake of {plural(result.rows, 'request')} to {result.path} (requests/ partitioned by "
            f"{', '.join(result.partitioned_by)})")
        return
    say(f"wrote {plural(result.rows, 'row')} to {result.path} ({result.format})")


@app.command("sql")
def sql_command(
    query: Annotated[str, typer.Argument(help="A SQL query over the workspace (read-only).", metavar="SQL")],
    db: Db = DEFAULT_DB, lake: Lake = None, fmt: Format = None, out: Output = None, wait: Wait = 0.0,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many rows.", min=1,
                                              metavar="N")] = None,
) -> None:
    """Run SQL against the workspace.

    \b
    Tables: requests, rejects, files, endpoints, apps, app_identifiers, sites, spaces,
            content, policies, policy_spaces, policy_classifications, policy_apps
    Views:  decisions (one row per request with its decision), request_facts,
            attributed_requests; table macro decide('POLICY_SET')

    \b
    Examples:
      appaccess sql "SELECT decision, count(*) FROM decisions GROUP BY 1" -f csv
      appaccess sql --lake lake/ "SELECT app, count(*) FROM decisions GROUP BY 1"
    """
    with open_context(db, lake, read_only=True, wait=wait) as ctx:
        emit(ctx.sql(query, limit=limit), fmt, out)

"""``appaccess catalog``: list, look up and diff the endpoint catalogue."""

from __future__ import annotations

from typing import Annotated

import typer

from analyzer.cli import app
from analyzer.cli.options import AppTyper, Format, Output, aliased, emit, output_format
from analyzer.errors import NotFoundError
from analyzer.output import Frame, OutputFormat

catalog_app = AppTyper(help="The endpoint catalogue: which REST APIs an app access rule blocks.")
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("list", cls=aliased({"--out": "--output", "--version": "--api-version"}))
def list_command(
    fmt: Format = None,
    out: Output = None,
    blocked: Annotated[bool | None, typer.Option(
        "--blocked/--not-blocked", help="Only endpoints an app access rule blocks / does not block.",
        show_default=False)] = None,
    version: Annotated[int | None, typer.Option("--api-version", "-v", help="Only REST API version 1 "
                                                "or 2.", min=1, max=2, metavar="1|2")] = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Text to find in path, name or group.",
                                               metavar="TEXT")] = None,
) -> None:
    """List catalogued endpoints with their verdict.

    Example: appaccess catalog list --blocked --api-version 2 --format csv
    """
    from analyzer.catalog.views import list_endpoints

    emit(list_endpoints(blocked=blocked, version=version, search=search), fmt, out)


@catalog_app.command("lookup")
def lookup_command(
    method: Annotated[str, typer.Argument(help="HTTP method, e.g. GET.", metavar="METHOD")],
    url: Annotated[str, typer.Argument(
        help="Full URL, gateway URL (https://api.atlassian.com/ex/confluence/CLOUDID/wiki/...) or path.",
        metavar="URL")],
    fmt: Format = None,
    out: Output = None,
) -> None:
    """Show which catalogued operation a request calls and whether a rule blocks it.

    Exits with code 5 when the URL is not a catalogued Confluence endpoint.

    Example: appaccess catalog lookup GET 'https://acme.atlassian.net/wiki/rest/api/content/123?expand=body'
    """
    from analyzer.router import route

    match = route(method, url)
    e = match.endpoint
    record = {
        "method": match.method, "url": url, "verdict": match.verdict,
        "endpoint": e.key if e else None, "name": e.name if e else None, "group": e.group if e else None,
        "version": e.version if e else None, "deprecated": e.deprecated if e else None,
        "source": e.source if e else None, "host": match.host, "cloud_id": match.cloud_id,
        "path": match.path, "space_key": match.space_key, "space_id": match.space_id,
        "content_id": match.content_id,
        "query_space_keys": list(match.query_space_keys) or None,
        "query_space_ids": list(match.query_space_ids) or None,
    }
    if output_format(fmt, out) is OutputFormat.table:
        shown = {k: v for k, v in record.items() if v is not None}
        emit(Frame(("field", "value"), tuple(shown.items()), title="Route"), fmt, out)
    else:
        emit(Frame.from_records([record]), fmt, out)
    if e is None:
        raise NotFoundError(f"{match.method} {url}: not a catalogued Confluence endpoint ({match.verdict})")


@catalog_app.command("diff")
def diff_command(fmt: Format = None, out: Output = None) -> None:
    """Show where the user's document and the OpenAPI specs disagree on a verdict.

    Example: appaccess catalog diff -f markdown
    """
    from analyzer.catalog.views import diff_frame

    emit(diff_frame(), fmt, out)

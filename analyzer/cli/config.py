"""``appaccess apps|inventory|rules``: load and show what the decisions depend on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from analyzer.cli import app
from analyzer.cli.options import (
    DEFAULT_DB,
    AppTyper,
    Db,
    Format,
    Output,
    Strict,
    Wait,
    emit,
    err_console,
    say,
    warn,
)
from analyzer.errors import ExitCode
from analyzer.output import plural

apps_app = AppTyper(help="Apps and how to recognise them in traffic (apps.yaml).")
inventory_app = AppTyper(help="Sites, spaces and content: fetched from Confluence, or loaded from CSV or "
                              "Confluence API JSON exports.")
rules_app = AppTyper(help="Data security policies with app access rules (rules.yaml).")
app.add_typer(apps_app, name="apps")
app.add_typer(inventory_app, name="inventory")
app.add_typer(rules_app, name="rules")

ConfigFile = Annotated[Path, typer.Argument(help="The file to load.", exists=False, dir_okay=False, metavar="FILE")]

if TYPE_CHECKING:  # (imported where used: `appaccess --help` must start fast)
    from analyzer.connectors.fetch import FetchResult



@apps_app.command("load")
def apps_load(path: ConfigFile, db: Db = DEFAULT_DB, wait: Wait = 0.0) -> None:
    """Replace the workspace's apps with those of an apps.yaml.

    Each app: key, name, optional auth (connect | forge | oauth2 | api_token; api_token
    clients act as a user and cannot be blocked), and match identifiers, any one of which
    is enough: user_agent (RE2 regex), jwt_iss, client_id, client_ip (address or CIDR),
    basic_auth_user, field {NAME: value}. Each may be a list. When two apps claim a request
    the stronger identifier wins (jwt_iss/client_id, field, basic_auth_user, user_agent,
    client_ip), then file order.

    \b
    apps:
      - key: com.acme.backup
        name: Backup Pro
        auth: connect
        match:
          user_agent: '^BackupPro/'
          jwt_iss: backup-pro-connect
          client_ip: [10.20.0.11/32]

    Example: appaccess apps load apps.yaml --db audit.duckdb
    """
    from analyzer.context import Context

    with Context(db, wait=wait) as ctx:
        apps = ctx.load_apps(path)
    say(f"loaded {plural(len(apps), 'app')} with {plural(sum(len(a.identifiers) for a in apps), 'identifier')} "
        f"from {path}")


@apps_app.command("list")
def apps_list(db: Db = DEFAULT_DB, fmt: Format = None, out: Output = None, wait: Wait = 0.0) -> None:
    """Show the loaded apps and their identifiers.

    Example: appaccess apps list --db audit.duckdb -f csv
    """
    from analyzer.context import Context

    with Context(db, read_only=True, wait=wait) as ctx:
        emit(ctx.apps(), fmt, out)


@inventory_app.command("load")
def inventory_load(
    paths: Annotated[list[Path], typer.Argument(help="CSV or JSON files.", dir_okay=False, metavar="FILE")],
    db: Db = DEFAULT_DB, wait: Wait = 0.0,
) -> None:
    """Load sites, spaces and content; each file is recognised by its header.

    \b
    sites:   site, cloud_id
    spaces:  space_id, space_key, name, site, classification
    content: content_id, content_type, space_id, space_key, site[, classification]
    JSON:    saved responses of GET /wiki/api/v2/spaces or /wiki/api/v2/pages
    JSON:    a saved response of GET /wiki/api/v2/data-policies/spaces (Confluence's
             own view of which spaces block apps; `report anomalies` compares it
             with the loaded rules)

    Rows replace earlier rows with the same key, so exports can be reloaded. For a site
    you can reach, `appaccess inventory fetch SITE` gets sites, spaces and content for you.

    Example: appaccess inventory load sites.csv spaces.csv content.csv --db audit.duckdb
    """
    from analyzer.context import Context

    with Context(db, wait=wait) as ctx:
        loads = ctx.load_inventory(paths)
    for load in loads:
        say(f"{load.kind:>8}: {plural(load.rows, 'row')} from {load.path}")


@inventory_app.command("fetch")
def inventory_fetch(
    site: Annotated[str, typer.Argument(help="The Confluence Cloud site: acme.atlassian.net or its URL.",
                                        show_default=False)],
    db: Db = DEFAULT_DB,
    api_base: Annotated[str | None, typer.Option(
        "--api-base", help="Send the calls to this base URL instead (an egress proxy, a test server); what is "
                           "fetched is still stored as SITE's. With an OAuth token, the gateway path "
                           "/ex/confluence/{cloudId} goes under it.", show_default=False)] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=16,
                                             help="Calls in flight at once.")] = 4,
    custom_types: Annotated[list[str] | None, typer.Option(
        "--custom-content-type", help="A custom content type (e.g. ac:com.acme.app:thing) whose ids are looked "
                                      "up 250 a call (repeatable); other custom content is looked up one by one.",
        show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count the calls the fetch would make; make none.")]
    = False,
    fmt: Format = None,
    out: Output = None,
    wait: Wait = 0.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Fetch a site's inventory (cloud id, spaces, content) from the Confluence Cloud REST API.

    Gets the site's cloud id (so gateway calls map to it), every space with its default
    classification level (where the site has classification levels), and only the content
    ids your traffic references that the inventory does not know: pages, blog posts and
    typed custom content 250 ids a call, attachments, comments, whiteboards, databases,
    folders and other custom content one by one. Ids Confluence does not know are
    remembered and not asked for again. Each answer is stored as it arrives: an interrupted
    fetch resumes where it stopped when you run it again. Decisions are then refreshed.

    Credentials come from the environment only, and are never stored or printed:

    \b
      ATLASSIAN_EMAIL + ATLASSIAN_API_TOKEN  basic auth on the site
      ATLASSIAN_OAUTH_TOKEN                  bearer token, through the gateway
                                             https://api.atlassian.com/ex/confluence/{cloudId}

    A 429 waits for its Retry-After, a 5xx or dropped connection backs off and retries;
    401 (wrong token), 403 (missing permission or OAuth scope) and 404 (wrong site) stop
    with one line. CSVs (`inventory load`) remain for sites you cannot reach.

    \b
    Example:
      export ATLASSIAN_EMAIL=me@acme.com ATLASSIAN_API_TOKEN=...
      appaccess inventory fetch acme.atlassian.net --dry-run --db audit.duckdb
      appaccess inventory fetch acme.atlassian.net --db audit.duckdb
    """
    from analyzer.connectors.fetch import FetchOptions, FetchProgress
    from analyzer.context import Context

    options = FetchOptions(api_base=api_base, concurrency=concurrency, custom_content_types=tuple(custom_types or ()))
    if dry_run:
        with Context(db, wait=wait) as ctx:
            plan = ctx.plan_inventory_fetch(site, options)
        emit(plan.frame(), fmt, out)
        say(f"dry run: no call made; the fetch would make at least {plan.calls:,} calls ({plan.auth})")
        return
    _err = err_console()
    show = not quiet and _err.is_terminal
    with Context(db, wait=wait) as ctx:
        try:
            if show:
                with Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                              TextColumn("{task.fields[calls]:>6,} calls  {task.fields[left]:>7,} ids left"),
                              TimeElapsedColumn(), console=_err, transient=True) as bar:
                    tasks = [bar.add_task("connecting", total=None, calls=0, left=0)]

                    def progress(p: FetchProgress) -> None:
                        if p.phase != bar.tasks[-1].description:  # a new phase: its own bar, maybe open-ended
                            bar.remove_task(tasks[-1])
                            tasks.append(bar.add_task(p.phase, total=p.total, calls=p.calls, left=p.ids_left))
                        bar.update(tasks[-1], completed=p.done, total=p.total, calls=p.calls, left=p.ids_left)

                    result = ctx.fetch_inventory(site, options, progress=progress)
            else:
                result = ctx.fetch_inventory(site, options)
        except KeyboardInterrupt:
            warn("appaccess: interrupted; what was fetched is kept: run the same command again to resume")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    if not quiet:
        for line in _fetch_summary(result):
            say(line)


def _fetch_summary(result: FetchResult) -> list[str]:
    classes = ("no classification levels" if result.classified is False else
               f"{result.classifications:,} default classification levels asked for" if result.classified else "")
    lines = [
        ("resumed and finished" if result.resumed else "fetched") + f" {result.site} (cloud id {result.cloud_id}): "
        f"{result.spaces:,} spaces" + (f", {classes}" if classes else "") + "; content ids: "
        f"{result.content_found:,} resolved, {result.content_missing:,} not found, "
        f"{result.content_no_space:,} without a space; {result.calls:,} calls in {result.seconds:.1f}s"
        + (f" ({result.run_calls:,} in the whole fetch)" if result.resumed else ""),
    ]
    lines += [f"warning: {w}" for w in result.warnings]
    names = sorted(set(result.decisions_before) | set(result.decisions_after))
    changed = [f"{n} {result.decisions_before.get(n, 0):,} -> {result.decisions_after.get(n, 0):,}" for n in names
               if result.decisions_before.get(n, 0) != result.decisions_after.get(n, 0)]
    lines.append("decisions refreshed: " + (", ".join(changed) if changed else "no change"))
    return lines


@inventory_app.command("show")
def inventory_show(db: Db = DEFAULT_DB, fmt: Format = None, out: Output = None, wait: Wait = 0.0) -> None:
    """Count the inventory rows by kind.

    Example: appaccess inventory show --db audit.duckdb
    """
    from analyzer.context import Context

    with Context(db, read_only=True, wait=wait) as ctx:
        emit(ctx.inventory(), fmt, out)


@rules_app.command("load")
def rules_load(path: ConfigFile, db: Db = DEFAULT_DB, strict: Strict = False, wait: Wait = 0.0) -> None:
    """Replace the active data security policies with those of a rules.yaml.

    \b
    policies:
      - name: Restricted spaces            # unique
        site: acme.atlassian.net           # optional: every site when absent
        status: active                     # active | draft | disabled
        active_from: 2026-09-11T00:00:00Z  # optional; active_until likewise
        coverage:                          # exactly one of
          spaces: [HR, FIN]                # keys or ids
          # all_spaces: true
          # classification: [confidential]
        app_access:
          mode: allowlist                  # block_all | allowlist | blocklist
          apps: [com.acme.backup]          # at most 20

    Policies are additive and the most restrictive wins. A site, space or
    classification that is in neither the inventory nor the traffic (a typo
    protects nothing) is a warning with its file:line and the closest known
    name; --strict makes it an error and loads nothing.

    Example: appaccess rules load rules.yaml --db audit.duckdb --strict
    """
    from analyzer.context import Context

    with Context(db, wait=wait) as ctx:
        ruleset = ctx.load_rules(path, strict=strict)
    for warning in ruleset.warnings:
        warn(warning)
    say(f"loaded {plural(len(ruleset.policies), 'policy')} from {path}")


@rules_app.command("list")
def rules_list(db: Db = DEFAULT_DB, fmt: Format = None, out: Output = None, wait: Wait = 0.0) -> None:
    """Show the active policies.

    Example: appaccess rules list --db audit.duckdb -o policies.md
    """
    from analyzer.context import Context

    with Context(db, read_only=True, wait=wait) as ctx:
        emit(ctx.policies(), fmt, out)

"""``appaccess apps|inventory|rules``: load and show what the decisions depend on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli import app
from analyzer.cli.options import DEFAULT_DB, AppTyper, Db, Format, Output, Strict, Wait, emit, say, warn
from analyzer.context import Context
from analyzer.output import plural

apps_app = AppTyper(help="Apps and how to recognise them in traffic (apps.yaml).")
inventory_app = AppTyper(help="Sites, spaces and content (CSV or Confluence API JSON exports).")
rules_app = AppTyper(help="Data security policies with app access rules (rules.yaml).")
app.add_typer(apps_app, name="apps")
app.add_typer(inventory_app, name="inventory")
app.add_typer(rules_app, name="rules")

ConfigFile = Annotated[Path, typer.Argument(help="The file to load.", exists=False, dir_okay=False, metavar="FILE")]


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
    with Context(db, wait=wait) as ctx:
        apps = ctx.load_apps(path)
    say(f"loaded {plural(len(apps), 'app')} with {plural(sum(len(a.identifiers) for a in apps), 'identifier')} "
        f"from {path}")


@apps_app.command("list")
def apps_list(db: Db = DEFAULT_DB, fmt: Format = None, out: Output = None, wait: Wait = 0.0) -> None:
    """Show the loaded apps and their identifiers.

    Example: appaccess apps list --db audit.duckdb -f csv
    """
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

    Rows replace earlier rows with the same key, so exports can be reloaded.

    Example: appaccess inventory load sites.csv spaces.csv content.csv --db audit.duckdb
    """
    with Context(db, wait=wait) as ctx:
        loads = ctx.load_inventory(paths)
    for load in loads:
        say(f"{load.kind:>8}: {plural(load.rows, 'row')} from {load.path}")


@inventory_app.command("show")
def inventory_show(db: Db = DEFAULT_DB, fmt: Format = None, out: Output = None, wait: Wait = 0.0) -> None:
    """Count the inventory rows by kind.

    Example: appaccess inventory show --db audit.duckdb
    """
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
    with Context(db, read_only=True, wait=wait) as ctx:
        emit(ctx.policies(), fmt, out)

"""Open a lake as a workspace: DuckDB in memory over the lake's Parquet, the workspace's names.

A lake of a billion requests is explored without importing it: ``facts`` and ``rejects`` are
views over the Parquet files (out of core, read column by column), the key tables, files and
configuration are small and are loaded into memory, and the workspace's own macros, views and
decision SQL (analyzer/workspace.py) are created on top by the same scripts. The active rules
the lake carries (config/) decide its keys once on opening, exactly as a workspace stores its
decisions, so every report, what-if and user query runs unchanged. Nothing is ever written to
the lake: a simulation's scratch policies live in this in-memory database only.

A :class:`LakeScope` restricts ``facts`` to the days (and site) a command asks for, which
DuckDB turns into partition pruning over ``requests/day=.../site=...``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from analyzer import pipeline, sql
from analyzer.errors import WorkspaceError
from analyzer.lake.layout import (
    CONFIG,
    CONFIG_TABLES,
    FILES,
    KEYS,
    MANIFEST,
    REJECTS,
    REQUESTS,
    Manifest,
    decision_sql_fingerprint,
)
from analyzer.workspace import DECISIONS_TABLE, Workspace, catalog_fingerprint, registered

#: What a lake holds per request that its reader uses, with the workspace's types.
FACT_COLUMNS = (("file_id", "INTEGER"), ("line_no", "BIGINT"), ("ts", "TIMESTAMP"), ("key_id", "BIGINT"),
                ("status", "SMALLINT"), ("bytes", "BIGINT"), ("duration_ms", "DOUBLE"), ("query", "VARCHAR"),
                ("extra", "VARCHAR"), ("fapp", "VARCHAR"))
REJECT_COLUMNS = (("file_id", "INTEGER"), ("line_no", "BIGINT"), ("reason", "VARCHAR"), ("raw", "VARCHAR"))


@dataclass(frozen=True)
class LakeScope:
    """The requests a command needs: those of the days from ``since`` to ``until`` (and of ``site``).

    Only a pruning hint: queries still filter by time and site themselves, so a scope never
    changes an answer about the requests inside it; requests outside it are not read.
    """

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    site: str | None = None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _glob(base: str, part: str, pattern: str) -> str:
    return f"{base.rstrip('/')}/{part}/{pattern}"


def _has_files(con: duckdb.DuckDBPyConnection, pattern: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM glob(?)", [pattern]).fetchall()[0][0])


def _empty(columns: tuple[tuple[str, str], ...]) -> str:
    return "SELECT " + ", ".join(f"NULL::{t} AS {n}" for n, t in columns) + " WHERE false"


def read_manifest(con: duckdb.DuckDBPyConnection, base: str) -> Manifest:
    where = f"{base.rstrip('/')}/{MANIFEST}"
    try:
        rows = con.execute("SELECT content FROM read_text(?)", [where]).fetchall()
    except duckdb.Error:
        rows = []
    if not rows:
        raise WorkspaceError(f"no lake at {base} (it has no {MANIFEST})",
                             hint="pass --lake a directory written by `appaccess spark ingest` or "
                                  "`appaccess export -o DIR`") from None
    return Manifest.from_json(rows[0][0], where)


def _requests_view(con: duckdb.DuckDBPyConnection, base: str, manifest: Manifest, scope: LakeScope) -> None:
    pattern = _glob(base, REQUESTS, "**/*.parquet")
    if not _has_files(con, pattern):
        con.execute("CREATE OR REPLACE VIEW lake_requests AS " + _empty(FACT_COLUMNS))
        return
    hive = ", ".join(f"'{p}': '{'DATE' if p == 'day' else 'VARCHAR'}'" for p in manifest.partition_by)
    where = []
    if scope.since is not None:
        where.append(f"day >= DATE '{scope.since:%Y-%m-%d}'")
    if scope.until is not None:
        where.append(f"day <= DATE '{scope.until:%Y-%m-%d}'")
    # The stored site is the one decided when the lake was written; it is the site reports filter
    # on only while the catalogue and the decision SQL are those it was written with.
    if (scope.site is not None and manifest.catalog == catalog_fingerprint()
            and manifest.decision_sql == decision_sql_fingerprint()):
        where.append(f"site = {_literal(scope.site)}")
    columns = ", ".join(name for name, _ in FACT_COLUMNS)
    con.execute(f"CREATE OR REPLACE VIEW lake_requests AS SELECT {columns} FROM read_parquet("
                f"{_literal(pattern)}, hive_partitioning = true, hive_types = {{{hive}}})"
                + (" WHERE " + " AND ".join(where) if where else ""))


def _parquet_view(con: duckdb.DuckDBPyConnection, name: str, pattern: str,
                  empty: tuple[tuple[str, str], ...] | None = None) -> None:
    if empty is not None and not _has_files(con, pattern):
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {_empty(empty)}")
        return
    con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet({_literal(pattern)})")


def _load_table(con: duckdb.DuckDBPyConnection, table: str, pattern: str) -> None:
    if _has_files(con, pattern):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet({_literal(pattern)})")


def open_lake(path: str | Path, scope: LakeScope = LakeScope(), *,
              key_apps: pa.Table | None = None) -> Workspace:
    """The lake at ``path`` as an in-memory :class:`Workspace` (see the module docstring).

    ``key_apps`` (columns key_id, app: the distinct pairs of the requests' field apps) opens
    only what is decided per key, for a driver that leaves the requests to others (Spark): no
    request is read, and ``requests/`` need not be there.
    """
    base = str(path)
    if "://" not in base:
        local = Path(base)
        if not local.is_dir():
            raise WorkspaceError(f"no lake at {base}" + ("" if local.exists() else " (no such directory)"),
                                 hint="pass --lake a directory written by `appaccess spark ingest` or "
                                      "`appaccess export -o DIR`")
        base = str(local.resolve())
    ws = Workspace.open(":memory:")
    try:
        _attach(ws, base, scope, key_apps)
    except BaseException:
        ws.close()
        raise
    return ws


def _attach(ws: Workspace, base: str, scope: LakeScope, key_apps: pa.Table | None) -> None:
    con = ws.con
    if not os.environ.get("APPACCESS_MEMORY_LIMIT"):
        con.execute("RESET memory_limit")  # a reader: DuckDB's default, as for read-only workspaces
    manifest = read_manifest(con, base)
    ws.path = Path(base)
    for table in ("facts", "rejects", "field_app_rows"):
        con.execute(f"DROP TABLE {table}")
    if key_apps is None:
        _requests_view(con, base, manifest, scope)
    else:
        con.execute("CREATE OR REPLACE VIEW lake_requests AS " + _empty(FACT_COLUMNS))
    keys = _glob(base, KEYS, "*.parquet")
    if _has_files(con, keys):
        _parquet_view(con, "lake_keys", keys)
    else:  # a lake of no requests (every input skipped): the keys' columns, no rows
        sql.run_script(con, "lake/macros")
        con.execute("CREATE OR REPLACE VIEW lake_keys AS SELECT * EXCLUDE (ws_key_id) FROM ("
                    + sql.load_query("lake/keys").text + ") WHERE false")
    _parquet_view(con, "lake_rejects", _glob(base, REJECTS, "*.parquet"), REJECT_COLUMNS)
    clashes = con.execute(sql.load_query("lake/key_clashes").text).fetchall()
    if clashes:
        raise WorkspaceError(f"the lake {base} has {len(clashes)}+ key ids that stand for several keys "
                             f"(e.g. {clashes[0][0]})", hint="write the lake again")
    sql.run_script(con, "lake/tables")
    if key_apps is not None:  # what decisions need of them: which keys field identifiers claim, for which app
        with registered(con, "lake_key_apps", key_apps):
            con.execute("CREATE TABLE field_app_rows AS SELECT DISTINCT NULL::INTEGER AS file_id, NULL::BIGINT AS "
                        "line_no, CAST(key_id AS BIGINT) AS key_id, CAST(app AS VARCHAR) AS app FROM lake_key_apps")
    elif manifest.field_app_rows:
        con.execute("CREATE VIEW field_app_rows AS SELECT file_id, line_no, key_id, fapp AS app FROM lake_requests "
                    "WHERE fapp > ''")
    else:
        con.execute("CREATE TABLE field_app_rows (file_id INTEGER, line_no BIGINT, key_id BIGINT, app VARCHAR)")
    _load_table(con, "files", _glob(base, FILES, "*.parquet"))
    for table in CONFIG_TABLES:
        _load_table(con, table, _glob(base, f"{CONFIG}/{table}", "*.parquet"))
    if manifest.catalog != catalog_fingerprint():
        # Routed with another catalogue: route the keys again, as a workspace does when opened.
        con.execute(f"CREATE OR REPLACE TEMP TABLE routes AS {pipeline.all_routes()}")
        sql.execute(con, "ingest/reroute")
        con.execute("DROP TABLE routes")
    if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'fact_days'").fetchall()[0][0]:
        con.execute("DROP TABLE fact_days")  # a schema with the per-file rollup: the lake's, counted from facts
        sql.run_script(con, "lake/fact_days")
    sql.run_script(con, DECISIONS_TABLE)
    con.execute("ALTER TABLE key_decisions ALTER COLUMN key_id SET DATA TYPE BIGINT")
    # Decide as the workspace does after a change (decide_keys, and whatever it keeps beside the decisions).
    ws._decide(pending_only=False)
    if manifest.pii_redacted:
        ws.set_meta("pii_salt", "(kept by the writer of the lake)")
    ws.set_meta("lake", base)
    if "://" not in base:
        # Users' SQL runs with external access off (Context.sql); the lake's own files stay readable.
        con.execute("SET allowed_directories = ?", [[base + "/"]])

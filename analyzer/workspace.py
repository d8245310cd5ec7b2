"""The DuckDB workspace file: open it safely, create or migrate its schema.

Everything durable lives in one DuckDB file (default ``./appaccess.duckdb``).
This module owns opening it (with a clear error when another process holds
it), the schema version, migrations and keeping the ``endpoints`` table in
step with the packaged catalogue. It knows nothing about logs or reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pyarrow as pa

from analyzer import pipeline, sql
from analyzer.catalog import ENDPOINTS_CSV, load_catalog
from analyzer.errors import WorkspaceError, WorkspaceLockedError

SCHEMA_VERSION = 2
#: DuckDB's memory bound for writers (spilling to disk beyond it); APPACCESS_MEMORY_LIMIT overrides.
DEFAULT_MEMORY_LIMIT = "512MB"
DEFAULT_PATH = Path("appaccess.duckdb")

# Files of queries/ that define stored macros and views, in dependency order; the table of stored
# decisions (schema/decisions_cache) comes between the last two.
SQL_OBJECTS = ("macros", "schema/attribution", "schema/spaces", "schema/decisions")
VIEWS = "schema/views"
DECISIONS_TABLE = "schema/decisions_cache"
# Tables of edge connectors (e.g. Confluence fetch state), created when missing on every writable open.
EDGE_SCHEMAS = ("schema/confluence",)

# version -> steps that bring a workspace from version-1 to version, run in one transaction.
# A step is a callable on the connection, usually `lambda con: sql.run_script(con, "migrations/vN")`.
Migration = Callable[[duckdb.DuckDBPyConnection], None]


def _to_keyed_storage(con: duckdb.DuckDBPyConnection) -> None:
    """Version 2: one row per request became facts plus key tables (queries/migrations/v2.sql)."""
    sql.run_script(con, "schema/workspace")
    sql.run_script(con, "macros")  # this release's helpers, which the migration uses
    sql.run_script(con, "migrations/v2")


MIGRATIONS: dict[int, tuple[Migration, ...]] = {2: (_to_keyed_storage,)}


def catalog_fingerprint() -> str:
    return hashlib.sha256(ENDPOINTS_CSV.read_bytes()).hexdigest()[:16]


def _connect(path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + max(wait, 0.0)
    delay = 0.05
    while True:
        try:
            # No network at run time: never download extensions behind the user's back.
            config = {"autoinstall_known_extensions": False, "TimeZone": "UTC"}
            # Writers (ingest, loads, simulations) are bounded so that a 10M-line ingest stays small;
            # readers (reports) get DuckDB's default, which makes big joins and exports faster.
            limit = os.environ.get("APPACCESS_MEMORY_LIMIT") or (None if read_only else DEFAULT_MEMORY_LIMIT)
            if limit:
                config["memory_limit"] = limit
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as error:
            text = str(error)
            if "lock" not in text.lower():
                raise WorkspaceError(f"cannot open workspace {path}: {text.splitlines()[0]}") from error
            if time.monotonic() >= deadline:
                holder = ""
                if "PID" in text:
                    holder = " (" + text[text.index("PID"):].split(")")[0].strip() + ")"
                raise WorkspaceLockedError(
                    f"workspace {path} is in use by another process{holder}",
                    hint="wait for it to finish, or pass --wait SECONDS to queue behind it",
                ) from error
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        except duckdb.Error as error:
            raise WorkspaceError(
                f"{path} is not a usable appaccess workspace: {str(error).splitlines()[0]}",
                hint="pass --db with another file name",
            ) from error


@dataclass
class Workspace:
    """An open workspace: a DuckDB connection with the appaccess schema and macros."""

    path: Path
    con: duckdb.DuckDBPyConnection
    read_only: bool = False
    _closed: bool = field(default=False, repr=False)
    _tx_depth: int = field(default=0, repr=False)
    _sql_fingerprint: str = field(default="", repr=False)

    # -- opening -----------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path | None = None, *, read_only: bool = False, wait: float = 0.0,
             create: bool = True) -> Workspace:
        """Open (and if needed create or migrate) the workspace at ``path``.

        ``path=':memory:'`` gives a throw-away workspace (tests, lookups).
        """
        target = Path(path) if path is not None else DEFAULT_PATH
        in_memory = str(target) == ":memory:"
        exists = in_memory or target.exists()
        if not exists and (read_only or not create):
            raise WorkspaceError(f"no workspace at {target}",
                                 hint="run `appaccess ingest LOG... --db FILE` first, or check --db")
        if not in_memory and exists and target.is_dir():
            raise WorkspaceError(f"{target} is a directory, not a workspace file", hint="pass --db FILE")
        con = _connect(target, read_only and not in_memory, wait)
        workspace = cls(target, con, read_only=read_only and not in_memory)
        try:
            workspace._prepare()
        except BaseException:
            con.close()
            raise
        return workspace

    def _prepare(self) -> None:
        version = self.schema_version()
        if version is None:
            if self.read_only:
                raise WorkspaceError(f"{self.path} is not an appaccess workspace",
                                     hint="pass --db with a file made by `appaccess ingest`")
            self._create()
        elif version > SCHEMA_VERSION:
            raise WorkspaceError(
                f"workspace {self.path} has schema version {version}, newer than this appaccess "
                f"(version {SCHEMA_VERSION})",
                hint="upgrade appaccess (pip install -U appaccess) or use another --db",
            )
        elif version < SCHEMA_VERSION:
            if self.read_only:
                raise WorkspaceError(f"workspace {self.path} needs a migration (v{version} -> "
                                     f"v{SCHEMA_VERSION})", hint="open it once without --read-only")
            self._migrate(version)
        if not self.read_only:
            for name in EDGE_SCHEMAS:
                sql.run_script(self.con, name)
        self._install_sql()
        if self.read_only:
            if self.meta("decisions") != self._sql_fingerprint:
                # Stored decisions were made by another appaccess: decide again, for this connection only
                # (TEMP objects shadow the stored ones; the views are bound when queried).
                self.con.execute(_temporary(sql.load_query(DECISIONS_TABLE).text))
                epoch_macro(self.con, "aa_active", ("active",), temporary=True)
                epoch_macro(self.con, "aa_sim", ("active",), temporary=True)
                self.con.execute(_temporary(sql.load_query(VIEWS).text))
                self._decide(pending_only=False)
            return
        if self.meta("catalog") != catalog_fingerprint():
            self._sync_catalog()
        if self.meta("decisions") != self._sql_fingerprint:
            self.refresh_decisions()

    def refresh_decisions(self, *, pending_only: bool = False, file_id: int | None = None) -> None:
        """Recompute the stored decisions under the active rules (call after every change).

        ``pending_only`` decides only the request keys that have no decision yet (what an
        ingest just added; ``file_id`` names the file it stored, whose requests field
        identifiers may claim); otherwise every key is decided again, and the requests
        field identifiers claim are matched again.
        """
        if self.read_only:
            return
        with self.transaction():
            has_fields = self.con.execute(
                "SELECT count(*) > 0 FROM app_identifiers WHERE kind = 'field'").fetchall()[0][0]
            if not pending_only:
                self.con.execute("DELETE FROM field_app_rows")
            elif file_id is not None:
                self.con.execute("DELETE FROM field_app_rows WHERE file_id = ?", [file_id])
            if has_fields and (not pending_only or file_id is not None):
                query = sql.load_query("ingest/field_apps")
                self.con.execute("INSERT INTO field_app_rows " + query.text,
                                 {"file_id": file_id if pending_only else None})
            if not pending_only:
                sql.run_script(self.con, DECISIONS_TABLE)
            self._decide(pending_only=pending_only)
            if not pending_only:
                self.set_meta("decisions", self._sql_fingerprint)

    def _decide(self, *, pending_only: bool) -> None:
        sql.execute(self.con, "ingest/decide_keys", {"only_pending": pending_only})
        if not pending_only:
            epoch_macro(self.con, "aa_active", ("active",), temporary=self.read_only)

    def _install_sql(self) -> None:
        """(Re)create the stored macros and views when this appaccess changed them.

        A read-only connection cannot store them; it creates TEMP copies, which
        shadow the stored ones for that connection only.
        """
        names = (*SQL_OBJECTS, DECISIONS_TABLE, VIEWS)
        scripts = {name: sql.load_query(name).text for name in names}
        self._sql_fingerprint = hashlib.sha256("\n".join(scripts.values()).encode()).hexdigest()[:16]
        if self.meta("sql") == self._sql_fingerprint:
            return
        if not self.read_only and not self._has_table("key_decisions"):
            sql.run_script(self.con, DECISIONS_TABLE)  # the decide() macro reads it
        for name in SQL_OBJECTS:
            self.con.execute(_temporary(scripts[name]) if self.read_only else scripts[name])
        if self.read_only:
            return
        epoch_macro(self.con, "aa_active", ("active",))  # the views read them
        epoch_macro(self.con, "aa_sim", ("active",))  # (simulations shadow them with TEMP ones)
        sql.run_script(self.con, VIEWS)
        self.set_meta("sql", self._sql_fingerprint)

    def _has_table(self, name: str) -> bool:
        return bool(self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'", [name]
        ).fetchall()[0][0])

    def schema_version(self) -> int | None:
        if not self._has_table("meta"):
            return None
        value = self.meta("schema_version")
        return int(value) if value is not None else None

    def _create(self) -> None:
        with self.transaction():
            sql.run_script(self.con, "schema/workspace")
            self.set_meta("schema_version", str(SCHEMA_VERSION))
            self.set_meta("created_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))

    def _migrate(self, version: int) -> None:
        with self.transaction():
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for step in MIGRATIONS.get(target, ()):
                    step(self.con)
                self.set_meta("schema_version", str(target))

    def _sync_catalog(self) -> None:
        """Load the packaged catalogue and re-route stored requests against it."""
        endpoints = load_catalog()
        columns: dict[str, list[Any]] = {name: [] for name in (
            "id", "method", "path", "version", "group", "name", "blocked", "deprecated", "source",
            "operation_id", "spec_exempt", "space_key_param", "space_id_param", "content_id_param",
            "space_key_pos", "space_id_pos", "content_id_pos", "n_segments", "segments", "specificity")}
        for e in endpoints:
            segments = list(e.segments)
            row = {
                "id": e.id, "method": e.method, "path": e.path, "version": e.version, "group": e.group,
                "name": e.name, "blocked": e.blocked, "deprecated": e.deprecated, "source": e.source,
                "operation_id": e.operation_id, "spec_exempt": e.spec_exempt,
                "space_key_param": e.space_key_param, "space_id_param": e.space_id_param,
                "content_id_param": e.content_id_param,
                "space_key_pos": e.param_position(e.space_key_param),
                "space_id_pos": e.param_position(e.space_id_param),
                "content_id_pos": e.param_position(e.content_id_param),
                "n_segments": len(segments), "segments": segments,
                "specificity": "".join("1" if s.startswith("{") else "0" for s in segments),
            }
            for key, value in row.items():
                columns[key].append(value)
        table = pa.table(columns)
        with self.transaction():
            self.con.execute("DELETE FROM endpoints")
            with registered(self.con, "_catalog", table):
                self.con.execute("INSERT INTO endpoints SELECT * FROM _catalog")
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE routes AS {pipeline.all_routes()}")
            sql.execute(self.con, "ingest/reroute")
            self.con.execute("DROP TABLE routes")
            self.set_meta("catalog", catalog_fingerprint())
            self.refresh_decisions()

    # -- small helpers -----------------------------------------------------
    def meta(self, key: str) -> str | None:
        rows = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def transaction(self, *, rollback: bool = False) -> _Transaction:
        """BEGIN/COMMIT around a block; nested blocks join the outer transaction.

        ``rollback=True`` always rolls back (what-if runs that must leave no trace).
        """
        return _Transaction(self, rollback)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def epoch_macro(con: duckdb.DuckDBPyConnection, prefix: str, policy_sets: tuple[str, ...], *,
                temporary: bool = False) -> None:
    """(Re)create ``MACRO {prefix}_epoch(ts)``, the start of the policy epoch that holds ``ts``, and
    ``MACRO {prefix}_cut_days()``, the days a boundary falls inside of (not on midnight): the epochs are
    cut by the active_from/active_until of the active policies of ``policy_sets``
    (queries/schema/decisions.sql policy_intervals). Reports count requests per (key, epoch, day), the
    whole days from the fact_days rollup and the cut days from the facts (key_day_counts in
    queries/schema/views.sql), then join the few decision rows.

    The boundaries are data, but a macro body is SQL: a CASE over the few boundaries is the cheapest
    per-row test DuckDB has, so it is written here from the boundaries (a few dozen at most).
    """
    bounds = sorted({row[0] for policy_set in policy_sets for row in con.execute(
        "SELECT starts FROM policy_intervals(?) WHERE starts > '-infinity'::TIMESTAMP", [policy_set]).fetchall()})

    def literal(value: dt.datetime) -> str:
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"

    body = "'-infinity'::TIMESTAMP"
    if bounds:
        cases = [f"WHEN ts < {literal(bounds[0])} THEN '-infinity'::TIMESTAMP"]
        cases += [f"WHEN ts < {literal(hi)} THEN {literal(lo)}" for lo, hi in itertools.pairwise(bounds)]
        body = f"CASE {' '.join(cases)} ELSE {literal(bounds[-1])} END"
    cut = sorted({b.date() for b in bounds if b.time() != dt.time()})
    days = ("SELECT unnest([" + ", ".join(f"DATE '{d.isoformat()}'" for d in cut) + "]) AS day" if cut
            else "SELECT CAST(NULL AS DATE) AS day WHERE false")
    kind = "TEMP MACRO" if temporary else "MACRO"
    con.execute(f"CREATE OR REPLACE {kind} {prefix}_epoch(ts) AS {body}")
    con.execute(f"CREATE OR REPLACE {kind} {prefix}_cut_days() AS TABLE {days}")


def _temporary(text: str) -> str:
    """The same DDL creating connection-local (TEMP) objects, for read-only connections."""
    for kind in ("MACRO", "VIEW", "TABLE", "SEQUENCE"):
        text = text.replace(f"CREATE OR REPLACE {kind}", f"CREATE OR REPLACE TEMP {kind}")
    return text


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, table: Any) -> Iterator[None]:
    """Expose an Arrow table to SQL as ``name`` for the duration of a block."""
    con.register(name, table)
    try:
        yield
    finally:
        with suppress(duckdb.Error):  # an aborted transaction refuses; the error in flight matters
            con.unregister(name)


class _Transaction:
    """BEGIN/COMMIT around a block, ROLLBACK on any exception (KeyboardInterrupt too)."""

    def __init__(self, ws: Workspace, rollback: bool) -> None:
        self.ws = ws
        self.rollback = rollback
        self.outer = False

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.outer = self.ws._tx_depth == 0
        if self.outer:
            self.ws.con.execute("BEGIN TRANSACTION")
        self.ws._tx_depth += 1
        return self.ws.con

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.ws._tx_depth -= 1
        if not self.outer:
            return
        if exc_type is None and not self.rollback:
            self.ws.con.execute("COMMIT")
        else:
            with suppress(duckdb.Error):  # the connection may already be unusable; the error in flight matters
                self.ws.con.execute("ROLLBACK")

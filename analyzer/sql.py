"""Find, read and run the named SQL files under ``queries/``.

SQL lives in files a human can read and run from the DuckDB CLI; Python only
picks the file, binds ``$parameters`` and registers input relations. Each file
starts with a ``-- name:`` line and comment lines that document it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from analyzer import masking
from analyzer.errors import UsageError

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
_PARAM = re.compile(r"(?<![:$\w])\$([A-Za-z_][A-Za-z0-9_]*)")
#: Files whose SQL opens with macros generated from data: queries/macros.sql starts with the
#: masking macros built from analyzer/data/secret_names.csv (analyzer/masking.py), so SQL and
#: Python share one definition of a credential.
_GENERATED = {"macros": masking.sql_macros}


@dataclass(frozen=True)
class NamedQuery:
    """One ``queries/NAME.sql`` file: its text, description and parameters."""

    name: str
    text: str

    @property
    def description(self) -> str:
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("--"):
                break
            body = line[2:].strip()
            if not body.startswith("name:"):
                lines.append(body)
        return "\n".join(lines).strip()

    @property
    def summary(self) -> str:
        return self.description.split("\n", 1)[0]

    @property
    def params(self) -> tuple[str, ...]:
        code = "\n".join(line.split("--", 1)[0] for line in self.text.splitlines())
        code = re.sub(r"'(?:[^']|'')*'", "''", code)  # '$' inside string literals is not a parameter
        return tuple(dict.fromkeys(_PARAM.findall(code)))


@cache
def load_query(name: str) -> NamedQuery:
    """The query ``queries/<name>.sql``; ``name`` may contain one sub-folder."""
    path = (QUERIES_DIR / f"{name}.sql").resolve()
    if QUERIES_DIR.resolve() not in path.parents or not path.is_file():
        known = ", ".join(q.name for q in list_queries()) or "none"
        raise UsageError(f"no query named {name!r}", hint=f"known queries: {known}")
    text = path.read_text(encoding="utf-8")
    if name in _GENERATED:  # after the header comment, which documents the file
        lines = text.splitlines(keepends=True)
        header = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
        text = "".join(lines[:header]) + "\n" + _GENERATED[name]() + "".join(lines[header:])
    return NamedQuery(name, text)


def list_queries(folder: str | None = None) -> list[NamedQuery]:
    """Every named query (optionally of one sub-folder), sorted by name."""
    root = QUERIES_DIR / folder if folder else QUERIES_DIR
    names = sorted(p.relative_to(QUERIES_DIR).with_suffix("").as_posix() for p in root.rglob("*.sql"))
    return [load_query(n) for n in names]


#: The folders of queries users run (`appaccess query list | run`): reports, exports and the names the
#: workspace knows, each self-contained over the workspace. The others (ingest/*, schema/*,
#: migrations/*, formats/*, inventory/*, simulate/*, suggest/*) are steps of appaccess itself: they
#: read relations only their caller builds, or change the workspace.
USER_QUERY_FOLDERS = ("reports", "export", "config")


def user_queries() -> list[NamedQuery]:
    """The named queries users may run, sorted by name."""
    return [q for folder in USER_QUERY_FOLDERS for q in list_queries(folder)]


def bind(query: NamedQuery, params: dict[str, Any] | None) -> dict[str, Any]:
    """Check that exactly the query's parameters are given."""
    params = dict(params or {})
    missing = [p for p in query.params if p not in params]
    if missing:
        raise UsageError(f"query {query.name!r} needs parameter(s) {', '.join(missing)}",
                         hint="pass them as --param NAME=VALUE")
    return {k: v for k, v in params.items() if k in query.params}


def execute(con: duckdb.DuckDBPyConnection, name: str,
            params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Run a named query with its parameters; returns the connection (fetch from it)."""
    query = load_query(name)
    bound = bind(query, params)
    return con.execute(query.text, bound) if bound else con.execute(query.text)


def run_script(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Run a parameterless multi-statement file (schema, macros, views)."""
    con.execute(load_query(name).text)

"""The ingest SQL chain, composed from the named files of queries/ingest.

parse (queries/formats/*) -> check_parsed -> split_target -> normalize ->
[redact_pii] -> route_new_shapes -> routed. Each file reads the relation the
step before it produces, by name; this module strings them together as CTEs
so that a chunk of rows can go through in one statement, from either end: a
format parser's output, or split rows the C fast path made already.
"""

from __future__ import annotations

from analyzer import sql
from analyzer.formats.base import SPLIT_SCHEMA

__all__ = ["SPLIT_SCHEMA", "from_parser", "from_split", "insert_new_routes", "insert_requests",
           "select_batch", "to_batch"]

def _text(name: str) -> str:
    return sql.load_query(name).text.strip().rstrip(";")


def from_parser(parser_sql: str) -> str:
    """CTEs taking a format parser's rows to `split`."""
    return (f"parsed_raw AS (\n{parser_sql}\n),\n"
            f"parsed AS (\n{_text('ingest/check_parsed')}\n),\n"
            f"split AS (\n{_text('ingest/split_target')}\n)")


def from_split(split_sql: str) -> str:
    """CTE naming rows that are split already (the C fast path) `split`."""
    return f"split AS (\n{split_sql}\n)"


def to_batch(ctes: str, *, redact: bool = False) -> str:
    """``ctes`` continued to `batch`: normalised (and, with --redact-pii, redacted) request rows."""
    batch = _text("ingest/redact_pii") if redact else "SELECT * FROM normalized"
    return f"{ctes},\nnormalized AS (\n{_text('ingest/normalize')}\n),\nbatch AS (\n{batch}\n)"


def select_batch(ctes: str) -> str:
    return f"WITH {ctes}\nSELECT * FROM batch"


def insert_new_routes(ctes: str | None = None) -> str:
    """Add the unseen (method, shape) pairs of `batch` to route_cache."""
    prefix = f"WITH {ctes}\n" if ctes else ""
    return f"INSERT INTO route_cache\n{prefix}SELECT * FROM (\n{_text('ingest/route_new_shapes')}\n)"


def insert_requests(ctes: str | None = None) -> str:
    """Store the good rows of `batch` (param $file_id)."""
    prefix = f"WITH {ctes}\n" if ctes else ""
    return f"INSERT INTO requests\n{prefix}{_text('ingest/routed')}"

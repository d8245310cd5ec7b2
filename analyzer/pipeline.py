"""The ingest SQL chains, composed from the named files of queries/ingest.

Per request (once per line, kept cheap): parse (queries/formats/*) ->
check_parsed -> row_split. Per distinct key (once per new value): the
targets a batch names go split_target -> route_shapes -> resolve_targets.
Each file reads the relation the step before it produces, by name; this
module strings them together as CTEs so that a batch goes through each chain
in one statement.
"""

from __future__ import annotations

from analyzer import sql

__all__ = ["all_routes", "resolve_targets", "row_batch"]


def _text(name: str) -> str:
    return sql.load_query(name).text.strip().rstrip(";")


def row_batch(parser_sql: str) -> str:
    """A statement taking a format parser's rows to per-request rows (ingest/row_split); params $salt
    and the parser's own."""
    return (f"WITH parsed_raw AS (\n{parser_sql}\n),\n"
            f"parsed AS (\n{_text('ingest/check_parsed')}\n),\n"
            f"split_rows AS (\n{_text('ingest/row_split')}\n)\n"
            "SELECT * FROM split_rows")


def resolve_targets(raw_targets_sql: str = "SELECT * FROM raw_targets") -> str:
    """A statement resolving distinct raw targets (method, host, target) into `targets` rows; param $salt."""
    return (f"WITH raw_targets AS (\n{raw_targets_sql}\n),\n"
            f"split AS (\n{_text('ingest/split_target')}\n),\n"
            "shapes AS (\n"
            "SELECT DISTINCT CASE WHEN method = 'HEAD' THEN 'GET' ELSE upper(method) END AS method, shape\n"
            "FROM split WHERE shape IS NOT NULL\n),\n"
            f"routes AS (\n{_text('ingest/route_shapes')}\n)\n"
            f"{_text('ingest/resolve_targets')}")


def all_routes() -> str:
    """A statement routing every stored target's (route_method, shape): the input of ingest/reroute."""
    return ("WITH shapes AS (\nSELECT DISTINCT route_method AS method, shape FROM targets WHERE shape IS NOT NULL\n)\n"
            f"SELECT * FROM (\n{_text('ingest/route_shapes')}\n)")

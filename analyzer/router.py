"""Route (method, URL) pairs to catalogue endpoints, outside of an ingest.

Ingest routes in bulk inside its own SQL; this module runs the very same SQL
files (analyzer/pipeline.py: check, row split, target split, route) on a small in-memory workspace
so that ``appaccess catalog lookup``, tests and notebooks get exactly the answer an ingest would
store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import pyarrow as pa

from analyzer import pipeline
from analyzer.catalog import Endpoint, load_catalog
from analyzer.formats.base import PARSED_SCHEMA
from analyzer.workspace import Workspace


@dataclass(frozen=True)
class RouteMatch:
    """Where one request lands in the catalogue, and what its URL names."""

    method: str
    url: str
    host: str | None
    cloud_id: str | None
    path: str
    query: str | None
    is_wiki: bool
    endpoint: Endpoint | None
    space_key: str | None
    space_id: str | None
    content_id: str | None
    query_space_keys: tuple[str, ...]
    query_space_ids: tuple[str, ...]
    jwt_iss: str | None

    @property
    def verdict(self) -> str:
        if self.endpoint is None:
            return "not catalogued" if self.is_wiki else "not a Confluence REST call"
        return "blocked" if self.endpoint.blocked else "not blocked"


class Router:
    """Bulk router over an in-memory workspace (create once, route many)."""

    @cached_property
    def _ws(self) -> Workspace:
        return Workspace.open(":memory:")

    @cached_property
    def _endpoints(self) -> dict[int, Endpoint]:
        return {e.id: e for e in load_catalog()}

    def route(self, method: str, url: str) -> RouteMatch:
        return self.route_many([(method, url)])[0]

    def route_many(self, requests: Sequence[tuple[str, str]] | Iterable[tuple[str, str]]) -> list[RouteMatch]:
        pairs = list(requests)
        if not pairs:
            return []
        n = len(pairs)
        columns = {name: pa.nulls(n, type_) for name, type_ in zip(PARSED_SCHEMA.names, PARSED_SCHEMA.types,
                                                                    strict=True)}
        columns["line_no"] = pa.array(range(1, n + 1), pa.int64())
        columns["ts"] = pa.array([dt.datetime(2000, 1, 1)] * n, pa.timestamp("us"))
        columns["method"] = pa.array([m for m, _ in pairs], pa.string())
        columns["target"] = pa.array([u for _, u in pairs], pa.string())
        parsed_input = pa.table(columns, schema=PARSED_SCHEMA)
        con = self._ws.con
        batch = con.sql(pipeline.row_batch("SELECT * FROM parsed_input"), params={"salt": None}).to_arrow_table()
        resolved = con.sql(pipeline.resolve_targets(
            "SELECT DISTINCT method, host, raw_target AS target FROM batch WHERE reject_reason IS NULL"),
            params={"salt": None}).to_arrow_table()
        rows = con.execute(
            "SELECT b.line_no, b.reject_reason, r.host, r.cloud_id, r.path, b.query, r.is_wiki, "
            "r.endpoint_id, r.path_space_key, r.path_space_id, r.path_content_id, b.query_space_keys, "
            "b.query_space_ids, b.jwt_iss "
            "FROM batch AS b LEFT JOIN resolved AS r ON r.raw_method = b.method "
            "AND r.raw_host IS NOT DISTINCT FROM b.host AND r.raw_target = b.raw_target ORDER BY b.line_no",
        ).fetchall()
        del parsed_input, batch, resolved  # read above by name (replacement scan)
        results = []
        for (method, url), row in zip(pairs, rows, strict=True):
            (_, reason, host, cloud_id, path, query, is_wiki, endpoint_id, space_key, space_id, content_id,
             q_keys, q_ids, jwt_iss) = row
            results.append(RouteMatch(
                method=method.upper(), url=url, host=host, cloud_id=cloud_id, path=path or "",
                query=query, is_wiki=bool(is_wiki),
                endpoint=self._endpoints.get(endpoint_id) if endpoint_id is not None else None,
                space_key=space_key, space_id=space_id, content_id=content_id,
                query_space_keys=tuple(q_keys or ()), query_space_ids=tuple(q_ids or ()),
                jwt_iss=jwt_iss,
            ) if reason is None else _unroutable(method, url))
        return results

    def close(self) -> None:
        if "_ws" in self.__dict__:
            self._ws.close()


def _unroutable(method: str, url: str) -> RouteMatch:
    return RouteMatch(method.upper(), url, None, None, "", None, False, None, None, None, None, (), (), None)


def route(method: str, url: str) -> RouteMatch:
    """Route a single request (convenience for the CLI and notebooks)."""
    router = Router()
    try:
        return router.route(method, url)
    finally:
        router.close()

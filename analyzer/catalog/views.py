"""Catalogue listings for people: filters, and seed-versus-spec disagreements."""

from __future__ import annotations

from analyzer.catalog import load_catalog
from analyzer.catalog.model import Endpoint
from analyzer.output import Frame

LIST_COLUMNS = ("method", "path", "version", "group", "name", "blocked", "deprecated", "source")


def list_endpoints(*, blocked: bool | None = None, version: int | None = None,
                   search: str | None = None) -> Frame:
    """The catalogue, filtered; ``search`` matches path, name or group (case-insensitive)."""
    needle = search.lower() if search else None
    rows = []
    for e in load_catalog():
        if blocked is not None and e.blocked != blocked:
            continue
        if version is not None and e.version != version:
            continue
        if needle and needle not in f"{e.path} {e.name} {e.group} {e.operation_id}".lower():
            continue
        rows.append((e.method, e.path, e.version, e.group, e.name, e.blocked, e.deprecated, e.source))
    return Frame(LIST_COLUMNS, tuple(rows), title="Confluence REST endpoints")


def disagreements() -> list[Endpoint]:
    """Operations where the user's document and the spec flag give different verdicts."""
    return [e for e in load_catalog() if e.source == "seed" and e.disagrees_with_spec]


def diff_frame() -> Frame:
    rows = tuple(
        (e.method, e.path, e.name, "blocked" if e.blocked else "not blocked",
         "not exempt (blocked)" if e.spec_exempt is False else "exempt (not blocked)")
        for e in disagreements()
    )
    return Frame(("method", "path", "name", "document says", "spec flag says"), rows,
                 title="Document vs OpenAPI spec disagreements (the document's verdict is used)")

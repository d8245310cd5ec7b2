"""Typed rows of the endpoint catalogue.

The catalogue itself is data (``data/endpoints.csv``, built by
``analyzer.catalog.build`` from the reference documents); this module only
gives its rows a type so the rest of the code never passes loose dicts around.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One Confluence REST operation: method + path template, and its verdict."""

    id: int
    method: str
    path: str
    version: int
    group: str
    name: str
    blocked: bool
    deprecated: bool
    source: str  # "seed": named by the user's document; "spec": only in the OpenAPI spec
    operation_id: str
    spec_exempt: bool | None  # the spec's app-access-rule-exempt flag, None when absent
    space_key_param: str | None
    space_id_param: str | None
    content_id_param: str | None

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.split("/"))

    @property
    def disagrees_with_spec(self) -> bool:
        """True where the user's document and the spec flag give different verdicts."""
        return self.spec_exempt is not None and self.blocked == self.spec_exempt

    def param_position(self, param: str | None) -> int | None:
        """1-based index of ``{param}`` in ``path.split('/')`` (DuckDB's split_part)."""
        if not param:
            return None
        token = "{" + param + "}"
        for index, segment in enumerate(self.segments, start=1):
            if segment == token:
                return index
        raise ValueError(f"{self.key}: parameter {param!r} is not a whole path segment")

"""The endpoint catalogue: which Confluence REST operations an app access rule blocks.

``load_catalog()`` reads the committed CSV once per process. The router in
:mod:`analyzer.catalog.router` matches request URLs against it in bulk.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources
from pathlib import Path

from analyzer.catalog.model import Endpoint

DATA_DIR = Path(str(resources.files("analyzer.catalog") / "data"))
ENDPOINTS_CSV = DATA_DIR / "endpoints.csv"


def _flag(text: str) -> bool | None:
    text = text.strip().lower()
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    raise ValueError(f"not a boolean: {text!r}")


@lru_cache(maxsize=4)
def load_catalog(path: Path = ENDPOINTS_CSV) -> tuple[Endpoint, ...]:
    """All catalogued operations, ids numbered from 1 in file order."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        Endpoint(
            id=index,
            method=row["method"],
            path=row["path"],
            version=int(row["version"]),
            group=row["group"],
            name=row["name"],
            blocked=bool(_flag(row["blocked"])),
            deprecated=bool(_flag(row["deprecated"])),
            source=row["source"],
            operation_id=row["operation_id"],
            spec_exempt=_flag(row["spec_exempt"]),
            space_key_param=row["space_key_param"] or None,
            space_id_param=row["space_id_param"] or None,
            content_id_param=row["content_id_param"] or None,
        )
        for index, row in enumerate(rows, start=1)
    )


__all__ = ["ENDPOINTS_CSV", "Endpoint", "load_catalog"]

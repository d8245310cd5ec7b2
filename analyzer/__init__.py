"""appaccess: audit and simulate Confluence Cloud app access rules from traffic logs.

The small public API: open a :class:`Context` on a workspace file and call its
methods; route single URLs with :func:`route`; read the catalogue with
:func:`load_catalog`. The ``appaccess`` CLI is a thin layer over the same calls.

Names are imported when first used (PEP 562), so that importing the package -
which the CLI does before anything else - does not load DuckDB, Arrow and
NumPy: ``appaccess --help`` starts in a tenth of a second.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from analyzer.version import __version__

#: public name -> module that defines it
_EXPORTS = {
    "AnalyzerError": "analyzer.errors",
    "Context": "analyzer.context",
    "Endpoint": "analyzer.catalog",
    "Filters": "analyzer.report",
    "Frame": "analyzer.output",
    "IngestOptions": "analyzer.ingest",
    "IngestResult": "analyzer.ingest",
    "RouteMatch": "analyzer.router",
    "Router": "analyzer.router",
    "TimeWindow": "analyzer.ingest",
    "Window": "analyzer.whatif",
    "load_catalog": "analyzer.catalog",
    "route": "analyzer.router",
}

if TYPE_CHECKING:
    from analyzer.catalog import Endpoint, load_catalog
    from analyzer.context import Context
    from analyzer.errors import AnalyzerError
    from analyzer.ingest import IngestOptions, IngestResult, TimeWindow
    from analyzer.output import Frame
    from analyzer.report import Filters
    from analyzer.router import RouteMatch, Router, route
    from analyzer.whatif import Window


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analyzer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "AnalyzerError",
    "Context",
    "Endpoint",
    "Filters",
    "Frame",
    "IngestOptions",
    "IngestResult",
    "RouteMatch",
    "Router",
    "TimeWindow",
    "Window",
    "__version__",
    "load_catalog",
    "route",
]

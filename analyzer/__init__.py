"""appaccess: audit and simulate Confluence Cloud app access rules from traffic logs.

The small public API: open a :class:`Context` on a workspace file and call its
methods; route single URLs with :func:`route`; read the catalogue with
:func:`load_catalog`. The ``appaccess`` CLI is a thin layer over the same calls.
"""

from analyzer.catalog import Endpoint, load_catalog
from analyzer.context import Context
from analyzer.errors import AnalyzerError
from analyzer.ingest import IngestOptions, IngestResult, TimeWindow
from analyzer.output import Frame
from analyzer.report import Filters
from analyzer.router import RouteMatch, Router, route
from analyzer.version import __version__
from analyzer.whatif import Window

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

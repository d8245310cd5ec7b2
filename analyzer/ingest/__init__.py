"""Load log files into the workspace: read, parse, key, store, reject.

The stages, one module each: ``files`` (recognising a file again, recording
what was loaded), ``reading`` (per-file layout, directives, read-ahead),
``store`` (format parsers to per-request rows and rejects), ``keys`` (interning
what requests share, storing facts), ``core`` (one transaction per file).
"""

from __future__ import annotations

from analyzer.ingest.core import ingest, ingest_file
from analyzer.ingest.options import (
    BATCH_BYTES,
    TIME_WINDOW_ENV,
    FileResult,
    IngestOptions,
    IngestResult,
    Progress,
    TimeWindow,
)

__all__ = ["BATCH_BYTES", "TIME_WINDOW_ENV", "FileResult", "IngestOptions", "IngestResult", "Progress", "TimeWindow",
           "ingest", "ingest_file"]

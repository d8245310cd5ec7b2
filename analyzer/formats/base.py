"""What a log format is: a name, how to recognise it, and how to parse it.

Line formats (almost all of them) are parsed by a named SQL file of
``queries/formats/`` over a relation ``lines(line_no, line)``; document
formats (HAR) have a Python reader that yields Arrow batches of the same
canonical columns. Either way the output is :data:`PARSED_COLUMNS`.

Formats whose layout is described inside the file (a CSV header, W3C
``#Fields:``, the keys of JSON records) compute their SQL parameters per file
with :attr:`LogFormat.prepare`; W3C directive lines and CSV header lines are
*skipped* (counted, neither requests nor rejects) and may change the layout
for the lines after them (:attr:`LogFormat.directive`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

import pyarrow as pa

#: Canonical fields a user may map with ``--field CANONICAL=SOURCE``.
CANONICAL_FIELDS: tuple[str, ...] = (
    "ts", "method", "url", "host", "path", "query", "status", "bytes", "duration_ms",
    "client_ip", "user_agent", "authorization", "jwt_iss", "client_id", "app_key", "remote_user",
)

#: Columns every format's parse step produces, in this order.
PARSED_COLUMNS: tuple[str, ...] = (
    "line_no", "reject_reason", "ts", "method", "target", "host", "status", "bytes", "duration_ms",
    "client_ip", "user_agent", "remote_user", "auth_header", "jwt_iss", "client_id", "app_key",
    "extra",
)

PARSED_SCHEMA = pa.schema([
    ("line_no", pa.int64()), ("reject_reason", pa.string()), ("ts", pa.timestamp("us")),
    ("method", pa.string()), ("target", pa.string()), ("host", pa.string()), ("status", pa.int32()),
    ("bytes", pa.int64()), ("duration_ms", pa.float64()), ("client_ip", pa.string()),
    ("user_agent", pa.string()), ("remote_user", pa.string()), ("auth_header", pa.string()),
    ("jwt_iss", pa.string()), ("client_id", pa.string()), ("app_key", pa.string()),
    ("extra", pa.string()),
])

#: The columns of `split` (queries/ingest/split_target.sql), in order: what
#: the C fast path for NCSA lines produces directly.
SPLIT_SCHEMA = pa.schema([
    ("line_no", pa.int64()), ("reject_reason", pa.string()), ("ts", pa.timestamp("us")),
    ("method", pa.string()), ("host", pa.string()), ("cloud_id", pa.string()), ("path", pa.string()),
    ("query", pa.string()), ("prefix_len", pa.int32()), ("shape", pa.string()), ("status", pa.int32()),
    ("bytes", pa.int64()), ("duration_ms", pa.float64()), ("client_ip", pa.string()),
    ("user_agent", pa.string()), ("remote_user", pa.string()), ("auth_header", pa.string()),
    ("jwt_iss", pa.string()), ("client_id", pa.string()), ("app_key", pa.string()), ("extra", pa.string()),
])


Detector = Callable[[list[str]], float]


@dataclass(frozen=True)
class DocumentBatch:
    """Output of a document reader: parsed rows, plus lines it could not use."""

    parsed: pa.Table  # PARSED_SCHEMA
    rejects: pa.Table  # lines.REJECT_SCHEMA
    n_records: int  # records read (parsed + rejected) in this batch
    skipped: int = 0  # header/comment lines, counted but not rows
    #: the document ended early (still being written): its last reject is taken back and the
    #: document read again from that record when the file grows
    incomplete: bool = False


#: reader(stream, params) for document formats. ``params`` holds the format's
#: params plus ``fields`` (the --field mapping) and ``first_line_no``: records
#: numbered below it were loaded before (a grown file) and must not be yielded.
DocumentReader = Callable[[BinaryIO, Mapping[str, Any]], Iterator[DocumentBatch]]

#: prepare(sample, fields) -> SQL params, from the file's first non-empty lines
#: and the --field mapping; raises UsageError for a --field the file cannot
#: satisfy. Data problems are no errors here: they become rejects with reasons.
Prepare = Callable[[list[str], Mapping[str, str]], dict[str, Any]]

#: directive_mask(lines, params) -> BooleanArray: which lines are directives
#: (vectorised: it runs over every chunk).
DirectiveMask = Callable[[pa.ChunkedArray, Mapping[str, Any]], pa.ChunkedArray | pa.Array]

#: directive(line, params, fields) -> new params for the lines after this
#: directive, or None to keep the current ones.
Directive = Callable[[str, Mapping[str, Any], Mapping[str, str]], dict[str, Any] | None]


@dataclass(frozen=True)
class LogFormat:
    """One supported input format."""

    name: str
    summary: str
    detect: Detector  # score in [0, 1] for the first non-empty lines of a file
    kind: Literal["lines", "document"] = "lines"
    query: str | None = None  # queries/formats/<query>.sql for line formats
    params: Mapping[str, Any] = field(default_factory=dict)
    reader: DocumentReader | None = None
    accepts_fields: bool = False  # whether --field applies
    prepare: Prepare | None = None  # per-file params, merged over `params`
    #: lines this selects are format metadata (W3C directives, CSV headers): skipped
    directive_mask: DirectiveMask | None = None
    directive: Directive | None = None  # what a directive line changes
    example: str = ""  # one realistic line (or record), for --help and docs
    #: what a request of this format yields: canonical fields, and the source fields kept in `extra`
    fields: str = ""
    #: a catch-all of its family (generic JSON, CSV, W3C): when a specific format of the
    #: family explains a file as well, detection picks the specific one
    generic: bool = False

    def file_params(self, sample: list[str], fields: Mapping[str, str]) -> dict[str, Any]:
        """The SQL (or reader) parameters for one file."""
        params = dict(self.params)
        if self.prepare is not None:
            params.update(self.prepare(sample, fields))
        return params


def regex_detector(pattern: str, flags: int = 0) -> Detector:
    """Score = share of sample lines the pattern matches at their start."""
    compiled = re.compile(pattern, flags)

    def detect(sample: list[str]) -> float:
        if not sample:
            return 0.0
        return sum(1 for line in sample if compiled.match(line)) / len(sample)

    return detect

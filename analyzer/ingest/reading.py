"""Reading a file's lines as a format sees them: per-file layout, directives, BOM, read-ahead.

A format may depend on the file (a CSV header, W3C ``#Fields:``, the keys of
JSON records): its parameters are computed from the file's first lines
(:class:`FormatState`), and directive lines met while reading are counted as
skipped and may change them for the lines after. A reader thread reads and
splits (or, for NCSA lines, hands to the C parser) the next chunk while DuckDB
stores the current one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FormatState", "fast_parsed", "fast_path", "format_state", "prefetch", "segments", "strip_bom"]

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analyzer.background import prefetch
from analyzer.errors import FormatError, UsageError
from analyzer.formats import fastclf
from analyzer.formats.base import LogFormat
from analyzer.formats.custom import CUSTOM_NAME
from analyzer.formats.fastclf import FastChunk, FastParser
from analyzer.formats.lines import LineChunk, RawChunk
from analyzer.formats.timezones import DEFAULT_TIMEZONE
from analyzer.ingest.files import Previous
from analyzer.ingest.options import Counts, IngestOptions, TimeWindow
from analyzer.sources import sample_lines


@dataclass
class FormatState:
    """A format's parameters for one file, and the directive that last changed them."""

    fmt: LogFormat
    params: dict[str, Any]
    fields: Mapping[str, str]
    #: last directive line that changed ``params``; remembered in files.options so
    #: that a grown file resumes with the layout in force at its end
    directive: str | None = None
    #: the workspace's salt when it keeps personal data out (--redact-pii), else None
    pii_salt: str | None = None

    def recorded(self) -> dict[str, Any]:
        """What files.options keeps to read the file on from where it stopped."""
        recorded: dict[str, Any] = {"fields": dict(self.fields)}
        if self.params.get("timezone", DEFAULT_TIMEZONE) != DEFAULT_TIMEZONE:
            recorded["timezone"] = self.params["timezone"]
        if self.fmt.name == CUSTOM_NAME:
            recorded["log_format"] = self.params["spec"]
        if self.directive is not None:
            recorded["directive"] = self.directive
        return recorded


def format_state(fmt: LogFormat, options: IngestOptions, path: Path, head: bytes,
                 prev: Previous | None) -> FormatState:
    """Parameters for reading ``path``; ``prev`` is set when a grown file is resumed, which
    keeps the --field mapping it was loaded with (unless new ones are given) and the layout
    its last directive set."""
    recorded = json.loads(prev.options or "{}") if prev is not None else {}
    fields = dict(options.fields) or dict(recorded.get("fields") or {})
    if fields and not fmt.accepts_fields:
        raise UsageError(f"--field does not apply to the {fmt.name} format of {path}",
                         hint="--field maps fields of JSON, CSV and W3C inputs")
    timezone = options.timezone or recorded.get("timezone") or DEFAULT_TIMEZONE
    try:
        params = {**fmt.file_params(sample_lines(head), fields), "timezone": timezone}
    except FormatError as error:
        raise FormatError(f"{path}: {error.message}", hint=error.hint) from None
    state = FormatState(fmt, params, fields)
    saved = recorded.get("directive")
    if saved and fmt.directive is not None:  # resume with the layout in force where loading stopped
        state.params = fmt.directive(saved, state.params, fields) or state.params
        state.directive = saved
    return state


def fast_path(state: FormatState, window: TimeWindow) -> FastParser | None:
    """A C parser for this file's lines when it has one (plain NCSA formats), else None; it declines
    lines outside ``window`` (queries/ingest/check_parsed.sql rejects them with the reason)."""
    if not fastclf.available() or state.fmt.query != "formats/clf" or state.fmt.directive_mask is not None:
        return None
    return FastParser(vhost=bool(state.params["vhost"]), agent=bool(state.params["agent"]),
                      window=(window.oldest, window.newest))


def fast_parsed(parser: FastParser, chunks: Iterator[LineChunk | RawChunk]
                ) -> Iterator[tuple[LineChunk | RawChunk, FastChunk | None]]:
    """Each chunk, parsed by C when it is raw bytes. Runs on the reader thread (C releases the GIL)."""
    for chunk in chunks:
        yield chunk, parser.parse(chunk.body, chunk.first_line_no) if isinstance(chunk, RawChunk) else None


def strip_bom(lines: pa.Table) -> pa.Table:
    """A byte-order mark opening a file belongs to no field."""
    if not lines.num_rows or lines["line_no"][0].as_py() != 1 or not lines["line"][0].as_py().startswith("\ufeff"):
        return lines
    column = pc.utf8_ltrim(lines["line"].slice(0, 1), "\ufeff")
    return lines.set_column(1, "line", pa.concat_arrays(
        [column.combine_chunks(), lines["line"].slice(1).combine_chunks()]))


def segments(state: FormatState, lines: pa.Table, counts: Counts) -> Iterator[tuple[pa.Table, dict[str, Any]]]:
    """The runs of data lines between directive lines, each with the params in force.

    Directives are found with one vectorised test per chunk; only they (a handful
    per file) are looked at in Python.
    """
    mask_of = state.fmt.directive_mask
    if mask_of is None or not lines.num_rows:
        if lines.num_rows:
            yield lines, state.params
        return
    hits = np.flatnonzero(np.asarray(mask_of(lines["line"], state.params).to_numpy(zero_copy_only=False)))
    if not len(hits):
        yield lines, state.params
        return
    counts.skipped += len(hits)
    texts = lines["line"].take(pa.array(hits)).to_pylist()
    start = 0
    for index, text in zip(hits.tolist(), texts, strict=True):
        if index > start:
            yield lines.slice(start, index - start), state.params
        changed = state.fmt.directive(text, state.params, state.fields) if state.fmt.directive else None
        if changed is not None:
            state.params, state.directive = changed, text
        start = index + 1
    if start < lines.num_rows:
        yield lines.slice(start), state.params

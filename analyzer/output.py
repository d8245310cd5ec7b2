"""Write tabular results as a terminal table, CSV, JSON lines, Parquet or Markdown.

Data goes to stdout (or ``-o FILE``), messages to stderr: output stays pipeable.
Every report and listing passes through here, so formats behave the same way
everywhere and golden tests can pin them. ``-o FILE`` picks the format from the
file's extension (:func:`choose_format`), like sqlite-utils and DuckDB's COPY.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console, RenderableType

from analyzer.errors import InputFileError, UsageError
from analyzer.tablefit import display_text, fit_table

if TYPE_CHECKING:  # pyarrow is imported where it is used: `appaccess --help` must start fast
    import pyarrow as pa

__all__ = ["Frame", "OutputFormat", "choose_format", "display_text", "plural", "render", "write_text"]


class OutputFormat(StrEnum):
    table = "table"  # for people: a terminal table (plain text in a .txt file)
    csv = "csv"
    json = "json"  # JSON lines: one object per row
    parquet = "parquet"
    markdown = "markdown"
    html = "html"  # reports only
    yaml = "yaml"  # `suggest` only: the suggested policy


#: What ``-o FILE`` writes, by the file's extension.
SUFFIXES: dict[str, OutputFormat] = {
    ".txt": OutputFormat.table, ".csv": OutputFormat.csv, ".json": OutputFormat.json,
    ".jsonl": OutputFormat.json, ".ndjson": OutputFormat.json, ".parquet": OutputFormat.parquet,
    ".md": OutputFormat.markdown, ".markdown": OutputFormat.markdown, ".html": OutputFormat.html,
    ".htm": OutputFormat.html, ".yaml": OutputFormat.yaml, ".yml": OutputFormat.yaml,
}

#: Formats every command that prints a table supports.
TABULAR = (OutputFormat.table, OutputFormat.csv, OutputFormat.json, OutputFormat.parquet, OutputFormat.markdown)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 policy``, ``2 policies``, ``1,000 requests``."""
    if n == 1:
        return f"1 {word}"
    if many is None:
        many = word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"
    return f"{n:,} {many}"


def choose_format(fmt: OutputFormat | str | None, out: Path | None,
                  supported: Sequence[OutputFormat] = TABULAR) -> OutputFormat:
    """The format to write: ``--format`` when given, else ``-o FILE``'s extension, else a table.

    A format the command cannot write, an extension nobody knows, or Parquet to
    a terminal is a one-line usage error naming what would work.
    """
    names = ", ".join(f.value for f in supported)
    if fmt is None:
        if out is None:
            return OutputFormat.table
        chosen = SUFFIXES.get(out.suffix.lower())
        if chosen is None or chosen not in supported:
            known = ", ".join(s for s, f in SUFFIXES.items() if f in supported)
            what = f"extension {out.suffix!r}" if out.suffix else "no extension"
            raise UsageError(f"cannot tell what to write to {out.name!r} ({what})",
                             hint=f"use one of {known}, or --format {{{names.replace(', ', ',')}}}")
        return chosen
    chosen = OutputFormat(fmt)
    if chosen not in supported:
        raise UsageError(f"--format {chosen.value} is not available here", hint=f"choose one of: {names}")
    if chosen is OutputFormat.parquet and out is None:
        raise UsageError("--format parquet needs -o FILE.parquet")
    return chosen


@dataclass(frozen=True)
class Frame:
    """A small result: column names and rows, plus an optional title and footer."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    title: str | None = None
    caption: str | None = None

    @classmethod
    def from_arrow(cls, table: pa.Table, title: str | None = None, caption: str | None = None) -> Frame:
        columns = tuple(table.column_names)
        data = [_python_values(table.column(i)) for i in range(table.num_columns)]
        rows = tuple(zip(*data, strict=True)) if data else ()
        return cls(columns, rows, title, caption)

    @classmethod
    def from_records(cls, records: Sequence[dict[str, Any]], columns: Sequence[str] | None = None,
                     title: str | None = None) -> Frame:
        cols = tuple(columns or (records[0].keys() if records else ()))
        return cls(cols, tuple(tuple(r.get(c) for c in cols) for r in records), title)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_arrow(self) -> pa.Table:
        import pyarrow as pa

        if not self.rows:
            return pa.table({c: pa.array([], pa.string()) for c in self.columns})
        arrays = []
        for i in range(len(self.columns)):
            values = [row[i] for row in self.rows]
            try:
                arrays.append(pa.array(values))
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types (status: counts, dates, text): as text
                arrays.append(pa.array([None if v is None else str(_plain(v)) for v in values], pa.string()))
        return pa.Table.from_arrays(arrays, names=list(self.columns))


def _python_values(column: Any) -> list[Any]:
    """A column as Python values; timestamps Python cannot hold (DuckDB's 'infinity' ends of policy
    intervals) become the text DuckDB prints for them instead of an OverflowError."""
    try:
        return column.to_pylist()
    except (OverflowError, ValueError):
        import pyarrow as pa
        import pyarrow.compute as pc

        if not pa.types.is_timestamp(column.type):
            raise
        ticks = pc.cast(column, pa.int64(), safe=False).to_pylist()
        out: list[Any] = []
        for tick, scalar in zip(ticks, column, strict=True):
            try:
                out.append(scalar.as_py())
            except (OverflowError, ValueError):
                out.append("infinity" if tick > 0 else "-infinity")
        return out


def _plain(value: Any) -> Any:
    """JSON/CSV-friendly value."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep="T") + ("Z" if value.tzinfo is None else "")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return json.dumps(_plain(value))
    return _plain(value)


def write_csv(frame: Frame, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.rows:
        writer.writerow([_csv_cell(v) for v in row])


def write_json(frame: Frame, stream: TextIO) -> None:
    """JSON lines: one object per row (streams well, `jq -s` makes an array)."""
    for record in frame.records():
        stream.write(json.dumps({k: _plain(v) for k, v in record.items()}, ensure_ascii=False) + "\n")


def markdown_cell(value: Any) -> str:
    """A value in a GitHub-flavoured Markdown table cell: one line, pipes and markup escaped."""
    text = " ".join(display_text(value).split())
    for char in ("\\", "|", "*", "_", "`", "<", ">", "[", "]"):
        text = text.replace(char, "\\" + char)
    return text


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[bool] | None = None) -> str:
    """A GitHub-flavoured Markdown table (numbers right-aligned)."""
    if numeric is None:
        numeric = [all(isinstance(r[i], (int, float, Decimal)) and not isinstance(r[i], bool)
                       for r in rows if r[i] is not None) and any(r[i] is not None for r in rows)
                   for i in range(len(columns))]
    lines = ["| " + " | ".join(markdown_cell(c) for c in columns) + " |",
             "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(markdown_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_markdown(frame: Frame, stream: TextIO) -> None:
    if frame.title:
        stream.write(f"### {markdown_cell(frame.title)}\n\n")
    stream.write(markdown_table(frame.columns, frame.rows))
    if frame.caption:
        stream.write(f"\n{markdown_cell(frame.caption)}\n")


def rich_table(frame: Frame, width: int | None = None) -> RenderableType:
    """``frame`` laid out for a terminal ``width`` columns wide (default: this terminal's)."""
    return fit_table(frame, width if width is not None else Console().width)


#: Width of tables written to a .txt file: wide enough that nothing is cut or left out.
FILE_WIDTH = 1000


def check_writable(*paths: Path | None) -> None:
    """Fail early, before long work, when an output file's directory is missing or read-only."""
    for path in paths:
        if path is None:
            continue
        parent = path.expanduser().resolve().parent
        if not parent.is_dir():
            raise InputFileError(f"cannot write {path}: no directory {parent}",
                                 hint="check that the directory exists and is writable")
        if not os.access(parent, os.W_OK):
            raise InputFileError(f"cannot write {path}: the directory {parent} is not writable")


@contextmanager
def open_output(out: Path) -> Iterator[TextIO]:
    """``out`` opened for writing text; a path that cannot be written is a one-line error."""
    try:
        handle = out.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise InputFileError(f"cannot write {out}: {error.strerror or error}",
                             hint="check that the directory exists and is writable") from None
    with handle:
        yield handle


def write_text(out: Path, text: str) -> None:
    with open_output(out) as handle:
        handle.write(text)


def print_to_file(out: Path, renderable: RenderableType) -> None:
    """A rich renderable as plain text in a file (no colour, nothing cut)."""
    with open_output(out) as handle:
        console = Console(file=handle, width=FILE_WIDTH, no_color=True, color_system=None, highlight=False,
                          emoji=False, soft_wrap=False)
        console.print(renderable)


def _strip_trailing(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def renderable_text(renderable: RenderableType, width: int = FILE_WIDTH) -> str:
    """What a renderable prints, as plain text without trailing spaces."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, no_color=True, color_system=None, highlight=False, emoji=False).print(
        renderable)
    return _strip_trailing(buffer.getvalue())


WRITERS: dict[OutputFormat, Callable[[Frame, TextIO], None]] = {
    OutputFormat.csv: write_csv, OutputFormat.json: write_json, OutputFormat.markdown: write_markdown}


def render(frame: Frame, fmt: OutputFormat | str = OutputFormat.table, out: Path | None = None,
           console: Console | None = None, renderable: Callable[[int], RenderableType] | None = None) -> None:
    """Write ``frame`` in ``fmt`` to ``out`` (a file) or stdout.

    ``renderable(width)`` draws the table view when the caller has a better
    one than the plain frame (reports split by site, with totals...).
    """
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.parquet:
        if out is None:
            raise UsageError("--format parquet needs -o FILE.parquet")
        try:
            import pyarrow.parquet as pq

            pq.write_table(frame.to_arrow(), out)
        except OSError as error:
            raise InputFileError(f"cannot write {out}: {error}",
                                 hint="check that the directory exists and is writable") from None
        return
    if fmt is OutputFormat.table:
        draw = renderable or (lambda width: rich_table(frame, width))
        if out is not None:
            with open_output(out) as handle:
                handle.write(renderable_text(draw(FILE_WIDTH)))
        else:
            console = console or Console()
            console.print(draw(console.width))
        return
    writer = WRITERS.get(fmt)
    if writer is None:
        raise UsageError(f"--format {fmt.value} is not available here")
    buffer = io.StringIO()
    writer(frame, buffer)
    if out is not None:
        write_text(out, buffer.getvalue())
    else:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()

"""Render tabular results as a rich table, CSV, JSON lines or Parquet.

Data goes to stdout (or ``--out``), messages to stderr: output stays pipeable.
Every report and listing passes through here, so formats behave the same way
everywhere and golden tests can pin them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table
from rich.text import Text

from analyzer.errors import UsageError


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"
    html = "html"


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
        data = [table.column(i).to_pylist() for i in range(table.num_columns)]
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
        return pa.Table.from_pylist(self.records()) if self.rows else pa.table(
            {c: pa.array([], pa.string()) for c in self.columns})


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


def display_text(value: Any) -> str:
    """A value as people read it in a table (terminal or HTML): thousands separators, dates, yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, (int, Decimal)):
        return f"{value:,}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (list, tuple)):
        return ", ".join(display_text(v) for v in value)
    return str(value)


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


def rich_table(frame: Frame) -> Table:
    table = Table(title=frame.title, caption=frame.caption, header_style="bold", show_lines=False)
    numeric = [all(isinstance(r[i], (int, float)) and not isinstance(r[i], bool)
                   for r in frame.rows if r[i] is not None) and any(r[i] is not None for r in frame.rows)
               for i in range(len(frame.columns))]
    for name, is_number in zip(frame.columns, numeric, strict=True):
        table.add_column(name, justify="right" if is_number else "left", overflow="fold")
    for row in frame.rows:
        # Text, not str: values come from logs, and rich would read "[/]" or "[bold]" in them as markup.
        table.add_row(*(Text(display_text(v)) for v in row))
    return table


def render(frame: Frame, fmt: OutputFormat | str = OutputFormat.table, out: Path | None = None,
           console: Console | None = None) -> None:
    """Write ``frame`` in ``fmt`` to ``out`` (a file) or stdout."""
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.parquet:
        if out is None:
            raise UsageError("--format parquet needs --out FILE.parquet")
        pq.write_table(frame.to_arrow(), out)
        return
    if fmt is OutputFormat.html:
        raise UsageError("--format html is only available for reports")
    if fmt is OutputFormat.table:
        if out is not None:
            with out.open("w", encoding="utf-8") as handle:
                Console(file=handle, width=200, no_color=True).print(rich_table(frame))
        else:
            (console or Console()).print(rich_table(frame))
        return
    buffer = io.StringIO()
    (write_csv if fmt is OutputFormat.csv else write_json)(frame, buffer)
    if out is not None:
        out.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()

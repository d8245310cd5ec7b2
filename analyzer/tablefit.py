"""Lay a table out for a terminal of a given width, the way people can read it.

Rich folds any cell that does not fit, so at 80 columns numbers and dates
break across lines (``26,38`` / ``4``) and snake_case headers split mid-word.
This module decides the layout instead: numbers, dates and times keep their
full width and never wrap; headers wrap only between words; long text is cut
with ``…``; when even that is too wide, the least useful columns are left out
(and the caption says which); when the columns that must stay still do not
fit, each row becomes a block of ``header value`` lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text


class Tabular(Protocol):
    """What a table needs (analyzer.output.Frame is one)."""

    @property
    def columns(self) -> tuple[str, ...]: ...
    @property
    def rows(self) -> tuple[tuple[Any, ...], ...]: ...
    @property
    def title(self) -> str | None: ...
    @property
    def caption(self) -> str | None: ...


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

#: ``Column.keep`` from which a column is never left out (higher: cut last when space is short).
ALWAYS = 10
#: Space between two columns (rich's padding, collapsed).
GAP = 2
ELLIPSIS = "…"


@dataclass(frozen=True)
class Column:
    """How one column of a frame is shown in a terminal."""

    key: str  # the frame's column name
    header: str | None = None  # a short human header; None: the key with spaces for underscores
    keep: int = 5  # when too narrow, the lowest `keep` is cut first, then left out; from ALWAYS on: never left out
    min_width: int = 8  # a text column is cut to no fewer characters than this
    cut: Literal["right", "left"] = "right"  # which end of a long text loses its characters

    @property
    def label(self) -> str:
        return self.header if self.header is not None else self.key.replace("_", " ")


def _fixed(values: Sequence[Any]) -> bool:
    """Numbers, dates, times and yes/no: values that must never be cut or wrapped."""
    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, (int, float, Decimal, dt.date, dt.datetime, dt.time))
                                 for v in present)


def _pathlike(frame: Tabular, column: str) -> bool:
    index = frame.columns.index(column)
    values = [row[index] for row in frame.rows if row[index]]
    return bool(values) and all(isinstance(v, str) and v.startswith(("/", "./", "~/")) and " " not in v
                                for v in values)


def _numeric(values: Sequence[Any]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in present)


def cut(text: str, width: int, side: Literal["right", "left"] = "right") -> str:
    """``text`` in at most ``width`` cells, with ``…`` where characters were left out."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    if side == "left":
        kept = text
        while cell_len(kept) > width - 1:
            kept = kept[1:]
        return ELLIPSIS + kept
    return set_cell_size(text, width - 1).rstrip() + ELLIPSIS


@dataclass
class _Col:
    spec: Column
    texts: list[str]
    fixed: bool
    numeric: bool
    natural: int
    minimum: int
    width: int = 0


def _prepare(frame: Tabular, specs: Sequence[Column]) -> list[_Col]:
    cols = []
    for spec in specs:
        index = frame.columns.index(spec.key)
        values = [row[index] for row in frame.rows]
        texts = [" ".join(display_text(v).split()) for v in values]  # no newline or tab inside a cell
        longest = max((cell_len(t) for t in texts), default=0)
        word = max((cell_len(w) for w in spec.label.split()), default=0)
        natural = max(longest, cell_len(spec.label))
        fixed = _fixed(values)
        minimum = max(longest, word) if fixed else min(natural, max(spec.min_width, word))
        cols.append(_Col(spec, texts, fixed, _numeric(values), natural, minimum))
    return cols


def _total(cols: Sequence[_Col], attr: str) -> int:
    return sum(getattr(c, attr) for c in cols) + GAP * max(len(cols) - 1, 0)


def _shrink(cols: list[_Col], width: int) -> None:
    """Widths from natural down towards minimum until the table fits: headers of fixed columns
    wrap first (their values never shrink), then text columns lose characters, the least
    useful first (lowest ``keep``) and, among equals, the widest first."""
    for c in cols:
        c.width = c.natural
    excess = _total(cols, "width") - width
    for c in cols:
        if excess <= 0:
            return
        if c.fixed:
            give = min(c.width - c.minimum, excess)
            c.width -= give
            excess -= give
    for level in sorted({c.spec.keep for c in cols}):
        while excess > 0:
            shrinkable = [c for c in cols if not c.fixed and c.spec.keep == level and c.width > c.minimum]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda c: c.width)
            second = max((c.width for c in shrinkable if c is not widest), default=widest.minimum)
            give = max(1, min(excess, widest.width - max(second, widest.minimum)))
            widest.width -= give
            excess -= give


def fit_table(frame: Tabular, width: int, columns: Sequence[Column] | None = None, *,
              title: str | None = None, caption: str | None = None) -> RenderableType:
    """``frame`` as a table at most ``width`` cells wide (see the module docstring).

    ``columns`` chooses and orders the columns shown, with their headers and
    priorities; by default every column, none left out.
    """
    if columns is None:  # every column, none left out; paths lose their start, not their file name
        columns = [Column(c, keep=ALWAYS, cut="left" if _pathlike(frame, c) else "right") for c in frame.columns]
    specs = list(columns)
    title = frame.title if title is None else title
    caption = frame.caption if caption is None else caption
    cols = _prepare(frame, specs)
    hidden: list[str] = []
    while _total(cols, "minimum") > width:
        droppable = [c for c in cols if c.spec.keep < ALWAYS]
        if not droppable:
            return records_view(frame, specs, width, title=title, caption=caption)
        drop = min(reversed(droppable), key=lambda c: c.spec.keep)
        hidden.append(drop.spec.label)
        cols.remove(drop)
    _shrink(cols, width)
    if hidden:
        note = f"not shown at {width} columns: {', '.join(hidden)} (-f csv has every column)"
        caption = f"{caption}; {note}" if caption else note
    table = Table(title=title, caption=caption, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  collapse_padding=True, header_style="bold", caption_justify="left")
    for c in cols:
        table.add_column(Text(c.spec.label, no_wrap=False, overflow="fold"), width=c.width, no_wrap=True,
                         justify="right" if c.numeric else "left", overflow="ellipsis")
    for i in range(len(frame.rows)):
        # Text, not str: values come from logs, and rich would read "[/]" or "[bold]" in them as markup.
        table.add_row(*(Text(c.texts[i] if c.fixed else cut(c.texts[i], c.width, c.spec.cut), no_wrap=True)
                        for c in cols))
    return table


def records_view(frame: Tabular, columns: Sequence[Column] | None, width: int, *, title: str | None = None,
                 caption: str | None = None) -> RenderableType:
    """Each row as a block of ``header  value`` lines: for tables too wide for the terminal."""
    specs = list(columns) if columns is not None else [Column(c) for c in frame.columns]
    index = [frame.columns.index(s.key) for s in specs]
    label_width = max((cell_len(s.label) for s in specs), default=0)
    parts: list[RenderableType] = []
    if title:
        parts.append(Text(title, style="bold"))
    for n, row in enumerate(frame.rows):
        grid = Table.grid(padding=(0, 2))
        grid.add_column(width=label_width, no_wrap=True, style="bold")
        grid.add_column(max_width=max(width - label_width - 2, 10), overflow="fold")
        for spec, i in zip(specs, index, strict=True):
            grid.add_row(Text(spec.label), Text(display_text(row[i])))
        if n:
            parts.append(Text(""))
        parts.append(grid)
    if caption:
        parts.append(Text(caption, style="dim"))
    return Group(*parts)

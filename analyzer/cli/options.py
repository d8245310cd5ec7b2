"""Options shared by many commands, defined once (a sqlite-utils habit), and the help they print.

Flags mean the same thing on every command:

* ``-f/--format`` is always the *output* format, with only the choices the
  command can write; ``-o/--output FILE`` writes to a file instead of stdout,
  the format taken from the extension (``.csv .json .jsonl .parquet .md .txt``,
  ``.html`` for reports, ``.yaml`` for ``suggest``).
* ``ingest --input-format`` names the format of the logs read.
* Old spellings keep working, unlisted: ``--out`` (now ``-o/--output``; on
  ``simulate`` it wrote the per-request rows, now ``--rows``) and
  ``ingest --format`` (now ``--input-format``).

:class:`AppCommand` keeps typer's internals (``{paths}...``, ``<list[str]>``,
``<float range>``) out of usage lines and help, and rewrites the old spellings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, RenderableType
from typer.core import TyperCommand, TyperGroup

from analyzer.errors import UsageError
from analyzer.masking import mask_text
from analyzer.output import TABULAR, Frame, OutputFormat, choose_format, plural, render

if TYPE_CHECKING:
    from analyzer.context import Context
    from analyzer.lake import LakeScope

DEFAULT_DB = Path(os.environ.get("APPACCESS_DB", "appaccess.duckdb"))


class AppCommand(TyperCommand):
    """A command whose usage line and help show plain metavars, and which accepts old flag spellings."""

    #: old spelling -> current spelling, rewritten before parsing
    aliases: Mapping[str, str] = {"--out": "--output"}

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        rewritten: list[str] = []
        for index, arg in enumerate(args):
            if arg == "--":
                rewritten.extend(args[index:])
                break
            name, sep, value = arg.partition("=")
            new = self.aliases.get(name)
            rewritten.append(new + sep + value if new is not None and new != name else arg)
        return super().parse_args(ctx, rewritten)

    @staticmethod
    def _argument_name(param: Any) -> str:
        name = param.metavar or param.name.upper()
        return name + ("..." if param.nargs != 1 else "")

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = ["[OPTIONS]"]
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = self._argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            if getattr(param, "hidden", False):
                continue
            if param.param_type_name == "argument":
                arguments.append((self._argument_name(param), param.help or ""))
            else:
                if param.metavar is None and not getattr(param, "is_flag", False):
                    choices = param.type_descriptor.choices if param.type_descriptor.is_choice else None
                    param.metavar = ("[" + "|".join(str(getattr(c, "value", c)) for c in choices) + "]"
                                     if choices else param.name.upper())
                record = param.get_help_record(ctx)
                if record is not None:
                    options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


class AppGroup(TyperGroup):
    """A command group whose own options (a group that also acts, like ``files``) read like a command's."""

    _argument_name = staticmethod(AppCommand._argument_name)

    def format_options(self, ctx: Any, formatter: Any) -> None:
        AppCommand.format_options(self, ctx, formatter)  # type: ignore[arg-type]
        self.format_commands(ctx, formatter)


def aliased(aliases: Mapping[str, str]) -> type[AppCommand]:
    """An :class:`AppCommand` with its own old spellings."""
    return type("AliasedCommand", (AppCommand,), {"aliases": dict(aliases)})


class AppTyper(typer.Typer):
    """typer.Typer whose commands are :class:`AppCommand` and whose help is plain text."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("rich_markup_mode", None)
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("add_completion", False)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, *, cls: type[TyperCommand] | None = None,
                **kwargs: Any) -> Any:
        return super().command(name, cls=cls or AppCommand, **kwargs)


# -- the workspace -------------------------------------------------------------------

Db = Annotated[Path, typer.Option(
    "--db", help="Workspace file (DuckDB). Default: $APPACCESS_DB or ./appaccess.duckdb.", metavar="FILE",
    dir_okay=False, show_default=False)]

Wait = Annotated[float, typer.Option(
    "--wait", help="Seconds to wait for another process to release the workspace.", min=0, metavar="SECONDS")]

Lake = Annotated[Path | None, typer.Option(
    "--lake", help="Read a lake instead of a workspace: a directory written by `appaccess spark ingest` or "
                   "`appaccess export -o DIR` (read in place, only the days and site asked for).",
    metavar="DIR", file_okay=False, show_default=False)]


def open_context(db: Path, lake: Path | None = None, *, read_only: bool = False, wait: float = 0.0,
                 scope: LakeScope | None = None) -> Context:
    """The workspace --db names, or the lake --lake names (never both). (Imported here, not at the
    top: `appaccess --help` must not load DuckDB.)"""
    from analyzer.context import Context
    from analyzer.lake import LakeScope

    if lake is None:
        return Context(db, read_only=read_only, wait=wait)
    if db != DEFAULT_DB:
        raise UsageError("--db and --lake exclude each other", hint="a command reads one workspace or one lake")
    return Context(lake=lake, scope=scope or LakeScope())


# -- output --------------------------------------------------------------------------

def _choices(name: str, formats: Sequence[OutputFormat]) -> type[StrEnum]:
    return StrEnum(name, {f.value: f.value for f in formats})  # type: ignore[return-value]


TabularFormat = _choices("TabularFormat", TABULAR)
ReportFormat = _choices("ReportFormat", (*TABULAR, OutputFormat.html))
SuggestFormat = _choices("SuggestFormat", (*TABULAR, OutputFormat.yaml))

_FORMAT_HELP = ("Output format (default: from -o FILE's extension, else table). json is JSON lines; "
                "parquet needs -o.")

Format = Annotated[TabularFormat | None, typer.Option(  # type: ignore[valid-type]
    "--format", "-f", help=_FORMAT_HELP, case_sensitive=False, show_default=False)]
ReportFmt = Annotated[ReportFormat | None, typer.Option(  # type: ignore[valid-type]
    "--format", "-f", help=_FORMAT_HELP + " html: the self-contained HTML report.", case_sensitive=False,
    show_default=False)]
SuggestFmt = Annotated[SuggestFormat | None, typer.Option(  # type: ignore[valid-type]
    "--format", "-f", help=_FORMAT_HELP + " yaml: only the suggested policy.", case_sensitive=False,
    show_default=False)]

Output = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write to FILE instead of stdout; the format comes from its extension "
                           "(.txt .csv .json .jsonl .parquet .md).", metavar="FILE", dir_okay=False,
    show_default=False)]
ReportOutput = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write to FILE instead of stdout; the format comes from its extension "
                           "(.txt .csv .json .jsonl .parquet .md .html).", metavar="FILE", dir_okay=False,
    show_default=False)]


def output_format(fmt: StrEnum | None, out: Path | None,
                  supported: Sequence[OutputFormat] = TABULAR) -> OutputFormat:
    """--format when given, else -o's extension, else table (see analyzer.output.choose_format)."""
    return choose_format(OutputFormat(fmt.value) if fmt is not None else None, out, supported)


def emit(frame: Frame, fmt: StrEnum | None, out: Path | None, *,
         renderable: Callable[[int], RenderableType] | None = None,
         supported: Sequence[OutputFormat] = TABULAR) -> OutputFormat:
    """Write ``frame`` as --format / -o ask (``renderable(width)`` draws the terminal view)."""
    chosen = output_format(fmt, out, supported)
    render(frame, chosen, out, renderable=renderable)
    if out is not None:
        say(f"wrote {plural(len(frame.rows), 'row')} to {out}" if chosen is not OutputFormat.table
            else f"wrote {out}")
    return chosen


# -- filters -------------------------------------------------------------------------

Since = Annotated[str | None, typer.Option(
    "--since", help="Only requests at or after this UTC date or time (2026-09-01, 2026-09-01T08:00Z).",
    metavar="DATE", show_default=False)]
Until = Annotated[str | None, typer.Option(
    "--until", help="Only requests before this UTC date or time.", metavar="DATE", show_default=False)]
Site = Annotated[str | None, typer.Option(
    "--site", help="Only this site, e.g. acme.atlassian.net.", metavar="SITE", show_default=False)]
AppKey = Annotated[str | None, typer.Option(
    "--app", help="Only this app key ('(unknown)' for unidentified clients).", metavar="APP", show_default=False)]
Space = Annotated[str | None, typer.Option(
    "--space", help="Only this space key or id.", metavar="SPACE", show_default=False)]
Strict = Annotated[bool, typer.Option(
    "--strict", help="Treat names that match nothing known (typos in --site/--app/--space or in a rules file) "
                     "as errors instead of warnings.")]


# -- messages ------------------------------------------------------------------------

def err_console() -> Console:
    """stderr for messages: never wrapped (a piped stderr is not 80 columns wide), no markup read."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def say(message: str) -> None:
    """One message line on stderr, printed as it is (credentials masked, see analyzer.masking)."""
    err_console().print(mask_text(message), markup=False, highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    say(f"warning: {message}")


#: Messages longer than this continue on an indented second line (where they have a natural break).
LINE = 80


def say_split(head: str, tail: str, indent: int = 2) -> None:
    """``head tail`` on one line when it fits 80 columns, else ``tail`` on an indented second line."""
    say(f"{head} {tail}" if len(head) + 1 + len(tail) <= LINE else f"{head}\n{' ' * indent}{tail}")

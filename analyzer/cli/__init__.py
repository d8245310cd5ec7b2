"""The ``appaccess`` command line: a thin layer over :class:`analyzer.Context`.

Each command parses its options, calls one library function and renders the
result. Errors are handled in one place (:class:`_AppGroup`): an
:class:`AnalyzerError` becomes one line on stderr and its exit code; other
failures become one line too, with the traceback only under ``--debug``.
"""

from __future__ import annotations

import errno
import sys
import traceback

import typer
from typer.core import TyperGroup

from analyzer.cli import state
from analyzer.cli.options import AppTyper
from analyzer.errors import AnalyzerError, ExitCode
from analyzer.masking import mask_text

#: Words of DuckDB errors that mean the workspace file is damaged, and of errors that mean the disk is full.
_CORRUPT = ("corrupt database file", "checksum", "database has been invalidated", "not a valid duckdb database",
            "could not read enough bytes", "serialization error")
_DISK_FULL = ("no space left on device", "file too large", "disk quota exceeded")
_DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
_INTERRUPTED = "interrupted (what was being written when it stopped is rolled back)"


class _AppGroup(TyperGroup):
    """Click group that turns every exception into a one-line message."""

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except AnalyzerError as error:
            _fail(str(error), error.exit_code)
        except KeyboardInterrupt:
            _fail(_INTERRUPTED, ExitCode.INTERRUPTED)
        except Exception as error:
            _handle(error)
        return None


def _handle(error: Exception) -> None:
    """The one line (and exit code) for an exception that is not appaccess's own. DuckDB is looked up,
    not imported: the CLI does not load it just to start."""
    duckdb = sys.modules.get("duckdb")
    if duckdb is not None and isinstance(error, duckdb.InterruptException):
        _fail(_INTERRUPTED, ExitCode.INTERRUPTED)
    if duckdb is not None and isinstance(error, duckdb.Error):
        _fail(*_database_error(error))
    if isinstance(error, RecursionError):
        _fail("input nested too deeply to be read", ExitCode.INPUT,
              hint="a log record, apps, rules or inventory file holds thousands of nested levels")
    if isinstance(error, OSError) and error.errno in _DISK_FULL_ERRNOS:
        _fail(f"the disk is full: {error}", ExitCode.WORKSPACE,
              hint="free some space (or raise the file size limit) and run the command again")
    # DuckDB reports Ctrl-C during a query as RuntimeError("Query interrupted")
    if isinstance(error, RuntimeError) and "interrupted" in str(error).lower():
        _fail(_INTERRUPTED, ExitCode.INTERRUPTED)
    _internal(error)  # a bug: say so plainly, once


def _database_error(error: Exception) -> tuple[str, int, str]:
    """Message, exit code and hint for an error DuckDB raised."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    text = str(error).lower()
    if any(words in text for words in _DISK_FULL):
        return (f"the disk is full: {first}", ExitCode.WORKSPACE,
                "free some space (or raise the file size limit) and run the command again; an interrupted "
                "ingest left the workspace as it was before the file it was loading")
    if any(words in text for words in _CORRUPT):
        return (f"the workspace is damaged: {first}", ExitCode.WORKSPACE,
                "restore it from a backup, or ingest the logs again into a new --db")
    return f"database error: {first}", ExitCode.ERROR, "rerun with --debug for details"


def _internal(error: BaseException) -> None:
    _fail(f"internal error: {type(error).__name__}: {error}", ExitCode.ERROR,
          hint="rerun with --debug and report the traceback")


def _fail(message: str, code: int, hint: str | None = None) -> None:
    """One line on stderr (credentials masked, as everywhere), then exit ``code``."""
    if state.debug:
        sys.stderr.write(mask_text(traceback.format_exc()))
    text = f"appaccess: error: {message}"
    if hint and not state.debug:
        text += f" ({hint})"
    typer.echo(mask_text(text), err=True)
    raise typer.Exit(int(code))


def _version(value: bool) -> None:
    if value:
        from analyzer.version import __version__

        typer.echo(f"appaccess {__version__}")
        raise typer.Exit()


app = AppTyper(
    cls=_AppGroup,
    name="appaccess",
    help="Audit and simulate Confluence Cloud app access rules from proxy, gateway and access logs.\n\n"
         "Typical flow: `appaccess ingest /var/log/nginx/`, `appaccess apps load apps.yaml`, "
         "`appaccess inventory fetch SITE` (or `inventory load spaces.csv`), `appaccess rules load rules.yaml`, "
         "then `appaccess report blocked` or `appaccess simulate proposed.yaml`.\n\n"
         "Everywhere: -f/--format is the output format and -o/--output FILE writes a file in the format of "
         "its extension; data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 error, 2 usage, "
         "3 input file, 4 workspace (missing, locked, empty, damaged) or disk full, 5 not found, 6 simulate "
         "--fail-on tripped, 130 interrupted (Ctrl-C).",
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True,
                                 callback=_version, expose_value=False),
) -> None:
    state.debug = debug


def _register() -> None:
    # Imported here so that each command module can import `app` helpers freely.
    from analyzer.cli import ingest, reports, config, data, catalog, spark  # noqa: F401, I001 (--help lists them so)


_register()


def main() -> None:
    app()


__all__ = ["app", "main"]

"""The ``appaccess`` command line: a thin layer over :class:`analyzer.Context`.

Each command parses its options, calls one library function and renders the
result. Errors are handled in one place (:class:`_AppGroup`): an
:class:`AnalyzerError` becomes one line on stderr and its exit code; other
failures become one line too, with the traceback only under ``--debug``.
"""

from __future__ import annotations

import sys
import traceback

import typer
from typer.core import TyperGroup

from analyzer.cli import state
from analyzer.cli.options import AppTyper
from analyzer.errors import AnalyzerError, ExitCode


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
            _fail("interrupted; the file being ingested was rolled back", ExitCode.INTERRUPTED)
        except Exception as error:
            if _database_error(error):
                first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                _fail(f"database error: {first}", ExitCode.ERROR, hint="rerun with --debug for details")
            # a bug: say so plainly, once
            _fail(f"internal error: {type(error).__name__}: {error}", ExitCode.ERROR,
                  hint="rerun with --debug and report the traceback")
        return None


def _database_error(error: Exception) -> bool:
    """A DuckDB error (DuckDB is imported by then: the CLI does not import it just to start)."""
    duckdb = sys.modules.get("duckdb")
    return duckdb is not None and isinstance(error, duckdb.Error)


def _fail(message: str, code: int, hint: str | None = None) -> None:
    if state.debug:
        traceback.print_exc(file=sys.stderr)
    text = f"appaccess: error: {message}"
    if hint and not state.debug:
        text += f" ({hint})"
    typer.echo(text, err=True)
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
         "3 input file, 4 workspace (missing, locked, empty), 5 not found, 6 simulate --fail-on tripped.",
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

"""One error hierarchy for everything a user can get wrong.

The CLI catches :class:`AnalyzerError` in one place, prints ``str(error)`` as a
single line on stderr and exits with ``error.exit_code``. Library callers
(notebooks, tests) catch the same types. Messages name the cause *and* the fix,
and never carry a credential: a message quoting a file (a wrong file's first
line) is masked by the one policy of :mod:`analyzer.masking` when it is made.
"""

from __future__ import annotations

from enum import IntEnum

from analyzer.masking import mask_text


class ExitCode(IntEnum):
    """Process exit codes, stable for scripts that call ``appaccess``."""

    OK = 0
    ERROR = 1  # generic failure
    USAGE = 2  # bad command line (typer/click also uses 2)
    INPUT = 3  # a file the user gave us is missing or malformed
    WORKSPACE = 4  # workspace locked, too new, corrupt
    NOT_FOUND = 5  # lookup found nothing (e.g. URL not catalogued)
    CHANGES = 6  # simulate --fail-on: the proposal changes what it was asked to fail on
    INTERRUPTED = 130


class AnalyzerError(Exception):
    """Base of every error the tool reports to users without a traceback."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = mask_text(message)
        self.hint = mask_text(hint) if hint else hint
        super().__init__(self.message)

    def __str__(self) -> str:
        text = " ".join(self.message.split())
        if self.hint:
            text = f"{text} ({' '.join(self.hint.split())})"
        return text


class UsageError(AnalyzerError):
    """Options that contradict each other or name something that does not exist."""

    exit_code = ExitCode.USAGE


class InputFileError(AnalyzerError):
    """A file the user gave is missing, unreadable or not in the expected format."""

    exit_code = ExitCode.INPUT


class FormatError(InputFileError):
    """A log file whose format is unknown, ambiguous or not what was asked for."""


class ConfigError(InputFileError):
    """apps.yaml, rules.yaml, inventory CSVs: invalid content, with file and line."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message, hint=hint)
        self.path = path
        self.line = line


class WorkspaceError(AnalyzerError):
    """The DuckDB workspace cannot be used: locked, newer, corrupt, or changed file."""

    exit_code = ExitCode.WORKSPACE


class WorkspaceLockedError(WorkspaceError):
    """Another process holds the workspace open for writing."""


class EmptyWorkspaceError(WorkspaceError):
    """The workspace holds no requests (in the window asked for): a report of it would look clean."""


class ChangesFoundError(AnalyzerError):
    """``simulate --fail-on``: the proposed rules would change what the caller asked to fail on."""

    exit_code = ExitCode.CHANGES


class NotFoundError(AnalyzerError):
    """A lookup that found nothing; not a crash, but scripts want a non-zero code."""

    exit_code = ExitCode.NOT_FOUND


class RemoteError(AnalyzerError):
    """A remote API (Confluence) refused or failed a call: credentials, permission, outage, bad reply."""


class RemoteNotFoundError(RemoteError):
    """The remote has no such resource where one must exist (e.g. a wrong site)."""

    exit_code = ExitCode.NOT_FOUND

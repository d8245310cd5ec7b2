"""What an ingest is asked to do and what it did: small value objects shared by its stages."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from analyzer.environment import TIME_WINDOW_ENV
from analyzer.errors import UsageError
from analyzer.formats.base import CANONICAL_FIELDS
from analyzer.formats.custom import CUSTOM_NAME, custom_format
from analyzer.formats.timezones import check_timezone
from analyzer.sources import SkippedFile

#: Bytes read per chunk of lines; bounds memory (a few hundred MB at most).
BATCH_BYTES = 32 << 20

#: progress(path, bytes_done, bytes_total); bytes are of the file on disk.
Progress = Callable[[str, int, int], None]

#: The environment variable holding a default --time-window.


@dataclass(frozen=True)
class TimeWindow:
    """The request times an ingest accepts; a line with a time outside is a reject saying so.

    Default: 1990-01-01 to ten years after now (a year-0 or negative-epoch timestamp is a
    broken clock or a parse of garbage, not a request). Any window lies within
    :data:`EARLIEST` .. :data:`LATEST`, so that every stored time can be shown and reported.
    """

    oldest: dt.datetime
    newest: dt.datetime

    DEFAULT_OLDEST = dt.datetime(1990, 1, 1)
    YEARS_AHEAD = 10
    EARLIEST = dt.datetime(1900, 1, 1)
    LATEST = dt.datetime(9000, 1, 1)

    def __post_init__(self) -> None:
        if self.oldest >= self.newest:
            raise UsageError(f"the time window {self} is empty", hint="the oldest time comes first: e.g. "
                                                                      "1990-01-01..2040-01-01")
        if not self.EARLIEST <= self.oldest < self.newest <= self.LATEST:
            raise UsageError(f"the time window {self} reaches beyond {self.EARLIEST:%Y-%m-%d} .. "
                             f"{self.LATEST:%Y-%m-%d}", hint="times outside those could not be reported")

    def __str__(self) -> str:
        return f"{self.oldest:%Y-%m-%d %H:%M:%S} .. {self.newest:%Y-%m-%d %H:%M:%S}".replace(" 00:00:00", "")

    @classmethod
    def default(cls, now: dt.datetime | None = None) -> TimeWindow:
        now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return cls(cls.DEFAULT_OLDEST, now.replace(year=now.year + cls.YEARS_AHEAD, day=min(now.day, 28)))

    @classmethod
    def parse(cls, text: str, source: str = "--time-window") -> TimeWindow:
        """``FROM..TO``, dates or ISO timestamps (UTC unless they say otherwise); a side left
        empty keeps its default: ``2000-01-01..`` or ``..2030-01-01``."""
        oldest_text, sep, newest_text = text.partition("..")
        if not sep:
            raise UsageError(f"{source} {text!r} is not FROM..TO", hint="e.g. 1990-01-01..2040-01-01")
        default = cls.default()
        try:
            oldest = _utc(oldest_text) if oldest_text.strip() else default.oldest
            newest = _utc(newest_text) if newest_text.strip() else default.newest
        except ValueError:
            raise UsageError(f"{source} {text!r}: not a date or timestamp",
                             hint="e.g. 1990-01-01..2040-01-01 or 2026-09-01T00:00:00Z..") from None
        try:
            return cls(oldest, newest)
        except UsageError as error:
            raise UsageError(f"{source}: {error.message}", hint=error.hint) from None

    @classmethod
    def resolve(cls, given: TimeWindow | None, env: Mapping[str, str] | None = None) -> TimeWindow:
        """``given``, else $APPACCESS_TIME_WINDOW, else the default."""
        if given is not None:
            return given
        text = (os.environ if env is None else env).get(TIME_WINDOW_ENV, "").strip()
        return cls.parse(text, TIME_WINDOW_ENV) if text else cls.default()


def _utc(text: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo is not None else parsed


@dataclass(frozen=True)
class IngestOptions:
    """How to read the inputs; the same for every file of one ingest."""

    format: str = "auto"
    fields: Mapping[str, str] = field(default_factory=dict)  # canonical -> source field
    #: re-load files from scratch: edited in place, or unchanged but read with the wrong --input-format
    replace: bool = False
    batch_bytes: int = BATCH_BYTES
    #: --log-format: a custom line layout (GoAccess-style or a regex) for every file
    log_format: str | None = None
    #: --redact-pii: hash e-mail addresses and account ids in this and every later load
    redact_pii: bool = False
    #: --timezone: the zone of logs that write local times without an offset (None: UTC, or the
    #: zone a grown file was loaded with)
    timezone: str | None = None
    #: --time-window: the request times accepted (None: $APPACCESS_TIME_WINDOW, else TimeWindow.default())
    time_window: TimeWindow | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.fields) - set(CANONICAL_FIELDS))
        if unknown:
            raise UsageError(
                f"unknown canonical field(s) in --field: {', '.join(unknown)}",
                hint=f"canonical fields are: {', '.join(CANONICAL_FIELDS)}",
            )
        if self.format == CUSTOM_NAME and self.log_format is None:
            raise UsageError("--format custom needs --log-format LAYOUT", hint="see `appaccess formats`")
        if self.log_format is not None:
            if self.format not in ("auto", CUSTOM_NAME):
                raise UsageError(f"--log-format and --format {self.format} exclude each other",
                                 hint="--log-format describes the layout itself; drop --format")
            custom_format(self.log_format)  # a bad layout fails before any file is touched
        if self.timezone is not None:
            object.__setattr__(self, "timezone", check_timezone(self.timezone))


@dataclass(frozen=True)
class FileResult:
    """What one ingest did with one file."""

    path: str
    file_id: int | None
    format: str
    action: str  # new | appended | unchanged | replaced | renamed | copy
    lines_read: int
    stored: int
    rejected: int
    skipped: int
    non_confluence: int
    seconds: float
    #: what the file is to the workspace when that needs saying: "a copy of PATH", "was PATH"...
    note: str | None = None


@dataclass(frozen=True)
class IngestResult:
    files: tuple[FileResult, ...]
    skipped_files: tuple[SkippedFile, ...] = ()  # not read: not a log, empty, damaged (with the reason)

    @property
    def lines_read(self) -> int:
        return sum(f.lines_read for f in self.files)

    @property
    def stored(self) -> int:
        return sum(f.stored for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    @property
    def non_confluence(self) -> int:
        return sum(f.non_confluence for f in self.files)

    @property
    def seconds(self) -> float:
        return sum(f.seconds for f in self.files)


@dataclass
class Counts:
    """Running totals of one file's load."""

    lines_read: int = 0
    stored: int = 0
    rejected: int = 0
    skipped: int = 0
    non_confluence: int = 0
    total_bytes: int = 0
    prefix_hash: str = ""
    unterminated: bool = False
    tail_offset: int = 0  # start of the last line read

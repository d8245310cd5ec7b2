"""What an ingest is asked to do and what it did: small value objects shared by its stages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from analyzer.errors import UsageError
from analyzer.formats.base import CANONICAL_FIELDS
from analyzer.formats.custom import CUSTOM_NAME, custom_format
from analyzer.formats.timezones import check_timezone
from analyzer.sources import SkippedFile

#: Bytes read per chunk of lines; bounds memory (a few hundred MB at most).
BATCH_BYTES = 32 << 20

#: progress(path, bytes_done, bytes_total); bytes are of the file on disk.
Progress = Callable[[str, int, int], None]


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

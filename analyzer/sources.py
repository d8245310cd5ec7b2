"""Find the files behind PATH arguments and open them, decompressing as needed.

Separate from parsing so that globs, directories, compression and the
fingerprints used for incremental ingest are handled once for every format.

Standard input (the PATH ``-``) is spooled to a hidden file next to the
workspace and ingested like any file, then removed. Files are recognised
again by content, not by name, so piping the same lines twice adds nothing,
and piping a log that grew adds only its new lines (see analyzer/ingest.py).
"""

from __future__ import annotations

import bz2
import datetime as dt
import glob
import gzip
import hashlib
import lzma
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import xxhash
import zstandard

from analyzer.errors import InputFileError

_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)
#: Bytes hashed to recognise a file again after a rename (log rotation).
HEAD_BYTES = 64 * 1024
#: The PATH that means standard input.
STDIN = "-"
#: How a spooled standard input is named (hidden, so walking the directory never picks it up).
STDIN_PREFIX = ".appaccess-stdin-"


@dataclass(frozen=True)
class SkippedFile:
    """A file an ingest did not read: not a log, empty or damaged; ``reason`` says which."""

    path: str
    reason: str
    hint: str | None = None  # what would make it readable, when something would


def is_stdin(path: str | Path) -> bool:
    """Whether ``path`` is a spooled standard input (:func:`spool_stdin`)."""
    return Path(path).name.startswith(STDIN_PREFIX)


@contextmanager
def spool_stdin(directory: Path, stream: BinaryIO) -> Iterator[Path]:
    """``stream`` copied to a new hidden file in ``directory``, removed when the block ends.

    The name carries the time it was read (``.appaccess-stdin-20260911T080000Z-xxxx``),
    which is what ``appaccess files`` shows for it afterwards.
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        handle, name = tempfile.mkstemp(prefix=f"{STDIN_PREFIX}{stamp}-", dir=directory)
    except OSError as error:
        raise InputFileError(f"cannot spool standard input to {directory}: {error.strerror or error}",
                             hint="the workspace's directory must be writable") from None
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(stream, out, 8 << 20)
        yield path
    finally:
        path.unlink(missing_ok=True)


def expand_sources(paths: Iterable[str | Path], exclude: Iterable[Path] = ()) -> list[Path]:
    """Files named by ``paths``: files as given, directories walked, globs expanded.

    Hidden files and directories are skipped when walking, and so are the
    ``exclude`` files (the workspace itself); the order is stable (sorted) so
    line numbers and file ids are reproducible.
    """
    found: list[Path] = []
    for raw in paths:
        text = str(raw)
        path = Path(text).expanduser()
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(
                p for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ))
        elif any(ch in text for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True) if Path(m).is_file())
            if not matches:
                raise InputFileError(f"no file matches {text}", hint="check the pattern and quote it")
            found.extend(matches)
        elif path.exists():
            raise InputFileError(f"{text} is neither a file nor a directory")
        else:
            raise InputFileError(f"no such file: {text}", hint="check the path")
    skip = {p.resolve() for p in exclude}
    unique: dict[Path, None] = {}
    for path in found:
        resolved = path.resolve()
        if resolved not in skip:
            unique.setdefault(resolved, None)
    return list(unique)


def compression_of(path: Path) -> str:
    """'none', 'gzip', 'zstd', 'bzip2' or 'xz', from the file's magic bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(6)
    except OSError as error:
        raise InputFileError(f"cannot read {path}: {error.strerror or error}") from error
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return "none"


class ZstdReader:
    """The content of a zstd file, every frame of it; a file that ends inside a frame (truncated)
    is an error, as gzip, bzip2 and xz make it. (zstandard's stream reader stops silently at the
    first frame's end or at a cut.) Compressed bytes go in small steps, so that a step can never
    decompress to more than a few tens of MB (zstd can pack 128 KB of one byte in 4 bytes)."""

    STEP = 2048

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.dctx = zstandard.ZstdDecompressor()
        self.frame: zstandard.ZstdDecompressionObj | None = None
        self.pending = bytearray()
        self.ended = False

    def read(self, size: int = -1) -> bytes:
        while not self.ended and (size < 0 or len(self.pending) < size):
            data = self.raw.read(self.STEP)
            if not data:
                if self.frame is not None:
                    raise EOFError("the file ends inside a zstd frame (truncated)")
                self.ended = True
                break
            while data:
                if self.frame is None:
                    self.frame = self.dctx.decompressobj()
                self.pending += self.frame.decompress(data)
                if not self.frame.eof:
                    break
                data, self.frame = self.frame.unused_data, None
        if size < 0 or size >= len(self.pending):
            out, self.pending = bytes(self.pending), bytearray()
        else:
            out = bytes(self.pending[:size])
            del self.pending[:size]
        return out

    def close(self) -> None:
        self.pending = bytearray()


class SourceStream:
    """The decompressed content of a file, plus how far into the file on disk we are."""

    def __init__(self, path: Path, compression: str | None = None) -> None:
        self.path = path
        self.compression = compression or compression_of(path)
        try:
            self.raw: BinaryIO = path.open("rb")
        except OSError as error:
            raise InputFileError(f"cannot read {path}: {error.strerror or error}") from error
        if self.compression == "gzip":
            self.stream: BinaryIO = gzip.GzipFile(fileobj=self.raw, mode="rb")  # type: ignore[assignment]
        elif self.compression == "zstd":
            self.stream = ZstdReader(self.raw)  # type: ignore[assignment]
        elif self.compression == "bzip2":
            self.stream = bz2.BZ2File(self.raw, "rb")  # type: ignore[assignment]
        elif self.compression == "xz":
            self.stream = lzma.LZMAFile(self.raw, "rb")  # type: ignore[assignment]  # noqa: SIM115
        else:
            self.stream = self.raw

    def read(self, size: int = -1) -> bytes:
        try:
            return self.stream.read(size)
        except (EOFError, zstandard.ZstdError, lzma.LZMAError, OSError) as error:
            raise InputFileError(f"{self.path}: damaged {self.compression} data ({error})") from error

    def disk_position(self) -> int:
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        if self.stream is not self.raw:
            self.stream.close()
        self.raw.close()

    def __enter__(self) -> SourceStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(path: Path, compression: str | None = None) -> SourceStream:
    """A binary stream of the file's (decompressed) content."""
    return SourceStream(path, compression)


def read_head(path: Path, size: int = HEAD_BYTES, compression: str | None = None) -> bytes:
    """The first ``size`` bytes of the decompressed content (fewer if the file is shorter)."""
    with open_source(path, compression) as stream:
        return read_exactly(stream, size)


def read_exactly(stream: BinaryIO | SourceStream, size: int) -> bytes:
    """Up to ``size`` bytes; short only at the end of the stream."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        data = stream.read(min(remaining, 8 << 20))
        if not data:
            break
        parts.append(data)
        remaining -= len(data)
    return b"".join(parts)


#: Content hashes are XXH3-128 (about ten times faster than BLAKE2b, which would cost a fifth of an
#: ingest): stored as "xxh3:<hex>". Hashes recorded by release 0.1.0 are BLAKE2b-128, bare hex; a
#: recorded hash is always checked with the algorithm that made it, so files loaded then are recognised.
XXH3 = "xxh3:"


def _hasher(like: str | None) -> Any:
    if like is not None and not like.startswith(XXH3):
        return hashlib.blake2b(digest_size=16)
    return xxhash.xxh3_128()


def _hexdigest(hasher: Any) -> str:
    return hasher.hexdigest() if isinstance(hasher, hashlib.blake2b) else XXH3 + hasher.hexdigest()


def digest(data: bytes, like: str | None = None) -> str:
    """The content hash of ``data``, made the way ``like`` (a recorded hash) was made; new: XXH3."""
    hasher = _hasher(like)
    hasher.update(data)
    return _hexdigest(hasher)


class HashingReader:
    """Wraps a stream; hashes everything read through it and counts the bytes (``like``: see digest)."""

    def __init__(self, stream: SourceStream, like: str | None = None) -> None:
        self.stream = stream
        self.hasher = _hasher(like)
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        if data:
            self.hasher.update(data)
            self.consumed += len(data)
        return data

    def skip(self, size: int) -> int:
        """Read (and hash) ``size`` bytes; returns how many there were."""
        remaining = size
        while remaining > 0:
            data = self.read(min(remaining, 8 << 20))
            if not data:
                break
            remaining -= len(data)
        return size - remaining

    def hexdigest(self) -> str:
        return _hexdigest(self.hasher)


def sample_lines(head: bytes, limit: int = 50) -> list[str]:
    """Up to ``limit`` non-empty lines of ``head`` (a possibly cut last line dropped)."""
    if len(head) >= HEAD_BYTES and b"\n" in head:
        head = head[: head.rfind(b"\n")]
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    return [line for line in lines if line.strip()][:limit]

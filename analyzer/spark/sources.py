"""The input files of a Spark ingest: listed on the driver, read by the tasks, wherever they live.

Local paths, directories and globs are expanded exactly as ``appaccess ingest`` does
(analyzer/sources.py), so file ids and paths match the single-machine path. URIs
(``s3a://``, ``s3://``, ``hdfs://``, ``gs://``, ``abfs://``, ``file://``...) go through
pyarrow's file systems (``s3a``/``s3n`` are Hadoop's names for S3), or fsspec when it is
installed and pyarrow does not know the scheme. A task copies a remote file to its local
scratch directory as it is (compressed files stay compressed: the ingest recognises them by
their bytes) and ingests the copy; the lake records the URI. Tasks add their Parquet files to
the lake the same way (:func:`upload_tree`).
"""

from __future__ import annotations

import fnmatch
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import InputFileError
from analyzer.sources import expand_sources

#: Hadoop's scheme names that pyarrow knows under another name.
_SCHEMES = {"s3a": "s3", "s3n": "s3"}


@dataclass(frozen=True)
class Source:
    """One input file: where it is and how many bytes it has (to balance the tasks)."""

    uri: str
    size: int


def is_uri(path: str) -> bool:
    return "://" in path


def _filesystem(uri: str) -> tuple[Any, str]:
    scheme, _, rest = uri.partition("://")
    normalised = f"{_SCHEMES.get(scheme.lower(), scheme)}://{rest}"
    try:
        import pyarrow.fs as pafs

        return pafs.FileSystem.from_uri(normalised)
    except Exception as error:  # unknown scheme, or no credentials: try fsspec before giving up
        try:
            import fsspec
            from pyarrow.fs import FSSpecHandler, PyFileSystem

            fs, path = fsspec.core.url_to_fs(normalised)
            return PyFileSystem(FSSpecHandler(fs)), path
        except Exception:
            raise InputFileError(f"cannot open {uri}: {error}",
                                 hint="a file system pyarrow (or fsspec) knows, with its credentials") from None


def _expand_uri(uri: str) -> list[Source]:
    import pyarrow.fs as pafs

    fs, path = _filesystem(uri)
    prefix = uri[: len(uri) - len(path)] if uri.endswith(path) else uri.split("://", 1)[0] + "://"
    if any(ch in path for ch in "*?["):
        base = path[: min(path.index(ch) for ch in "*?[" if ch in path)].rsplit("/", 1)[0]
        infos = fs.get_file_info(pafs.FileSelector(base, recursive=True, allow_not_found=True))
        found = sorted(i for i in infos if i.type == pafs.FileType.File and fnmatch.fnmatchcase(i.path, path))
        if not found:
            raise InputFileError(f"no file matches {uri}", hint="check the pattern and quote it")
        return [Source(prefix + i.path, i.size or 0) for i in sorted(found, key=lambda i: i.path)]
    info = fs.get_file_info(path)
    if info.type == pafs.FileType.File:
        return [Source(uri, info.size or 0)]
    if info.type == pafs.FileType.Directory:
        infos = fs.get_file_info(pafs.FileSelector(path, recursive=True))
        files = [i for i in infos if i.type == pafs.FileType.File
                 and not any(part.startswith(".") or part.startswith("_")
                             for part in i.path[len(path):].strip("/").split("/"))]
        return [Source(prefix + i.path, i.size or 0) for i in sorted(files, key=lambda i: i.path)]
    raise InputFileError(f"no such file: {uri}", hint="check the path")


def list_sources(paths: list[str]) -> list[Source]:
    """Every input file behind ``paths``, in the order ``appaccess ingest`` would read them."""
    found: list[Source] = []
    seen: set[str] = set()
    for path in paths:
        if is_uri(path):
            sources = _expand_uri(path)
        else:
            sources = [Source(str(p), p.stat().st_size) for p in expand_sources([path])]
        for source in sources:
            if source.uri not in seen:
                seen.add(source.uri)
                found.append(source)
    if not found:
        raise InputFileError("no input files found", hint="pass log files, directories or globs")
    return found


def localize(uri: str, scratch: Path) -> Path:
    """A local path with the file's bytes: the file itself when local, else a copy in ``scratch``."""
    if not is_uri(uri):
        return Path(uri)
    fs, path = _filesystem(uri)
    target = scratch / "input" / Path(path).name
    target.parent.mkdir(parents=True, exist_ok=True)
    with fs.open_input_stream(path, compression=None) as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out, 8 << 20)
    return target


def upload_tree(local: Path, target: str) -> None:
    """Every file under the local directory ``local`` copied to ``target`` (a path or a URI), merged
    into what is there: how a task adds its Parquet files to a lake's requests/."""
    import pyarrow.fs as pafs

    destination, path = (_filesystem(target) if is_uri(target) else (pafs.LocalFileSystem(), target))
    pafs.copy_files(str(local), path, source_filesystem=pafs.LocalFileSystem(), destination_filesystem=destination)

"""One object that the CLI, notebooks and tests share: a workspace plus its operations.

``Context`` opens the workspace lazily (read-only when asked, so several
readers can work at once) and exposes each user-facing operation as a method
that returns plain values or :class:`~analyzer.output.Frame` objects. Nothing
here prints: rendering belongs to the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from analyzer.ingest import IngestOptions, IngestResult, Progress, ingest
from analyzer.output import Frame
from analyzer.workspace import DEFAULT_PATH, Workspace


class Context:
    """A workspace and everything you can do with it."""

    def __init__(self, db: str | Path | None = None, *, read_only: bool = False, wait: float = 0.0) -> None:
        self.db = Path(db) if db is not None else DEFAULT_PATH
        self.read_only = read_only
        self.wait = wait
        self._ws: Workspace | None = None

    @property
    def ws(self) -> Workspace:
        if self._ws is None:
            self._ws = Workspace.open(self.db, read_only=self.read_only, wait=self.wait)
        return self._ws

    # -- ingest --------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], options: IngestOptions | None = None,
               progress: Progress | None = None) -> IngestResult:
        return ingest(self.ws, paths, options, progress)

    # -- workspace overview ----------------------------------------------------
    def files(self) -> Frame:
        table = self.ws.con.sql(
            "SELECT file_id, path, format, compression, lines_read, rows_stored, rows_rejected, "
            "bytes_ingested, last_ingested FROM files ORDER BY file_id").to_arrow_table()
        return Frame.from_arrow(table, title="Ingested files")

    def rejects(self, limit: int = 100, file: str | None = None) -> Frame:
        table = self.ws.con.sql(
            "SELECT f.path AS file, r.line_no, r.reason, r.raw FROM rejects r JOIN files f USING (file_id) "
            "WHERE $file IS NULL OR f.path = $file OR f.path LIKE '%' || $file "
            "ORDER BY r.file_id, r.line_no LIMIT $limit", params={"file": file, "limit": limit}
        ).to_arrow_table()
        return Frame.from_arrow(table, title="Rejected lines")

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

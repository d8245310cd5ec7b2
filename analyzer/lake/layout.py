"""What a lake is on disk: its parts, its manifest, and the configuration tables it carries.

A lake is a directory (local, or any URI the writer's file system knows) of Parquet that two
writers produce, ``appaccess export -o DIR`` on one machine and ``appaccess spark ingest`` on a
cluster, and that ``--lake DIR`` reads back as a workspace::

    DIR/manifest.json          inputs, counts per file, catalogue and schema versions, when
    DIR/requests/day=D/[site=S/]*.parquet   one row per request (queries/lake/requests.sql)
    DIR/keys/*.parquet         one row per request key (queries/lake/keys.sql)
    DIR/rejects/*.parquet      every rejected line with its reason (queries/lake/rejects.sql)
    DIR/files/*.parquet        what the workspace's `files` table holds
    DIR/config/TABLE/*.parquet the apps, inventory and policies the decisions were made with

Both writers run the same SQL files, so both meet in one format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from analyzer import sql
from analyzer.errors import UsageError, WorkspaceError
from analyzer.version import __version__
from analyzer.workspace import DECISIONS_TABLE, SCHEMA_VERSION, SQL_OBJECTS, VIEWS, catalog_fingerprint

#: The layout's own version: a reader refuses lakes of a newer one.
LAKE_VERSION = 1
MANIFEST = "manifest.json"
REQUESTS, KEYS, REJECTS, FILES, CONFIG = "requests", "keys", "rejects", "files", "config"
#: Partition columns of requests/: always the day, optionally the site.
PARTITIONS = ("day", "site")
#: Workspace tables a lake carries as they are: the configuration decisions are made with.
CONFIG_TABLES = ("apps", "app_identifiers", "sites", "spaces", "content", "policies", "policy_spaces",
                 "policy_classifications", "policy_apps", "data_policy_spaces", "confluence_content_state")


def decision_sql_fingerprint() -> str:
    """A hash of the SQL that makes decisions (macros, views, decide()): the workspace's own."""
    names = (*SQL_OBJECTS, DECISIONS_TABLE, VIEWS)
    return hashlib.sha256("\n".join(sql.load_query(n).text for n in names).encode()).hexdigest()[:16]


def check_partitions(partition_by: tuple[str, ...]) -> tuple[str, ...]:
    """``partition_by`` as a lake writes it: the day first, then the site when asked for."""
    unknown = [p for p in partition_by if p not in PARTITIONS]
    if unknown:
        raise UsageError(f"a lake cannot be partitioned by {', '.join(unknown)}",
                         hint="requests/ is partitioned by day, and by site with --partition-by site")
    return ("day", "site") if "site" in partition_by else ("day",)


@dataclass(frozen=True)
class FileEntry:
    """One input file in the manifest: what was read from it."""

    file_id: int
    path: str
    format: str
    lines_read: int
    stored: int
    rejected: int
    skipped: int


@dataclass(frozen=True)
class SkippedEntry:
    path: str
    reason: str
    hint: str | None = None


@dataclass(frozen=True)
class Manifest:
    """DIR/manifest.json: how the lake was made, and what from."""

    writer: str  # export | spark
    partition_by: tuple[str, ...]
    inputs: tuple[str, ...]
    files: tuple[FileEntry, ...]
    skipped_files: tuple[SkippedEntry, ...] = ()
    requests: int = 0
    keys: int = 0
    field_app_rows: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    window: dict[str, str | None] = field(default_factory=dict)
    pii_redacted: bool = False
    catalog: str = field(default_factory=catalog_fingerprint)
    decision_sql: str = field(default_factory=decision_sql_fingerprint)
    schema_version: int = SCHEMA_VERSION
    lake_version: int = LAKE_VERSION
    appaccess_version: str = __version__
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    def to_json(self) -> str:
        body = {"format": "appaccess-lake", **asdict(self)}
        body["counts"] = {"files": len(self.files), "skipped_files": len(self.skipped_files),
                          "lines_read": sum(f.lines_read for f in self.files),
                          "stored": sum(f.stored for f in self.files),
                          "rejected": sum(f.rejected for f in self.files),
                          "skipped": sum(f.skipped for f in self.files)}
        return json.dumps(body, indent=2, default=str) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str) -> Manifest:
        try:
            body = json.loads(text)
            if body.get("format") != "appaccess-lake":
                raise ValueError("not an appaccess lake manifest")
            version = int(body["lake_version"])
            if version > LAKE_VERSION:
                raise WorkspaceError(f"the lake {where} has layout version {version}, newer than this appaccess "
                                     f"reads ({LAKE_VERSION})", hint="upgrade appaccess")
            return cls(
                writer=body["writer"], partition_by=tuple(body["partition_by"]), inputs=tuple(body["inputs"]),
                files=tuple(FileEntry(**f) for f in body["files"]),
                skipped_files=tuple(SkippedEntry(**s) for s in body.get("skipped_files", ())),
                requests=int(body.get("requests", 0)), keys=int(body.get("keys", 0)),
                field_app_rows=int(body.get("field_app_rows", 0)), options=dict(body.get("options") or {}),
                window=dict(body.get("window") or {}), pii_redacted=bool(body.get("pii_redacted")),
                catalog=body["catalog"], decision_sql=body["decision_sql"],
                schema_version=int(body["schema_version"]), lake_version=version,
                appaccess_version=body["appaccess_version"], created_at=body["created_at"])
        except WorkspaceError:
            raise
        except (ValueError, KeyError, TypeError) as error:
            raise WorkspaceError(f"{where} is not a readable lake manifest: {error}",
                                 hint="pass --lake a directory written by `appaccess spark ingest` or "
                                      "`appaccess export -o DIR`") from None

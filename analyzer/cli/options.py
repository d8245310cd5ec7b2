"""Options shared by many commands, defined once (sqlite-utils habit)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from analyzer.output import OutputFormat

DEFAULT_DB = Path(os.environ.get("APPACCESS_DB", "appaccess.duckdb"))

Db = Annotated[Path, typer.Option(
    "--db", help="Workspace file (DuckDB). Default: $APPACCESS_DB or ./appaccess.duckdb.",
    dir_okay=False, show_default=False)]

Wait = Annotated[float, typer.Option(
    "--wait", help="Seconds to wait for another process to release the workspace.", min=0)]

Format = Annotated[OutputFormat, typer.Option(
    "--format", "-f", help="Output format: table (terminal), csv, json (JSON lines), parquet (needs --out).",
    case_sensitive=False)]

Out = Annotated[Path | None, typer.Option(
    "--out", "-o", help="Write to this file instead of stdout.", dir_okay=False)]

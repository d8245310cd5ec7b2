"""The time zone of logs that write local times without an offset (``ingest --timezone``).

Most formats carry UTC or an offset. A few write wall-clock time and nothing
else: IIS Advanced Logging's ``date-local``/``time-local`` fields (when the
log has no UTC date and time) and Zscaler NSS feeds (whose time zone is a
setting of the feed, GMT by default). Their times are read in the zone given
here, an IANA name such as ``Europe/Berlin`` (default ``UTC``), and stored as
UTC like every other time. The names are those DuckDB's ICU knows, since
DuckDB does the conversion; a name it does not know is a usage error naming
the closest ones. A wall-clock time that a daylight-saving change makes
ambiguous (the repeated hour in autumn) is read as ICU resolves it.
"""

from __future__ import annotations

import difflib
from functools import cache

import duckdb

from analyzer.errors import UsageError

DEFAULT_TIMEZONE = "UTC"


@cache
def _known() -> dict[str, str]:
    """Lower-case name -> the name as spelled in the time zone database."""
    con = duckdb.connect()
    try:
        names = [row[0] for row in con.execute("SELECT name FROM pg_timezone_names()").fetchall()]
    finally:
        con.close()
    return {name.lower(): name for name in names}


def check_timezone(name: str) -> str:
    """``name`` as the time zone database spells it, or a UsageError naming close matches."""
    text = name.strip()
    found = _known().get(text.lower())
    if found is not None:
        return found
    close = difflib.get_close_matches(text.lower(), list(_known()), n=3, cutoff=0.6)
    hint = ("did you mean " + ", ".join(_known()[c] for c in close) + "? " if close else "") + \
        "use an IANA name such as Europe/Berlin, America/New_York or UTC"
    raise UsageError(f"unknown time zone {name!r}", hint=hint)

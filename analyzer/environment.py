"""Names of the environment variables appaccess reads, in one light module.

The CLI names them in its --help, which must not load the ingest machinery
(and with it DuckDB and Arrow) just to print a variable's name.
"""

from __future__ import annotations

#: Default workspace file for --db.
DB_ENV = "APPACCESS_DB"
#: Default request-time window of ingest (--time-window).
TIME_WINDOW_ENV = "APPACCESS_TIME_WINDOW"

"""Store a batch of per-request rows: intern its keys, then append its facts.

A batch (the output of queries/ingest/row_split.sql, as Arrow) holds one row
per line. What many requests share - the target, the client identity, the
spaces a query names - is looked up in the key tables once per distinct value
of the batch, normalised and routed only when it is new
(queries/ingest/*.sql, composed by analyzer/pipeline.py), and each request is
stored as a narrow fact pointing at its request key.

The Arrow tables reach DuckDB by its replacement scan of this function's local
variables, not by con.register: inside a file's transaction DuckDB keeps every
registered table alive until the commit, which would make memory grow with the
file.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from analyzer import pipeline, sql


def _text(name: str) -> str:
    return sql.load_query(name).text


def store_rows(con: Any, file_id: int, batch: pa.Table, salt: str | None) -> None:
    """Intern the keys of ``batch`` (rows with a reject_reason are skipped) and store its facts."""
    params = {"salt": salt}
    tuples = con.sql(_text("ingest/batch_tuples")).to_arrow_table()
    if not tuples.num_rows:
        return
    resolved = con.sql(pipeline.resolve_targets("SELECT DISTINCT method, host, raw_target AS target FROM tuples"),
                       params=params).to_arrow_table()
    con.execute(_text("ingest/new_targets"))
    con.execute(_text("ingest/new_identities"), params)
    con.execute(_text("ingest/new_query_refs"), params)
    tuple_ids = con.sql(_text("ingest/tuple_keys"), params=params).to_arrow_table()
    con.execute(_text("ingest/new_request_keys"))
    con.execute(_text("ingest/store_facts"), {"file_id": file_id})
    del batch, tuples, resolved, tuple_ids  # read above by name (replacement scan)

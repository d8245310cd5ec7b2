"""Intern what requests share, and store each request as a narrow fact.

A batch of per-request rows (queries/ingest/row_split.sql's output, as Arrow)
names its keys with raw values: the target before normalisation, the client
identity, the spaces its query names. :func:`intern` looks each distinct raw
key up in the key tables, normalising and routing it only when it is new
(queries/ingest/*.sql, composed by analyzer/pipeline.py), and gives every raw
key its request key id; each request is then stored as a fact pointing at it.
The C fast path (analyzer/ingest/fast.py) calls :func:`intern` with the keys
it saw first and builds its facts itself.

The Arrow tables reach DuckDB by its replacement scan of these functions' local
variables, not by con.register: inside a file's transaction DuckDB keeps every
registered table alive until the commit, which would make memory grow with the
file.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from analyzer import pipeline, sql

#: The columns of `facts` (queries/schema/workspace.sql), file_id first.
FACTS_SCHEMA = pa.schema([
    ("file_id", pa.int32()), ("line_no", pa.int64()), ("ts", pa.timestamp("us")), ("key_id", pa.int32()),
    ("status", pa.int16()), ("bytes", pa.int64()), ("duration_ms", pa.float64()), ("query", pa.string()),
    ("extra", pa.string()),
])


def _text(name: str) -> str:
    return sql.load_query(name).text


def target_ids(con: Any, raw: pa.Table, salt: str | None) -> pa.Table:
    """Distinct raw targets (method, host, raw_target) -> the same with `target_id`; the new ones are
    normalised, routed and stored first."""
    resolved = con.sql(pipeline.resolve_targets("SELECT DISTINCT method, host, raw_target AS target FROM raw"),
                       params={"salt": salt}).to_arrow_table()
    con.execute(_text("ingest/new_targets"))
    found = con.sql(_text("ingest/target_ids")).to_arrow_table()
    del raw, resolved  # read above by name (replacement scan)
    return found


def identity_ids(con: Any, clients: pa.Table, salt: str | None) -> pa.Table:
    """Client identities (user_agent, jwt_iss, client_id, remote_user, client_ip, app_key and any other
    columns) -> the same with `identity_id`; the new ones are stored first."""
    con.execute(_text("ingest/new_identities"), {"salt": salt})
    found = con.sql(_text("ingest/identity_ids"), params={"salt": salt}).to_arrow_table()
    del clients  # read above by name (replacement scan)
    return found


def qref_ids(con: Any, lists: pa.Table, salt: str | None) -> pa.Table:
    """Sets of spaces queries name (query_space_keys, query_space_ids and any other columns) -> the same
    with `qref_id` (NULL for none); the new sets are stored first."""
    con.execute(_text("ingest/new_query_refs"), {"salt": salt})
    found = con.sql(_text("ingest/qref_ids"), params={"salt": salt}).to_arrow_table()
    del lists  # read above by name (replacement scan)
    return found


def key_ids(con: Any, triples: pa.Table) -> pa.Table:
    """(target_id, identity_id, qref_id and any other columns) -> the same with `key_id`; the new request
    keys are stored first."""
    con.execute(_text("ingest/new_request_keys"))
    found = con.sql(_text("ingest/key_ids")).to_arrow_table()
    del triples  # read above by name (replacement scan)
    return found


def intern(con: Any, tuples: pa.Table, salt: str | None) -> pa.Table:
    """Distinct raw keys (the columns of queries/ingest/batch_tuples.sql) with their `key_id`."""
    targets_found = target_ids(con, tuples.select(["method", "host", "raw_target"]), salt)
    clients_found = identity_ids(con, con.sql(
        "SELECT DISTINCT user_agent, jwt_iss, client_id, remote_user, client_ip, app_key FROM tuples"
    ).to_arrow_table(), salt)
    lists_found = qref_ids(con, con.sql(
        "SELECT DISTINCT query_space_keys, query_space_ids FROM tuples").to_arrow_table(), salt)
    triples = con.sql(
        "SELECT u.*, t.target_id, c.identity_id, l.qref_id FROM tuples AS u "
        "JOIN targets_found AS t ON t.raw_method = u.method AND t.raw_host IS NOT DISTINCT FROM u.host "
        "AND t.raw_target = u.raw_target "
        "JOIN clients_found AS c ON c.user_agent IS NOT DISTINCT FROM u.user_agent "
        "AND c.jwt_iss IS NOT DISTINCT FROM u.jwt_iss AND c.client_id IS NOT DISTINCT FROM u.client_id "
        "AND c.remote_user IS NOT DISTINCT FROM u.remote_user AND c.client_ip IS NOT DISTINCT FROM u.client_ip "
        "AND c.app_key IS NOT DISTINCT FROM u.app_key "
        "JOIN lists_found AS l ON l.query_space_keys IS NOT DISTINCT FROM u.query_space_keys "
        "AND l.query_space_ids IS NOT DISTINCT FROM u.query_space_ids",
    ).to_arrow_table()
    del targets_found, clients_found, lists_found  # read above by name (replacement scan)
    return key_ids(con, triples)


def batch_facts(con: Any, file_id: int, batch: pa.Table, salt: str | None) -> pa.Table:
    """The facts (FACTS_SCHEMA, in line order) of the good rows of ``batch``, their keys interned."""
    tuples = con.sql(_text("ingest/batch_tuples")).to_arrow_table()
    if not tuples.num_rows:
        return FACTS_SCHEMA.empty_table()
    keyed = intern(con, tuples, salt)
    facts = con.sql(_text("ingest/batch_facts"), params={"file_id": file_id}).to_arrow_table()
    del batch, keyed  # read above by name (replacement scan)
    return facts


def insert_facts(con: Any, facts: pa.Table) -> None:
    """Append facts (FACTS_SCHEMA) to the workspace."""
    facts_in = facts  # noqa: F841 - read by name (replacement scan)
    con.execute("INSERT INTO facts SELECT * FROM facts_in")


def store_rows(con: Any, file_id: int, batch: pa.Table, salt: str | None) -> None:
    """Intern the keys of ``batch`` (rows with a reject_reason are skipped) and store its facts."""
    facts = batch_facts(con, file_id, batch, salt)
    if facts.num_rows:
        insert_facts(con, facts)

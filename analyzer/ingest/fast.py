"""Store what the C fast path parsed (analyzer/formats/fastclf.py) for one file.

The C parser numbers the request keys it meets (its *pairs* of target and
client); the first time it meets one, the key goes through
analyzer/ingest/keys.py like any batch's keys, and :class:`FastKeys`
remembers the workspace's key id for it. Every later line with that key costs
an array look-up. The lines C declined take the SQL parser; both kinds of
facts are stored together, in line order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analyzer import masking
from analyzer.formats.fastclf import FastChunk
from analyzer.ingest.keys import FACTS_SCHEMA, identity_ids, insert_facts, key_ids, qref_ids, target_ids
from analyzer.ingest.options import Counts


class FastKeys:
    """One file's C parser ids, as workspace ids (valid inside the file's transaction): per target id its
    target and query-spaces ids, per client id its identity id, per pair its request key id."""

    def __init__(self) -> None:
        self.target_of = np.empty(0, dtype=np.int32)
        self.qref_of = np.empty(0, dtype=np.float64)  # NaN: the query names no space
        self.identity_of = np.empty(0, dtype=np.int32)
        self.key_of_pair = np.empty(0, dtype=np.int32)

    def learn(self, con: Any, chunk: FastChunk, salt: str | None) -> None:
        """Intern the keys ``chunk`` met first; each kind only when there are new ones (the SQL that
        interns them costs more to plan than to run)."""
        if chunk.new_targets:
            first = len(self.target_of)
            raw = pa.table({
                "method": [t[0] for t in chunk.new_targets], "host": [t[1] for t in chunk.new_targets],
                "raw_target": [t[2] for t in chunk.new_targets],
                "named_query": pa.array([t[3] for t in chunk.new_targets], pa.string()),
                "local": pa.array(range(first, first + len(chunk.new_targets)), pa.int32()),
            })
            found = target_ids(con, raw.select(["method", "host", "raw_target"]), salt)
            lists = con.sql(
                "SELECT r.local, f.target_id, "
                "CASE WHEN named_query IS NOT NULL THEN NULLIF(aa_query_space_keys(named_query), []) END "
                "AS query_space_keys, "
                "CASE WHEN named_query IS NOT NULL THEN NULLIF(aa_query_space_ids(named_query), []) END "
                "AS query_space_ids FROM raw AS r JOIN found AS f ON f.raw_method = r.method "
                "AND f.raw_host IS NOT DISTINCT FROM r.host AND f.raw_target = r.raw_target").to_arrow_table()
            named = lists if pc_any_named(lists) else None
            ids = qref_ids(con, named, salt) if named is not None else lists.append_column(
                "qref_id", pa.nulls(lists.num_rows, pa.int32()))
            order = _order(ids, len(chunk.new_targets))
            self.target_of = np.concatenate([self.target_of, ids.column("target_id").to_numpy()[order]])
            qref = ids.column("qref_id").cast(pa.float64()).to_numpy(zero_copy_only=False)[order]
            self.qref_of = np.concatenate([self.qref_of, qref])
            del found  # read above by name (replacement scan)
        if chunk.new_clients:
            first = len(self.identity_of)
            clients = pa.table({
                "user_agent": pa.array([c[0] for c in chunk.new_clients], pa.string()),
                "jwt_iss": pa.nulls(len(chunk.new_clients), pa.string()),
                "client_id": pa.nulls(len(chunk.new_clients), pa.string()),
                "remote_user": pa.array([c[2] for c in chunk.new_clients], pa.string()),
                "client_ip": pa.array([c[1] for c in chunk.new_clients], pa.string()),
                "app_key": pa.nulls(len(chunk.new_clients), pa.string()),
                "local": pa.array(range(first, first + len(chunk.new_clients)), pa.int32()),
            })
            ids = identity_ids(con, clients, salt)
            order = _order(ids, len(chunk.new_clients))
            self.identity_of = np.concatenate([self.identity_of, ids.column("identity_id").to_numpy()[order]])
        if chunk.new_pairs:
            first = len(self.key_of_pair)
            pairs = np.array(chunk.new_pairs, dtype=np.int64).reshape(-1, 2)
            qref = self.qref_of[pairs[:, 0]]
            triples = pa.table({
                "target_id": pa.array(self.target_of[pairs[:, 0]]),
                "identity_id": pa.array(self.identity_of[pairs[:, 1]]),
                "qref_id": pa.array(np.nan_to_num(qref).astype(np.int32), mask=np.isnan(qref)),
                "local": pa.array(np.arange(first, first + len(pairs), dtype=np.int32)),
            })
            ids = key_ids(con, triples)
            order = _order(ids, len(pairs))
            self.key_of_pair = np.concatenate([self.key_of_pair, ids.column("key_id").to_numpy()[order]])


def _order(ids: pa.Table, expected: int) -> np.ndarray:
    """The rows of ``ids`` in the order of their `local` id; each new local id must have come back once."""
    local = ids.column("local").to_numpy()
    if len(local) != expected or len(np.unique(local)) != expected:
        raise RuntimeError(f"interning returned {len(local)} rows for {expected} new keys")
    return np.argsort(local)


def pc_any_named(lists: pa.Table) -> bool:
    """Whether any new target's query names a space."""
    return lists.column("query_space_keys").null_count < lists.num_rows or \
        lists.column("query_space_ids").null_count < lists.num_rows


def fast_facts(file_id: int, chunk: FastChunk, keys: FastKeys) -> pa.Table:
    """The facts (FACTS_SCHEMA) of the lines C parsed, in line order."""
    rows = chunk.rows
    n = rows.num_rows
    key_id = keys.key_of_pair[rows.column("pair").to_numpy()]
    return pa.table([
        pa.array(np.full(n, file_id, dtype=np.int32)), rows.column("line_no"), rows.column("ts"),
        pa.array(key_id), rows.column("status"), rows.column("bytes"), pa.nulls(n, pa.float64()),
        rows.column("query"), pa.nulls(n, pa.string()),
    ], schema=FACTS_SCHEMA)


def mask_queries(con: Any, query: pa.ChunkedArray) -> pa.ChunkedArray:
    """The queries C kept, masked by the SQL policy (aa_mask_text, as queries/ingest/row_split.sql masks
    the SQL parser's): the cheap screen runs here over the whole column, the masking in DuckDB over the
    few queries it lets through."""
    suspect = pc.fill_null(pc.match_substring_regex(query, masking.screen_pattern()), False)
    if not pc.any(suspect).as_py():
        return query
    screened = pa.table({"q": query.filter(suspect)})  # noqa: F841 - read by name (replacement scan)
    masked = con.sql("SELECT aa_mask_screened(q) AS q FROM screened").to_arrow_table().column(0)
    return pa.chunked_array([pc.replace_with_mask(query.combine_chunks(), suspect.combine_chunks(),
                                                  masked.combine_chunks().cast(pa.string()))])


def store_fast_chunk(con: Any, file_id: int, chunk: FastChunk, keys: FastKeys, counts: Counts, salt: str | None,
                     declined_facts: pa.Table) -> None:
    """Store one chunk: the C-parsed lines' facts and ``declined_facts`` (what the SQL parser made of the
    lines C declined) in line order. With --redact-pii the queries are redacted here, per row."""
    keys.learn(con, chunk, salt)
    facts = fast_facts(file_id, chunk, keys)
    facts = facts.set_column(7, "query", mask_queries(con, facts.column("query")))
    if salt is not None and facts.num_rows:
        facts_q = facts  # noqa: F841 - read by name (replacement scan)
        redacted = con.sql("SELECT aa_redact_pii(query, $salt) AS q FROM facts_q", params={"salt": salt})
        facts = facts.set_column(7, "query", redacted.to_arrow_table().column(0).cast(pa.string()))
    if declined_facts.num_rows:
        facts = pa.concat_tables([facts, declined_facts]).sort_by("line_no")
    counts.stored += chunk.rows.num_rows
    if facts.num_rows:
        insert_facts(con, facts)

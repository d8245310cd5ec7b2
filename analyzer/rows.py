"""Every stored request as one row again, streamed in stored order: what `appaccess export` writes.

SQL computes the two sides (queries/export/): the few rows of what requests
share - each decision row with its key's target and identity, or each request
key - and the facts in stored order. Joining them in SQL would cost a hash
join per request and lose the order (a global sort to get it back costs more
than the rest together), so this module composes them by position instead:
each request finds its decision row by its key and the policy epoch its time
falls in (a binary search over the few epoch boundaries), and the shared
columns become Arrow dictionary arrays over the small side - nothing per
request is copied but its own fields, and writers (Parquet especially) keep
the dictionaries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from analyzer import sql
from analyzer.workspace import Workspace

#: Requests per record batch.
BATCH_ROWS = 1 << 20

#: `appaccess export --what decisions` columns, in order (those of release 0.1.0's export/decisions).
DECISION_COLUMNS = ("file", "line_no", "ts", "site", "method", "path", "query", "status", "app_key", "auth",
                    "endpoint_method", "endpoint_path", "api_version", "api_blocked", "endpoint_name", "scope",
                    "space_key", "space_id", "classification", "decision", "policy", "exempt_by", "observed_denied",
                    "user_agent", "client_ip", "jwt_iss", "client_id")

#: `appaccess export --what requests` columns, in order (the `requests` view's).
REQUEST_COLUMNS = ("file_id", "line_no", "ts", "method", "host", "cloud_id", "path", "query", "status", "bytes",
                   "duration_ms", "client_ip", "user_agent", "remote_user", "jwt_iss", "client_id", "app_key",
                   "extra", "api_version", "is_wiki", "endpoint_id", "path_space_key", "path_space_id",
                   "path_content_id", "query_space_keys", "query_space_ids")

_ALLOWED_LIKE = ("not_confluence", "not_catalogued", "allowed")
#: DuckDB's '-infinity' timestamp reaches Arrow as (nearly) the smallest int64: anything below this is it.
_EPOCH_FLOOR = -(1 << 62)


def _fetch(ws: Workspace, name: str, params: dict[str, Any] | None = None) -> pa.Table:
    query = sql.load_query(name)
    return ws.con.sql(query.text, params=sql.bind(query, params) or None).to_arrow_table()


def _facts(ws: Workspace, since: dt.datetime | None, until: dt.datetime | None) -> Iterator[pa.RecordBatch]:
    query = sql.load_query("export/fact_rows")
    cursor = ws.con.cursor()  # its own: the caller may read from the workspace connection meanwhile
    reader = cursor.sql(query.text, params=sql.bind(query, {"since": since, "until": until})).to_arrow_reader(
        BATCH_ROWS)
    try:
        empty = True
        for batch in reader:
            empty = False
            yield batch
        if empty:  # one empty batch, so that consumers see the columns
            yield pa.RecordBatch.from_pylist([], schema=reader.schema)
    finally:
        cursor.close()


class _Shared:
    """A column of the small side, placed request by request: a string column as a dictionary of its
    distinct values (a NULL is a null index: writers take no NULL inside a dictionary), others taken."""

    def __init__(self, values: pa.Array) -> None:
        self.values = values
        self.text = pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
        if self.text:
            encoded = values.cast(pa.string()).dictionary_encode()
            self.dictionary = encoded.dictionary
            self.codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)

    def at(self, index: np.ndarray) -> pa.Array:
        if not self.text:
            return self.values.take(pa.array(index))
        codes = self.codes[index]
        null = codes < 0
        return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32(), mask=null if null.any() else None),
                                              self.dictionary)


def _batches(reader: Iterator[pa.RecordBatch], rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """Batches of about ``rows`` requests (fewer, bigger row groups for the writers)."""
    pending: list[pa.RecordBatch] = []
    size = 0
    for batch in reader:
        pending.append(batch)
        size += batch.num_rows
        if size >= rows:
            yield pa.Table.from_batches(pending).combine_chunks().to_batches()[0]
            pending, size = [], 0
    if pending:
        table = pa.Table.from_batches(pending).combine_chunks()
        yield from (table.to_batches() or [pa.RecordBatch.from_pylist([], schema=pending[0].schema)])


class _DecisionIndex:
    """Which row of export/decision_keys each request takes: by key (and field app) and epoch."""

    def __init__(self, keys: pa.Table, field_apps: pa.Table) -> None:
        starts = keys.column("starts").cast(pa.int64(), safe=False).to_numpy(zero_copy_only=False)
        bounds = np.unique(starts[starts > _EPOCH_FLOOR]) if len(starts) else np.empty(0, np.int64)
        self.bounds = bounds
        key_ids = keys.column("key_id").to_numpy()
        fapps = keys.column("fapp").to_pylist()
        slots: dict[tuple[int, str], int] = {}
        for key_id, fapp in zip(key_ids.tolist(), fapps, strict=True):
            slots.setdefault((key_id, fapp), len(slots))
        self.slots = slots
        n_epochs = len(bounds) + 1
        self.table = np.full((max(len(slots), 1), n_epochs), -1, dtype=np.int64)
        ends = keys.column("ends").cast(pa.int64(), safe=False).to_numpy(zero_copy_only=False)
        first_epoch = np.searchsorted(bounds, starts, side="right")
        last_epoch = np.searchsorted(bounds, ends, side="left")  # [first, last] epochs the interval covers
        for row, (key_id, fapp) in enumerate(zip(key_ids.tolist(), fapps, strict=True)):
            self.table[slots[(key_id, fapp)], first_epoch[row]:last_epoch[row] + 1] = row
        # key ids may be sparse (a lake's are 64-bit hashes): looked up by binary search, not by position
        plain = sorted((key_id, slot) for (key_id, fapp), slot in slots.items() if fapp == "")
        self.plain_keys = np.array([k for k, _ in plain], dtype=np.int64)
        self.plain_slots = np.array([s for _, s in plain], dtype=np.int64)
        # requests a field identifier claims: (file_id, line_no) -> app, sorted for look-ups
        self.fa_pos = (field_apps.column("file_id").to_numpy().astype(np.int64) << 40) | \
            field_apps.column("line_no").to_numpy().astype(np.int64)
        self.fa_app = field_apps.column("app").to_pylist()

    def rows(self, facts: pa.RecordBatch) -> np.ndarray:
        key_id = facts.column("key_id").to_numpy()
        ts = facts.column("ts").cast(pa.int64()).to_numpy()
        slot = _lookup(self.plain_keys, self.plain_slots, key_id)
        if len(self.fa_pos):
            pos = (facts.column("file_id").to_numpy().astype(np.int64) << 40) | facts.column("line_no").to_numpy()
            at = np.searchsorted(self.fa_pos, pos)
            hit = np.flatnonzero((at < len(self.fa_pos)) & (self.fa_pos[np.minimum(at, len(self.fa_pos) - 1)] == pos))
            for i in hit.tolist():
                slot[i] = self.slots[(int(key_id[i]), self.fa_app[at[i]])]
        index = self.table[slot, np.searchsorted(self.bounds, ts, side="right")]
        if (slot < 0).any() or (index < 0).any():
            raise RuntimeError("a stored request has no decision row: decide the workspace again")
        return index


def _lookup(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """values[i] where keys[i] == wanted (keys sorted), -1 where no key is."""
    if not len(keys):
        return np.full(len(wanted), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, values[at], -1)


def _observed_denied(decision: np.ndarray, guard: np.ndarray, status: pa.Array) -> pa.Array:
    """decisions.observed_denied per request, three-valued as the `decisions` view makes it."""
    status_values = status.fill_null(0).to_numpy()
    denied = (status_values == 403) | (status_values == 404)
    status_null = status.is_null().to_numpy(zero_copy_only=False)
    blocked = decision == 1
    allowed_like = decision == 0
    value = np.where(blocked, denied, False)
    # blocked: NULL when the status is; allowed-like: false when any known term is false, else NULL
    null = (blocked & status_null) | (allowed_like & guard & (denied | status_null))
    return pa.array(value, pa.bool_(), mask=null)


def decision_batches(ws: Workspace, since: dt.datetime | None = None,
                     until: dt.datetime | None = None) -> Iterator[pa.RecordBatch]:
    """Every stored request in the window with its decision (DECISION_COLUMNS), in stored order."""
    keys = _fetch(ws, "export/decision_keys")
    field_apps = ws.con.sql("SELECT file_id, line_no, app FROM field_app_rows ORDER BY file_id, line_no"
                            ).to_arrow_table()
    files = ws.con.sql("SELECT file_id, path FROM files ORDER BY file_id").to_arrow_table()
    file_ids = files.column("file_id").to_numpy()
    file_slot = np.zeros(int(file_ids.max()) + 1 if len(file_ids) else 1, dtype=np.int64)
    file_slot[file_ids] = np.arange(len(file_ids))
    paths = files.column("path")
    index = _DecisionIndex(keys, field_apps)
    decisions = keys.column("decision").to_pylist()
    kind = np.array([0 if d in _ALLOWED_LIKE else 1 if d == "blocked" else 2 for d in decisions], dtype=np.int8)
    apps, auths = keys.column("app_key").to_pylist(), keys.column("auth").to_pylist()
    guard = np.array([app is not None and (auth or "") != "api_token" for app, auth in zip(apps, auths, strict=True)],
                     dtype=bool)
    shared = {name: _Shared(keys.column(name).combine_chunks()) for name in DECISION_COLUMNS
              if name in keys.column_names}
    for facts in _batches(_facts(ws, since, until)):
        row = index.rows(facts)
        columns: dict[str, pa.Array] = {
            "file": pa.DictionaryArray.from_arrays(
                pa.array(file_slot[facts.column("file_id").to_numpy()], pa.int32()), paths.combine_chunks()),
            "line_no": facts.column("line_no"), "ts": facts.column("ts"), "query": facts.column("query"),
            "status": facts.column("status"),
            "observed_denied": _observed_denied(kind[row], guard[row], facts.column("status")),
        }
        for name, values in shared.items():
            columns[name] = values.at(row)
        yield pa.RecordBatch.from_arrays([columns[name] for name in DECISION_COLUMNS], names=list(DECISION_COLUMNS))


def request_batches(ws: Workspace, since: dt.datetime | None = None,
                    until: dt.datetime | None = None) -> Iterator[pa.RecordBatch]:
    """Every stored request in the window (REQUEST_COLUMNS), in stored order."""
    keys = _fetch(ws, "export/request_keys")  # ordered by key_id
    key_ids = keys.column("key_id").to_numpy().astype(np.int64)
    positions = np.arange(len(key_ids), dtype=np.int64)
    shared = {name: _Shared(keys.column(name).combine_chunks()) for name in REQUEST_COLUMNS
              if name in keys.column_names}
    own = ("file_id", "line_no", "ts", "query", "status", "bytes", "duration_ms", "extra")
    for facts in _batches(_facts(ws, since, until)):
        row = _lookup(key_ids, positions, facts.column("key_id").to_numpy())
        if (row < 0).any():
            raise RuntimeError("a stored request has no request key")
        columns = {name: facts.column(name) for name in own}
        for name, values in shared.items():
            columns[name] = values.at(row)
        yield pa.RecordBatch.from_arrays([columns[name] for name in REQUEST_COLUMNS], names=list(REQUEST_COLUMNS))

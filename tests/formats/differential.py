"""Differential check of a sample: every synthetic line is stored as the request it was rendered from.

The samples of scripts/samples_fronts.py are N requests of analyzer.synth.generate_requests(N, seed)
rendered by one formatter; this regenerates the requests and compares them, line by line, with what
the ingest stored - method, host, cloud id, path, query, status, bytes, time, duration (to 1 ms),
client, user agent and, where the format logs them, the identity fields. The expected values come
from the generator, never from the parser.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from analyzer.synth import SynthRequest, generate_requests
from analyzer.workspace import Workspace

N = 300
Precision = Literal["s", "ms", "us"]
COLUMNS = ("method", "host", "cloud_id", "path", "query", "status", "bytes", "ts", "client_ip", "user_agent",
           "remote_user", "jwt_iss", "client_id", "duration_ms")


def _truncate(ts: dt.datetime, precision: Precision) -> dt.datetime:
    if precision == "s":
        return ts.replace(microsecond=0)
    if precision == "ms":
        return ts.replace(microsecond=ts.microsecond // 1000 * 1000)
    return ts


def expected(r: SynthRequest, precision: Precision, query: bool, identity: tuple[str, ...]) -> dict[str, Any]:
    """What the ingest must store for ``r``."""
    path, _, query_text = r.target.partition("?")
    cloud_id = None
    if path.startswith("/ex/confluence/"):
        cloud_id = path.split("/")[3]
        path = path[len("/ex/confluence/") + len(cloud_id):] or "/"
    jwt_iss = None
    if r.authorization and r.authorization.startswith("JWT "):
        jwt_iss = "backup-pro-connect"
    values = {
        "method": r.method, "host": r.scheme_host.split("://", 1)[1], "cloud_id": cloud_id, "path": path,
        "query": (query_text or None) if query else None, "status": r.status, "bytes": r.bytes,
        "ts": _truncate(r.ts, precision), "client_ip": r.client_ip, "user_agent": r.user_agent,
        "remote_user": r.remote_user, "jwt_iss": jwt_iss, "client_id": r.client_id, "duration_ms": r.duration_ms,
    }
    for name in ("remote_user", "jwt_iss", "client_id"):
        if name not in identity:
            values[name] = None
    return values


def assert_matches_synthetic(ws: Workspace, file_id: int, seed: int, *, first_line: int = 1,
                             precision: Precision = "us", query: bool = True,
                             identity: tuple[str, ...] = ()) -> None:
    """Lines first_line .. first_line+N-1 of the file hold generate_requests(N, seed), in order.

    ``query=False``: the format logs no query string. ``identity``: the identity columns the
    format carries (others must be empty). With "us" precision a time may differ by under a
    millisecond (epoch floats).
    """
    cursor = ws.con.execute(
        f"SELECT line_no, {', '.join(COLUMNS)} FROM requests WHERE file_id = ? AND line_no BETWEEN ? AND ? "
        "ORDER BY line_no", [file_id, first_line, first_line + N - 1])
    stored = {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in cursor.fetchall()}
    missing = [first_line + i for i in range(N) if first_line + i not in stored]
    assert not missing, f"synthetic lines not stored: {missing[:10]}"
    mismatches = []
    for i, request in enumerate(generate_requests(N, seed)):
        want = expected(request, precision, query, identity)
        got = stored[first_line + i]
        if precision == "us" and abs(got["ts"] - want["ts"]) < dt.timedelta(milliseconds=1):
            got = {**got, "ts": want["ts"]}
        if got["duration_ms"] is not None and abs(got["duration_ms"] - want["duration_ms"]) <= 1.0:
            got = {**got, "duration_ms": want["duration_ms"]}  # logs round durations to their unit
        diff = {k: (got[k], want[k]) for k in COLUMNS if got[k] != want[k]}
        if diff:
            mismatches.append((first_line + i, diff))
    assert not mismatches, f"{len(mismatches)} lines differ from their synthetic request, e.g. {mismatches[:3]}"
    if identity:  # the sample exercises each identity column it claims to carry
        for name in identity:
            assert any(row[name] for row in stored.values()), f"no line yields {name}"

"""Differential tests: synthetic requests rendered in each egress-proxy / W3C-family format are stored
with exactly the fields the generator drew (time, method, host, path, query, status, bytes, client,
and the identity fields the format carries).

The expectation comes from analyzer.synth's SynthRequest objects, not from the parser: the renderers
in analyzer/synth_proxy.py write each product's documented layout, the parsers read it back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from analyzer.synth import FORMATTERS, SynthRequest, generate_requests, header_lines
from analyzer.workspace import Workspace
from tests.formats.support import ingest_one

N = 120


@dataclass(frozen=True)
class Case:
    fmt: str  # the format auto-detection must choose
    ts_precision: str  # second | millisecond
    duration: str | None  # ms: whole milliseconds; s: seconds with 3 decimals; None: not logged
    user_agent: bool
    remote_user: str | None  # "user": the request's user; a literal: what the format logs instead
    jwt: bool = False  # the Authorization header is logged
    options: tuple[tuple[str, Any], ...] = ()


CASES: dict[str, Case] = {
    "proxysg": Case("proxysg", "second", "ms", True, "user"),
    "cloudfront": Case("cloudfront", "second", "s", True, None),
    "iis_advanced": Case("w3c", "millisecond", "ms", True, "user", options=(("timezone", "Europe/Berlin"),)),
    "zscaler": Case("zscaler", "second", "ms", True, "dc-fra-gre"),
    "zscaler_json": Case("zscaler_json", "second", "ms", True, "dc-fra-gre"),
    "squid_common": Case("squid_common", "second", None, False, "user"),
    "squid_combined": Case("squid_combined", "second", None, True, "user"),
    "squid_mime": Case("squid", "millisecond", "ms", True, "user", jwt=True),
}


def _path_query(target: str) -> tuple[str | None, str, str | None]:
    """(cloud id, path, query) as the target splitter stores them."""
    path, _, query = target.partition("?")
    cloud_id = None
    if path.startswith("/ex/confluence/"):
        cloud_id = path.split("/")[3]
        path = path[len("/ex/confluence/") + len(cloud_id):]
    return cloud_id, path, query or None


def _expected(r: SynthRequest, case: Case) -> dict[str, Any]:
    cloud_id, path, query = _path_query(r.target)
    ts = r.ts.replace(microsecond=0) if case.ts_precision == "second" else r.ts.replace(
        microsecond=r.ts.microsecond // 1000 * 1000)
    duration = {"ms": float(max(1, round(r.duration_ms))), "s": round(r.duration_ms / 1000, 3) * 1000,
                None: None}[case.duration]
    user = {"user": r.remote_user, None: None}.get(case.remote_user, r.remote_user or case.remote_user)
    return {
        "ts": ts, "method": r.method, "host": r.scheme_host.split("://", 1)[1], "cloud_id": cloud_id,
        "path": path, "query": query, "status": r.status, "bytes": r.bytes, "client_ip": r.client_ip,
        "duration_ms": duration, "user_agent": r.user_agent if case.user_agent else None,
        "remote_user": user, "jwt_iss": "backup-pro-connect" if case.jwt and r.authorization and
        r.authorization.startswith("JWT ") else None,
    }


@pytest.mark.parametrize("renderer", sorted(CASES))
def test_rendered_requests_are_stored_as_drawn(ws: Workspace, tmp_path: Path, renderer: str) -> None:
    case = CASES[renderer]
    requests = list(generate_requests(N, seed=77))
    path = tmp_path / f"{renderer}.log"
    lines = header_lines(renderer) + [FORMATTERS[renderer](r) for r in requests]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ingest_one(ws, path, **dict(case.options))
    assert (result.format, result.stored, result.rejected) == (case.fmt, N, 0)
    first = len(header_lines(renderer)) + 1
    columns = list(_expected(requests[0], case))
    cursor = ws.con.execute(f"SELECT {', '.join(columns)} FROM requests ORDER BY line_no")
    stored = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for i, (row, request) in enumerate(zip(stored, requests, strict=True)):
        want = _expected(request, case)
        if case.ts_precision == "millisecond":  # epoch floats may round the last millisecond
            assert abs(row.pop("ts") - want.pop("ts")) <= dt.timedelta(milliseconds=1), f"line {first + i}"
        if want["duration_ms"] is not None and case.duration == "s":
            assert row.pop("duration_ms") == pytest.approx(want.pop("duration_ms")), f"line {first + i}"
        assert row == want, f"line {first + i}"

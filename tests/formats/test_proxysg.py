"""Symantec/Blue Coat ProxySG ELFF: the sample, header-less lines, --field with ELFF names, fuzzing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.formats.proxysg import BCREPORTERMAIN_V1_FIELDS, MAIN_FIELDS
from analyzer.synth import format_vhost_combined, generate_requests
from analyzer.synth_proxy import format_proxysg
from analyzer.workspace import Workspace
from tests.formats.support import (
    SAMPLES,
    Fuzzer,
    assert_gateway_routed,
    assert_no_secrets,
    ingest_one,
    mutated,
    reasons,
    row,
    text_lines,
)

SAMPLE = SAMPLES / "proxysg-elff.log"


def test_sample(ws: Workspace) -> None:
    f = ingest_one(ws, SAMPLE)
    # 6 header lines, a second header block of 4 and a #Remark are skipped
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("proxysg", 324, 307, 6, 11)
    first = row(ws, 7)
    drawn = next(generate_requests(300, 29))  # the sample: 300 requests of seed 29
    assert first["ts"] == drawn.ts.replace(microsecond=0)
    assert (first["method"], first["host"], first["status"], first["bytes"], first["client_ip"]) == (
        drawn.method, drawn.scheme_host.split("://")[1], drawn.status, drawn.bytes, drawn.client_ip)
    assert json.loads(first["extra"])["s-action"] == "TCP_NC_MISS"

    connect = row(ws, 307)  # a CONNECT tunnel: host:port, kept, not Confluence REST
    assert (connect["method"], connect["host"], connect["path"], connect["is_wiki"], connect["endpoint_id"]) == (
        "CONNECT", "acme.atlassian.net", "/", False, None)
    denied = row(ws, 308)  # the proxy's own denial: its verdict is kept with the request
    assert (denied["status"], denied["remote_user"], denied["path"], denied["query"], denied["client_ip"]) == (
        403, "ACME\\jdoe", "/wiki/rest/api/content/98311001", "expand=body.storage", "10.40.1.23")
    extra = json.loads(denied["extra"])
    assert (extra["s-action"], extra["x-exception-id"], extra["sc-filter-result"], extra["cs-auth-group"],
            extra["cs-categories"]) == ("TCP_DENIED", "policy_denied", "DENIED", "ACME\\Confluence Users",
                                        "Technology/Internet;File Storage/Sharing")
    assert "cs-uri-scheme" not in extra and "cs-host" not in extra  # they are the URL
    spaced = row(ws, 309)  # runs of spaces between fields
    assert (spaced["ts"], spaced["path"], spaced["status"]) == (dt.datetime(2026, 9, 30, 23, 50, 3),
                                                                "/wiki/api/v2/spaces", 200)
    assert row(ws, 310)["user_agent"] == 'Mozilla/5.0 "quoted" agent'  # doubled quotes inside quotes
    jwt_query = row(ws, 311)
    assert (jwt_query["jwt_iss"], jwt_query["query"]) == ("backup-pro-connect", "jwt=REDACTED&limit=5")
    # after the second header block: the main layout, Authorization and Cookie logged
    connect_app = row(ws, 316)
    assert (connect_app["jwt_iss"], connect_app["ts"], connect_app["user_agent"]) == (
        "backup-pro-connect", dt.datetime(2026, 9, 30, 23, 56), "BackupPro/2.1 (+https://backup.example)")
    assert "cs(Cookie)" not in json.loads(connect_app["extra"])
    assert row(ws, 317)["remote_user"] == "ops-bot@acme.com"  # from the basic-auth header
    assert reasons(ws) == {
        319: "not an HTTP request: ssl connection the proxy saw no HTTP request in (cs-method unknown)",
        320: "11 fields, #Fields declares 26",
        321: "bad timestamp: 2026-09-31 23:56:04",
        322: "bad status: 2OO",
        323: "invalid UTF-8 at byte 98",
        324: "NUL byte in line",
    }
    assert_gateway_routed(ws)
    assert_no_secrets(ws)


@pytest.mark.parametrize("layout", [MAIN_FIELDS, BCREPORTERMAIN_V1_FIELDS], ids=["main", "bcreportermain_v1"])
def test_lines_without_a_header_are_recognised_by_shape(ws: Workspace, tmp_path: Path,
                                                        layout: tuple[str, ...]) -> None:
    """Lines streamed over syslog carry no #Fields: the default layout they match is assumed."""
    requests = list(generate_requests(5, 3))
    if layout == BCREPORTERMAIN_V1_FIELDS:
        lines = [format_proxysg(r) for r in requests]
    else:
        lines = [" ".join([f"{r.ts:%Y-%m-%d %H:%M:%S}", "12", r.client_ip, str(r.status), "TCP_NC_MISS", str(r.bytes),
                           "200", r.method, "https", r.scheme_host.split("://")[1], "443", r.target.split("?")[0],
                           "-", "-", "-", "-", "application/json", "-", f'"{r.user_agent}"', "OBSERVED",
                           '"Technology/Internet"', "-", "10.0.5.20"]) for r in requests]
    path = tmp_path / "syslog-proxysg.log"
    path.write_text("\n".join(lines) + "\n")
    f = ingest_one(ws, path)
    assert (f.format, f.stored, f.rejected) == ("proxysg", 5, 0)
    stored = ws.con.execute("SELECT method, status, bytes, user_agent FROM requests ORDER BY line_no").fetchall()
    assert stored == [(r.method, r.status, r.bytes, r.user_agent) for r in requests]


def test_field_maps_an_elff_name(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "sg.log"
    path.write_text("\n".join([
        "#Software: SGOS 7.3.16.2",
        "#Fields: date time c-ip cs-method cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query sc-status "
        "x-cs(X-Atlassian-App-Key) s-action",
        "2026-09-30 10:00:00 10.0.0.1 GET https acme.atlassian.net 443 /wiki/rest/api/space - 200 com.acme.backup "
        "TCP_NC_MISS",
    ]) + "\n")
    ingest_one(ws, path, fields={"app_key": "x-cs(X-Atlassian-App-Key)"})
    assert (row(ws, 3)["app_key"], row(ws, 3)["host"]) == ("com.acme.backup", "acme.atlassian.net")


def test_same_requests_as_an_ncsa_log(ws: Workspace, tmp_path: Path) -> None:
    """Differential: a ProxySG log and a vhost_combined log of the same requests store the same rows."""
    requests = list(generate_requests(40, 8))
    sg = tmp_path / "sg.log"
    sg.write_text("\n".join(["#Software: SGOS 7.3.16.2", "#Fields: " + " ".join(BCREPORTERMAIN_V1_FIELDS)]
                            + [format_proxysg(r) for r in requests]) + "\n")
    ncsa = tmp_path / "vhost.log"
    ncsa.write_text("\n".join(format_vhost_combined(r) for r in requests) + "\n")
    ids = [ingest_one(ws, p).file_id for p in (sg, ncsa)]
    columns = "ts, method, host, cloud_id, path, query, status, bytes, client_ip, user_agent, endpoint_id"
    rows = [ws.con.execute(f"SELECT {columns} FROM requests WHERE file_id = ? ORDER BY line_no", [i]).fetchall()
            for i in ids]
    assert len(rows[0]) == 40 and rows[0] == rows[1]


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    with Workspace.open(":memory:") as ws:
        yield Fuzzer(ws, tmp_path_factory.mktemp("proxysg-fuzz"))


VALID = SAMPLE.read_text(encoding="utf-8", errors="replace").splitlines()[:30]


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(mutated(VALID[6:]), min_size=1, max_size=6))
def test_mutated_lines_are_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check(("\n".join(VALID[:6] + lines) + "\n").encode(), "proxysg")


@settings(max_examples=30, deadline=None)
@given(lines=text_lines())
def test_arbitrary_text_is_stored_or_rejected(fuzzer: Fuzzer, lines: list[str]) -> None:
    fuzzer.check("\n".join(lines).encode(), "proxysg")


def test_epoch_time_field(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "sg-epoch.log"
    path.write_text("#Software: SGOS 7.3.16.2\n#Fields: x-timestamp-unix c-ip cs-method cs-host cs-uri-path sc-status "
                    "s-action\n1790762400 10.0.0.1 GET acme.atlassian.net /wiki/rest/api/space 200 TCP_NC_MISS\n")
    ingest_one(ws, path)
    assert row(ws, 3)["ts"] == dt.datetime(2026, 9, 30, 10)

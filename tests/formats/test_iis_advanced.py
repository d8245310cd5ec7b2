"""IIS Advanced Logging (date-local/time-local, TimeTakenMS) and --timezone; IIS FTP logs; #Fields
layouts with unknown names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analyzer.errors import UsageError
from analyzer.synth import generate_requests
from analyzer.workspace import Workspace
from tests.formats.support import SAMPLES, assert_no_secrets, ingest_one, reasons, row

SAMPLE = SAMPLES / "iis-advanced.log"
BERLIN = dt.timedelta(hours=2)  # CEST, all through the sample's September


def test_sample_with_its_time_zone(ws: Workspace) -> None:
    f = ingest_one(ws, SAMPLE, timezone="Europe/Berlin")
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("w3c", 318, 304, 5, 9)
    first = row(ws, 5)
    drawn = next(generate_requests(300, 31))  # the sample: 300 requests of seed 31
    assert first["ts"] == drawn.ts.replace(microsecond=drawn.ts.microsecond // 1000 * 1000)  # local -> UTC
    assert (first["method"], first["host"], first["status"], first["bytes"], first["duration_ms"],
            first["client_ip"], first["user_agent"]) == (
        drawn.method, drawn.scheme_host.split("://")[1], drawn.status, drawn.bytes,
        float(max(1, round(drawn.duration_ms))), drawn.client_ip, drawn.user_agent)  # quoted: spaces kept
    assert row(ws, 305)["user_agent"] == 'Mozilla/5.0 "quoted" agent'
    assert row(ws, 306)["duration_ms"] == 15.625  # TimeTakenMS is milliseconds, fraction or not
    assert row(ws, 307)["user_agent"] == '"curl/8.5.0'  # an unbalanced quote is kept as logged
    # a block that logs UTC too: the UTC pair is used, the zone does not apply
    assert row(ws, 316)["ts"] == dt.datetime(2026, 10, 1, 0, 0, 0, 250000)
    assert reasons(ws) == {
        308: "bad timestamp: 2026-09-31 01:59:04.000",
        309: "6 fields, #Fields declares 19",
        310: "invalid UTF-8 at byte 56",
        311: "NUL byte in line",
        318: "#Fields has no date and time field (looked for date+time, date-local+time-local, x-timestamp-unix), "
             "no URL field (looked for cs-uri, cs-uri-stem, cs-uri-path), no method field (looked for cs-method): "
             "map --field ts=FIELD, --field url=FIELD, --field method=FIELD",
    }
    assert_no_secrets(ws)


def test_local_times_without_a_zone_are_read_as_utc(ws: Workspace, tmp_path: Path) -> None:
    ingest_one(ws, SAMPLE)
    drawn = next(generate_requests(300, 31))
    assert row(ws, 5)["ts"] == (drawn.ts + BERLIN).replace(microsecond=drawn.ts.microsecond // 1000 * 1000)
    assert row(ws, 316)["ts"] == dt.datetime(2026, 10, 1, 0, 0, 0, 250000)


def test_zone_across_a_daylight_saving_change(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "adv.log"
    path.write_text("\n".join([
        "#Software: IIS Advanced Logging Module",
        "#Fields: date-local time-local cs-method cs-uri-stem sc-status",
        "2026-10-25 01:30:00.000 GET /wiki/rest/api/space 200",  # CEST, UTC+2
        "2026-10-25 04:30:00.000 GET /wiki/rest/api/space 200",  # CET, UTC+1
        "2026-07-01 12:00:00.000 GET /wiki/rest/api/space 200",
    ]) + "\n")
    ingest_one(ws, path, timezone="Europe/Berlin")
    assert [row(ws, n)["ts"] for n in (3, 4, 5)] == [
        dt.datetime(2026, 10, 24, 23, 30), dt.datetime(2026, 10, 25, 3, 30), dt.datetime(2026, 7, 1, 10, 0)]


def test_a_grown_file_keeps_its_zone(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "adv.log"
    lines = ["#Fields: date-local time-local cs-method cs-uri-stem sc-status",
             "2026-09-30 12:00:00 GET /wiki/rest/api/space 200"]
    path.write_text("\n".join(lines) + "\n")
    ingest_one(ws, path, timezone="America/New_York")
    with path.open("a") as handle:
        handle.write("2026-09-30 13:00:00 GET /wiki/rest/api/space 200\n")
    grown = ingest_one(ws, path)  # no --timezone this time: the zone it was loaded with
    assert grown.action == "appended"
    assert [row(ws, n)["ts"] for n in (2, 3)] == [dt.datetime(2026, 9, 30, 16), dt.datetime(2026, 9, 30, 17)]


def test_unknown_zone_is_a_usage_error_naming_close_ones(ws: Workspace) -> None:
    with pytest.raises(UsageError, match="unknown time zone 'Europe/Berln'") as error:
        ingest_one(ws, SAMPLE, timezone="Europe/Berln")
    assert "Europe/Berlin" in (error.value.hint or "")


def test_ftp_log_lines_are_rejected_as_not_http(ws: Workspace) -> None:
    f = ingest_one(ws, SAMPLES / "not-http" / "iis-ftp.log")
    assert (f.format, f.lines_read, f.stored, f.rejected, f.skipped) == ("w3c", 13, 0, 9, 4)
    assert reasons(ws) == {
        5: "not an HTTP request: FTP command ControlChannelOpened",
        6: "not an HTTP request: FTP command USER",
        7: "not an HTTP request: FTP command PASS",
        8: "not an HTTP request: FTP command CWD",
        9: "not an HTTP request: FTP command DataChannelOpened",
        10: "not an HTTP request: FTP command RETR",
        11: "not an HTTP request: FTP command DataChannelClosed",
        12: "not an HTTP request: FTP command QUIT",
        13: "not an HTTP request: FTP command ControlChannelClosed",
    }


def test_ftp_lines_among_http_ones(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    path.write_text("\n".join([
        "#Fields: date time c-ip cs-method cs-uri-stem sc-status",
        "2026-09-30 10:00:00 10.0.0.1 GET /wiki/rest/api/space 200",
        "2026-09-30 10:00:01 10.0.0.1 [12]RETR /exports/a.zip 226",
        "2026-09-30 10:00:02 10.0.0.1 PROPFIND /wiki/ 207",  # WebDAV is HTTP
    ]) + "\n")
    f = ingest_one(ws, path)
    assert (f.stored, f.rejected) == (2, 1)
    assert reasons(ws) == {3: "not an HTTP request: FTP command [12]RETR"}


def test_field_maps_unknown_names(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "custom.log"
    path.write_text("\n".join([
        "#Software: IIS Advanced Logging Module",
        "#Fields: Date-Stamp Time-Stamp Verb Resource Result Agent",
        '2026-10-01 02:00:01 GET /wiki/rest/api/space 200 "curl/8.5.0 (x)"',
    ]) + "\n")
    ingest_one(ws, path, fields={"ts": "Date-Stamp+Time-Stamp", "method": "verb", "path": "Resource",
                                 "status": "Result", "user_agent": "Agent"})
    stored = row(ws, 3)
    assert (stored["ts"], stored["method"], stored["path"], stored["status"], stored["user_agent"]) == (
        dt.datetime(2026, 10, 1, 2, 0, 1), "GET", "/wiki/rest/api/space", 200, "curl/8.5.0 (x)")


def test_field_ts_names_fields_that_exist(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "custom.log"
    path.write_text("#Fields: Date-Stamp Time-Stamp Verb Resource\n2026-10-01 02:00:01 GET /wiki\n")
    with pytest.raises(UsageError, match="has no field 'Clock'"):
        ingest_one(ws, path, fields={"ts": "Date-Stamp+Clock"})


def test_tab_separated_w3c_lines(ws: Workspace, tmp_path: Path) -> None:
    """A W3C log whose data lines are tab-separated (values may then hold spaces)."""
    path = tmp_path / "tabs.log"
    path.write_text("#Version: 1.0\n#Fields: date time cs-method cs-uri-stem sc-status cs(User-Agent)\n"
                    "2026-09-30\t10:00:00\tGET\t/wiki/rest/api/space\t200\tcurl/8.5.0 (x)\n")
    f = ingest_one(ws, path)
    assert (f.format, f.stored) == ("w3c", 1)
    assert (row(ws, 3)["path"], row(ws, 3)["user_agent"]) == ("/wiki/rest/api/space", "curl/8.5.0 (x)")

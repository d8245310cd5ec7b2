"""Regenerate the per-format samples under sample_logs/ (deterministic).

Each sample is a few hundred seeded synthetic requests from analyzer.synth
(the same World as the demo inventory and apps.yaml), rendered in one format,
plus hand-written hostile lines at the end - embedded quotes, escapes, missing
fields, a truncated line, a bad timestamp, non-UTF-8 bytes, a NUL byte - so the
demo and the tests see rejects with their reasons. tests/formats/ asserts the
exact counts: change this file and those tests together.

The egress-proxy and W3C-family samples (ProxySG, Zscaler, Squid logformats,
CloudFront, IIS Advanced Logging and an IIS FTP log) take their hostile lines
from scripts/proxy_samples.py.

Usage: python scripts/make_samples.py
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import proxy_samples
from samples_fronts import FRONT_HOSTILE, FRONT_LEADING, FRONT_SAMPLE_FILES

from analyzer.synth import (
    FORMATTERS,
    SynthRequest,
    _jwt,
    generate_requests,
    har_entry,
    header_lines,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_logs"
N = 300
GATEWAY = "https://api.atlassian.com/ex/confluence/7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11"
JWT = _jwt("backup-pro-connect", random.Random(99))

#: file name, format, seed
SAMPLE_FILES: tuple[tuple[str, str, int], ...] = (
    ("squid-access.log", "squid", 21),
    ("alb-access.log", "alb", 22),
    ("envoy-istio.jsonl", "envoy", 23),
    ("cloudflare-logpush.jsonl", "cloudflare", 24),
    ("app-gateway.jsonl", "json", 25),
    ("iis-w3c.log", "w3c", 26),
    ("proxy-export.csv", "csv", 27),
    ("browser-export.har", "har", 28),
    *FRONT_SAMPLE_FILES,  # reverse proxies, meshes, cloud front doors (scripts/samples_fronts.py)
)

SQUID_HOSTILE = [
    # stored: a CONNECT tunnel (not Confluence REST), an aborted request (status 000 -> NULL),
    # escaped characters and quotes in the URL, a URL-encoded proxy user
    "1790812700.000    250 10.30.5.9 TCP_TUNNEL/200 8123 CONNECT acme.atlassian.net:443 - HIER_DIRECT/104.192.142.18 -",
    "1790812701.500      0 10.20.0.11 TCP_MISS_ABORTED/000 0 GET https://acme.atlassian.net/wiki/rest/api/space "
    "- HIER_DIRECT/104.192.142.18 -",
    '1790812702.250     87 10.30.5.9 TCP_MISS/200 2048 GET https://acme.atlassian.net/wiki/rest/api/content/search'
    '?cql=title~%22Q3%5C%22plan%22&title="Q3" ops-bot%40acme.com HIER_DIRECT/104.192.142.18 application/json',
    # rejected
    "1790812703.000     12 10.20.0.11 TCP_MISS/200 512 GET",  # missing fields
    "1790812704.000     33 10.20.0.11 TCP_MISS/200 5120 GET https://acme.atlassian.net/wiki/api/v2/pa",  # truncated
    "17908x2705.000     20 10.20.0.11 TCP_MISS/200 512 GET https://acme.atlassian.net/wiki/api/v2/pages/98311001 "
    "- HIER_DIRECT/104.192.142.18 application/json",  # bad timestamp
    "1790812706.000     20 10.20.0.11 TCP_MISS/2OO 512 GET https://acme.atlassian.net/wiki/api/v2/pages/98311001 "
    "- HIER_DIRECT/104.192.142.18 application/json",  # bad status
    b"1790812707.000     20 10.20.0.11 TCP_MISS/200 512 GET https://acme.atlassian.net/wiki/\xff\xfe "
    b"- HIER_DIRECT/104.192.142.18 application/json",  # non-UTF-8
    b"1790812708.000     20 10.20.0.11 TCP_MISS/200 512 GET https://acme.atlassian.net/wiki/\x00 "
    b"- HIER_DIRECT/104.192.142.18 application/json",  # NUL byte
]

_ALB_TAIL = ('ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/'
             'confluence/73e2d6bc24d8a067 "Root=1-6a000000-0123456789abcdef01234567" "acme.atlassian.net" "-" 1 '
             '2026-09-30T23:59:00.000000Z "forward" "-" "-" "10.0.5.17:443" "200" "-" "-" TID_0123456789abcdef')
ALB_HOSTILE = [
    # stored: escaped quotes in the user agent; ALB's own 460 (client closed) with '-' target fields
    'https 2026-09-30T23:59:01.000000Z app/confluence-egress/50dc6c495c0c9188 192.0.2.99:40001 10.0.5.17:443 '
    '0.001 0.020 0.000 200 200 300 1024 "GET https://acme.atlassian.net:443/wiki/rest/api/space?limit=5 HTTP/1.1" '
    '"Mozilla/5.0 \\"quoted\\" agent" ' + _ALB_TAIL,
    'https 2026-09-30T23:59:02.000000Z app/confluence-egress/50dc6c495c0c9188 192.0.2.99:40002 - '
    '-1 -1 -1 460 - 300 0 "GET https://acme.atlassian.net:443/wiki/api/v2/spaces HTTP/1.1" "curl/8.5.0" ' + _ALB_TAIL,
    # rejected
    'https 2026-09-30T23:59:03.000000Z app/confluence-egress/50dc6c495c0c9188 192.0.2.99:40003 - '
    '-1 -1 -1 400 - 0 0 "- - - " "-" ' + _ALB_TAIL,  # bad request line
    "https 2026-09-30T23:59:04.000000Z app/confluence-egress/50dc6c495c0c9188 192.0.2.99:40004",  # missing fields
    'https 2026-09-30T23:59:05.000000Z app/confluence-egress/50dc6c495c0c9188 192.0.2.99:40005 10.0.5.17:443 '
    '0.001 0.020 0.000 200 200 300 1024 "GET https://acme.atlassian.net:443/wiki/rest/api/con',  # truncated
    'https 2026-09-31T25:59:06.000000Z app/confluence-egress/50dc6c495c0c9188 192.0.2.99:40006 10.0.5.17:443 '
    '0.001 0.020 0.000 200 200 300 1024 "GET https://acme.atlassian.net:443/wiki/api/v2/spaces HTTP/1.1" '
    '"curl/8.5.0" ' + _ALB_TAIL,  # bad timestamp
    'https 2026-09-30T23:59:07.000000Z app/confluence-egress/50dc6c495c0c9188 192.0.2.99:40007 10.0.5.17:443 '
    '0.001 0.020 0.000 abc 200 300 1024 "GET https://acme.atlassian.net:443/wiki/api/v2/spaces HTTP/1.1" '
    '"curl/8.5.0" ' + _ALB_TAIL,  # bad status
    b'https 2026-09-30T23:59:08.000000Z app/confluence-egress/50dc6c495c0c9188 192.0.2.99:40008 10.0.5.17:443 '
    b'0.001 0.020 0.000 200 200 300 1024 "GET https://acme.atlassian.net:443/wiki/\xc3\x28 HTTP/1.1" "x" -',
    b'https 2026-09-30T23:59:09.000000Z app/confluence-egress/50dc6c495c0c9188 192.0.2.99:40009 10.0.5.17:443 '
    b'0.001 0.020 0.000 200 200 300 1024 "GET https://acme.atlassian.net:443/wiki/\x00 HTTP/1.1" "x" -',
]


def _envoy(**fields: object) -> str:
    record = {"start_time": "2026-09-30T23:59:00.000Z", "method": "GET", "path": "/wiki/api/v2/spaces",
              "protocol": "HTTP/1.1", "response_code": 200, "response_flags": "-", "bytes_received": 0,
              "bytes_sent": 100, "duration": 10, "x_forwarded_for": None, "user_agent": "curl/8.5.0",
              "request_id": "hostile", "authority": "acme.atlassian.net", "upstream_host": "104.192.142.18:443",
              "downstream_remote_address": "192.0.2.99:40000"}
    record.update(fields)
    return json.dumps({k: v for k, v in record.items() if v is not ...}, separators=(",", ":"))


ENVOY_HOSTILE = [
    # stored: escapes (\" and \\ and \u00e9) in the path, a first X-Forwarded-For entry, an IPv6 peer,
    # a reset stream (status 0 -> NULL), credential keys the first lines did not show
    _envoy(path='/wiki/rest/api/content/search?cql=title~"Q3\\plan caf\u00e9"'),
    _envoy(x_forwarded_for="203.0.113.9, 10.0.0.2"),
    _envoy(downstream_remote_address="[2001:db8::7]:443"),
    _envoy(response_code=0, response_flags="UC"),
    _envoy(**{"x-api-token": "tok_5up3r53cr3t", "request_headers": {"authorization": "Bearer 5up3r53cr3t"}}),
    # rejected
    _envoy(start_time=...),  # missing timestamp
    _envoy(start_time="yesterday"),  # bad timestamp
    _envoy(method=None),  # missing method
    _envoy(response_code="abc"),  # bad status
    _envoy()[:70],  # truncated
    "[1, 2, 3]",  # not an object
    _envoy().encode().replace(b"curl", b"cu\xffrl"),  # non-UTF-8
    _envoy().encode().replace(b"curl", b"cu\x00rl"),  # NUL byte
]


def _cloudflare(**fields: object) -> str:
    record = {"ClientIP": "192.0.2.99", "ClientRequestHost": "acme.atlassian.net", "ClientRequestMethod": "GET",
              "ClientRequestURI": "/wiki/api/v2/spaces", "ClientRequestPath": "/wiki/api/v2/spaces",
              "ClientRequestProtocol": "HTTP/2", "ClientRequestUserAgent": "curl/8.5.0", "ClientCountry": "de",
              "EdgeResponseBytes": 100, "EdgeResponseStatus": 200, "EdgeStartTimestamp": "2026-09-30T23:59:00Z",
              "EdgeEndTimestamp": "2026-09-30T23:59:00Z", "OriginResponseDurationMs": 10, "RayID": "hostile"}
    record.update(fields)
    return json.dumps({k: v for k, v in record.items() if v is not ...}, separators=(",", ":"))


CLOUDFLARE_HOSTILE = [
    # stored: RFC 3339 and unix-seconds timestamps, an escaped quote, a Cookies field (never stored)
    _cloudflare(EdgeStartTimestamp="2026-09-30T23:59:01+02:00"),
    _cloudflare(EdgeStartTimestamp=1790812799),
    _cloudflare(ClientRequestURI='/wiki/rest/api/content?title=%22Q3%22&x="y"'),
    _cloudflare(Cookies={"tenant.session.token": "c00k13v4lu3"}),
    # rejected
    _cloudflare(EdgeStartTimestamp=...),
    _cloudflare(EdgeStartTimestamp="2026-02-30T00:00:00Z"),
    _cloudflare(EdgeResponseStatus=2000),
    _cloudflare()[:50],
    _cloudflare().encode().replace(b"curl", b"cu\xc0rl"),
    _cloudflare().encode().replace(b"curl", b"cu\x00rl"),
]


def _gateway(**fields: object) -> str:
    record = {"ts": "2026-09-30T23:59:00.000+02:00", "level": "info", "msg": "upstream request", "method": "GET",
              "url": "https://acme.atlassian.net/wiki/api/v2/spaces", "status": 200, "bytes": 100,
              "duration_ms": 10.5, "client_ip": "192.0.2.99", "user_agent": "curl/8.5.0",
              "request_id": "hostile", "route": "confluence"}
    record.update(fields)
    return json.dumps({k: v for k, v in record.items() if v is not ...}, separators=(",", ":"))


JSON_HOSTILE = [
    # stored: no offset (UTC), epoch milliseconds, the NCSA time form, a JWT in the query string,
    # basic auth, a nested credential, an OAuth call through the gateway with its client id
    _gateway(ts="2026-09-30T12:00:00"),
    _gateway(ts=1790812799000),
    _gateway(ts="30/Sep/2026:12:00:00 +0200"),
    _gateway(url=f"https://acme.atlassian.net/wiki/rest/api/space?jwt={JWT}&limit=5", user_agent="BackupPro/2.1"),
    _gateway(authorization="Basic b3BzLWJvdEBhY21lLmNvbTpBVEFUVDN4RmZHRjBzM2NyM3RUMGszbg=="),
    _gateway(upstream={"headers": {"cookie": "tenant.session.token=c00k13"}, "node": "gw-2"}),
    _gateway(url=f"{GATEWAY}/wiki/api/v2/pages/98311004", client_id="Rb7xQ2oauthClient",
             user_agent="ReportBot/1.4 okhttp/4.12"),
    # rejected
    _gateway(url=...),
    _gateway(ts="not a time"),
    _gateway(status="OK"),
    _gateway()[:60],
    _gateway().encode().replace(b"curl", b"cu\xffrl"),
    _gateway().encode().replace(b"curl", b"cu\x00rl"),
]

W3C_NEW_FIELDS = ("date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Cookie) "
                  "X-Forwarded-For cs-host sc-status sc-bytes time-taken")
W3C_HOSTILE = [
    # a new header block: the layout changes for the lines after it
    "#Software: Microsoft Internet Information Services 10.0",
    "#Version: 1.0",
    "#Date: 2026-09-30 23:00:00",
    "#Fields: " + W3C_NEW_FIELDS,
    "2026-09-30 23:10:00 GET /wiki/rest/api/space limit=5 - 10.20.0.11 BackupPro/2.1+(+https://backup.example) "
    "ASP.NET_SessionId=s3ss10n 10.20.0.11 acme.atlassian.net 200 1024 15",
    "2026-09-30 23:10:01 GET /wiki/api/v2/pages/98313001 - - - curl/8.5.0 - 203.0.113.7 acme.atlassian.net "
    "404 64 3",  # no c-ip: the X-Forwarded-For column is used
    '2026-09-30 23:10:02 GET /wiki/rest/api/content title="Q3+plan" - 192.0.2.99 Mozilla/5.0+"quoted"+agent - '
    "- acme.atlassian.net 200 77 0.25",  # quotes; time-taken in seconds (CloudFront style)
    "#Remark: a comment line is skipped",
    # rejected
    "2026-09-30 23:10:03 GET /wiki/rest/api/space - - 192.0.2.99",  # missing fields
    "2026-09-31 23:10:04 GET /wiki/api/v2/spaces - - 192.0.2.99 curl/8.5.0 - - acme.atlassian.net 200 1 1",
    "2026-09-30 23:10:05 GET /wiki/api/v2/spaces - - 192.0.2.99 curl/8.5.0 - - acme.atlassian.net 2xx 1 1",
    "2026-09-30 23:10:06 GET /wiki/api/v2/spa",  # truncated
    b"2026-09-30 23:10:07 GET /wiki/\xff - - 192.0.2.99 curl/8.5.0 - - acme.atlassian.net 200 1 1",
    b"2026-09-30 23:10:08 GET /wiki/\x00 - - 192.0.2.99 curl/8.5.0 - - acme.atlassian.net 200 1 1",
]

CSV_HOSTILE = [
    # stored: quoted fields with commas and doubled quotes, epoch seconds, a repeated header (skipped)
    '2026-09-30 23:50:00.000,192.0.2.99,,GET,https://acme.atlassian.net/wiki/rest/api/space,200,10,1.5,'
    '"Mozilla/5.0 (X11; Linux x86_64), ""quoted"" agent",',
    "timestamp,client_ip,user,method,url,status,bytes,duration_ms,user_agent,client_id",
    "1790812790,192.0.2.99,,GET,https://acme.atlassian.net/wiki/api/v2/spaces,200,10,1.5,curl/8.5.0,",
    # rejected: a quoted field holding a line break (two lines), wrong column count, bad time and status
    '2026-09-30 23:50:01.000,192.0.2.99,,GET,https://acme.atlassian.net/wiki/api/v2/spaces,200,10,1.5,"curl',
    '8.5.0",',
    "2026-09-30 23:50:02.000,192.0.2.99,,GET,https://acme.atlassian.net/wiki/api/v2/spaces,200",
    "2026-09-31 23:50:03.000,192.0.2.99,,GET,https://acme.atlassian.net/wiki/api/v2/spaces,200,10,1.5,curl/8.5.0,",
    "2026-09-30 23:50:04.000,192.0.2.99,,GET,https://acme.atlassian.net/wiki/api/v2/spaces,20x,10,1.5,curl/8.5.0,",
    b"2026-09-30 23:50:05.000,192.0.2.99,,GET,https://acme.atlassian.net/wiki/\xff,200,10,1.5,curl/8.5.0,",
    b"2026-09-30 23:50:06.000,192.0.2.99,,GET,https://acme.atlassian.net/wiki/\x00,200,10,1.5,curl/8.5.0,",
]


def _har_hostile() -> list[object]:
    base = {"startedDateTime": "2026-09-30T23:59:00.000+02:00", "time": 12.5,
            "request": {"method": "GET", "url": "https://acme.atlassian.net/wiki/api/v2/spaces",
                        "httpVersion": "HTTP/2",
                        "headers": [{"name": "User-Agent", "value": 'Mozilla/5.0 "quoted" agent'}]},
            "response": {"status": 200, "bodySize": -1, "content": {"size": 321, "mimeType": "application/json"}}}

    def variant(**changes: object) -> dict[str, object]:
        entry = json.loads(json.dumps(base))
        for dotted, value in changes.items():
            node = entry
            *parents, leaf = dotted.split("__")
            for part in parents:
                node = node[part]
            if value is ...:
                node.pop(leaf, None)
            else:
                node[leaf] = value
        return entry

    return [
        # stored: an offset time, a body size only in content.size, a basic-auth header and a cookie
        base,
        variant(request__headers=[{"name": "Authorization", "value": "Basic b3BzLWJvdEBhY21lLmNvbTpzM2NyM3Q="},
                                  {"name": "Cookie", "value": "tenant.session.token=c00k13"}]),
        variant(response__status=0),  # blocked by the browser: stored with status NULL
        # rejected
        variant(startedDateTime=...),
        variant(startedDateTime="30/09/2026 23:59"),
        variant(request__url=...),
        variant(response__status="200"),
        variant(request__url="https://acme.atlassian.net/wiki/\u0000"),
        "not an entry",
    ]


def _lines_file(path: Path, fmt: str, seed: int, hostile: list[str | bytes], n: int = N) -> None:
    formatter: Callable[[SynthRequest], str] = FORMATTERS[fmt]
    out = [line.encode() for line in header_lines(fmt) + FRONT_LEADING.get(fmt, [])] if n else []
    out += [formatter(r).encode() for r in generate_requests(n, seed)]
    out += [h if isinstance(h, bytes) else h.encode() for h in hostile]
    path.write_bytes(b"\n".join(out) + b"\n")


def _har_file(path: Path, seed: int) -> None:
    entries: list[object] = [har_entry(r) for r in generate_requests(N, seed)]
    entries += _har_hostile()
    document = {"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "130.0"},
                        "pages": [{"startedDateTime": "2026-09-01T00:00:00.000Z", "id": "page_1",
                                   "title": "Confluence", "pageTimings": {}}],
                        "entries": entries}}
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


HOSTILE: dict[str, list[str | bytes]] = {
    "squid": SQUID_HOSTILE, "alb": ALB_HOSTILE, "envoy": ENVOY_HOSTILE, "cloudflare": CLOUDFLARE_HOSTILE,
    "json": JSON_HOSTILE, "w3c": W3C_HOSTILE, "csv": CSV_HOSTILE,
    **FRONT_HOSTILE,
}


def main() -> None:
    SAMPLES.mkdir(exist_ok=True)
    for name, fmt, seed in SAMPLE_FILES:
        path = SAMPLES / name
        if fmt == "har":
            _har_file(path, seed)
        else:
            _lines_file(path, fmt, seed, HOSTILE[fmt])
        print(f"wrote {path.relative_to(ROOT)}")
    for name, fmt, seed in proxy_samples.SAMPLE_FILES:
        _lines_file(SAMPLES / name, fmt, seed, proxy_samples.HOSTILE[fmt])
        print(f"wrote sample_logs/{name}")
    # Not HTTP traffic at all (IIS writes FTP to its own logs): kept apart, so that ingesting
    # sample_logs/*.* reads HTTP logs only; tests ingest it to see every line rejected as FTP.
    (SAMPLES / "not-http").mkdir(exist_ok=True)
    _lines_file(SAMPLES / "not-http" / "iis-ftp.log", "w3c", 0, proxy_samples.IIS_FTP_LINES, n=0)
    print("wrote sample_logs/not-http/iis-ftp.log")


if __name__ == "__main__":
    main()

"""Hostile lines of the egress-proxy and W3C-family samples (used by make_samples.py).

Each list is appended to a sample's synthetic lines: first lines that must be
stored (each exercising one habit of the format), then lines that must be
rejected with a reason. tests/formats/ pins both, by line number: change a
list and its test together. Credential material uses the markers of
tests/formats/support.py SECRETS so that a leak would be caught.

Layouts assumed where the products are configurable (see analyzer/synth_proxy.py):
ProxySG bcreportermain_v1 then, after a configuration change, ``main`` with
cs(Authorization) and cs(Cookie); Zscaler's default NSS web feed (CSV) and its
JSON feed; IIS Advanced Logging with the default header names and local time.
"""

from __future__ import annotations

import json
import random
from urllib.parse import quote

from analyzer.formats.proxysg import BCREPORTERMAIN_V1_FIELDS, MAIN_FIELDS
from analyzer.formats.w3c import CLOUDFRONT_FIELDS
from analyzer.synth import _jwt
from analyzer.synth_proxy import IIS_ADVANCED_FIELDS, ZSCALER_FIELDS

JWT = _jwt("backup-pro-connect", random.Random(99))
BASIC = "Basic b3BzLWJvdEBhY21lLmNvbTo1dXAzcjUzY3IzdA=="  # ops-bot@acme.com:5up3r53cr3t


def _w3c(fields: tuple[str, ...], defaults: dict[str, str], sep: str = " ", **changes: str) -> str:
    named = {k.replace("_", "-"): v for k, v in changes.items()}
    unknown = set(named) - set(fields)
    assert not unknown, f"no such field: {unknown}"
    values = {**defaults, **named}
    return sep.join(values[name] for name in fields)


# -- ProxySG ------------------------------------------------------------------------------------

_SG_V1 = dict(zip(BCREPORTERMAIN_V1_FIELDS, (
    "2026-09-30", "23:50:00", "12", "192.0.2.99", "-", "-", "-", "OBSERVED", '"Technology/Internet"', "-", "200",
    "TCP_NC_MISS", "GET", "application/json", "https", "acme.atlassian.net", "443", "/wiki/api/v2/spaces", "-",
    "-", '"curl/8.5.0"', "10.0.5.20", "100", "200", "-", '"Atlassian Confluence"', '"none"'), strict=True))
_SG_MAIN = dict(zip((*MAIN_FIELDS, "cs(Authorization)", "cs(Cookie)"), (
    "2026-09-30", "23:56:00", "12", "10.20.0.11", "200", "TCP_NC_MISS", "100", "200", "GET", "https",
    "acme.atlassian.net", "443", "/wiki/api/v2/spaces", "-", "-", "-", "acme.atlassian.net", "application/json",
    "-", '"BackupPro/2.1 (+https://backup.example)"', "OBSERVED", '"Technology/Internet"', "-", "10.0.5.20", "-",
    "-"), strict=True))
_MAIN_LAYOUT = (*MAIN_FIELDS, "cs(Authorization)", "cs(Cookie)")


def _sg(**changes: str) -> str:
    return _w3c(BCREPORTERMAIN_V1_FIELDS, _SG_V1, **changes)


def _sg_main(**changes: str) -> str:
    return _w3c(_MAIN_LAYOUT, _SG_MAIN, **changes)


PROXYSG_HOSTILE: list[str | bytes] = [
    # stored: a CONNECT tunnel (host:port, not Confluence REST); the proxy's own denial with an
    # exception id and two categories, a DOMAIN\user; fields parted by two spaces; doubled quotes
    # inside a quoted user agent; a Connect JWT in the query (issuer kept, token masked)
    _sg(time="23:50:01", cs_method="CONNECT", cs_uri_scheme="tcp", cs_uri_path="/", s_action="TCP_TUNNELED",
        **{"rs(Content-Type)": "-", "cs(User-Agent)": "-", "x-bluecoat-application-name": '"none"'}),
    _sg(time="23:50:02", c_ip="10.40.1.23", cs_username="ACME\\jdoe", cs_auth_group='"ACME\\Confluence Users"',
        x_exception_id="policy_denied", sc_filter_result="DENIED", sc_status="403", s_action="TCP_DENIED",
        cs_categories='"Technology/Internet;File Storage/Sharing"', cs_uri_path="/wiki/rest/api/content/98311001",
        cs_uri_query="?expand=body.storage", **{"rs(Content-Type)": "text/html"}),
    _sg(time="23:50:03").replace(" - 200 ", " -  200  ").replace(" https ", "  https "),
    _sg(time="23:50:04", **{"cs(User-Agent)": '"Mozilla/5.0 ""quoted"" agent"'}),
    _sg(time="23:50:05", c_ip="10.20.0.11", cs_uri_path="/wiki/rest/api/space", cs_uri_query=f"?jwt={JWT}&limit=5",
        **{"cs(User-Agent)": '"BackupPro/2.1 (+https://backup.example)"'}),
    # a configuration change: the `main` layout, now with the Authorization and Cookie headers
    "#Software: SGOS 7.3.16.2",
    "#Version: 1.0",
    "#Date: 2026-09-30 23:55:00",
    "#Fields: " + " ".join(_MAIN_LAYOUT),
    _sg_main(**{"cs(Authorization)": f'"JWT {JWT}"', "cs(Cookie)": '"tenant.session.token=c00k13"'}),
    _sg_main(time="23:56:01", c_ip="10.30.5.9", cs_uri_path="/wiki/rest/api/content/98313001",
             **{"cs(Authorization)": f'"{BASIC}"', "cs(User-Agent)": '"python-requests/2.32.3"'}),
    '#Remark: 4616140025 "sg-egress-01" "10.0.5.20" "main"',
    # rejected: a TLS connection the proxy did not decrypt (no HTTP request), a truncated line,
    # a bad date, a bad status, bytes that are not UTF-8, a NUL byte
    _sg_main(time="23:56:02", sc_status="0", s_action="TUNNELED", cs_method="unknown", cs_uri_scheme="ssl",
             cs_uri_path="/", **{"rs(Content-Type)": "-", "cs(User-Agent)": "-"}),
    _sg_main(time="23:56:03")[:80],
    _sg_main(date="2026-09-31", time="23:56:04"),
    _sg_main(time="23:56:05", sc_status="2OO"),
    _sg_main(time="23:56:06").encode().replace(b"/wiki/api", b"/wiki/\xff\xfeapi"),
    _sg_main(time="23:56:07").encode().replace(b"/wiki/api", b"/wiki/\x00api"),
]

# -- CloudFront ----------------------------------------------------------------------------------

_CF = dict(zip(CLOUDFRONT_FIELDS, (
    "2026-09-30", "23:59:00", "FRA56-P3", "100", "192.0.2.99", "GET", "d3k9x2mz8q7abc.cloudfront.net",
    "/wiki/api/v2/spaces", "200", "-", "curl/8.5.0", "-", "-", "Miss",
    "hst1Ex4mpl3Req1d-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789==", "acme.atlassian.net", "https", "200", "0.012", "-",
    "TLSv1.3", "TLS_AES_128_GCM_SHA256", "Miss", "HTTP/2.0", "-", "-", "40000", "0.011", "Miss",
    "application/json", "100", "-", "-"), strict=True))


def _cf(**changes: str) -> str:
    return _w3c(CLOUDFRONT_FIELDS, _CF, sep="\t", **changes)


CLOUDFRONT_HOSTILE: list[str | bytes] = [
    # stored: the viewer closed the connection (status 000 -> none); a URL-encoded user agent with
    # quotes; a Connect JWT in the query; a session cookie (never stored)
    _cf(time="23:59:01", sc_status="000", x_edge_result_type="Error", sc_bytes="0"),
    _cf(time="23:59:02", **{"cs(User-Agent)": quote('Mozilla/5.0 (X11; Linux x86_64) "quoted"', safe="/;()")}),
    _cf(time="23:59:03", c_ip="10.20.0.11", cs_uri_stem="/wiki/rest/api/space", cs_uri_query=f"jwt={JWT}&limit=5",
        **{"cs(User-Agent)": "BackupPro/2.1%20(+https://backup.example)"}),
    _cf(time="23:59:04", **{"cs(Cookie)": "tenant.session.token=c00k13"}),
    # rejected: spaces instead of tabs, a truncated line, a bad date, a bad status, not UTF-8, NUL
    _cf(time="23:59:05").replace("\t", " "),
    _cf(time="23:59:06")[:60],
    _cf(date="2026-09-31", time="23:59:07"),
    _cf(time="23:59:08", sc_status="2xx"),
    _cf(time="23:59:09").encode().replace(b"/wiki/api", b"/wiki/\xc3\x28api"),
    _cf(time="23:59:10").encode().replace(b"/wiki/api", b"/wiki/\x00api"),
]

# -- IIS Advanced Logging ------------------------------------------------------------------------

_ADV_FIELDS = tuple(IIS_ADVANCED_FIELDS.split())
_ADV = dict(zip(_ADV_FIELDS, (
    "2026-10-01", "01:59:00.125", '"WEB-ARR01"', "10.0.0.5", "GET", "/wiki/api/v2/spaces", "-", "443", "-",
    "192.0.2.99", '"curl/8.5.0"', "-", "acme.atlassian.net", "200", "0", "0", "100", "200", "12"), strict=True))
_ADV_UTC_FIELDS = ("date", "time", "date-local", "time-local", "cs-method", "cs-uri-stem", "cs-uri-query", "c-ip",
                   "cs(User-Agent)", "cs-host", "sc-status", "sc-bytes", "TimeTakenMS")


def _adv(**changes: str) -> str:
    return _w3c(_ADV_FIELDS, _ADV, **changes)


IIS_ADVANCED_HOSTILE: list[str | bytes] = [
    # stored: doubled quotes inside a quoted user agent; milliseconds with a fraction; an unbalanced
    # quote (kept as logged)
    _adv(time_local="01:59:01.000", **{"cs(User-Agent)": '"Mozilla/5.0 ""quoted"" agent"'}),
    _adv(time_local="01:59:02.000", TimeTakenMS="15.625"),
    _adv(time_local="01:59:03.000", **{"cs(User-Agent)": '"curl/8.5.0'}),
    # rejected: a bad local date, a truncated line, not UTF-8, NUL
    _adv(date_local="2026-09-31", time_local="01:59:04.000"),
    _adv(time_local="01:59:05.000")[:50],
    _adv(time_local="01:59:06.000").encode().replace(b"/wiki/api", b"/wiki/\xff\xfeapi"),
    _adv(time_local="01:59:07.000").encode().replace(b"/wiki/api", b"/wiki/\x00api"),
    # a log definition that also logs UTC: the UTC pair wins, --timezone does not apply
    "#Software: IIS Advanced Logging Module",
    "#Version: 1.0",
    "#Start-Date: 2026-10-01 02:00:00.000",
    "#Fields: " + " ".join(_ADV_UTC_FIELDS),
    '2026-10-01 00:00:00.250 2026-10-01 02:00:00.250 GET /wiki/rest/api/space limit=5 10.30.5.9 '
    '"python-requests/2.32.3" acme.atlassian.net 200 1024 9',
    # header names the log definition made up: every line is rejected, naming what was looked for
    "#Fields: Date-Stamp Time-Stamp Verb Resource Result",
    "2026-10-01 02:00:01 GET /wiki/rest/api/space 200",
]

#: An IIS FTP site's W3C log: every line is an FTP command, none is an HTTP request.
_FTP_SESSION = "4f1c9a5e-1b2c-4d3e-8f90-a1b2c3d4e5f6"
IIS_FTP_LINES: list[str | bytes] = [
    "#Software: Microsoft Internet Information Services 10.0",
    "#Version: 1.0",
    "#Date: 2026-09-30 08:00:00",
    "#Fields: date time c-ip cs-username s-ip s-port cs-method cs-uri-stem sc-status sc-win32-status sc-substatus "
    "x-session x-fullpath",
    f"2026-09-30 08:00:01 10.30.5.9 - 10.0.0.5 21 ControlChannelOpened - - 0 0 {_FTP_SESSION} -",
    f"2026-09-30 08:00:01 10.30.5.9 - 10.0.0.5 21 USER ACME\\ops-bot 331 0 0 {_FTP_SESSION} -",
    f"2026-09-30 08:00:02 10.30.5.9 ACME\\ops-bot 10.0.0.5 21 PASS *** 230 0 0 {_FTP_SESSION} /",
    f"2026-09-30 08:00:02 10.30.5.9 ACME\\ops-bot 10.0.0.5 21 CWD /exports 250 0 0 {_FTP_SESSION} /exports",
    f"2026-09-30 08:00:03 10.30.5.9 ACME\\ops-bot 10.0.0.5 50123 DataChannelOpened - - 0 0 {_FTP_SESSION} -",
    f"2026-09-30 08:00:03 10.30.5.9 ACME\\ops-bot 10.0.0.5 21 RETR confluence-export.zip 226 0 0 {_FTP_SESSION} "
    "/exports/confluence-export.zip",
    f"2026-09-30 08:00:04 10.30.5.9 ACME\\ops-bot 10.0.0.5 50123 DataChannelClosed - - 0 0 {_FTP_SESSION} -",
    f"2026-09-30 08:00:05 10.30.5.9 ACME\\ops-bot 10.0.0.5 21 QUIT - 221 0 0 {_FTP_SESSION} -",
    f"2026-09-30 08:00:05 10.30.5.9 ACME\\ops-bot 10.0.0.5 21 ControlChannelClosed - - 0 0 {_FTP_SESSION} -",
]

# -- Zscaler -------------------------------------------------------------------------------------

_ZS = dict(zip(ZSCALER_FIELDS, (
    "Wed Sep 30 23:59:00 2026", "dc-fra-gre", "HTTPS", "acme.atlassian.net/wiki/api/v2/spaces", "Allowed",
    "Confluence", "Enterprise Collaboration", "200", "100", "9", "12", "Business Use", "Information Technology",
    "Professional Services", "None", "None", "0", "None", "None", "DC Frankfurt", "Default Department", "192.0.2.99",
    "104.192.142.18", "GET", "200", "curl/8.5.0", "None", "None", "None", "application/json", "None", "NA", "NA",
    "N/A"), strict=True))


def _zs(**changes: str) -> str:
    values = {**_ZS, **changes}
    return ",".join('"' + values[name] + '"' for name in ZSCALER_FIELDS)


ZSCALER_HOSTILE: list[str | bytes] = [
    # stored: a CONNECT tunnel (host:443, not Confluence REST); Zscaler's own block (403) with its rule;
    # no response (respcode NA -> no status); an escaped quote and a Connect JWT in the URL
    _zs(time="Wed Sep 30 23:59:01 2026", proto="HTTP_PROXY", eurl="acme.atlassian.net:443", reqmethod="CONNECT",
        contenttype="Other"),
    _zs(time="Wed Sep 30 23:59:02 2026", action="Blocked", respcode="403", ruletype="UrlCat",
        rulelabel="Block Confluence Exports", eurl="acme.atlassian.net/wiki/rest/api/content/98311001/export"),
    _zs(time="Wed Sep 30 23:59:03 2026", respcode="NA", respsize="0"),
    _zs(time="Wed Sep 30 23:59:04 2026", cip="10.20.0.11", ua="BackupPro/2.1 (+https://backup.example)",
        eurl=f"acme.atlassian.net/wiki/rest/api/content/search?cql=title~%22Q3%22&jwt={JWT}"),
    # rejected: an FTP record (no HTTP method), a value holding the separator, a bad date, a bad status,
    # a line that is not the layout, not UTF-8, NUL
    _zs(time="Wed Sep 30 23:59:05 2026", proto="FTP", reqmethod="NA", eurl="ftp.acme.com/exports/x.zip"),
    _zs(time="Wed Sep 30 23:59:06 2026", dept='Ops","Finance'),
    _zs(time="Thu Sep 31 23:59:07 2026"),
    _zs(time="Wed Sep 30 23:59:08 2026", respcode="2OO"),
    "Wed Sep 30 23:59:09 2026 dc-fra-gre HTTPS acme.atlassian.net/wiki/api/v2/spaces",
    _zs(time="Wed Sep 30 23:59:10 2026").encode().replace(b"/wiki/api", b"/wiki/\xff\xfeapi"),
    _zs(time="Wed Sep 30 23:59:11 2026").encode().replace(b"/wiki/api", b"/wiki/\x00api"),
]


def _zj(**changes: object) -> str:
    event: dict[str, object] = {k: v for k, v in _ZS.items() if k not in ("ua", "keyprotectiontype")}
    event.update(cintip="203.0.113.5", eua="curl%2F8.5.0")
    event.update(changes)
    return json.dumps({"sourcetype": "zscalernss-web", "event": {k: v for k, v in event.items() if v is not ...}},
                      separators=(",", ":"))


ZSCALER_JSON_HOSTILE: list[str | bytes] = [
    # stored: a CONNECT tunnel; an encoded user agent with a quote; a JSON escape in the URL
    _zj(time="Wed Sep 30 23:59:01 2026", proto="HTTP_PROXY", eurl="acme.atlassian.net:443", reqmethod="CONNECT"),
    _zj(time="Wed Sep 30 23:59:02 2026", eua=quote('Mozilla/5.0 "quoted" agent', safe="")),
    _zj(time="Wed Sep 30 23:59:03 2026", eurl='acme.atlassian.net/wiki/rest/api/content?title="Q3 plan"'),
    # rejected: truncated, no time, a bad time, an FTP record, a bad status, not an object, not UTF-8, NUL
    _zj(time="Wed Sep 30 23:59:04 2026")[:70],
    _zj(time=...),
    _zj(time="yesterday"),
    _zj(time="Wed Sep 30 23:59:05 2026", proto="FTP", reqmethod="NA"),
    _zj(time="Wed Sep 30 23:59:06 2026", respcode="2OO"),
    '["Wed Sep 30 23:59:07 2026", "GET"]',
    _zj(time="Wed Sep 30 23:59:08 2026").encode().replace(b"curl", b"cu\xffrl"),
    _zj(time="Wed Sep 30 23:59:09 2026").encode().replace(b"curl", b"cu\x00rl"),
]

# -- Squid logformats ----------------------------------------------------------------------------

_T = "[01/Oct/2026:01:59:{s:02d} +0200]"
SQUID_COMMON_HOSTILE: list[str | bytes] = [
    # stored: a CONNECT tunnel; an aborted request (status 0 -> none); an IPv6 client; a URL-encoded user
    f'10.30.5.9 - - {_T.format(s=1)} "CONNECT acme.atlassian.net:443 HTTP/1.1" 200 8123 TCP_TUNNEL:HIER_DIRECT',
    f'10.20.0.11 - - {_T.format(s=2)} "GET https://acme.atlassian.net/wiki/rest/api/space HTTP/1.1" 0 0 '
    "TCP_MISS_ABORTED:HIER_DIRECT",
    f'2001:db8::7 - - {_T.format(s=3)} "GET https://acme.atlassian.net/wiki/api/v2/spaces HTTP/1.1" 200 100 '
    "TCP_MISS:HIER_DIRECT",
    f'10.30.5.9 - ops-bot%40acme.com {_T.format(s=4)} "GET https://acme.atlassian.net/wiki/rest/api/content/98313001 '
    'HTTP/1.1" 200 2048 TCP_MISS:HIER_DIRECT',
    # rejected: a connection closed before any request; an invalid request; a truncated line; a bad time;
    # a bad status; not UTF-8; NUL
    f'10.20.0.11 - - {_T.format(s=5)} "- error:transaction-end-before-headers HTTP/0.0" 0 0 NONE_NONE:HIER_NONE',
    f'10.20.0.11 - - {_T.format(s=6)} "NONE error:invalid-request HTTP/0.0" 400 3918 NONE_NONE:HIER_NONE',
    f'10.20.0.11 - - {_T.format(s=7)} "GET https://acme.atlassian.net/wiki/api/v2/spa',
    '10.20.0.11 - - [31/Sep/2026:01:59:08 +0200] "GET https://acme.atlassian.net/wiki/api/v2/spaces HTTP/1.1" 200 1 '
    "TCP_MISS:HIER_DIRECT",
    f'10.20.0.11 - - {_T.format(s=9)} "GET https://acme.atlassian.net/wiki/api/v2/spaces HTTP/1.1" 2000 1 '
    "TCP_MISS:HIER_DIRECT",
    (f'10.20.0.11 - - {_T.format(s=10)} "GET https://acme.atlassian.net/wiki/'.encode()
     + b'\xff HTTP/1.1" 200 1 TCP_MISS:HIER_DIRECT'),
    (f'10.20.0.11 - - {_T.format(s=11)} "GET https://acme.atlassian.net/wiki/'.encode()
     + b'\x00 HTTP/1.1" 200 1 TCP_MISS:HIER_DIRECT'),
]

SQUID_COMBINED_HOSTILE: list[str | bytes] = [
    # stored: escaped quotes in the user agent; a referer (kept in extra); a CONNECT tunnel
    f'192.0.2.99 - - {_T.format(s=1)} "GET https://acme.atlassian.net/wiki/api/v2/spaces HTTP/1.1" 200 100 "-" '
    '"Mozilla/5.0 \\"quoted\\" agent" TCP_MISS:HIER_DIRECT',
    f'192.0.2.99 - - {_T.format(s=2)} "GET https://acme.atlassian.net/wiki/rest/api/space HTTP/1.1" 200 100 '
    '"https://acme.atlassian.net/wiki/spaces/HR" "curl/8.5.0" TCP_MISS:HIER_DIRECT',
    f'10.30.5.9 - - {_T.format(s=3)} "CONNECT acme.atlassian.net:443 HTTP/1.1" 200 8123 "-" "python-requests/2.32.3" '
    "TCP_TUNNEL:HIER_DIRECT",
    # rejected: a connection closed before any request; no user agent field (a common line); a bad time;
    # a bad status; not UTF-8; NUL
    f'10.20.0.11 - - {_T.format(s=4)} "- error:transaction-end-before-headers HTTP/0.0" 0 0 "-" "-" '
    "NONE_NONE:HIER_NONE",
    f'10.20.0.11 - - {_T.format(s=5)} "GET https://acme.atlassian.net/wiki/api/v2/spaces HTTP/1.1" 200 1 '
    "TCP_MISS:HIER_DIRECT",
    '10.20.0.11 - - [30/Sep/2026:25:59:06 +0200] "GET https://acme.atlassian.net/wiki/api/v2/spaces HTTP/1.1" 200 1 '
    '"-" "curl/8.5.0" TCP_MISS:HIER_DIRECT',
    f'10.20.0.11 - - {_T.format(s=7)} "GET https://acme.atlassian.net/wiki/api/v2/spaces HTTP/1.1" abc 1 "-" '
    '"curl/8.5.0" TCP_MISS:HIER_DIRECT',
    (f'10.20.0.11 - - {_T.format(s=8)} "GET https://acme.atlassian.net/wiki/api/v2/spaces HTTP/1.1" 200 1 "-" '
     '"cu'.encode() + b'\xffrl/8.5.0" TCP_MISS:HIER_DIRECT'),
    (f'10.20.0.11 - - {_T.format(s=9)} "GET https://acme.atlassian.net/wiki/api/v2/spaces HTTP/1.1" 200 1 "-" '
     '"cu'.encode() + b'\x00rl/8.5.0" TCP_MISS:HIER_DIRECT'),
]

_CRLF = "\\r\\n"
SQUID_MIME_HOSTILE: list[str | bytes] = [
    # stored: an IPv6 client; a client logged by name (%>A); a CONNECT whose headers carry
    # Proxy-Authorization (never read, never stored); basic auth and a cookie in the request headers
    f"1790812700.000     15 2001:db8::7 TCP_MISS/200 100 GET https://acme.atlassian.net/wiki/api/v2/spaces - "
    f"HIER_DIRECT/104.192.142.18 application/json [Host: acme.atlassian.net{_CRLF}User-Agent: curl/8.5.0{_CRLF}] "
    f"[HTTP/1.1 200 OK{_CRLF}]",
    f"1790812701.000     15 backup01.corp.acme.com TCP_MISS/200 100 GET https://acme.atlassian.net/wiki/api/v2/spaces "
    f"- HIER_DIRECT/104.192.142.18 application/json [Host: acme.atlassian.net{_CRLF}User-Agent: "
    f"BackupPro/2.1 (+https://backup.example){_CRLF}Authorization: JWT {JWT}{_CRLF}] [HTTP/1.1 200 OK{_CRLF}]",
    f"1790812702.000    250 10.30.5.9 TCP_TUNNEL/200 8123 CONNECT acme.atlassian.net:443 - HIER_DIRECT/104.192.142.18 "
    f"- [Host: acme.atlassian.net:443{_CRLF}User-Agent: python-requests/2.32.3{_CRLF}Proxy-Authorization: "
    f"{BASIC}{_CRLF}] [HTTP/1.1 200 Connection established{_CRLF}]",
    f"1790812703.000     40 10.30.5.9 TCP_MISS/200 2048 GET https://acme.atlassian.net/wiki/rest/api/content/98313001 "
    f"- HIER_DIRECT/104.192.142.18 application/json [Host: acme.atlassian.net{_CRLF}User-Agent: "
    f"python-requests/2.32.3{_CRLF}Authorization: {BASIC}{_CRLF}Cookie: tenant.session.token=c00k13{_CRLF}] "
    f"[HTTP/1.1 200 OK{_CRLF}]",
    # rejected: a connection closed before any request; a cache-peer (ICP) query; a truncated line;
    # a bad status; not UTF-8; NUL
    "1790812704.000      0 10.20.0.11 NONE_NONE/000 0 - error:transaction-end-before-headers - HIER_NONE/- - [] []",
    "1790812705.000      0 10.0.9.2 UDP_MISS/000 80 ICP_QUERY http://acme.atlassian.net/wiki/api/v2/spaces - "
    "HIER_NONE/- -",
    "1790812706.000     12 10.20.0.11 TCP_MISS/200 512 GET",
    f"1790812707.000     12 10.20.0.11 TCP_MISS/2OO 512 GET https://acme.atlassian.net/wiki/api/v2/spaces - "
    f"HIER_DIRECT/104.192.142.18 application/json [Host: acme.atlassian.net{_CRLF}] []",
    b"1790812708.000     12 10.20.0.11 TCP_MISS/200 512 GET https://acme.atlassian.net/wiki/\xff - "
    b"HIER_DIRECT/104.192.142.18 application/json [] []",
    b"1790812709.000     12 10.20.0.11 TCP_MISS/200 512 GET https://acme.atlassian.net/wiki/\x00 - "
    b"HIER_DIRECT/104.192.142.18 application/json [] []",
]

#: renderer (analyzer.synth FORMATTERS) -> its hostile lines
HOSTILE: dict[str, list[str | bytes]] = {
    "proxysg": PROXYSG_HOSTILE, "cloudfront": CLOUDFRONT_HOSTILE, "iis_advanced": IIS_ADVANCED_HOSTILE,
    "zscaler": ZSCALER_HOSTILE, "zscaler_json": ZSCALER_JSON_HOSTILE, "squid_common": SQUID_COMMON_HOSTILE,
    "squid_combined": SQUID_COMBINED_HOSTILE, "squid_mime": SQUID_MIME_HOSTILE,
}

#: file name, renderer, seed
SAMPLE_FILES: tuple[tuple[str, str, int], ...] = (
    ("proxysg-elff.log", "proxysg", 29),
    ("cloudfront-standard.log", "cloudfront", 30),
    ("iis-advanced.log", "iis_advanced", 31),
    ("zscaler-nss-web.log", "zscaler", 32),
    ("zscaler-nss-web.jsonl", "zscaler_json", 33),
    ("squid-common.log", "squid_common", 34),
    ("squid-combined.log", "squid_combined", 35),
    ("squid-mime.log", "squid_mime", 36),
)

"""The samples of the reverse-proxy, mesh and cloud front-door formats, for scripts/make_samples.py.

Each sample is N seeded synthetic requests (analyzer.synthfront renders them)
between the lines a real file starts with (HAProxy's start-up messages) and
hand-written hostile lines: stored oddities (escapes, quotes the product does
not escape, IPv6, absent values, credentials that must not be stored) and
rejects (non-request lines, truncation, bad times and statuses, non-UTF-8, a
NUL byte). tests/formats/ asserts the exact outcome of every hostile line and
compares every synthetic line with the request it was rendered from: change
this file and those tests together.
"""

from __future__ import annotations

import base64
import json
import random

from analyzer.synth import _jwt

JWT = _jwt("backup-pro-connect", random.Random(99))
BASIC = "Basic " + base64.b64encode(b"ops-bot@acme.com:ATATT3xFfGF0s3cr3tT0k3n").decode()
GATEWAY = "/ex/confluence/7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11"

#: file name, synthetic formatter (analyzer.synth.FORMATTERS key), seed
FRONT_SAMPLE_FILES: tuple[tuple[str, str, int], ...] = (
    ("haproxy-syslog.log", "haproxy", 31),
    ("haproxy-stdout.log", "haproxy:stdout", 32),
    ("envoy-text.log", "envoy_text", 33),
    ("traefik-common.log", "traefik_common", 34),
    ("nginx-json.jsonl", "nginx_json", 35),
    ("caddy-access.jsonl", "caddy", 36),
    ("traefik-access.jsonl", "traefik_json", 37),
    ("apigateway-access.jsonl", "apigateway", 38),
    ("gcp-lb.jsonl", "gcp_lb", 39),
    ("azure-appgw-v2.jsonl", "azure_appgw", 40),
    ("azure-appgw-v1.jsonl", "azure_appgw:v1", 41),
    ("azure-frontdoor.jsonl", "azure_frontdoor", 42),
)

#: Lines a file starts with, before its requests.
FRONT_LEADING: dict[str, list[str]] = {
    "haproxy": [
        "<133>Sep  1 00:00:00 haproxy[2231]: Proxy fe_confluence started.",
        "<133>Sep  1 00:00:00 haproxy[2231]: Proxy be_atlassian started.",
    ],
    "haproxy:stdout": [
        "[NOTICE]   (1) : haproxy version is 2.8.5-1ubuntu3",
        "[NOTICE]   (1) : New worker (8) forked",
        "[NOTICE]   (1) : Loading success.",
    ],
}


def _h(head: str, rest: str) -> str:
    return head + " " + rest


_HA = "<134>Sep 30 23:59:00 haproxy[2231]:"
_HA_OK = "fe_confluence~ be_atlassian/atl1 0/0/2/10/12 200 1024 - - ---- 1/1/1/1/0 0/0"

HAPROXY_HOSTILE: list[str | bytes] = [
    # stored: rsyslog's file prefix (with a host name); an RFC 5424 header; #XX-encoded quotes and a pipe;
    # an IPv6 client that aborted (status -1, logasap '+'); basic auth and a JWT in the query (credentials
    # never stored); no server available (<NOSRV>, 503)
    "Sep 30 23:59:01 lb1 haproxy[2231]: 192.0.2.99:40001 [30/Sep/2026:23:59:01.000] " + _HA_OK
    + ' {acme.atlassian.net|curl/8.5.0|} "GET /wiki/rest/api/space?limit=5 HTTP/1.1"',
    "<134>1 2026-09-30T23:59:02.000+00:00 lb1 haproxy 2231 - - 192.0.2.99:40002 [30/Sep/2026:23:59:02.000] "
    + _HA_OK + ' {acme.atlassian.net|curl/8.5.0|} "GET /wiki/api/v2/spaces HTTP/1.1"',
    _h(_HA, "192.0.2.99:40003 [30/Sep/2026:23:59:03.000] " + _HA_OK
       + ' {acme.atlassian.net|Mozilla/5.0 #22quoted#22 agent #7C pipe|} '
       '"GET /wiki/rest/api/content/search?cql=title~#22Q3#22 HTTP/1.1"'),
    _h(_HA, "2001:db8::7:40004 [30/Sep/2026:23:59:04.000] fe_confluence~ be_atlassian/atl1 0/0/2/-1/+5 -1 +0 "
       '- - CD-- 1/1/1/1/0 0/0 {acme.atlassian.net|curl/8.5.0|} "GET /wiki/api/v2/pages/98311001 HTTP/1.1"'),
    _h(_HA, "10.30.5.9:40005 [30/Sep/2026:23:59:05.000] " + _HA_OK
       + " {acme.atlassian.net|python-requests/2.32.3|" + BASIC + '} "PUT /wiki/rest/api/content/98313001 HTTP/1.1"'),
    _h(_HA, "10.20.0.11:40006 [30/Sep/2026:23:59:06.000] " + _HA_OK
       + ' {acme.atlassian.net|BackupPro/2.1|} "GET /wiki/rest/api/space?jwt=' + JWT + '&limit=5 HTTP/1.1"'),
    _h(_HA, "192.0.2.99:40007 [30/Sep/2026:23:59:07.000] fe_confluence~ be_atlassian/<NOSRV> 0/-1/-1/-1/0 503 217 "
       '- - SC-- 1/1/0/0/0 0/0 {acme.atlassian.net|curl/8.5.0|} "GET /wiki/api/v2/spaces HTTP/1.1"'),
    # rejected: a health-check message, a TCP log, a TLS error, a request HAProxy could not parse,
    # a line cut at the log length, a bad date, a bad status, non-UTF-8, a NUL byte
    "<129>Sep 30 23:59:10 haproxy[2231]: Server be_atlassian/atl2 is DOWN, reason: Layer4 timeout, check duration: "
    "2001ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
    _h(_HA, "192.0.2.99:40011 [30/Sep/2026:23:59:11.000] fe_tcp be_tcp/atl1 0/0/5007 212 -- 0/0/0/0/3 0/0"),
    _h(_HA, "192.0.2.99:40012 [30/Sep/2026:23:59:12.000] fe_confluence/1: SSL handshake failure"),
    _h(_HA, "192.0.2.99:40013 [30/Sep/2026:23:59:13.000] fe_confluence~ fe_confluence/<NOSRV> -1/-1/-1/-1/0 400 187 "
       '- - PR-- 1/1/0/0/0 0/0 {|||} "<BADREQ>"'),
    _h(_HA, "192.0.2.99:40014 [30/Sep/2026:23:59:14.000] " + _HA_OK
       + ' {acme.atlassian.net|curl/8.5.0|} "GET /wiki/rest/api/content/search?cql=type%3Dpage+and+text~%22budg'),
    _h(_HA, "192.0.2.99:40015 [31/Sep/2026:23:59:15.000] " + _HA_OK
       + ' {acme.atlassian.net|curl/8.5.0|} "GET /wiki/api/v2/spaces HTTP/1.1"'),
    _h(_HA, "192.0.2.99:40016 [30/Sep/2026:23:59:16.000] fe_confluence~ be_atlassian/atl1 0/0/2/10/12 2OO 1024 - - "
       '---- 1/1/1/1/0 0/0 {acme.atlassian.net|curl/8.5.0|} "GET /wiki/api/v2/spaces HTTP/1.1"'),
    (_HA + " 192.0.2.99:40017 [30/Sep/2026:23:59:17.000] " + _HA_OK
     + ' {acme.atlassian.net|cu\xffrl/8.5.0|} "GET /wiki/api/v2/spaces HTTP/1.1"').encode("latin-1"),
    (_HA + " 192.0.2.99:40018 [30/Sep/2026:23:59:18.000] " + _HA_OK
     + ' {acme.atlassian.net|cu\x00rl/8.5.0|} "GET /wiki/api/v2/spaces HTTP/1.1"').encode(),
]

_HS = "fe_confluence be_atlassian/atl1 0/0/2/10/12 200 1024 - - ---- 1/1/1/1/0 0/0"
HAPROXY_STDOUT_HOSTILE: list[str | bytes] = [
    # stored: HTTP/2 absolute URI through the OAuth gateway, an IPv6 client, a header with an encoded brace
    "203.0.113.40:40001 [30/Sep/2026:23:59:01.000] " + _HS + " {ReportBot/1.4 okhttp/4.12|api.atlassian.com} "
    '{application/json} "GET https://api.atlassian.com' + GATEWAY + '/wiki/api/v2/pages/98311004 HTTP/2.0"',
    "2001:db8::7:40002 [30/Sep/2026:23:59:02.000] " + _HS + " {Mozilla/5.0 #7Bbrace#7D|acme.atlassian.net} "
    '{application/json} "GET /wiki/api/v2/spaces HTTP/1.1"',
    # rejected: a warning on stdout, a request line without a target, a truncated line
    "[WARNING]  (8) : Server be_atlassian/atl2 is DOWN, reason: Layer4 timeout. 1 active and 0 backup servers left.",
    "192.0.2.99:40003 [30/Sep/2026:23:59:03.000] " + _HS + ' {curl/8.5.0|acme.atlassian.net} {} "GET"',
    "192.0.2.99:40004 [30/Sep/2026:23:59:04.000] fe_confluence be_atlassian/atl1 0/0/2/10",
]

_E = "[2026-09-30T23:59:{:02d}.000Z]"
_E_REST = '200 - 0 1024 12 10 "192.0.2.99" "curl/8.5.0" "7c9a5b1e-0000-4000-a000-000000000000" ' \
          '"acme.atlassian.net" "104.192.142.18:443"'
ENVOY_TEXT_HOSTILE: list[str | bytes] = [
    # stored: a user agent holding quotes (Envoy does not escape them), an IPv6 client first in
    # X-Forwarded-For, a reset stream (status 0, flags UC, no upstream), a JWT in the query
    _E.format(1) + ' "GET /wiki/rest/api/space?limit=5 HTTP/1.1" 200 - 0 1024 12 10 "192.0.2.99" '
    '"Mozilla/5.0 "quoted" agent" "7c9a5b1e-0000-4000-a000-000000000001" "acme.atlassian.net" "104.192.142.18:443"',
    _E.format(2) + ' "GET /wiki/api/v2/spaces HTTP/2" 200 - 0 1024 12 10 "2001:db8::7, 10.0.0.2" "curl/8.5.0" '
    '"7c9a5b1e-0000-4000-a000-000000000002" "acme.atlassian.net:443" "104.192.142.18:443"',
    _E.format(3) + ' "GET /wiki/api/v2/pages/98311001 HTTP/1.1" 0 UC 0 0 3 - "-" "-" '
    '"7c9a5b1e-0000-4000-a000-000000000003" "acme.atlassian.net" "-"',
    _E.format(4) + ' "GET /wiki/rest/api/space?jwt=' + JWT + '&limit=5 HTTP/1.1" ' + _E_REST.replace(
        "curl/8.5.0", "BackupPro/2.1"),
    # rejected: a TCP proxy line, missing fields, a truncated line, a bad time, a bad status, non-UTF-8, NUL
    _E.format(5) + ' "- - -" 0 - 1234 5678 100 - "-" "-" "-" "-" "104.192.142.18:443"',
    _E.format(6) + ' "GET /wiki/api/v2/spaces HTTP/1.1" 200 - 0 1024',
    _E.format(7) + ' "GET /wiki/api/v2/spaces HTTP/1.1" 200 - 0 1024 12 10 "192.0.2.99" "curl/8.5.0" "7c9a',
    "[2026-09-31T23:59:08.000Z]" + ' "GET /wiki/api/v2/spaces HTTP/1.1" ' + _E_REST,
    _E.format(9) + ' "GET /wiki/api/v2/spaces HTTP/1.1" ' + _E_REST.replace("200 -", "2x0 -"),
    (_E.format(10) + ' "GET /wiki/api/v2/spaces HTTP/1.1" ' + _E_REST.replace("curl", "cu\xffrl")).encode("latin-1"),
    (_E.format(11) + ' "GET /wiki/api/v2/spaces HTTP/1.1" ' + _E_REST.replace("curl", "cu\x00rl")).encode(),
]

_T_TAIL = '"-" "curl/8.5.0" 1 "confluence-egress@file" "https://acme.atlassian.net" 12ms'
TRAEFIK_COMMON_HOSTILE: list[str | bytes] = [
    # stored: local time with an offset (StartLocal), no origin response ('-' status and size), a user agent
    # and a referer holding quotes, a basic-auth user, a JWT in the query
    '192.0.2.99 - - [01/Oct/2026:01:59:01 +0200] "GET /wiki/rest/api/space?limit=5 HTTP/1.1" 200 1024 ' + _T_TAIL,
    '192.0.2.99 - - [30/Sep/2026:23:59:02 +0000] "GET /wiki/api/v2/spaces HTTP/1.1" - - "-" "curl/8.5.0" 2 "-" "-" '
    "0ms",
    '192.0.2.99 - - [30/Sep/2026:23:59:03 +0000] "GET /wiki/api/v2/spaces HTTP/1.1" 200 1024 '
    '"https://x.example/?q="a"" "Mozilla/5.0 "quoted" agent" 3 "confluence-egress@file" '
    '"https://acme.atlassian.net" 12ms',
    '10.30.5.9 - ops-bot@acme.com [30/Sep/2026:23:59:04 +0000] "PUT /wiki/rest/api/content/98313001 HTTP/1.1" '
    "200 1024 " + _T_TAIL.replace("curl/8.5.0", "python-requests/2.32.3"),
    '10.20.0.11 - - [30/Sep/2026:23:59:05 +0000] "GET /wiki/rest/api/space?jwt=' + JWT + '&limit=5 HTTP/1.1" '
    "200 1024 " + _T_TAIL.replace("curl/8.5.0", "BackupPro/2.1"),
    # rejected: missing fields, a truncated line, a bad time, a bad status, non-UTF-8, NUL
    '192.0.2.99 - - [30/Sep/2026:23:59:06 +0000] "GET /wiki/api/v2/spaces HTTP/1.1" 200',
    '192.0.2.99 - - [30/Sep/2026:23:59:07 +0000] "GET /wiki/api/v2/spaces HTTP/1.1" 200 1024 "-" "curl/8.5.0" 7 "con',
    '192.0.2.99 - - [31/Sep/2026:23:59:08 +0000] "GET /wiki/api/v2/spaces HTTP/1.1" 200 1024 ' + _T_TAIL,
    '192.0.2.99 - - [30/Sep/2026:23:59:09 +0000] "GET /wiki/api/v2/spaces HTTP/1.1" abc 1024 ' + _T_TAIL,
    ('192.0.2.99 - - [30/Sep/2026:23:59:10 +0000] "GET /wiki/api/v2/spaces HTTP/1.1" 200 1024 '
     + _T_TAIL.replace("curl", "cu\xffrl")).encode("latin-1"),
    ('192.0.2.99 - - [30/Sep/2026:23:59:11 +0000] "GET /wiki/api/v2/spaces HTTP/1.1" 200 1024 '
     + _T_TAIL.replace("curl", "cu\x00rl")).encode(),
]


def _json(base: dict[str, object], **changes: object) -> str:
    """``base`` with keys changed (``...`` removes one; ``a__b`` reaches into nested objects)."""
    record = json.loads(json.dumps(base))
    for dotted, value in changes.items():
        node = record
        *parents, leaf = dotted.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        if value is ...:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def _json_rejects(base: dict[str, object], ts_key: str, status_key: str, bad_ts: object) -> list[str | bytes]:
    """The rejects every JSON sample ends with: no time, a bad time, a bad status, cut, not an object,
    non-UTF-8, a NUL byte."""
    good = _json(base)
    return [
        _json(base, **{ts_key: ...}),
        _json(base, **{ts_key: bad_ts}),
        _json(base, **{status_key: "OK"}),
        good[:60],
        "[1, 2, 3]",
        good.encode().replace(b"curl", b"cu\xffrl"),
        good.encode().replace(b"curl", b"cu\x00rl"),
    ]


_NGINX = {"msec": "1790812799.000", "time_local": "30/Sep/2026:23:59:59 +0000", "remote_addr": "192.0.2.99",
          "remote_user": "", "request": "GET /wiki/api/v2/spaces HTTP/1.1", "status": "200",
          "body_bytes_sent": "100", "request_time": "0.010", "http_referer": "", "http_user_agent": "curl/8.5.0",
          "http_x_forwarded_for": "", "host": "acme.atlassian.net", "http_authorization": "",
          "request_id": "hostile", "upstream_response_time": "0.008"}
NGINX_JSON_HOSTILE: list[str | bytes] = [
    # stored: escaped quotes, a backslash and a raw space in the request line, a referer carrying a JWT
    # (masked in extra), a bearer token (nothing of it stored), X-Forwarded-For used when remote_addr is
    # empty, a 499 with no upstream ("-" times), basic auth
    _json(_NGINX, request='GET /wiki/rest/api/content/search?cql=title~"Q3\\plan caf\u00e9" HTTP/1.1'),
    _json(_NGINX, http_referer=f"https://acme.atlassian.net/wiki/spaces/HR?jwt={JWT}&lic=none"),
    _json(_NGINX, http_authorization="Bearer 5up3r53cr3tT0k3n"),
    _json(_NGINX, remote_addr="", http_x_forwarded_for="203.0.113.9, 10.0.0.2"),
    _json(_NGINX, status="499", request_time="0.000", upstream_response_time="-", body_bytes_sent="0"),
    _json(_NGINX, http_authorization=BASIC, http_user_agent="python-requests/2.32.3"),
    # rejected: a TLS handshake sent to the plain-HTTP port (nginx logs its bytes as the request)
    _json(_NGINX, request="\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", status="400"),
    *_json_rejects(_NGINX, "msec", "status", "yesterday"),
]

_CADDY = {"level": "info", "ts": 1790812799.5, "logger": "http.log.access.log0", "msg": "handled request",
          "request": {"remote_ip": "192.0.2.99", "remote_port": "40000", "client_ip": "192.0.2.99",
                      "proto": "HTTP/2.0", "method": "GET", "host": "acme.atlassian.net",
                      "uri": "/wiki/api/v2/spaces", "headers": {"User-Agent": ["curl/8.5.0"]}},
          "bytes_read": 0, "user_id": "", "duration": 0.01, "size": 100, "status": 200,
          "resp_headers": {"Server": ["Caddy"]}}
CADDY_HOSTILE: list[str | bytes] = [
    # stored: Caddy's default REDACTED credentials, a cookie the first lines did not show (extra dropped), a
    # "duration_format string" value, an older Caddy without client_ip (remote_ip used, IPv6), basic auth with
    # the user id, a JWT in the query string
    _json(_CADDY, request__headers__Authorization=["REDACTED"], request__headers__Cookie=["REDACTED"]),
    _json(_CADDY, request__headers__Cookie=["tenant.session.token=c00k13v4lu3"]),
    _json(_CADDY, duration="12.5ms"),
    _json(_CADDY, request__client_ip=..., request__remote_ip="2001:db8::7"),
    _json(_CADDY, user_id="ops-bot@acme.com", request__headers__Authorization=[BASIC]),
    _json(_CADDY, request__uri=f"/wiki/rest/api/space?jwt={JWT}&limit=5"),
    *_json_rejects(_CADDY, "ts", "status", "soon"),
]

_TRAEFIK = {"ClientAddr": "192.0.2.99:40000", "ClientHost": "192.0.2.99", "ClientPort": "40000",
            "ClientUsername": "-", "DownstreamContentSize": 100, "DownstreamStatus": 200, "Duration": 10000000,
            "RequestHost": "acme.atlassian.net", "RequestMethod": "GET", "RequestPath": "/wiki/api/v2/spaces",
            "RequestProtocol": "HTTP/1.1", "RouterName": "confluence-egress@file",
            "StartUTC": "2026-09-30T23:59:59.123456789Z", "entryPointName": "websecure", "level": "info", "msg": "",
            "request_User-Agent": "curl/8.5.0", "time": "2026-09-30T23:59:59Z"}
TRAEFIK_JSON_HOSTILE: list[str | bytes] = [
    # stored: an Authorization header redacted by Traefik, a cookie header (never stored), a bad gateway
    # (OriginStatus 0), a basic-auth user, escapes in the path
    _json(_TRAEFIK, **{"request_Authorization": "REDACTED"}),
    _json(_TRAEFIK, **{"request_Cookie": "tenant.session.token=c00k13"}),
    _json(_TRAEFIK, DownstreamStatus=502, OriginStatus=0, OriginContentSize=0),
    _json(_TRAEFIK, ClientUsername="ops-bot@acme.com", ClientHost="10.30.5.9"),
    _json(_TRAEFIK, RequestPath='/wiki/rest/api/content/search?cql=title~"Q3\\plan caf\u00e9"'),
    *_json_rejects(_TRAEFIK, "StartUTC", "DownstreamStatus", "2026-13-01T00:00:00Z"),
]

_APIGW = {"requestId": "hostile-0000", "requestTime": "30/Sep/2026:23:59:59 +0000", "requestTimeEpoch": 1790812799123,
          "httpMethod": "GET", "path": "/wiki/api/v2/spaces", "resourcePath": "/{proxy+}", "status": "200",
          "protocol": "HTTP/1.1", "responseLength": "100", "responseLatency": "10", "integrationLatency": "8",
          "domainName": "acme.atlassian.net", "stage": "prod",
          "identity": {"sourceIp": "192.0.2.99", "userAgent": "curl/8.5.0"}}
APIGATEWAY_HOSTILE: list[str | bytes] = [
    # stored: '-' for values API Gateway did not have (a request its authorizer refused), an API key logged
    # under a key the first lines did not show (never stored: that record keeps no extra), a principal from a
    # Lambda authorizer
    _json(_APIGW, status="403", responseLength="-", responseLatency="-", integrationLatency="-"),
    _json(_APIGW, identity__apiKeyId="k7q2xw9e3b", identity__apiKey="tok_5up3r53cr3t"),
    _json(_APIGW, authorizer__principalId="ops-bot@acme.com"),
    # rejected: only the seconds-precision time (the file's time key is requestTimeEpoch)
    _json(_APIGW, requestTimeEpoch=...),
    *_json_rejects(_APIGW, "requestTimeEpoch", "status", "yesterday"),
]

_GCP = {"insertId": "hostile", "httpRequest": {
            "requestMethod": "GET", "requestUrl": "https://acme.atlassian.net/wiki/api/v2/spaces", "status": 200,
            "responseSize": "100", "userAgent": "curl/8.5.0", "remoteIp": "192.0.2.99", "latency": "0.010s"},
        "resource": {"type": "http_load_balancer"}, "timestamp": "2026-09-30T23:59:59.123456Z", "severity": "INFO"}
GCP_LB_HOSTILE: list[str | bytes] = [
    # stored: a JWT in the URL, no latency (the balancer answered itself), an IPv6 client, status 0 (client
    # closed), no user agent
    _json(_GCP, httpRequest__requestUrl=f"https://acme.atlassian.net/wiki/rest/api/space?jwt={JWT}&limit=5"),
    _json(_GCP, httpRequest__latency=..., httpRequest__status=302,
          jsonPayload={"statusDetails": "redirected_by_load_balancer"}),
    _json(_GCP, httpRequest__remoteIp="2001:db8::7"),
    _json(_GCP, httpRequest__status=0, jsonPayload={"statusDetails": "client_disconnected_before_any_response"}),
    _json(_GCP, httpRequest__userAgent=...),
    *_json_rejects(_GCP, "timestamp", "httpRequest__status", "2026-09-30 25:00:00"),
]

_APPGW2 = {"timeStamp": "2026-09-30T23:59:59+00:00", "listenerName": "https-listener", "ruleName": "confluence",
           "operationName": "ApplicationGatewayAccess", "category": "ApplicationGatewayAccessLog",
           "properties": {"instanceId": "appgw_1", "clientIP": "192.0.2.99", "clientPort": 40000,
                          "httpMethod": "GET", "originalRequestUriWithArgs": "/wiki/api/v2/spaces",
                          "requestUri": "/wiki/api/v2/spaces", "requestQuery": "", "userAgent": "curl/8.5.0",
                          "httpStatus": 200, "sentBytes": 100, "timeTaken": 0.01, "transactionId": "hostile",
                          "originalHost": "acme.atlassian.net", "host": "acme.atlassian.net"}}
AZURE_APPGW_HOSTILE: list[str | bytes] = [
    # stored: a JWT in the query, a rewritten host (the original one is kept), an unfinished request (status 0)
    _json(_APPGW2, properties__originalRequestUriWithArgs=f"/wiki/rest/api/space?jwt={JWT}&limit=5",
          properties__requestUri="/wiki/rest/api/space", properties__requestQuery=f"jwt={JWT}&limit=5"),
    _json(_APPGW2, properties__host="origin.internal"),
    _json(_APPGW2, properties__httpStatus=0, properties__sentBytes=0),
    *_json_rejects(_APPGW2, "timeStamp", "properties__httpStatus", "30/09/2026 23:59"),
]

_APPGW1 = {"resourceId": "/SUBSCRIPTIONS/0/APPLICATIONGATEWAYS/EGRESS", "operationName": "ApplicationGatewayAccess",
           "time": "2026-09-30T23:59:59Z", "category": "ApplicationGatewayAccessLog",
           "properties": {"instanceId": "ApplicationGatewayRole_IN_0", "clientIP": "192.0.2.99", "clientPort": 40000,
                          "httpMethod": "GET", "requestUri": "/wiki/api/v2/spaces", "requestQuery": "",
                          "userAgent": "curl/8.5.0", "httpStatus": 200, "sentBytes": 100, "timeTaken": 10,
                          "host": "acme.atlassian.net"}}
AZURE_APPGW_V1_HOSTILE: list[str | bytes] = [
    # stored: a query string in requestQuery, a '-' user agent
    _json(_APPGW1, properties__requestUri="/wiki/rest/api/content/search",
          properties__requestQuery="cql=space%3DHR&limit=5"),
    _json(_APPGW1, properties__userAgent="-"),
    *_json_rejects(_APPGW1, "time", "properties__httpStatus", "2026-09-30T24:59:59Z"),
]

_FD = {"time": "2026-09-30T23:59:59.1234560Z", "category": "FrontDoorAccessLog",
       "properties": {"trackingReference": "hostile", "httpMethod": "GET",
                      "requestUri": "https://acme.atlassian.net:443/wiki/api/v2/spaces", "responseBytes": "100",
                      "userAgent": "curl/8.5.0", "clientIp": "192.0.2.99", "socketIp": "192.0.2.99",
                      "timeTaken": "0.010", "httpStatusCode": "200", "hostName": "acme.atlassian.net",
                      "originUrl": "https://acme.atlassian.net:443/wiki/api/v2/spaces", "referer": ""}}
AZURE_FRONTDOOR_HOSTILE: list[str | bytes] = [
    # stored: a JWT in the URL (also in originUrl and the referer: masked in extra), the classic Front Door
    # category, a client address only in socketIp
    _json(_FD, properties__requestUri=f"https://acme.atlassian.net:443/wiki/rest/api/space?jwt={JWT}&limit=5",
          properties__originUrl=f"https://acme.atlassian.net:443/wiki/rest/api/space?jwt={JWT}&limit=5",
          properties__referer=f"https://acme.atlassian.net/wiki/spaces/HR?jwt={JWT}"),
    _json(_FD, category="FrontdoorAccessLog", operationName="Microsoft.Network/FrontDoor/AccessLog/Write"),
    _json(_FD, properties__clientIp=""),
    *_json_rejects(_FD, "time", "properties__httpStatusCode", "2026-02-30T00:00:00Z"),
]

FRONT_HOSTILE: dict[str, list[str | bytes]] = {
    "haproxy": HAPROXY_HOSTILE, "haproxy:stdout": HAPROXY_STDOUT_HOSTILE, "envoy_text": ENVOY_TEXT_HOSTILE,
    "traefik_common": TRAEFIK_COMMON_HOSTILE, "nginx_json": NGINX_JSON_HOSTILE, "caddy": CADDY_HOSTILE,
    "traefik_json": TRAEFIK_JSON_HOSTILE, "apigateway": APIGATEWAY_HOSTILE, "gcp_lb": GCP_LB_HOSTILE,
    "azure_appgw": AZURE_APPGW_HOSTILE, "azure_appgw:v1": AZURE_APPGW_V1_HOSTILE,
    "azure_frontdoor": AZURE_FRONTDOOR_HOSTILE,
}

"""Text access logs of service proxies: Envoy's (and Istio's) default format, Traefik's ``common``.

Both are fixed layouts parsed in SQL (``queries/formats/envoy_text.sql``,
``queries/formats/traefik_common.sql``); neither escapes quotes inside values,
so their parsers fall back to a regex for lines whose quotes do not add up.
Envoy's JSON encoding is :data:`analyzer.formats.jsonl.ENVOY`, Traefik's JSON
format is ``traefik_json`` (:mod:`analyzer.formats.jsonproducts`).
"""

from __future__ import annotations

from analyzer.formats.base import LogFormat, regex_detector

ENVOY_TEXT = LogFormat(
    name="envoy_text",
    summary="Envoy default text access log ([START_TIME] \"METHOD PATH PROTOCOL\" code flags ... "
            "\"X-FORWARDED-FOR\" \"USER-AGENT\" \"X-REQUEST-ID\" \"AUTHORITY\" \"UPSTREAM_HOST\"), Istio's too",
    detect=regex_detector(
        r'^\[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\] "[^"]*" \d{1,3} \S+ '),
    query="formats/envoy_text",
    params={"format_name": "envoy_text"},
    fields="ts (START_TIME), method, path+query, status (RESPONSE_CODE), bytes (BYTES_SENT), duration (DURATION), "
           "client_ip (first X-FORWARDED-FOR), user_agent, host (AUTHORITY)",
    example='[2026-09-11T10:00:00.123Z] "GET /wiki/api/v2/pages/42 HTTP/1.1" 200 - 0 512 41 39 "10.20.0.11" '
            '"BackupPro/2.1" "5f0c7a3e-8d1b-4f7e-9a0c-2b1d3e4f5a6b" "acme.atlassian.net" "104.192.142.18:443"',
)

TRAEFIK_COMMON = LogFormat(
    name="traefik_common",
    summary="Traefik common access log: NCSA combined + request count \"router\" \"service URL\" duration ms "
            "(no Host header: the service URL's host is stored)",
    detect=regex_detector(
        r'^\S+ - \S+ \[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "[^"]*" (?:\d{3}|-) (?:\d+|-) '
        r'".*" (?:\d+|-) "[^"]*" "[^"]*" \d+ms\s*$'),
    query="formats/traefik_common",
    params={"format_name": "traefik_common"},
    fields="ts, client_ip, remote_user, method, path+query, status, bytes, user_agent, duration (ms), "
           "host (of the service URL)",
    example='10.20.0.11 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2/pages/42 HTTP/1.1" 200 512 "-" '
            '"BackupPro/2.1" 1234 "confluence@file" "https://acme.atlassian.net" 41ms',
)

FORMATS = (ENVOY_TEXT, TRAEFIK_COMMON)

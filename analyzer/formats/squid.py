"""Squid access logs: the forward proxy many companies send app traffic through.

Three layouts: the native ``squid`` logformat (epoch time, elapsed, client,
action/code, size, method, URL, user, hierarchy, type) with its usual
variants - a client name (``%>A``) or IPv6 address, quoted header values or
``squidmime`` header blocks after the type - parsed by
``queries/formats/squid.sql``; and the ``common`` and ``combined``
logformats, NCSA-like lines with absolute URLs closed by Squid's
``%Ss:%Sh`` (``TCP_MISS:HIER_DIRECT``), parsed by
``queries/formats/squid_clf.sql``. In all of them a CONNECT tunnel is kept as
a request to ``host:port`` (not Confluence REST), and entries that are no HTTP
request (``error:transaction-end-before-headers``, no method, cache-peer
queries) are rejected saying so.
"""

from __future__ import annotations

from analyzer.formats.base import LogFormat, regex_detector

_TIME = r"\[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_HEAD = r"^\S+ \S+ \S+ " + _TIME + " " + _QUOTED + r" \d{1,3} (?:\d+|-)"
_CODES = r" [A-Z_]+:[A-Z_]+\s*$"

SQUID = LogFormat(
    name="squid",
    summary="Squid native access.log: time.ms elapsed client action/code size method URL user hierarchy type "
            "(+ quoted headers or squidmime [headers])",
    # epoch.millis, then elapsed (right-aligned), client, ACTION/code, size, method, URL
    detect=regex_detector(r"^\d{9,11}\.\d{3} +\d+ \S+ [A-Z_]+/\d{3} \d+ [A-Za-z_-]+ \S+"),
    query="formats/squid",
    params={"format_name": "squid"},
    fields="ts (epoch, UTC), method, host+path+query (absolute URL), status, bytes, duration (elapsed ms), "
           "client_ip, remote_user (URL-decoded); user_agent and jwt/basic from Authorization when headers "
           "are logged (quoted or squidmime); extra: cache_result, hierarchy, content_type, referer. CONNECT "
           "kept as host:port; error:... entries rejected as not HTTP",
    example="1788343200.123    112 10.20.0.11 TCP_MISS/200 5120 GET https://acme.atlassian.net/wiki/api/v2/pages/42 "
            "- HIER_DIRECT/104.192.142.18 application/json",
)

SQUID_COMMON = LogFormat(
    name="squid_common",
    summary='Squid logformat common: %>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st %Ss:%Sh',
    detect=regex_detector(_HEAD + _CODES),
    query="formats/squid_clf",
    params={"agent": False, "format_name": "squid_common"},
    fields="ts (%tl with its offset), method, host+path+query (absolute URL), status, bytes, client_ip, "
           "remote_user; extra: cache_result, hierarchy. CONNECT kept as host:port",
    example='10.20.0.11 - - [11/Sep/2026:12:00:00 +0200] "GET https://acme.atlassian.net/wiki/api/v2/pages/42 '
            'HTTP/1.1" 200 5120 TCP_MISS:HIER_DIRECT',
)

SQUID_COMBINED = LogFormat(
    name="squid_combined",
    summary='Squid logformat combined: common + "%{Referer}>h" "%{User-Agent}>h" before %Ss:%Sh',
    detect=regex_detector(_HEAD + " " + _QUOTED + " " + _QUOTED + _CODES),
    query="formats/squid_clf",
    params={"agent": True, "format_name": "squid_combined"},
    fields="ts (%tl with its offset), method, host+path+query (absolute URL), status, bytes, client_ip, "
           "remote_user, user_agent; extra: cache_result, hierarchy, referer. CONNECT kept as host:port",
    example='10.20.0.11 - - [11/Sep/2026:12:00:00 +0200] "GET https://acme.atlassian.net/wiki/api/v2/pages/42 '
            'HTTP/1.1" 200 5120 "-" "BackupPro/2.1" TCP_MISS:HIER_DIRECT',
)

FORMATS = (SQUID, SQUID_COMMON, SQUID_COMBINED)

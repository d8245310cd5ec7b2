"""NCSA-style access logs: Apache/nginx ``common``, ``combined`` and ``vhost_combined``."""

from __future__ import annotations

from analyzer.formats.base import LogFormat, regex_detector

_TIME = r"\[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]"
_REQ = r'"(?:[^"\\]|\\.)*"'
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_HEAD = r"\S+ \S+ \S+ " + _TIME + " " + _REQ + r" \d{3} (?:\d+|-)"

COMMON = LogFormat(
    name="common",
    summary="NCSA common log: %h %l %u %t \"%r\" %>s %b",
    detect=regex_detector("^" + _HEAD + r"\s*$"),
    query="formats/clf",
    params={"vhost": False, "agent": False, "format_name": "common"},
    fields="ts (%t with its offset), method, path+query (host too for absolute URLs), status, bytes, client_ip, "
           "remote_user",
    example='10.0.0.5 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/rest/api/space HTTP/1.1" 200 512',
)

COMBINED = LogFormat(
    name="combined",
    summary="Apache/nginx combined: common + \"%{Referer}i\" \"%{User-Agent}i\"",
    detect=regex_detector("^" + _HEAD + " " + _QUOTED + " " + _QUOTED + r"\s*$"),
    query="formats/clf",
    params={"vhost": False, "agent": True, "format_name": "combined"},
    fields="ts (%t with its offset), method, path+query (host too for absolute URLs), status, bytes, client_ip, "
           "remote_user, user_agent",
    example='10.0.0.5 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2/pages/42 HTTP/1.1" 200 512 '
            '"-" "BackupPro/2.1"',
)

VHOST_COMBINED = LogFormat(
    name="vhost_combined",
    summary="Apache vhost_combined: %v:%p + combined",
    detect=regex_detector(r"^[^\s:]+(?::\d+)? " + _HEAD + " " + _QUOTED + " " + _QUOTED + r"\s*$"),
    query="formats/clf",
    params={"vhost": True, "agent": True, "format_name": "vhost_combined"},
    fields="ts (%t with its offset), host (%v), method, path+query, status, bytes, client_ip, remote_user, "
           "user_agent",
    example='acme.atlassian.net:443 10.0.0.5 - - [11/Sep/2026:10:00:00 +0000] '
            '"GET /wiki/api/v2/pages/42 HTTP/1.1" 200 512 "-" "BackupPro/2.1"',
)

FORMATS = (COMMON, COMBINED, VHOST_COMBINED)

"""HAProxy's HTTP log (``option httplog``), as syslog or stdout writes it.

The line layout is fixed (``queries/formats/haproxy.sql`` parses it); what a
file decides is which captured request headers (``capture request header``,
logged as ``{v1|v2|...}`` in configuration order) hold the Host, User-Agent,
Authorization and X-Forwarded-For values. The log does not name them, so the
positions are recognised per file from the values of its first lines:
authorization schemes (``Basic``, ``Bearer``, ``JWT``...), host names, lists
of addresses, and product tokens (``name/version``) that are no media type.
``--field user_agent=request_header_2`` (and host, authorization, client_ip,
client_id, app_key, remote_user) names a position when the guess is wrong or
a header carries an app identifier. When only one brace block is logged it is
taken as the request headers (HAProxy logs response captures in a second one).

A syslog file also holds HAProxy's own messages (start-up, health checks):
they count towards detection, and are rejected as no HTTP request lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from analyzer.errors import UsageError
from analyzer.formats.base import LogFormat

#: The HTTP log line after any syslog prefix, up to the request's opening quote.
_HTTP_LINE = re.compile(
    r"(?:^|\s)\S+ \[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2}(?:\.\d+)?\] \S+ \S+/\S+ "
    r"[-+\d]+/[-+\d]+/[-+\d]+/[-+\d]+/[-+\d]+ -?\d+ \+?\d+ \S+ \S+ \S+ \S+ \S+ (?P<caps>(?:\{[^{}\"]*\} ?)*)\"")
#: A message of the haproxy process itself: RFC 3164 tag, RFC 5424 app-name and pid, or
#: the "[NOTICE]   (1) : ..." lines it writes to stderr/stdout.
_HAPROXY_MESSAGE = re.compile(
    r"(?:\bhaproxy\[\d+\]: |^<\d+>1 \S+ \S+ haproxy \d+ |^\[(?:NOTICE|WARNING|ALERT)\] +\(\d+\) : )")

_AUTH = re.compile(r"(?i)^(basic|bearer|jwt|digest|negotiate|ntlm|token|aws4-hmac-sha256|ssws) \S")
_HOSTNAME = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9.-]+(?::\d+)?$")
_ADDRESSES = re.compile(r"^[0-9A-Fa-f.:\[\]]+(?:\s*,\s*[0-9A-Fa-f.:\[\]]+)*$")
_PRODUCT = re.compile(r"^[A-Za-z][\w.+!-]*/\S")
_MEDIA_TYPE = re.compile(r"(?i)^(application|text|image|audio|video|multipart|font|message|model)/")

#: Canonical fields a captured header can feed, in the order of the SQL's $hdr list.
HEADER_SLOTS: tuple[str, ...] = ("host", "user_agent", "authorization", "client_ip", "client_id", "app_key",
                                 "remote_user")
_SOURCE = re.compile(r"^request_header_(\d+)$")


def _detect(sample: list[str]) -> float:
    if not sample:
        return 0.0
    http = sum(1 for line in sample if _HTTP_LINE.search(line))
    if not http:
        return 0.0
    messages = sum(1 for line in sample if not _HTTP_LINE.search(line) and _HAPROXY_MESSAGE.search(line))
    return (http + messages) / len(sample)


def captured_request_headers(line: str) -> list[str] | None:
    """The values of the first brace block of an HTTP log line, or None."""
    match = _HTTP_LINE.search(line)
    if match is None or not match.group("caps"):
        return None
    return match.group("caps").strip().split("}")[0][1:].split("|")


def _classify(columns: list[list[str]]) -> dict[str, int]:
    """Slot -> 1-based position, from the values each position holds in the sample."""
    found: dict[str, int] = {}

    def claim(slot: str, position: int) -> None:
        if slot not in found and position not in found.values():
            found[slot] = position

    for position, values in enumerate(columns, start=1):
        seen = [v for v in values if v not in ("", "-")]
        if not seen:
            continue
        if any(_AUTH.match(v) for v in seen):
            claim("authorization", position)
        elif all(_ADDRESSES.match(v) for v in seen) and any("," in v for v in seen):
            claim("client_ip", position)
        elif all(_HOSTNAME.match(v) for v in seen):
            claim("host", position)
        elif all(_ADDRESSES.match(v) for v in seen):
            claim("client_ip", position)
        elif sum(1 for v in seen if _PRODUCT.match(v) and not _MEDIA_TYPE.match(v)) >= 0.8 * len(seen):
            claim("user_agent", position)
    return found


def _prepare(sample: list[str], fields: Mapping[str, str]) -> dict[str, Any]:
    rows = [h for h in (captured_request_headers(line) for line in sample) if h is not None]
    width = max((len(h) for h in rows), default=0)
    columns = [[h[i] for h in rows if i < len(h)] for i in range(width)]
    positions = _classify(columns)
    for canonical, source in fields.items():
        match = _SOURCE.match(source.strip())
        if canonical not in HEADER_SLOTS or match is None or int(match.group(1)) < 1:
            raise UsageError(
                f"--field {canonical}={source}: the haproxy format maps captured request headers only",
                hint="--field CANONICAL=request_header_N, N counting from 1 in the first {...} block; CANONICAL one "
                     "of " + ", ".join(HEADER_SLOTS))
        position = int(match.group(1))
        positions = {slot: p for slot, p in positions.items() if p != position}
        positions[canonical] = position
    return {"hdr": [positions.get(slot, 0) for slot in HEADER_SLOTS]}


HAPROXY = LogFormat(
    name="haproxy",
    summary="HAProxy HTTP log (option httplog), with or without a syslog prefix; captured request headers "
            "{...|...} give Host, User-Agent, Authorization, X-Forwarded-For (--field user_agent=request_header_N)",
    detect=_detect,
    query="formats/haproxy",
    params={"format_name": "haproxy"},
    accepts_fields=True,
    prepare=_prepare,
    fields="ts (accept date, read as UTC), client_ip (client address, or a captured X-Forwarded-For), method, "
           "path+query (absolute URLs give the host), status, bytes, duration (Tt), host, user_agent, "
           "authorization (JWT issuer or basic-auth user) from captured request headers",
    example='<134>Sep 11 10:00:00 haproxy[2231]: 10.20.0.11:51234 [11/Sep/2026:10:00:00.123] fe_egress~ '
            'be_atlassian/atl1 0/0/12/27/41 200 512 - - ---- 12/12/3/3/0 0/0 {acme.atlassian.net|BackupPro/2.1} '
            '"GET /wiki/api/v2/pages/42 HTTP/1.1"',
)

FORMATS = (HAPROXY,)

"""Symantec / Blue Coat ProxySG (Edge SWG) access logs in ELFF: the most common egress proxy format.

ELFF is W3C extended format with the proxy's own field names: the URL comes as
``cs-uri-scheme`` ``cs-host`` ``cs-uri-port`` ``cs-uri-path`` ``cs-uri-query``
(the query with its ``?``), the proxy's verdict as ``s-action``
(TCP_NC_MISS, TCP_DENIED, TCP_TUNNELED...), ``sc-filter-result`` (OBSERVED,
PROXIED, DENIED) and ``x-exception-id``, the user as ``cs-username`` and
``cs-auth-group``, and values holding spaces or separators in double quotes
(``cs-categories``, user agents). Parsing is the W3C family's
(:mod:`analyzer.formats.w3c`); this module knows how to recognise the proxy
and which layouts it writes by default.

Files the appliance uploads start with ``#Software: SGOS ...`` and a
``#Fields:`` line. Lines streamed without a header (syslog) are recognised by
their shape and read with one of the two default layouts, ``main`` or
``bcreportermain_v1``, whichever the first lines match. CONNECT tunnels are
stored as requests to ``host:port`` (not Confluence REST, like Squid's);
connections the proxy saw no HTTP request in (``cs-method`` ``unknown``, an
undecrypted TLS tunnel) are rejected as not HTTP requests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from analyzer.formats import w3c
from analyzer.formats.base import LogFormat

#: SGOS's default ``main`` access-log format.
MAIN_FIELDS: tuple[str, ...] = (
    "date", "time", "time-taken", "c-ip", "sc-status", "s-action", "sc-bytes", "cs-bytes", "cs-method",
    "cs-uri-scheme", "cs-host", "cs-uri-port", "cs-uri-path", "cs-uri-query", "cs-username", "cs-auth-group",
    "s-supplier-name", "rs(Content-Type)", "cs(Referer)", "cs(User-Agent)", "sc-filter-result", "cs-categories",
    "x-virus-id", "s-ip",
)

#: The ``bcreportermain_v1`` format (Blue Coat Reporter), common on SGOS 6.x/7.x.
BCREPORTERMAIN_V1_FIELDS: tuple[str, ...] = (
    "date", "time", "time-taken", "c-ip", "cs-username", "cs-auth-group", "x-exception-id", "sc-filter-result",
    "cs-categories", "cs(Referer)", "sc-status", "s-action", "cs-method", "rs(Content-Type)", "cs-uri-scheme",
    "cs-host", "cs-uri-port", "cs-uri-path", "cs-uri-query", "cs-uri-extension", "cs(User-Agent)", "s-ip",
    "sc-bytes", "cs-bytes", "x-virus-id", "x-bluecoat-application-name", "x-bluecoat-application-operation",
)

_START = r'^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} +\d+ +\S+ +'
#: main: ... c-ip sc-status s-action sc-bytes cs-bytes cs-method cs-uri-scheme
_MAIN = re.compile(_START + r'\d{1,3} +[A-Z_]+ +\d+ +\d+ +[A-Za-z_-]+ +"?[A-Za-z-]+"? ')
#: bcreportermain_v1: ... c-ip cs-username cs-auth-group x-exception-id sc-filter-result "categories"
_REPORTER = re.compile(_START + r'(?:"[^"]*"|\S+) +(?:"[^"]*"|\S+) +\S+ +(?:OBSERVED|PROXIED|DENIED) +"')


def _bare_layout(sample: list[str]) -> tuple[str, ...] | None:
    data = [line for line in sample if line.strip() and not line.startswith("#")]
    if not data:
        return None
    for pattern, layout in ((_MAIN, MAIN_FIELDS), (_REPORTER, BCREPORTERMAIN_V1_FIELDS)):
        if sum(1 for line in data if pattern.match(line)) / len(data) >= 0.6:
            return layout
    return None


def _detect(sample: list[str]) -> float:
    flavour = w3c.flavour(sample)
    if flavour is not None:
        return w3c.flavour_detector("proxysg")(sample)
    data = [line for line in sample if line.strip() and not line.startswith("#")]
    if not data:
        return 0.0
    return 0.9 * max(sum(1 for line in data if p.match(line)) / len(data) for p in (_MAIN, _REPORTER))


DIALECT = w3c.Dialect("proxysg", MAIN_FIELDS, "none", tabs=False)
_W3C_PREPARE = w3c.dialect_prepare(DIALECT)


def _prepare(sample: list[str], fields: Mapping[str, str]) -> dict[str, Any]:
    declared, _ = w3c.header(sample)
    if declared is None and (layout := _bare_layout(sample)) is not None:
        sample = ["#Fields: " + " ".join(layout), *sample]
    return _W3C_PREPARE(sample, fields)


PROXYSG = LogFormat(
    **{**w3c.format_kwargs(DIALECT), "prepare": _prepare},
    summary="Symantec/Blue Coat ProxySG (Edge SWG) ELFF access log: #Fields with cs-host, cs-uri-path, "
            "cs-uri-query, s-action; quoted categories; header-less main/bcreportermain_v1 lines too",
    detect=_detect,
    fields="ts (date+time, UTC), method, host (cs-host), path+query (cs-uri-path, cs-uri-query), status, bytes, "
           "duration (time-taken ms), client_ip (c-ip), user_agent, remote_user (cs-username), jwt/basic from "
           "cs(Authorization); extra: s-action, x-exception-id, sc-filter-result, cs-categories, cs-auth-group, "
           "rs(Content-Type), ... CONNECT kept as host:port; cs-method unknown rejected as not HTTP",
    example='2026-09-11 10:00:00 41 10.30.5.9 ops-bot@acme.com "ACME\\Integration Services" - OBSERVED '
            '"Technology/Internet" - 200 TCP_NC_MISS GET application/json;charset=UTF-8 https acme.atlassian.net '
            '443 /wiki/rest/api/content/98311004 ?expand=body.storage - "python-requests/2.32.3" 10.0.5.20 5120 '
            '312 - "Atlassian Confluence" "none" (after #Fields: ' + " ".join(BCREPORTERMAIN_V1_FIELDS) + ")",
)

FORMATS = (PROXYSG,)

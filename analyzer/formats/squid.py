"""Squid's native access.log: the forward proxy many companies send app traffic through."""

from __future__ import annotations

from analyzer.formats.base import LogFormat, regex_detector

SQUID = LogFormat(
    name="squid",
    summary="Squid native access.log: time.ms elapsed client action/code size method URL user hierarchy type",
    # epoch.millis, then elapsed (right-aligned), client, ACTION/code, size, method, URL
    detect=regex_detector(r"^\d{9,11}\.\d{3} +\d+ \S+ [A-Z_]+/\d{3} \d+ [A-Za-z_-]+ \S+"),
    query="formats/squid",
    params={"format_name": "squid"},
    example="1788343200.123    112 10.20.0.11 TCP_MISS/200 5120 GET https://acme.atlassian.net/wiki/api/v2/pages/42 "
            "- HIER_DIRECT/104.192.142.18 application/json",
)

FORMATS = (SQUID,)

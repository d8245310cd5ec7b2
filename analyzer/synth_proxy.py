"""Synthetic requests rendered as egress-proxy and W3C-family log lines.

The renderers of :mod:`analyzer.synth` for the formats enterprises' egress and
edge products write: Symantec/Blue Coat ProxySG ELFF, Zscaler NSS web feeds
(default CSV feed and JSON feed), Squid's ``common``/``combined``/
``squidmime`` logformats, AWS CloudFront standard logs and IIS Advanced
Logging. Each takes one :class:`analyzer.synth.SynthRequest`; header lines a
file of the format starts with come from :data:`HEADERS`. Kept apart from
analyzer.synth (which imports this module) so neither grows past one job.

Layouts assumed (documented field lists of each product):

* ProxySG: ``bcreportermain_v1`` (:data:`analyzer.formats.proxysg.BCREPORTERMAIN_V1_FIELDS`).
* Zscaler: the NSS web feed's default CSV output (34 quoted fields, time in
  the feed's time zone, GMT by default) and the JSON feed of Zscaler's SIEM
  guides (``{"sourcetype":"zscalernss-web","event":{...}}``, user agent
  URL-encoded as ``eua``).
* IIS Advanced Logging: ``date-local time-local`` in Europe/Berlin (the
  server's zone, so ingest needs ``--timezone Europe/Berlin``), quoted
  strings, ``TimeTakenMS``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

from analyzer.formats.proxysg import BCREPORTERMAIN_V1_FIELDS
from analyzer.formats.w3c import CLOUDFRONT_FIELDS

if TYPE_CHECKING:
    from analyzer.synth import SynthRequest

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: The IIS Advanced Logging sample's server zone: CEST (UTC+2) through September 2026.
IIS_LOCAL_OFFSET = dt.timedelta(hours=2)
IIS_ADVANCED_FIELDS = ("date-local time-local s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port "
                       "cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus "
                       "sc-win32-status sc-bytes cs-bytes TimeTakenMS")
ZSCALER_FIELDS = ("time", "login", "proto", "eurl", "action", "appname", "appclass", "reqsize", "respsize",
                  "stime", "ctime", "urlclass", "urlsupercat", "urlcat", "malwarecat", "threatname", "riskscore",
                  "dlpeng", "dlpdict", "location", "dept", "cip", "sip", "reqmethod", "respcode", "ua", "ereferer",
                  "ruletype", "rulelabel", "contenttype", "unscannabletype", "deviceowner", "devicehostname",
                  "keyprotectiontype")


def _host(r: SynthRequest) -> str:
    return r.scheme_host.split("://", 1)[1]


def _ms(r: SynthRequest) -> int:
    return max(1, round(r.duration_ms))


def _request_id(r: SynthRequest) -> str:
    return f"{(r.bytes * 2654435761 + r.ts.microsecond * 97) % (1 << 64):016x}"


def _epoch(ts: dt.datetime) -> float:
    return ts.replace(tzinfo=dt.UTC).timestamp()


def _clf(ts: dt.datetime, offset: dt.timedelta) -> str:
    local = ts + offset
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return (f"{local.day:02d}/{_MONTHS[local.month - 1]}/{local.year}:{local:%H:%M:%S} "
            f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}")


# -- ProxySG -----------------------------------------------------------------------------------

def format_proxysg(r: SynthRequest) -> str:
    """One ``bcreportermain_v1`` ELFF line (SSL interception on, so HTTPS requests are visible)."""
    path, _, query = r.target.partition("?")
    return " ".join([
        f"{r.ts:%Y-%m-%d %H:%M:%S}", str(_ms(r)), r.client_ip, r.remote_user or "-",
        '"ACME\\Integration Services"' if r.remote_user else "-", "-", "OBSERVED", '"Technology/Internet"', "-",
        str(r.status), "TCP_NC_MISS", r.method, "application/json;charset=UTF-8", "https", _host(r), "443", path,
        "?" + query if query else "-", "-", f'"{r.user_agent}"', "10.0.5.20", str(r.bytes),
        str(120 + len(r.target)), "-", '"Atlassian Confluence"', '"none"',
    ])


def proxysg_header(start: dt.datetime) -> list[str]:
    return ["#Software: SGOS 7.3.16.2", "#Version: 1.0", f"#Start-Date: {start:%Y-%m-%d %H:%M:%S}",
            f"#Date: {start:%Y-%m-%d %H:%M:%S}", "#Fields: " + " ".join(BCREPORTERMAIN_V1_FIELDS),
            '#Remark: 4616140025 "sg-egress-01" "10.0.5.20" "main"']


# -- CloudFront --------------------------------------------------------------------------------

def format_cloudfront(r: SynthRequest) -> str:
    """One CloudFront standard-log line: tab-separated, user agent URL-encoded, time-taken in seconds."""
    path, _, query = r.target.partition("?")
    seconds = r.duration_ms / 1000
    values = [
        f"{r.ts:%Y-%m-%d}", f"{r.ts:%H:%M:%S}", "FRA56-P3", str(r.bytes), r.client_ip, r.method,
        "d3k9x2mz8q7abc.cloudfront.net", path, str(r.status), "-", quote(r.user_agent, safe="/;:()+,="),
        query or "-", "-", "Miss", (_request_id(r) * 4)[:52] + "==", _host(r), "https", str(120 + len(r.target)),
        f"{seconds:.3f}", "-", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "Miss", "HTTP/2.0", "-", "-",
        str(32768 + r.bytes % 28000), f"{max(seconds - 0.001, 0.001):.3f}", "Miss", "application/json",
        str(r.bytes), "-", "-",
    ]
    return "\t".join(values)


def cloudfront_header(start: dt.datetime) -> list[str]:
    return ["#Version: 1.0", "#Fields: " + " ".join(CLOUDFRONT_FIELDS)]


# -- IIS Advanced Logging ------------------------------------------------------------------------

def format_iis_advanced(r: SynthRequest) -> str:
    """One IIS Advanced Logging line: server-local time with milliseconds, quoted strings."""
    path, _, query = r.target.partition("?")
    local = r.ts + IIS_LOCAL_OFFSET
    return " ".join([
        f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}.{local.microsecond // 1000:03d}", '"WEB-ARR01"', "10.0.0.5",
        r.method, path, query or "-", "443", r.remote_user or "-", r.client_ip, f'"{r.user_agent}"', "-",
        _host(r), str(r.status), "0", "0", str(r.bytes), str(120 + len(r.target)), str(_ms(r)),
    ])


def iis_advanced_header(start: dt.datetime) -> list[str]:
    return ["#Software: IIS Advanced Logging Module", "#Version: 1.0",
            f"#Start-Date: {start + IIS_LOCAL_OFFSET:%Y-%m-%d %H:%M:%S}.000", f"#Fields: {IIS_ADVANCED_FIELDS}"]


# -- Zscaler NSS ---------------------------------------------------------------------------------

def _zscaler_time(ts: dt.datetime) -> str:
    return f"{ts:%a %b} {ts.day} {ts:%H:%M:%S %Y}"


def _zscaler_values(r: SynthRequest) -> dict[str, str]:
    blocked = r.status == 403 and r.bytes % 7 == 0  # now and then the proxy's own denial
    return {
        "time": _zscaler_time(r.ts), "login": r.remote_user or "dc-fra-gre", "proto": "HTTPS",
        "eurl": _host(r) + r.target, "action": "Blocked" if blocked else "Allowed", "appname": "Confluence",
        "appclass": "Enterprise Collaboration", "reqsize": str(120 + len(r.target)), "respsize": str(r.bytes),
        "stime": str(max(0, _ms(r) - 3)), "ctime": str(_ms(r)), "urlclass": "Business Use",
        "urlsupercat": "Information Technology", "urlcat": "Professional Services", "malwarecat": "None",
        "threatname": "None", "riskscore": "0", "dlpeng": "None", "dlpdict": "None", "location": "DC Frankfurt",
        "dept": "IT Operations" if r.remote_user else "Default Department", "cip": r.client_ip,
        "sip": "104.192.142.18", "reqmethod": r.method, "respcode": str(r.status), "ua": r.user_agent,
        "ereferer": "None", "ruletype": "UrlCat" if blocked else "None",
        "rulelabel": "Block Collaboration Uploads" if blocked else "None", "contenttype": "application/json",
        "unscannabletype": "None", "deviceowner": "NA", "devicehostname": "NA", "keyprotectiontype": "N/A",
    }


def format_zscaler(r: SynthRequest) -> str:
    """One line of the NSS web feed's default output: every field quoted, comma-separated."""
    values = _zscaler_values(r)
    return ",".join('"' + values[name] + '"' for name in ZSCALER_FIELDS)


def format_zscaler_json(r: SynthRequest) -> str:
    """One record of the NSS JSON web feed (the layout of Zscaler's SIEM guides; every value a string)."""
    values = _zscaler_values(r)
    event = {k: v for k, v in values.items() if k not in ("ua", "keyprotectiontype")}
    event["cintip"] = "203.0.113.5"
    event["eua"] = quote(r.user_agent, safe="")
    return json.dumps({"sourcetype": "zscalernss-web", "event": event}, separators=(",", ":"))


# -- Squid logformats ----------------------------------------------------------------------------

#: Squid's %tl is the proxy's local time: CEST in the samples.
SQUID_LOCAL_OFFSET = dt.timedelta(hours=2)


def format_squid_common(r: SynthRequest) -> str:
    """logformat common: %>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st %Ss:%Sh"""
    return (f'{r.client_ip} - {r.remote_user or "-"} [{_clf(r.ts, SQUID_LOCAL_OFFSET)}] '
            f'"{r.method} {r.scheme_host}{r.target} HTTP/1.1" {r.status} {r.bytes} TCP_MISS:HIER_DIRECT')


def format_squid_combined(r: SynthRequest) -> str:
    """logformat combined: common + "%{Referer}>h" "%{User-Agent}>h" before %Ss:%Sh"""
    return (f'{r.client_ip} - {r.remote_user or "-"} [{_clf(r.ts, SQUID_LOCAL_OFFSET)}] '
            f'"{r.method} {r.scheme_host}{r.target} HTTP/1.1" {r.status} {r.bytes} "-" "{r.user_agent}" '
            f"TCP_MISS:HIER_DIRECT")


def format_squid_mime(r: SynthRequest) -> str:
    """logformat squidmime: native + [request headers] [reply headers], CR LF written as \\r\\n."""
    request = [f"Host: {_host(r)}", f"User-Agent: {r.user_agent}", "Accept: application/json"]
    if r.authorization:
        request.append(f"Authorization: {r.authorization}")
    reply = ["HTTP/1.1 " + str(r.status), "Content-Type: application/json", f"Content-Length: {r.bytes}"]
    crlf = "\\r\\n"
    return (f"{_epoch(r.ts):.3f} {_ms(r):6d} {r.client_ip} TCP_MISS/{r.status:03d} {r.bytes} {r.method} "
            f"{r.scheme_host}{r.target} {r.remote_user or '-'} HIER_DIRECT/104.192.142.18 application/json "
            f"[{crlf.join(request)}{crlf}] [{crlf.join(reply)}{crlf}]")


FORMATTERS: dict[str, Callable[[SynthRequest], str]] = {
    "proxysg": format_proxysg,
    "cloudfront": format_cloudfront,
    "iis_advanced": format_iis_advanced,
    "zscaler": format_zscaler,
    "zscaler_json": format_zscaler_json,
    "squid_common": format_squid_common,
    "squid_combined": format_squid_combined,
    "squid_mime": format_squid_mime,
}

#: Lines a file of the format starts with, given the time of its first request.
HEADERS: dict[str, Callable[[dt.datetime], list[str]]] = {
    "proxysg": proxysg_header,
    "cloudfront": cloudfront_header,
    "iis_advanced": iis_advanced_header,
}

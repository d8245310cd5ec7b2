"""Zscaler Internet Access web logs, as the Nanolog Streaming Service (NSS) feeds them to a SIEM.

Two layouts, both parsed by ``queries/formats/zscaler.sql``:

* ``zscaler``: the web feed's documented default output - 34 fields, each in
  double quotes, comma-separated, in the order of :data:`DEFAULT_FIELDS`
  (``time login proto eurl action ... reqmethod respcode ua ...``); the same
  fields tab-separated (the "Tab-separated" output type) are read too. A feed
  whose output format was edited is no longer this layout: read it with
  ``--log-format 'regex:...'``.
* ``zscaler_json``: the JSON feed of Zscaler's SIEM guides, one object per
  line, the fields inside ``{"sourcetype": "zscalernss-web", "event": {...}}``
  (or at the top level), every value a string. Keys are found by name (the
  NSS names ``time``, ``eurl``, ``reqmethod``, ``respcode``, ``cip``,
  ``login``, ``ua``/``eua``..., and the long names some guides use:
  ``datetime``, ``url``, ``requestmethod``, ``status``, ``ClientIP``,
  ``user``, ``useragent``...); ``--field`` maps others.

Facts of the feed: ``time`` (``Mon Jun 20 15:29:11 2022``) carries no zone - it
is in the time zone set on the feed, GMT by default, so ``--timezone`` names
it when it is not; ``eurl`` is host and path without a scheme (a CONNECT
tunnel: ``host:443``, stored as not Confluence REST); ``None``, ``NA`` and
``N/A`` mean empty; ``eua`` is the URL-encoded user agent. A record whose
request method is no HTTP method (native FTP, DNS over the proxy) is rejected
as not an HTTP request. The other fields (action, urlcat, appname, location,
dept, rulelabel...) are kept in ``extra`` under their feed names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from analyzer.formats import fieldmap
from analyzer.formats.base import LogFormat
from analyzer.formats.jsonl import parse_records
from analyzer.masking import is_secret_name

#: The NSS web feed's default output fields, in order.
DEFAULT_FIELDS: tuple[str, ...] = (
    "time", "login", "proto", "eurl", "action", "appname", "appclass", "reqsize", "respsize", "stime", "ctime",
    "urlclass", "urlsupercat", "urlcat", "malwarecat", "threatname", "riskscore", "dlpeng", "dlpdict", "location",
    "dept", "cip", "sip", "reqmethod", "respcode", "ua", "ereferer", "ruletype", "rulelabel", "contenttype",
    "unscannabletype", "deviceowner", "devicehostname", "keyprotectiontype",
)

#: Which feed field feeds which canonical slot (fieldmap.SLOTS), best first.
NSS: dict[str, list[fieldmap.Candidate]] = {
    "ts": [("time", 1.0), ("datetime", 1.0), ("epochtime", 1.0)],
    "method": [("reqmethod", 1.0), ("requestmethod", 1.0)],
    "url": [("eurl", 1.0), ("url", 1.0)],
    "host": [("ehost", 1.0), ("host", 1.0), ("hostname", 1.0)],
    "status": [("respcode", 1.0), ("status", 1.0), ("responsecode", 1.0)],
    "bytes": [("respsize", 1.0), ("responsesize", 1.0)],
    "duration_ms": [("ctime", 1.0), ("clienttranstime", 1.0)],
    "client_ip": [("cip", 1.0), ("clientip", 1.0)],
    "user_agent": [("eua", 1.0), ("ua", 1.0), ("useragent", 1.0)],
    "remote_user": [("login", 1.0), ("user", 1.0)],
}
PROTO_KEYS = ("proto", "protocol")

_DAYS = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTHS = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TEXT_LINE = re.compile(rf'^"?{_DAYS} {_MONTHS} +\d{{1,2}} \d{{2}}:\d{{2}}:\d{{2}} \d{{4}}"?[,\t]')
_MARKS = ("eurl", "reqmethod", "respcode", "cip", "urlcat", "urlsupercat", "urlclass", "appclass", "dlpeng",
          "riskscore", "requestmethod", "urlcategory", "urlsupercategory", "ClientIP", "malwarecat")


def _detect_text(sample: list[str]) -> float:
    return sum(1 for line in sample if _TEXT_LINE.match(line)) / len(sample) if sample else 0.0


def _event(record: dict[str, Any]) -> dict[str, Any]:
    inner = record.get("event")
    return inner if isinstance(inner, dict) else record


def _is_nss(record: dict[str, Any] | None) -> bool:
    if record is None:
        return False
    if str(record.get("sourcetype", "")).startswith("zscalernss-web"):
        return True
    event = _event(record)
    return sum(1 for mark in _MARKS if mark in event) >= 3


def _detect_json(sample: list[str]) -> float:
    return sum(1 for r in parse_records(sample) if _is_nss(r)) / len(sample) if sample else 0.0


def _slots(names: list[str], fields: Mapping[str, str]) -> tuple[dict[str, str | None], str | None]:
    choice = fieldmap.choose(names, NSS, fields)
    proto = next((n for n in names if fieldmap.norm(n.rsplit(".", 1)[-1]) in PROTO_KEYS), None)
    return choice.sources, proto


def _extra(names: list[str], used: set[str]) -> list[str]:
    return [n for n in names if n not in used and n != "sourcetype" and not is_secret_name(n)]


def _prepare_text(sample: list[str], fields: Mapping[str, str]) -> dict[str, Any]:
    names = list(DEFAULT_FIELDS)
    sources, proto = _slots(names, {})
    position = {n: i + 1 for i, n in enumerate(names)}
    extra = _extra(names, {s for s in sources.values() if s} | {proto or ""})
    return {
        "json": False,
        "ncols": len(names),
        "idx": [position[s] if s else 0 for s in (sources[slot] for slot in fieldmap.SLOTS)],
        "proto_idx": position[proto] if proto else 0,
        "paths": ["/"], "proto_path": "/", "extra_paths": ["/"],
        "extra_idx": [position[n] for n in extra],
        "extra_keys": [json.dumps(n) + ":" for n in extra],
        "ua_encoded": False,
    }


def _prepare_json(sample: list[str], fields: Mapping[str, str]) -> dict[str, Any]:
    records = [r for r in parse_records(sample) if _is_nss(r)]
    names: list[str] = []
    for record in records:
        names.extend(fieldmap.flatten_keys(record, leaves_only=True))
    if not names:  # forced on a file without NSS records: the documented wrapper
        names = [f"event.{n}" for n in DEFAULT_FIELDS if n != "ua"] + ["event.eua"]
    names = list(dict.fromkeys(names))
    for source in fields.values():
        fieldmap.split_path(source)  # a malformed path is a usage error now
    sources, proto = _slots(names, fields)
    extra = _extra(names, {s for s in sources.values() if s} | {proto or ""})
    pointer = lambda name: fieldmap.json_pointer(fieldmap.split_path(name)) if name else "/\u0001unmapped"  # noqa: E731
    ua = sources["user_agent"] or ""
    return {
        "json": True,
        "ncols": 0,
        "idx": [0] * len(fieldmap.SLOTS), "proto_idx": 0, "extra_idx": [0] * len(extra) or [0],
        "paths": [pointer(sources[slot]) for slot in fieldmap.SLOTS],
        "proto_path": pointer(proto),
        "extra_paths": [pointer(n) for n in extra] or ["/\u0001unmapped"],
        "extra_keys": [json.dumps(n.split(".", 1)[1] if n.startswith("event.") else n) + ":" for n in extra]
        or ['"-":'],
        "ua_encoded": fieldmap.norm(ua.rsplit(".", 1)[-1]) == "eua",
    }


ZSCALER = LogFormat(
    name="zscaler",
    summary="Zscaler NSS web feed, default output: 34 quoted comma-separated fields (time login proto eurl "
            "action ... reqmethod respcode ua ...), time in the feed's zone (--timezone, default GMT)",
    detect=_detect_text,
    query="formats/zscaler",
    params={"format_name": "zscaler"},
    prepare=_prepare_text,
    fields="ts (time, read in --timezone), method (reqmethod), host+path+query (eurl), status (respcode), "
           "bytes (respsize), duration (ctime ms), client_ip (cip), user_agent (ua), remote_user (login); "
           "extra: action, appname, urlcat, location, dept, rulelabel, ... CONNECT kept as host:port; records "
           "without an HTTP method (FTP, ...) rejected as not HTTP",
    example='"Fri Sep 11 10:00:00 2026","ops-bot@acme.com","HTTPS","acme.atlassian.net/wiki/rest/api/content/'
            '98311004?expand=body.storage","Allowed","Confluence","Enterprise Collaboration","312","5120","38",'
            '"41","Business Use","Information Technology","Professional Services","None","None","0","None",'
            '"None","DC Frankfurt","IT Operations","10.30.5.9","104.192.142.18","GET","200",'
            '"python-requests/2.32.3","None","None","None","application/json","None","NA","NA","N/A"',
)

ZSCALER_JSON = LogFormat(
    name="zscaler_json",
    summary="Zscaler NSS web feed, JSON output ({\"sourcetype\":\"zscalernss-web\",\"event\":{...}}), keys by "
            "NSS name; --field maps others",
    detect=_detect_json,
    query="formats/zscaler",
    params={"format_name": "zscaler_json"},
    accepts_fields=True,
    prepare=_prepare_json,
    fields="ts (time/datetime, read in --timezone), method (reqmethod), host+path+query (eurl/url), status "
           "(respcode), bytes (respsize), duration (ctime ms), client_ip (cip), user_agent (eua decoded, or "
           "ua), remote_user (login); extra: every other event key but credentials",
    example='{"sourcetype":"zscalernss-web","event":{"time":"Fri Sep 11 10:00:00 2026","login":'
            '"ops-bot@acme.com","proto":"HTTPS","eurl":"acme.atlassian.net/wiki/rest/api/content/98311004",'
            '"action":"Allowed","reqsize":"312","respsize":"5120","ctime":"41","urlcat":"Professional Services",'
            '"cip":"10.30.5.9","reqmethod":"GET","respcode":"200","eua":"python-requests%2F2.32.3"}}',
)

FORMATS = (ZSCALER, ZSCALER_JSON)

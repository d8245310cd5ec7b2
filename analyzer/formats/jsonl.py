"""JSON-lines access logs: Envoy/Istio, Cloudflare Logpush, the products of
:mod:`analyzer.formats.jsonproducts` (nginx, Caddy, Traefik, API Gateway, GCP
and Azure load balancers), and any other JSON.

All share one SQL parser (``queries/formats/json.sql``); they differ in how
they are recognised and in the table of key names that feed the canonical
columns (:mod:`analyzer.formats.fieldmap`, :mod:`analyzer.formats.jsonproducts`).
Generic JSON takes only records no named format claims. The key choice is made once per
file from its first lines, so the SQL extracts exactly the keys it needs with
one JSON parse per line. ``--field CANONICAL=SOURCE`` overrides a choice;
SOURCE is a dotted path for nested keys (``request.headers.user-agent``) with
double quotes around a key that holds dots (``labels."app.key"``).

A SOURCE that a record lacks reads as empty (the record is rejected with the
reason if the field is required: timestamp, method, URL).

``extra`` keeps the record's other keys under their original names (apps can be
matched on any of them later), minus the mapped keys and anything that looks
like a credential (:func:`analyzer.masking.is_secret_name`): keys seen in the file's
first lines are deleted by a JSON merge patch; a credential-looking key that
only turns up later is caught by the ingest's masking of every ``extra``
(queries/ingest/row_split.sql), which deletes it at the top level or drops that
record's ``extra`` when it is nested, and masks credential values under other keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from analyzer.formats import fieldmap
from analyzer.formats.base import LogFormat, Prepare
from analyzer.formats.jsonproducts import PRODUCTS, JsonProduct, Variant
from analyzer.masking import is_secret_name

#: A JSON pointer no real key uses: the SQL reads NULL for an unmapped slot.
UNMAPPED = "/\u0001appaccess-unmapped"

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_CLF = re.compile(r"^\d{1,2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2}")

_ENVOY_MARKS = ("upstream_host", "downstream_remote_address", "response_flags", "upstream_cluster",
                "bytes_received", "upstream_service_time", "authority", "request_id")
_CLOUDFLARE_MARKS = ("ClientRequestHost", "ClientRequestURI", "ClientRequestMethod", "EdgeResponseStatus",
                     "EdgeStartTimestamp", "ClientIP", "RayID", "EdgeResponseBytes", "ClientRequestPath")


#: Credentials and app identifiers appear on some records only (one app's calls).
_SPARSE = ("remote_user", "authorization", "jwt_iss", "client_id", "app_key")


def parse_records(sample: list[str]) -> list[dict[str, Any] | None]:
    """Each sample line as a JSON object, or None."""
    out: list[dict[str, Any] | None] = []
    for line in sample:
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to be a log record
            value = None
        out.append(value if isinstance(value, dict) else None)
    return out


def _lookup(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in fieldmap.split_path(path):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def plausible_ts(value: Any) -> bool:
    """Does a sample value look like a timestamp (not a duration or a date-less time)?"""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return value >= 1e8  # epoch seconds after 1973, or ms/us/ns
    text = str(value).strip()
    try:
        return float(text) >= 1e8
    except ValueError:
        return bool(_ISO.match(text) or _CLF.match(text))


def _is_envoy(record: dict[str, Any] | None) -> bool:
    return (record is not None and "start_time" in record and "response_code" in record
            and any(mark in record for mark in _ENVOY_MARKS))


def _is_cloudflare(record: dict[str, Any] | None) -> bool:
    return record is not None and sum(1 for mark in _CLOUDFLARE_MARKS if mark in record) >= 3


def _is_product(product: JsonProduct, record: dict[str, Any] | None) -> bool:
    """Does the record have, for each of the product's key groups, one of the group's keys?"""
    return record is not None and all(any(_has(record, path) for path in group) for group in product.needs)


def _is_generic(record: dict[str, Any] | None) -> bool:
    if record is None or _is_envoy(record) or _is_cloudflare(record):
        return False
    if any(_is_product(product, record) for product in PRODUCTS):
        return False
    choice = fieldmap.choose(fieldmap.flatten_keys(record, leaves_only=True), fieldmap.GENERIC,
                             accept=lambda slot, name: slot != "ts" or plausible_ts(_lookup(record, name)))
    return choice.sources["ts"] is not None and (choice.sources["url"] or choice.sources["path"]) is not None


def _share(sample: list[str], test: Any) -> float:
    if not sample:
        return 0.0
    return sum(1 for record in parse_records(sample) if test(record)) / len(sample)


def _drop_patch(paths: list[list[str]]) -> str:
    """A JSON merge patch that deletes ``paths`` (an ancestor deleted covers its keys)."""
    patch: dict[str, Any] = {}
    for parts in sorted(paths, key=len):
        node: Any = patch
        for part in parts[:-1]:
            child = node.get(part, {})
            if child is None:  # an ancestor is deleted already
                node = None
                break
            node[part] = child
            node = child
        if node is not None:
            node[parts[-1]] = None
    return json.dumps(patch, separators=(",", ":"))


def _has(record: dict[str, Any], path: str) -> bool:
    """Does ``record`` hold the (dotted) key path, whatever its value?"""
    value: Any = record
    for part in fieldmap.split_path(path):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


def _prepare(table: Mapping[str, list[fieldmap.Candidate]], defaults: bool, lists: tuple[str, ...] = (),
             variants: tuple[Variant, ...] = ()) -> Prepare:
    """prepare() of a JSON format: choose keys from the sample, build the SQL params.

    ``defaults``: the format's keys are fixed, so a slot none of whose keys the
    sample shows still reads its usual (first) key. ``lists``: key-path prefixes
    whose values are lists (the first item is read). ``variants``: candidates that
    replace the table's when the sample holds one of their marker keys.
    """

    def prepare(sample: list[str], fields: Mapping[str, str]) -> dict[str, Any]:
        records = [r for r in parse_records(sample) if r is not None]
        active = dict(table)
        for variant in variants:
            if any(_has(r, mark) for r in records for mark in variant.marks):
                active.update(variant.table)
        sample_names: list[str] = []  # every key path, objects included
        names: list[str] = []  # paths holding values: the candidates
        for record in records:
            sample_names.extend(fieldmap.flatten_keys(record))
            names.extend(fieldmap.flatten_keys(record, leaves_only=True))

        def accept(slot: str, name: str) -> bool:
            if slot != "ts" or not records:
                return True
            values = [_lookup(r, name) for r in records]
            return any(plausible_ts(v) for v in values if v is not None)

        choice = fieldmap.choose(names, active, fields, accept)
        scale = choice.duration_scale
        # Keys a fixed format always spells the same way, and keys only some records carry
        # (one app's credentials): looked for even if the first lines lack them.
        for slot in (fieldmap.SLOTS if defaults else _SPARSE):
            if choice.sources[slot] is None and active.get(slot) and active[slot][0][0] not in choice.used():
                choice.sources[slot] = active[slot][0][0]
                if slot == "duration_ms" and "duration_ms" not in fields:
                    scale = active[slot][0][1]

        def pointer(source: str) -> str:
            listed = any(source.startswith(prefix) for prefix in lists) or any(
                isinstance(_lookup(r, source), list) for r in records)
            return fieldmap.json_pointer(fieldmap.split_path(source)) + ("/0" if listed else "")

        paths = [pointer(s) if s else UNMAPPED for s in (choice.sources[slot] for slot in fieldmap.SLOTS)]
        # Only keys the sample shows: a merge patch would add an empty parent object
        # to records that lack the parent of a nested key it deletes.
        seen_names = set(sample_names)
        dropped = [fieldmap.split_path(s) for s in choice.used() if s in seen_names or "." not in s]
        dropped += [parts for parts in (fieldmap.split_path(n) for n in dict.fromkeys(sample_names))
                    if is_secret_name(parts[-1])]
        ts_source = choice.sources["ts"]
        top_level = dict.fromkeys(n for n in sample_names if "." not in n)
        seen = ", ".join(list(top_level)[:12]) or "none"
        return {
            "paths": paths,
            "duration_scale": scale,
            "drop": _drop_patch(dropped),
            "ts_hint": f"key {ts_source}" if ts_source else f"no timestamp key among {seen}; pass --field ts=KEY",
        }

    return prepare


ENVOY = LogFormat(
    name="envoy",
    summary="Envoy / Istio JSON access log (start_time, method, path, authority, response_code, ...)",
    detect=lambda sample: _share(sample, _is_envoy),
    query="formats/json",
    params={"format_name": "envoy"},
    fields="ts (start_time), method, host (authority), path+query, status (response_code), bytes (bytes_sent), "
           "duration, client_ip (X-Forwarded-For, downstream address), user_agent, authorization (jwt/basic); "
           "extra: the record's other keys but credentials",
    accepts_fields=True,
    prepare=_prepare(fieldmap.ENVOY, defaults=True),
    example='{"start_time":"2026-09-11T10:00:00.123Z","method":"GET","path":"/wiki/api/v2/pages/42",'
            '"protocol":"HTTP/1.1","response_code":200,"response_flags":"-","bytes_received":0,'
            '"bytes_sent":512,"duration":23,"upstream_service_time":"21","x_forwarded_for":"10.20.0.11",'
            '"user_agent":"BackupPro/2.1","request_id":"5f0c7a3e","authority":"acme.atlassian.net",'
            '"upstream_host":"104.192.142.18:443","downstream_remote_address":"10.20.0.11:51234"}',
)

CLOUDFLARE = LogFormat(
    name="cloudflare",
    summary="Cloudflare Logpush http_requests JSON (EdgeStartTimestamp: RFC 3339, unix or unixnano)",
    detect=lambda sample: _share(sample, _is_cloudflare),
    query="formats/json",
    params={"format_name": "cloudflare"},
    fields="ts (EdgeStartTimestamp), method, host, path+query (ClientRequestURI), status, bytes, duration, "
           "client_ip, user_agent, authorization and client id from RequestHeaders; extra: other keys",
    accepts_fields=True,
    prepare=_prepare(fieldmap.CLOUDFLARE, defaults=True),
    example='{"ClientIP":"203.0.113.40","ClientRequestHost":"api.atlassian.com","ClientRequestMethod":"GET",'
            '"ClientRequestURI":"/ex/confluence/7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11/wiki/api/v2/spaces",'
            '"ClientRequestUserAgent":"ReportBot/1.4 okhttp/4.12","EdgeResponseBytes":2048,'
            '"EdgeResponseStatus":200,"EdgeStartTimestamp":"2026-09-11T10:00:00Z","RayID":"8c1f2a3b4c5d6e7f"}',
)

GENERIC = LogFormat(
    name="json",
    summary="Generic JSON lines: keys found by well-known names (ts/time/@timestamp, method, url/path, "
            "status, ...); override with --field",
    detect=lambda sample: _share(sample, _is_generic),
    query="formats/json",
    params={"format_name": "json"},
    fields="every canonical field found by its usual key names (--field for others): ts, method, url or "
           "path+query, host, status, bytes, duration, client_ip, user_agent, remote_user, authorization, "
           "jwt_iss, client_id, app_key; extra: the other keys but credentials",
    accepts_fields=True,
    prepare=_prepare(fieldmap.GENERIC, defaults=False),
    generic=True,
    example='{"ts":"2026-09-11T10:00:00.250Z","method":"GET","url":"https://api.atlassian.com/ex/confluence/'
            '7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11/wiki/rest/api/content/98311004","status":200,"bytes":512,'
            '"duration_ms":41.5,"client_ip":"203.0.113.40","user_agent":"ReportBot/1.4 okhttp/4.12",'
            '"client_id":"Rb7xQ2oauthClient"}',
)



def product_format(product: JsonProduct) -> LogFormat:
    """The LogFormat of a product's JSON access log (analyzer/formats/jsonproducts.py)."""
    return LogFormat(
        name=product.name,
        summary=product.summary,
        detect=lambda sample: _share(sample, lambda record: _is_product(product, record)),
        query="formats/json",
        params={"format_name": product.name},
        accepts_fields=True,
        prepare=_prepare(product.table, defaults=product.fixed, lists=product.lists, variants=product.variants),
        example=product.example,
        fields=", ".join(f"{slot} ({' | '.join(name for name, _ in candidates)})"
                         for slot, candidates in product.table.items() if candidates),
    )


FORMATS = (ENVOY, CLOUDFLARE, *(product_format(p) for p in PRODUCTS), GENERIC)

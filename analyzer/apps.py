"""apps.yaml: the apps you know and how to recognise their requests in traffic.

Each app lists identifiers (JWT issuer, OAuth client id, any ingested field,
basic-auth user, user-agent regex, client address or CIDR); any one of them is
enough. Loading validates everything (regexes are compiled by DuckDB's RE2,
the engine that will run them) and replaces the workspace's app list; the
matching itself is SQL (queries/schema/attribution.sql) at query time.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from analyzer import pii
from analyzer.workspace import Workspace, registered
from analyzer.yamlio import Located, load_yaml

AUTH_KINDS = ("connect", "forge", "oauth2", "api_token")
#: Identifier kinds, strongest first: when two apps claim a request, the stronger wins.
STRENGTH = {"app_key": 0, "jwt_iss": 1, "client_id": 1, "field": 2, "basic_auth_user": 3,
            "user_agent": 4, "client_ip": 5}
MATCH_KEYS = ("jwt_iss", "client_id", "field", "basic_auth_user", "user_agent", "client_ip")


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str
    field: str | None = None

    @property
    def strength(self) -> int:
        return STRENGTH[self.kind]


@dataclass(frozen=True)
class App:
    key: str
    name: str
    auth: str | None
    identifiers: tuple[Identifier, ...]

    @property
    def eligible(self) -> bool:
        """Apps acting with an API token act as a user: app access rules cannot block them."""
        return self.auth != "api_token"


def _strings(doc: Located, value: Any, *key: str | int) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for index, item in enumerate(items):
        if isinstance(item, bool) or item is None or isinstance(item, (dict, list)):
            raise doc.error(f"expected a string or a list of strings, got {item!r}", *key, index)
        text = str(item).strip()
        if not text:
            raise doc.error("empty identifier", *key, index)
        out.append(text)
    return out


def _check_regex(doc: Located, pattern: str, *key: str | int) -> None:
    con = duckdb.connect()
    try:
        con.execute("SELECT regexp_matches('', ?)", [pattern]).fetchall()
    except duckdb.Error as error:
        detail = str(error).splitlines()[0]
        raise doc.error(f"user_agent pattern {pattern!r} is not a valid RE2 regex: {detail}", *key,
                        hint="RE2 has no look-around or back-references") from None
    finally:
        con.close()


def _check_ip(doc: Located, value: str, *key: str | int) -> None:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise doc.error(f"client_ip {value!r} is not an IP address or CIDR range", *key,
                        hint="e.g. 10.20.0.11, 10.20.0.0/24 or 2001:db8::/32") from None


def parse_apps(doc: Located) -> list[App]:
    data = doc.data
    if not isinstance(data, dict) or "apps" not in data:
        raise doc.error("expected a top-level `apps:` list", hint="see `appaccess apps load --help`")
    unknown_top = sorted(set(data) - {"apps"})
    if unknown_top:
        raise doc.error(f"unknown top-level key(s): {', '.join(unknown_top)}", unknown_top[0])
    if not isinstance(data["apps"], list):
        raise doc.error("`apps` must be a list", "apps")
    apps: list[App] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data["apps"]):
        where = ("apps", index)
        if not isinstance(item, dict):
            raise doc.error("each app must be a mapping with key, name and match", *where)
        unknown = sorted(set(item) - {"key", "name", "auth", "match"})
        if unknown:
            raise doc.error(f"unknown app field(s): {', '.join(unknown)}", *where, unknown[0],
                            hint="fields are key, name, auth, match")
        key = str(item.get("key") or "").strip()
        if not key:
            raise doc.error("app without a `key`", *where)
        if key in seen:
            raise doc.error(f"app key {key!r} appears twice (first on line {seen[key]})", *where, "key")
        seen[key] = doc.line(*where, "key") or 0
        auth = item.get("auth")
        if auth is not None and auth not in AUTH_KINDS:
            raise doc.error(f"auth {auth!r} is not one of {', '.join(AUTH_KINDS)}", *where, "auth")
        match = item.get("match") or {}
        if not isinstance(match, dict):
            raise doc.error("`match` must be a mapping of identifier kinds", *where, "match")
        bad = sorted(set(match) - set(MATCH_KEYS))
        if bad:
            raise doc.error(f"unknown match key(s): {', '.join(bad)}", *where, "match", bad[0],
                            hint="use " + ", ".join(MATCH_KEYS))
        identifiers: list[Identifier] = []
        for kind in MATCH_KEYS:
            if kind not in match:
                continue
            value = match[kind]
            if kind == "field":
                if not isinstance(value, dict) or not value:
                    raise doc.error("`field` must map field names to values, e.g. {x-app-id: backup}",
                                    *where, "match", "field")
                for name, wanted in value.items():
                    for text in _strings(doc, wanted, *where, "match", "field", name):
                        identifiers.append(Identifier("field", text, str(name)))
                continue
            for pos, text in enumerate(_strings(doc, value, *where, "match", kind)):
                if kind == "user_agent":
                    _check_regex(doc, text, *where, "match", kind, pos)
                if kind == "client_ip":
                    _check_ip(doc, text, *where, "match", kind, pos)
                identifiers.append(Identifier(kind, text))
        apps.append(App(key, str(item.get("name") or key), auth, tuple(identifiers)))
    return apps


def load_apps_file(path: str | Path) -> list[App]:
    return parse_apps(load_yaml(path))


def _ip_range(value: str) -> tuple[int, int, int]:
    network = ipaddress.ip_network(value, strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped:
        mapped = network.network_address.ipv4_mapped
        prefix = max(network.prefixlen - 96, 0)
        network = ipaddress.ip_network(f"{mapped}/{prefix}", strict=False)
    return network.version, int(network.network_address), int(network.broadcast_address)


def store_apps(ws: Workspace, apps: list[App]) -> None:
    """Replace the workspace's apps with ``apps`` (one transaction)."""
    app_rows = pa.table({
        "app_key": [a.key for a in apps], "name": [a.name for a in apps],
        "auth": pa.array([a.auth for a in apps], pa.string()),
        "ord": pa.array(range(1, len(apps) + 1), pa.int32()),
    })
    ident: dict[str, list[Any]] = {k: [] for k in ("app_key", "kind", "field", "value", "strength",
                                                   "ip_family", "ip_lo", "ip_hi")}
    for app in apps:
        for identifier in app.identifiers:
            family = lo = hi = None
            if identifier.kind == "client_ip":
                family, lo, hi = _ip_range(identifier.value)
            value_text = identifier.value
            if identifier.kind in ("basic_auth_user", "field"):  # e-mail addresses, account ids
                value_text = pii.redact_text(ws, value_text) or value_text
            for name, value in (("app_key", app.key), ("kind", identifier.kind), ("field", identifier.field),
                                ("value", value_text), ("strength", identifier.strength),
                                ("ip_family", family), ("ip_lo", None if lo is None else str(lo)),
                                ("ip_hi", None if hi is None else str(hi))):
                ident[name].append(value)
    ident_rows = pa.table({
        "app_key": pa.array(ident["app_key"], pa.string()), "kind": pa.array(ident["kind"], pa.string()),
        "field": pa.array(ident["field"], pa.string()), "value": pa.array(ident["value"], pa.string()),
        "strength": pa.array(ident["strength"], pa.int8()), "ip_family": pa.array(ident["ip_family"], pa.int8()),
        "ip_lo": pa.array(ident["ip_lo"], pa.string()), "ip_hi": pa.array(ident["ip_hi"], pa.string()),
    })
    with ws.transaction() as con, registered(con, "_apps", app_rows), registered(con, "_idents", ident_rows):
        con.execute("DELETE FROM app_identifiers")
        con.execute("DELETE FROM apps")
        con.execute("INSERT INTO apps SELECT app_key, name, auth, ord FROM _apps")
        con.execute("INSERT INTO app_identifiers SELECT app_key, kind, field, value, strength, ip_family, "
                    "ip_lo::UHUGEINT, ip_hi::UHUGEINT FROM _idents")
        ws.refresh_decisions()

"""Seeded synthetic Confluence traffic: for benchmarks, tests and the demo.

A :class:`World` is a small, coherent universe (sites, spaces, pages, apps);
:func:`generate_requests` draws requests from it (apps calling realistic
endpoints on content in known spaces, plus user scripts, unknown clients and
non-Confluence noise) and the ``format_*`` functions render them as log lines.
The same seed always gives the same lines.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from analyzer import synth_proxy
from analyzer.catalog import Endpoint, load_catalog
from analyzer.synthfront import FRONT_FORMATTERS


@dataclass(frozen=True)
class SynthApp:
    key: str
    name: str
    auth: str  # connect | forge | oauth2 | api_token | unknown
    user_agent: str
    client_ip: str
    jwt_iss: str | None = None
    client_id: str | None = None
    basic_user: str | None = None
    weight: float = 1.0
    blocked_share: float = 0.6  # share of its calls that go to blocked endpoints


@dataclass(frozen=True)
class SynthSpace:
    site: str
    space_id: str
    key: str
    name: str
    classification: str


@dataclass
class World:
    """Everything the generator draws from; also exported as inventory for the demo."""

    sites: dict[str, str] = field(default_factory=dict)  # site -> cloud id
    spaces: list[SynthSpace] = field(default_factory=list)
    pages: dict[str, list[str]] = field(default_factory=dict)  # space id -> content ids
    apps: list[SynthApp] = field(default_factory=list)

    @classmethod
    def default(cls) -> World:
        world = cls()
        world.sites = {
            "acme.atlassian.net": "7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11",
            "acme-sandbox.atlassian.net": "0b9e4d2c-5a6f-4e3b-8c7d-1a2b3c4d5e6f",
        }
        specs = [
            ("acme.atlassian.net", "98311", "HR", "Human Resources", "confidential"),
            ("acme.atlassian.net", "98312", "FIN", "Finance", "confidential"),
            ("acme.atlassian.net", "98313", "DEV", "Engineering", "internal"),
            ("acme.atlassian.net", "98314", "MKT", "Marketing", "public"),
            ("acme.atlassian.net", "98315", "~5b10ac8d82e05b22cc7d4ef5", "Jane Doe", "internal"),
            ("acme-sandbox.atlassian.net", "11201", "SBX", "Sandbox", "internal"),
        ]
        for site, space_id, key, name, classification in specs:
            world.spaces.append(SynthSpace(site, space_id, key, name, classification))
            base = int(space_id) * 1000
            world.pages[space_id] = [str(base + i) for i in range(1, 41)]
        world.apps = [
            SynthApp("com.acme.backup", "Backup Pro", "connect", "BackupPro/2.1 (+https://backup.example)",
                     "10.20.0.11", jwt_iss="backup-pro-connect", weight=4.0, blocked_share=0.8),
            SynthApp("io.reportbot", "ReportBot", "oauth2", "ReportBot/1.4 okhttp/4.12",
                     "203.0.113.40", client_id="Rb7xQ2oauthClient", weight=2.0, blocked_share=0.5),
            SynthApp("ari:forge:diagrams", "Diagram Studio", "forge", "Forge/1.0 node-fetch",
                     "198.51.100.7", weight=1.5, blocked_share=0.7),
            SynthApp("ops-scripts", "Ops scripts", "api_token", "python-requests/2.32.3",
                     "10.30.5.9", basic_user="ops-bot@acme.com", weight=1.0, blocked_share=0.6),
            SynthApp("unknown", "unknown", "unknown", "curl/8.5.0", "192.0.2.99", weight=0.5,
                     blocked_share=0.5),
        ]
        return world



@dataclass(frozen=True)
class SynthRequest:
    ts: dt.datetime
    method: str
    scheme_host: str  # https://acme.atlassian.net or https://api.atlassian.com
    site: str
    target: str  # path?query, as sent (gateway prefix included)
    status: int
    bytes: int
    duration_ms: float
    client_ip: str
    user_agent: str
    remote_user: str | None
    authorization: str | None  # JWT or Basic (for formats that log it)
    client_id: str | None


def _jwt(iss: str, rng: random.Random) -> str:
    def enc(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return f"{enc({'alg': 'HS256', 'typ': 'JWT'})}.{enc({'iss': iss, 'qsh': 'x', 'iat': 1})}." \
           f"{''.join(rng.choice('abcdefABCDEF0123456789') for _ in range(22))}"


_NOISE = ("/status", "/rest/api/3/myself", "/jira/software/projects", "/favicon.ico",
          "/wiki/spaces/HR/overview", "/wiki/plugins/servlet/ac/app/page")


def _fill(template: str, rng: random.Random, world: World, space: SynthSpace) -> str:
    page = rng.choice(world.pages[space.space_id])
    parts = []
    for segment in template.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1].lower()
            if "spacekey" in name:
                value = space.key
            elif "space" in name or (name == "id" and template.find("/spaces/{id}") >= 0):
                value = space.space_id
            elif name in ("id", "contentid", "page-id", "blogpost-id", "attachment-id",
                          "custom-content-id", "comment-id", "draftid", "pageid", "parentid"):
                value = page
            elif "key" in name:
                value = rng.choice(["backup-state", "sync", "meta"])
            elif "version" in name or "number" in name:
                value = str(rng.randint(1, 9))
            else:
                value = str(rng.randint(100, 99999))
            parts.append(value)
        else:
            parts.append(segment)
    return "/".join(parts)


def generate_requests(n: int, seed: int = 7, world: World | None = None,
                      start: dt.datetime | None = None, days: int = 30,
                      profile: str = "uniform") -> Iterator[SynthRequest]:
    """``n`` requests over ``days`` days, deterministic for a given seed.

    ``profile="uniform"`` draws endpoints evenly (broad coverage: the per-format samples
    and their tests are built on it); ``profile="apps"`` gives each app its own small set
    of endpoints and spaces and makes Confluence deny what the demo rule blocks, which is
    what real traffic looks like (the demo sample and the benchmarks use it).
    """
    rng = random.Random(seed)
    world = world or World.default()
    start = start or dt.datetime(2026, 9, 1)
    if profile == "apps":
        for ts, app, method, site, target, status in _apps_profile(n, rng, world, start, days):
            yield _request(rng, world, app, ts, method, site, target, status)
        return
    if profile != "uniform":
        raise ValueError(f"unknown synthetic profile {profile!r}")
    endpoints = [e for e in load_catalog() if e.path.startswith("/wiki/")]
    blocked = [e for e in endpoints if e.blocked and e.method == "GET"] or [e for e in endpoints if e.blocked]
    allowed = [e for e in endpoints if not e.blocked and e.method == "GET"]
    writes = [e for e in endpoints if e.blocked and e.method != "GET"]
    for ts, app in _clock(n, rng, world, start, days):
        if rng.random() < 0.04:
            site = "acme.atlassian.net"
            target = rng.choice(_NOISE)
            method = "GET"
            status = rng.choice((200, 200, 302, 404))
        else:
            space = rng.choice(world.spaces)
            site = space.site
            pick = rng.random()
            endpoint: Endpoint
            if pick < app.blocked_share:
                endpoint = rng.choice(writes) if rng.random() < 0.05 and writes else rng.choice(blocked)
            else:
                endpoint = rng.choice(allowed)
            method = endpoint.method
            target = _fill(endpoint.path, rng, world, space)
            if endpoint.path.endswith("/content/search") or endpoint.path.endswith("/search"):
                target += "?cql=" + rng.choice(["space%3D" + space.key + "+and+type%3Dpage",
                                                "type%3Dpage+order+by+created", "text~%22budget%22"])
            elif rng.random() < 0.2:
                target += "?limit=" + str(rng.choice((25, 50, 100)))
            status = rng.choices((200, 201, 204, 403, 404, 500), (80, 4, 3, 6, 5, 2))[0]
        yield _request(rng, world, app, ts, method, site, target, status)


def _request(rng: random.Random, world: World, app: SynthApp, ts: dt.datetime, method: str, site: str,
             target: str, status: int) -> SynthRequest:
    """The request as the app sends it: OAuth 2.0 and Forge apps through the gateway."""
    gateway = app.auth in ("oauth2", "forge")
    scheme_host = "https://api.atlassian.com" if gateway else f"https://{site}"
    if gateway:
        target = f"/ex/confluence/{world.sites[site]}{target}"
    authorization = None
    if app.jwt_iss:
        authorization = "JWT " + _jwt(app.jwt_iss, rng)
    elif app.basic_user:
        creds = base64.b64encode(f"{app.basic_user}:ATATT3xFfGF0s3cr3tT0k3n".encode()).decode()
        authorization = "Basic " + creds
    return SynthRequest(
        ts=ts, method=method, scheme_host=scheme_host, site=site, target=target, status=status,
        bytes=rng.randint(120, 90000), duration_ms=round(rng.uniform(4, 900), 3),
        client_ip=app.client_ip, user_agent=app.user_agent, remote_user=app.basic_user,
        authorization=authorization, client_id=app.client_id,
    )


# -- the "apps" profile: each app calls a handful of endpoints, mostly in its own spaces --------

#: (method path, weight) each app calls; unknown clients call a mix of plain reads.
REPERTOIRES: dict[str, tuple[tuple[str, float], ...]] = {
    "com.acme.backup": (
        ("GET /wiki/api/v2/spaces", 1), ("GET /wiki/api/v2/spaces/{id}", 2), ("GET /wiki/api/v2/spaces/{id}/pages", 6),
        ("GET /wiki/api/v2/pages/{id}", 20), ("GET /wiki/api/v2/pages/{id}/attachments", 8),
        ("GET /wiki/api/v2/pages/{id}/children", 5), ("GET /wiki/api/v2/pages/{id}/labels", 4),
        ("GET /wiki/api/v2/pages/{id}/versions", 3), ("GET /wiki/api/v2/pages/{id}/footer-comments", 3),
        ("GET /wiki/api/v2/attachments/{id}", 4), ("GET /wiki/rest/api/content/{id}/child/attachment", 2),
    ),
    "io.reportbot": (
        ("GET /wiki/rest/api/search", 10), ("GET /wiki/rest/api/content/search", 4), ("GET /wiki/api/v2/pages", 5),
        ("GET /wiki/api/v2/pages/{id}", 8), ("GET /wiki/rest/api/analytics/content/{contentId}/views", 4),
        ("GET /wiki/rest/api/space", 1), ("GET /wiki/rest/api/user/current", 1),
    ),
    "ari:forge:diagrams": (
        ("GET /wiki/api/v2/custom-content", 4), ("POST /wiki/api/v2/custom-content", 2),
        ("GET /wiki/api/v2/custom-content/{id}", 8), ("PUT /wiki/api/v2/custom-content/{id}", 3),
        ("GET /wiki/api/v2/pages/{id}", 6), ("GET /wiki/api/v2/pages/{page-id}/properties", 3),
        ("GET /wiki/api/v2/attachments/{id}", 2), ("GET /wiki/rest/api/settings/lookandfeel", 1),
    ),
    "ops-scripts": (
        ("GET /wiki/rest/api/content/{id}", 6), ("PUT /wiki/rest/api/content/{id}", 2),
        ("GET /wiki/rest/api/space/{spaceKey}", 3), ("GET /wiki/rest/api/space/{spaceKey}/content", 3),
        ("GET /wiki/rest/api/group/member", 1), ("GET /wiki/rest/api/content/{id}/restriction", 2),
        ("GET /wiki/rest/api/audit", 1),
    ),
    "unknown": (
        ("GET /wiki/rest/api/content/{id}", 3), ("GET /wiki/api/v2/pages/{id}", 3), ("GET /wiki/rest/api/space", 1),
        ("GET /wiki/rest/api/search", 1),
    ),
}
#: Which spaces each app works in (weights by space key); absent: all spaces alike.
SPACE_PREFERENCES: dict[str, dict[str, float]] = {
    "io.reportbot": {"FIN": 5, "HR": 3, "DEV": 2, "MKT": 1},
    "ari:forge:diagrams": {"DEV": 6, "MKT": 3, "~5b10ac8d82e05b22cc7d4ef5": 2, "HR": 1, "SBX": 1},
    "ops-scripts": {"DEV": 4, "HR": 2, "SBX": 1},
}
#: The demo's active rule (sample_logs/config/rules.yaml): Confluence denies it from then on.
ENFORCED = {"site": "acme.atlassian.net", "spaces": {"HR", "FIN"}, "from": dt.datetime(2026, 9, 11),
            "allow": {"com.acme.backup"}}


def _clock(n: int, rng: random.Random, world: World, start: dt.datetime,
           days: int) -> Iterator[tuple[dt.datetime, SynthApp]]:
    """``n`` evenly spread moments over ``days`` days, each with the app (by weight) calling then."""
    apps = world.apps
    weights = [a.weight for a in apps]
    step = days * 86400 / max(n, 1)
    for i in range(n):
        ts = start + dt.timedelta(seconds=i * step + rng.random() * step)
        yield ts, rng.choices(apps, weights)[0]


def _enforced_status(app: SynthApp, space: SynthSpace | None, endpoint: Endpoint, ts: dt.datetime,
                     rng: random.Random) -> int:
    """What Confluence answered: denials where the demo rule applies (with a rare enforcement gap)."""
    covered = (space is not None and space.site == ENFORCED["site"] and space.key in ENFORCED["spaces"]
               and ts >= ENFORCED["from"] and endpoint.blocked and app.auth in ("connect", "forge", "oauth2")
               and app.key not in ENFORCED["allow"])
    if covered:
        return rng.choices((403, 404, 200), (60, 36, 4))[0]
    status = rng.choices((200, 404, 500), (95, 4, 1))[0]
    return {"POST": 201, "PUT": 200}.get(endpoint.method, status) if status == 200 else status


def _apps_profile(n: int, rng: random.Random, world: World, start: dt.datetime,
                  days: int) -> Iterator[tuple[dt.datetime, SynthApp, str, str, str, int]]:
    """(ts, app, method, site, target, status) for the "apps" profile."""
    catalog = {e.key: e for e in load_catalog()}
    for ts, app in _clock(n, rng, world, start, days):
        if rng.random() < 0.03:
            yield ts, app, "GET", "acme.atlassian.net", rng.choice(_NOISE), rng.choice((200, 200, 302, 404))
            continue
        prefs = SPACE_PREFERENCES.get(app.key)
        spaces = world.spaces
        space = rng.choices(spaces, [prefs.get(s.key, 0.2) for s in spaces])[0] if prefs else rng.choice(spaces)
        repertoire = REPERTOIRES.get(app.key, REPERTOIRES["unknown"])
        key = rng.choices([k for k, _ in repertoire], [w for _, w in repertoire])[0]
        endpoint = catalog[key]
        target = _fill(endpoint.path, rng, world, space)
        named_space: SynthSpace | None = space
        if endpoint.path.endswith("/search"):
            if rng.random() < 0.6:
                target += "?cql=type%3Dpage+and+lastmodified+%3E+now(%22-1d%22)"
                named_space = None  # site-wide: results from covered spaces are withheld
            else:
                target += "?cql=space%3D" + space.key.replace("~", "%7E") + "+and+type%3Dpage"
        elif endpoint.path == "/wiki/api/v2/pages":
            target += f"?space-id={space.space_id}&limit=50"
        elif "{" not in endpoint.path and "spaces" not in endpoint.path:
            named_space = None
        elif rng.random() < 0.15:
            target += "?limit=" + str(rng.choice((25, 50, 100)))
        yield ts, app, endpoint.method, space.site, target, _enforced_status(app, named_space, endpoint, ts, rng)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _clf_time(ts: dt.datetime) -> str:
    return f"{ts.day:02d}/{_MONTHS[ts.month - 1]}/{ts.year}:{ts:%H:%M:%S} +0000"


def format_vhost_combined(r: SynthRequest) -> str:
    host = r.scheme_host.split("://", 1)[1]
    return (f'{host}:443 {r.client_ip} - {r.remote_user or "-"} [{_clf_time(r.ts)}] '
            f'"{r.method} {r.target} HTTP/1.1" {r.status} {r.bytes} "-" "{r.user_agent}"')


def format_combined(r: SynthRequest) -> str:
    return (f'{r.client_ip} - {r.remote_user or "-"} [{_clf_time(r.ts)}] '
            f'"{r.method} {r.target} HTTP/1.1" {r.status} {r.bytes} "-" "{r.user_agent}"')


def format_common(r: SynthRequest) -> str:
    return (f'{r.client_ip} - {r.remote_user or "-"} [{_clf_time(r.ts)}] '
            f'"{r.method} {r.target} HTTP/1.1" {r.status} {r.bytes}')


def _host(r: SynthRequest) -> str:
    return r.scheme_host.split("://", 1)[1]


def _epoch(ts: dt.datetime) -> float:
    return ts.replace(tzinfo=dt.UTC).timestamp()


def _port(r: SynthRequest) -> int:
    """A client source port that varies, deterministically."""
    return 32768 + (r.bytes * 7919 + r.ts.microsecond) % 28000


def _request_id(r: SynthRequest) -> str:
    return f"{(r.bytes * 2654435761 + r.ts.microsecond * 97) % (1 << 64):016x}"


def format_squid(r: SynthRequest) -> str:
    """Squid native access.log with SSL bump (so full URLs are visible)."""
    return (f"{_epoch(r.ts):.3f} {max(1, round(r.duration_ms)):6d} {r.client_ip} TCP_MISS/{r.status:03d} "
            f"{r.bytes} {r.method} {r.scheme_host}{r.target} - HIER_DIRECT/104.192.142.18 application/json")


def format_alb(r: SynthRequest) -> str:
    """AWS ALB access log of an egress/ingress balancer in front of Confluence traffic."""
    host = _host(r)
    backend = r.duration_ms / 1000
    created = r.ts - dt.timedelta(milliseconds=r.duration_ms)
    return (f"https {r.ts:%Y-%m-%dT%H:%M:%S.%f}Z app/confluence-egress/50dc6c495c0c9188 "
            f"{r.client_ip}:{_port(r)} 10.0.5.17:443 0.001 {backend:.3f} 0.000 {r.status} {r.status} "
            f"{180 + len(r.target)} {r.bytes} \"{r.method} https://{host}:443{r.target} HTTP/1.1\" "
            f"\"{r.user_agent}\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 "
            f"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/confluence/73e2d6bc24d8a067 "
            f"\"Root=1-{int(_epoch(r.ts)):08x}-{_request_id(r)}{_request_id(r)[:8]}\" \"{host}\" "
            f"\"arn:aws:acm:eu-west-1:123456789012:certificate/0c6f1c2e-7d1a-4f0e-9b9a-3f2d1e0c4b5a\" 1 "
            f"{created:%Y-%m-%dT%H:%M:%S.%f}Z \"forward\" \"-\" \"-\" \"10.0.5.17:443\" \"{r.status}\" "
            f"\"-\" \"-\" TID_{_request_id(r)}")


def format_envoy(r: SynthRequest) -> str:
    """Istio's default JSON access-log encoding (an egress gateway)."""
    forwarded = f"{r.client_ip}, 10.0.0.2" if r.bytes % 3 == 0 else None
    record = {
        "start_time": f"{r.ts:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z", "method": r.method, "path": r.target,
        "protocol": "HTTP/1.1", "response_code": r.status, "response_flags": "-",
        "response_code_details": "via_upstream", "connection_termination_details": None,
        "upstream_transport_failure_reason": None, "bytes_received": 0, "bytes_sent": r.bytes,
        "duration": round(r.duration_ms), "upstream_service_time": str(max(1, round(r.duration_ms) - 2)),
        "x_forwarded_for": forwarded, "user_agent": r.user_agent, "request_id": _request_id(r),
        "authority": _host(r), "upstream_host": "104.192.142.18:443",
        "upstream_cluster": f"outbound|443||{_host(r)}", "upstream_local_address": "10.0.7.3:40112",
        "downstream_local_address": "10.0.7.3:443", "downstream_remote_address": f"{r.client_ip}:{_port(r)}",
        "requested_server_name": _host(r), "route_name": "confluence-egress",
    }
    return json.dumps(record, separators=(",", ":"))


def format_cloudflare(r: SynthRequest) -> str:
    """Cloudflare Logpush http_requests, default timestamp format (unixnano)."""
    start_ns = round(_epoch(r.ts) * 1e6) * 1000
    record = {
        "ClientIP": r.client_ip, "ClientRequestHost": _host(r), "ClientRequestMethod": r.method,
        "ClientRequestURI": r.target, "ClientRequestPath": r.target.split("?", 1)[0],
        "ClientRequestProtocol": "HTTP/2", "ClientRequestUserAgent": r.user_agent, "ClientCountry": "de",
        "EdgeResponseBytes": r.bytes, "EdgeResponseStatus": r.status, "EdgeStartTimestamp": start_ns,
        "EdgeEndTimestamp": start_ns + int(r.duration_ms * 1e6), "OriginResponseDurationMs": round(r.duration_ms),
        "RayID": _request_id(r), "CacheCacheStatus": "dynamic", "SecurityAction": "unknown",
    }
    return json.dumps(record, separators=(",", ":"))


def format_json(r: SynthRequest) -> str:
    """An in-house API gateway's JSON log: local time with offset, full URL, credentials logged (badly)."""
    local = r.ts + dt.timedelta(hours=2)
    record: dict[str, object] = {
        "ts": f"{local:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "+02:00", "level": "info", "msg": "upstream request",
        "method": r.method, "url": r.scheme_host + r.target, "status": r.status, "bytes": r.bytes,
        "duration_ms": r.duration_ms, "client_ip": r.client_ip, "user_agent": r.user_agent,
        "request_id": _request_id(r), "route": "confluence",
    }
    if r.client_id:
        record["client_id"] = r.client_id
    if r.authorization:
        record["authorization"] = r.authorization
    return json.dumps(record, separators=(",", ":"))


W3C_FIELDS = ("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
              "cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken")


def w3c_header(ts: dt.datetime) -> list[str]:
    return ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
            f"#Date: {ts:%Y-%m-%d %H:%M:%S}", f"#Fields: {W3C_FIELDS}"]


def format_w3c(r: SynthRequest) -> str:
    """IIS (ARR reverse proxy) W3C extended line for :data:`W3C_FIELDS`; spaces in fields become '+'."""
    path, _, query = r.target.partition("?")
    return (f"{r.ts:%Y-%m-%d %H:%M:%S} 10.0.0.5 {r.method} {path} {query or '-'} 443 {r.remote_user or '-'} "
            f"{r.client_ip} {r.user_agent.replace(' ', '+')} - {_host(r)} {r.status} 0 0 {r.bytes} "
            f"{120 + len(r.target)} {max(1, round(r.duration_ms))}")


CSV_HEADER = "timestamp,client_ip,user,method,url,status,bytes,duration_ms,user_agent,client_id"


def format_csv(r: SynthRequest) -> str:
    """A proxy's CSV export (UTC times without offset); fields with commas or quotes are quoted."""
    values = [f"{r.ts:%Y-%m-%d %H:%M:%S.%f}"[:-3], r.client_ip, r.remote_user or "", r.method,
              r.scheme_host + r.target, str(r.status), str(r.bytes), f"{r.duration_ms:.3f}", r.user_agent,
              r.client_id or ""]
    return ",".join('"' + v.replace('"', '""') + '"' if ("," in v or '"' in v) else v for v in values)


def har_entry(r: SynthRequest) -> dict[str, object]:
    """One HAR 1.2 entry (as a browser or a recording proxy writes it)."""
    headers = [{"name": "Host", "value": _host(r)}, {"name": "User-Agent", "value": r.user_agent},
               {"name": "Accept", "value": "application/json"}]
    if r.authorization:
        headers.append({"name": "Authorization", "value": r.authorization})
    if r.bytes % 5 == 0:
        headers.append({"name": "Cookie", "value": f"tenant.session.token={_request_id(r)}{_request_id(r)}"})
    query = r.target.partition("?")[2]
    return {
        "startedDateTime": f"{r.ts:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z", "time": r.duration_ms,
        "request": {"method": r.method, "url": r.scheme_host + r.target, "httpVersion": "HTTP/2",
                    "headers": headers, "cookies": [],
                    "queryString": [{"name": k, "value": v} for k, _, v in
                                    (p.partition("=") for p in query.split("&") if p)],
                    "headersSize": -1, "bodySize": 0},
        "response": {"status": r.status, "statusText": "", "httpVersion": "HTTP/2",
                     "headers": [{"name": "Content-Type", "value": "application/json"}], "cookies": [],
                     "content": {"size": r.bytes, "mimeType": "application/json"}, "redirectURL": "",
                     "headersSize": -1, "bodySize": r.bytes},
        "cache": {}, "timings": {"send": 0, "wait": r.duration_ms, "receive": 0},
        "serverIPAddress": "104.192.142.18", "connection": str(443 + r.bytes % 7), "pageref": "page_1",
    }


def format_har(r: SynthRequest) -> str:
    """One HAR entry on one line (write_log wraps the entries into the document)."""
    return json.dumps(har_entry(r))


FORMATTERS = {
    "vhost_combined": format_vhost_combined,
    "combined": format_combined,
    "common": format_common,
    "squid": format_squid,
    "alb": format_alb,
    "envoy": format_envoy,
    "cloudflare": format_cloudflare,
    "json": format_json,
    "w3c": format_w3c,
    "csv": format_csv,
    "har": format_har,
    **FRONT_FORMATTERS,  # reverse proxies, meshes, cloud front doors
    **synth_proxy.FORMATTERS,  # egress proxies, CloudFront, IIS Advanced Logging, Squid logformats
}


def header_lines(fmt: str, start: dt.datetime | None = None) -> list[str]:
    """Lines a file of ``fmt`` starts with (W3C directives, the CSV header)."""
    if fmt == "w3c":
        return w3c_header(start or dt.datetime(2026, 9, 1))
    if fmt == "csv":
        return [CSV_HEADER]
    if fmt in synth_proxy.HEADERS:
        return synth_proxy.HEADERS[fmt](start or dt.datetime(2026, 9, 1))
    return []


def write_log(path: Path, n: int, fmt: str = "vhost_combined", seed: int = 7,
              world: World | None = None, profile: str = "apps") -> Path:
    """Write ``n`` synthetic requests in ``fmt`` to ``path`` (plain text).

    Header formats get their header first; ``har`` is one JSON document whose
    entries are one per line.
    """
    formatter = FORMATTERS[fmt]
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        if fmt == "har":
            handle.write('{"log": {"version": "1.2", "creator": {"name": "appaccess synth", "version": "1"}, '
                         '"pages": [{"startedDateTime": "2026-09-01T00:00:00.000Z", "id": "page_1", '
                         '"title": "Confluence", "pageTimings": {}}], "entries": [\n')
        for line in header_lines(fmt):
            handle.write(line + "\n")
        batch: list[str] = []
        separator = ",\n" if fmt == "har" else "\n"
        first = True
        for request in generate_requests(n, seed, world, profile=profile):
            batch.append(formatter(request))
            if len(batch) >= 10000:
                handle.write(("" if first else separator) + separator.join(batch))
                first = False
                batch.clear()
        if batch:
            handle.write(("" if first else separator) + separator.join(batch))
        handle.write("\n]}}\n" if fmt == "har" else "\n")
    return path

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

from analyzer.catalog import Endpoint, load_catalog


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

    def space_of_page(self, content_id: str) -> SynthSpace:
        space_id = str(int(content_id) // 1000)
        return next(s for s in self.spaces if s.space_id == space_id)


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
                      start: dt.datetime | None = None, days: int = 30) -> Iterator[SynthRequest]:
    """``n`` requests over ``days`` days, deterministic for a given seed."""
    rng = random.Random(seed)
    world = world or World.default()
    start = start or dt.datetime(2026, 9, 1)
    endpoints = [e for e in load_catalog() if e.path.startswith("/wiki/")]
    blocked = [e for e in endpoints if e.blocked and e.method == "GET"] or [e for e in endpoints if e.blocked]
    allowed = [e for e in endpoints if not e.blocked and e.method == "GET"]
    writes = [e for e in endpoints if e.blocked and e.method != "GET"]
    apps = world.apps
    weights = [a.weight for a in apps]
    step = days * 86400 / max(n, 1)
    for i in range(n):
        ts = start + dt.timedelta(seconds=i * step + rng.random() * step)
        app = rng.choices(apps, weights)[0]
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
        yield SynthRequest(
            ts=ts, method=method, scheme_host=scheme_host, site=site, target=target, status=status,
            bytes=rng.randint(120, 90000), duration_ms=round(rng.uniform(4, 900), 3),
            client_ip=app.client_ip, user_agent=app.user_agent, remote_user=app.basic_user,
            authorization=authorization, client_id=app.client_id,
        )


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


FORMATTERS = {
    "vhost_combined": format_vhost_combined,
    "combined": format_combined,
    "common": format_common,
}


def write_log(path: Path, n: int, fmt: str = "vhost_combined", seed: int = 7,
              world: World | None = None) -> Path:
    """Write ``n`` synthetic lines in ``fmt`` to ``path`` (plain text)."""
    formatter = FORMATTERS[fmt]
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        batch: list[str] = []
        for request in generate_requests(n, seed, world):
            batch.append(formatter(request))
            if len(batch) >= 10000:
                handle.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            handle.write("\n".join(batch) + "\n")
    return path

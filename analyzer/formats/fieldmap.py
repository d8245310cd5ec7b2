"""Which source field holds which canonical field, for self-describing inputs.

JSON records, CSV headers and W3C ``#Fields:`` name their fields, but every
producer spells them its own way (``status``, ``status_code``,
``response_code``, ``sc-status``...). This module holds the name tables and
picks, per file, one source field per canonical *slot* from the names seen in
the file's first lines, then applies ``--field CANONICAL=SOURCE`` overrides.
The SQL parsers read the slots in the fixed order of :data:`SLOTS`.

Names are compared *normalised* (lower case, only letters and digits), so
``User-Agent``, ``user_agent``, ``userAgent`` and ``cs(User-Agent)`` are all
``useragent`` / ``csuseragent``. Nested JSON keys are dotted paths
(``http.request.method``); a candidate without a dot matches a top-level key
first and otherwise the leaf of a nested path (shortest path first), so
``request.headers.user-agent`` is found for ``user_agent``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from analyzer.errors import UsageError

#: Slots the SQL parsers read, in this order (1-based in SQL). ``url`` may also
#: be a whole request line ("GET /x HTTP/1.1"); ``client_ip_fallback`` is used
#: when ``client_ip`` is empty; ``duration_ms`` is scaled by the chosen key.
SLOTS: tuple[str, ...] = (
    "ts", "method", "url", "path", "query", "host", "status", "bytes", "duration_ms",
    "client_ip", "client_ip_fallback", "user_agent", "remote_user", "authorization", "jwt_iss",
    "client_id", "app_key",
)

#: A name (or dotted path) and the factor that turns its value into milliseconds
#: (durations only; 1 elsewhere).
Candidate = tuple[str, float]


def _c(*names: str, scale: float = 1.0) -> list[Candidate]:
    return [(n, scale) for n in names]


#: Generic JSON and CSV: well-known key names, best first.
#: Durations: names ending in _ms, ``duration``, ``latency``, ``elapsed`` and
#: ``time_taken`` are milliseconds; ``request_time`` / ``response_time`` and
#: names ending in _s / _sec are seconds (nginx ``$request_time``);
#: ``duration_us`` microseconds; ``duration_ns`` and ECS ``event.duration``
#: nanoseconds.
GENERIC: dict[str, list[Candidate]] = {
    "ts": _c("ts", "timestamp", "@timestamp", "time", "datetime", "date", "time_iso8601", "time_local",
             "start_time", "starttime", "event_time", "log_time", "request_time_iso"),
    "method": _c("method", "request_method", "http_method", "verb", "http.request.method", "req_method"),
    "url": _c("url", "uri", "request_uri", "full_url", "url.original", "url.full", "request_url",
              "request"),
    "path": _c("path", "url_path", "request_path", "url.path"),
    "query": _c("query", "query_string", "querystring", "args", "url.query"),
    "host": _c("host", "authority", "server_name", "vhost", "http_host", "url.domain", "hostname",
               "destination.domain"),
    "status": _c("status", "status_code", "response_code", "http_status", "http.response.status_code",
                 "response_status", "sc_status", "http_code", "code"),
    "bytes": _c("bytes", "bytes_sent", "body_bytes_sent", "size", "response_size", "response_bytes",
                "http.response.body.bytes", "http.response.bytes"),
    "duration_ms": [
        *_c("duration_ms", "latency_ms", "elapsed_ms", "response_time_ms", "request_time_ms", "time_ms"),
        *_c("duration", "latency", "elapsed", "time_taken"),
        *_c("request_time", "response_time", "duration_s", "duration_sec", "latency_s", scale=1000.0),
        *_c("duration_us", "latency_us", scale=0.001),
        *_c("duration_ns", "event.duration", scale=1e-6),
    ],
    "client_ip": _c("client_ip", "remote_addr", "remote_ip", "ip", "clientip", "client", "client_addr",
                    "source.ip", "client.ip", "client.address", "src_ip", "source_ip", "src"),
    "client_ip_fallback": _c("x_forwarded_for", "http_x_forwarded_for", "xff", "forwarded_for"),
    "user_agent": _c("user_agent", "http_user_agent", "ua", "agent", "user_agent.original"),
    "remote_user": _c("remote_user", "user", "username", "user_name", "user.name", "auth_user"),
    "authorization": _c("authorization", "http_authorization", "auth_header"),
    "jwt_iss": _c("jwt_iss", "iss", "jwt_issuer"),
    "client_id": _c("client_id", "oauth_client_id", "oauth_client", "clientid"),
    "app_key": _c("app_key", "addon_key", "app_id", "appkey"),
}

#: Envoy / Istio access-log JSON (Istio's default JSON encoding). Decision: the
#: client is the first X-Forwarded-For entry when present (behind a load
#: balancer the peer address is the balancer), else downstream_remote_address.
ENVOY: dict[str, list[Candidate]] = {
    "ts": _c("start_time"),
    "method": _c("method"),
    "url": _c("path", "x_envoy_original_path"),
    "host": _c("authority", "requested_server_name"),
    "status": _c("response_code"),
    "bytes": _c("bytes_sent"),
    "duration_ms": _c("duration"),
    "client_ip": _c("x_forwarded_for"),
    "client_ip_fallback": _c("downstream_remote_address", "downstream_direct_remote_address"),
    "user_agent": _c("user_agent"),
    "authorization": _c("authorization"),
}

#: Cloudflare Logpush, http_requests dataset.
CLOUDFLARE: dict[str, list[Candidate]] = {
    "ts": _c("EdgeStartTimestamp"),
    "method": _c("ClientRequestMethod"),
    "url": _c("ClientRequestURI"),
    "path": _c("ClientRequestPath"),
    "host": _c("ClientRequestHost"),
    "status": _c("EdgeResponseStatus"),
    "bytes": _c("EdgeResponseBytes"),
    "duration_ms": [*_c("OriginResponseDurationMs", "EdgeTimeToFirstByteMs"),
                    *_c("OriginResponseTime", scale=1e-6)],
    "client_ip": _c("ClientIP"),
    "user_agent": _c("ClientRequestUserAgent"),
    "authorization": _c("RequestHeaders.authorization"),
    "client_id": _c("RequestHeaders.x-oauth-client-id"),
}

#: W3C extended / ELFF (IIS, IIS Advanced Logging, CloudFront, ProxySG). Names are
#: compared normalised, so ``Date-Local`` is ``date-local``. The time slot is
#: resolved by analyzer/formats/w3c.py (date + time pairs, local or UTC) and is
#: not in this table. time-taken: milliseconds (IIS, ProxySG); a value with a
#: decimal point is seconds (CloudFront) - decided per row in SQL. The viewer's
#: Host header (x-host-header, CloudFront) wins over cs(Host), which CloudFront
#: fills with the distribution's own domain.
W3C: dict[str, list[Candidate]] = {
    "method": _c("cs-method"),
    "url": _c("cs-uri"),
    "path": _c("cs-uri-stem", "cs-uri-path"),
    "query": _c("cs-uri-query"),
    "host": _c("x-host-header", "cs-host", "cs(host)"),
    "status": _c("sc-status"),
    "bytes": _c("sc-bytes"),
    "duration_ms": [*_c("time-taken"), *_c("timetakenms", "time-taken-ms")],
    "client_ip": _c("c-ip"),
    "client_ip_fallback": _c("cs(x-forwarded-for)", "x-forwarded-for"),
    "user_agent": _c("cs(user-agent)"),
    "remote_user": _c("cs-username"),
    "authorization": _c("cs(authorization)"),
}


def norm(name: str) -> str:
    """A field name reduced to lower-case letters and digits, per dotted part."""
    return ".".join(re.sub(r"[^a-z0-9]", "", part.lower()) for part in name.split("."))


@dataclass(frozen=True)
class FieldChoice:
    """The chosen source field per slot (None: not in this file) and the duration factor."""

    sources: dict[str, str | None]
    duration_scale: float = 1.0

    def used(self) -> list[str]:
        return [s for s in self.sources.values() if s is not None]


def choose(names: Iterable[str], table: Mapping[str, list[Candidate]],
           overrides: Mapping[str, str] | None = None,
           accept: Callable[[str, str], bool] | None = None) -> FieldChoice:
    """Pick a source for every slot among ``names`` (flattened, dotted for nesting).

    Exact (normalised) names win over nested leaves; one source feeds one slot.
    ``accept(slot, name)`` may veto a candidate (a ``time`` key holding a
    duration is no timestamp). ``overrides`` (canonical -> source, from
    --field) win over everything; overriding ``client_ip`` also drops the
    automatic fallback, and an overridden ``duration_ms`` is milliseconds.
    """
    present = list(dict.fromkeys(names))
    by_name: dict[str, str] = {}
    for name in present:
        by_name.setdefault(norm(name), name)
    by_leaf: dict[str, str] = {}
    for name in sorted(present, key=lambda n: (n.count("."), len(n))):
        if 0 < name.count(".") <= 3:
            by_leaf.setdefault(norm(name.rsplit(".", 1)[1]), name)
    sources: dict[str, str | None] = dict.fromkeys(SLOTS)
    scale = 1.0
    taken: set[str] = set()

    def pick(slot: str, index: dict[str, str], leaves: bool) -> tuple[str, float] | None:
        for candidate, factor in table.get(slot, []):
            if leaves and "." in candidate:
                continue
            name = index.get(norm(candidate))
            if name is not None and name not in taken and (accept is None or accept(slot, name)):
                return name, factor
        return None

    for slot in SLOTS:
        found = pick(slot, by_name, False) or pick(slot, by_leaf, True)
        if found is not None:
            sources[slot] = found[0]
            taken.add(found[0])
            if slot == "duration_ms":
                scale = found[1]
    for canonical, source in (overrides or {}).items():
        sources[canonical] = source
        if canonical == "client_ip":
            sources["client_ip_fallback"] = None
        if canonical == "duration_ms":
            scale = 1.0
    return FieldChoice(sources, scale)


def split_path(source: str) -> list[str]:
    """``a.b."c.d"`` -> ['a', 'b', 'c.d']: dots separate nested keys, double quotes protect a key
    holding dots or quotes (``""`` inside quotes is one quote; ``""`` alone is the empty key)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    was_quoted = False
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == '"':
            if quoted and source[i + 1:i + 2] == '"':
                current.append('"')
                i += 2
                continue
            quoted = not quoted
            was_quoted = True
        elif ch == "." and not quoted:
            if not current and not was_quoted:
                raise UsageError(f"empty key in field path {source!r}", hint="e.g. request.headers.user-agent")
            parts.append("".join(current))
            current, was_quoted = [], False
        else:
            current.append(ch)
        i += 1
    if quoted:
        raise UsageError(f"unbalanced quote in field path {source!r}",
                         hint='quote a key holding dots like this: request."x.y"')
    if not current and not was_quoted:
        raise UsageError(f"empty key in field path {source!r}", hint="e.g. request.headers.user-agent")
    parts.append("".join(current))
    return parts


def quote_key(key: str) -> str:
    """One key as a part of a dotted path (quoted when it holds a dot or a quote, or is empty)."""
    if key and "." not in key and '"' not in key:
        return key
    return '"' + key.replace('"', '""') + '"'


def json_pointer(parts: Sequence[str]) -> str:
    """RFC 6901 pointer for nested keys: no key can break out of it."""
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def flatten_keys(record: object, prefix: str = "", depth: int = 0, leaves_only: bool = False) -> list[str]:
    """Dotted paths of a JSON object's keys: every key, or only those holding a scalar or a list."""
    out: list[str] = []
    if not isinstance(record, dict) or depth > 6:
        return out
    for key, value in record.items():
        path = prefix + quote_key(str(key))
        if not (leaves_only and isinstance(value, dict)):
            out.append(path)
        if isinstance(value, dict):
            out.extend(flatten_keys(value, path + ".", depth + 1, leaves_only))
    return out


def unique_names(names: Sequence[str]) -> list[str]:
    """Column names made unique (a repeated header gets _2, _3...), as JSON keys must be."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        base = name or "column"
        candidate = base
        while candidate in seen:
            seen[base] = seen.get(base, 1) + 1
            candidate = f"{base}_{seen[base]}"
        seen[candidate] = 1
        out.append(candidate)
    return out

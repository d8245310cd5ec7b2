"""Synthetic requests rendered as reverse-proxy, mesh and cloud front-door logs.

The companions of the ``format_*`` functions of :mod:`analyzer.synth` for the
formats of issue 14 (HAProxy, Envoy text, Traefik, nginx JSON, Caddy, API
Gateway, GCP and Azure load balancers): each renders one
:class:`~analyzer.synth.SynthRequest` the way the product writes it, so the
samples under sample_logs/ and the benchmarks can be generated, and a test
can compare what was parsed with what was generated. Kept apart from
:mod:`analyzer.synth` (which registers these in its ``FORMATTERS``) so that
module stays one job; this one imports nothing from it at run time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analyzer.synth import SynthRequest

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ATLASSIAN = "104.192.142.18"


def _host(r: SynthRequest) -> str:
    return r.scheme_host.split("://", 1)[1]


def _epoch(ts: dt.datetime) -> float:
    return ts.replace(tzinfo=dt.UTC).timestamp()


def _port(r: SynthRequest) -> int:
    return 32768 + (r.bytes * 7919 + r.ts.microsecond) % 28000


def _hex(r: SynthRequest, width: int = 16) -> str:
    """Up to 32 hex digits that vary from request to request, deterministically."""
    seed = r.bytes * 2654435761 + r.ts.microsecond * 97
    return f"{seed % (1 << 64):016x}{(seed * 40503 + 12345) % (1 << 64):016x}"[:width]


def _uuid(r: SynthRequest) -> str:
    h = _hex(r, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _clf(ts: dt.datetime, offset_hours: int = 0) -> str:
    local = ts + dt.timedelta(hours=offset_hours)
    sign = "+" if offset_hours >= 0 else "-"
    return f"{local.day:02d}/{_MONTHS[local.month - 1]}/{local.year}:{local:%H:%M:%S} {sign}{abs(offset_hours):02d}00"


def _ms(ts: dt.datetime) -> str:
    return f"{ts:%Y-%m-%dT%H:%M:%S.%f}"[:-3]


def _dumps(record: dict[str, object]) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def _cookie(r: SynthRequest) -> str | None:
    """A session cookie on some requests (never to be stored)."""
    return f"tenant.session.token=c00k13{_hex(r, 8)}" if r.bytes % 5 == 0 else None


# -- text formats ---------------------------------------------------------------------------------

def _haproxy_body(r: SynthRequest, frontend: str, captures: str) -> str:
    """The httplog line after any syslog prefix (TR/Tw/Tc/Tr/Ta timers, total Ta = the duration)."""
    ta = max(1, round(r.duration_ms))
    tr = max(0, ta - 3)
    gateway = r.scheme_host.endswith("api.atlassian.com")
    # HTTP/2 requests carry the absolute URI (the :scheme and :authority pseudo-headers)
    request = f"{r.method} {r.scheme_host}{r.target} HTTP/2.0" if gateway else f"{r.method} {r.target} HTTP/1.1"
    return (f"{r.client_ip}:{_port(r)} [{r.ts.day:02d}/{_MONTHS[r.ts.month - 1]}/{r.ts.year}:"
            f"{r.ts:%H:%M:%S}.{r.ts.microsecond // 1000:03d}] {frontend} be_atlassian/atl{1 + r.bytes % 3} "
            f"0/0/2/{tr}/{ta} {r.status} {r.bytes} - - ---- {5 + r.bytes % 20}/{5 + r.bytes % 20}/2/1/0 0/0 "
            f"{captures}\"{request}\"")


def format_haproxy(r: SynthRequest) -> str:
    """HAProxy to syslog (RFC 3164 with PRI, no host name: HAProxy's own header), capturing
    Host, User-Agent and Authorization (``capture request header ... len 1024``)."""
    sent = r.ts + dt.timedelta(milliseconds=r.duration_ms)
    prefix = f"<134>{_MONTHS[sent.month - 1]} {sent.day:2d} {sent:%H:%M:%S} haproxy[2231]: "
    captures = "{" + "|".join((_host(r), r.user_agent, r.authorization or "")) + "} "
    return prefix + _haproxy_body(r, "fe_confluence~", captures)


def format_haproxy_stdout(r: SynthRequest) -> str:
    """HAProxy logging to stdout (a container): no syslog prefix, User-Agent and Host captured
    in that order, and a response header block."""
    captures = "{" + r.user_agent + "|" + _host(r) + "} {application/json} "
    return _haproxy_body(r, "fe_confluence", captures)


def format_envoy_text(r: SynthRequest) -> str:
    """Envoy's default text format (an egress listener behind a load balancer: X-Forwarded-For set)."""
    forwarded = f"{r.client_ip}, 10.0.0.2" if r.bytes % 3 == 0 else r.client_ip
    took = max(1, round(r.duration_ms))
    return (f'[{_ms(r.ts)}Z] "{r.method} {r.target} HTTP/1.1" {r.status} - 0 {r.bytes} {took} {max(1, took - 2)} '
            f'"{forwarded}" "{r.user_agent}" "{_uuid(r)}" "{_host(r)}" "{_ATLASSIAN}:443"')


def format_traefik_common(r: SynthRequest) -> str:
    """Traefik's common format (the egress service is the Atlassian host)."""
    return (f'{r.client_ip} - {r.remote_user or "-"} [{_clf(r.ts)}] "{r.method} {r.target} HTTP/1.1" {r.status} '
            f'{r.bytes} "-" "{r.user_agent}" {int(_epoch(r.ts)) % 100000} "confluence-egress@file" '
            f'"https://{_host(r)}" {max(0, round(r.duration_ms))}ms')


# -- JSON formats ---------------------------------------------------------------------------------

def format_nginx_json(r: SynthRequest) -> str:
    """nginx ``log_format json_combined escape=json`` (every value a string, "" when unset)."""
    return _dumps({
        "msec": f"{int(_epoch(r.ts))}.{r.ts.microsecond // 1000:03d}", "time_local": _clf(r.ts),
        "remote_addr": r.client_ip,
        "remote_user": r.remote_user or "", "request": f"{r.method} {r.target} HTTP/1.1", "status": str(r.status),
        "body_bytes_sent": str(r.bytes), "request_time": f"{r.duration_ms / 1000:.3f}", "http_referer": "",
        "http_user_agent": r.user_agent, "http_x_forwarded_for": "", "host": _host(r),
        "http_authorization": r.authorization or "", "request_id": _hex(r, 32),
        "upstream_response_time": f"{max(0.001, r.duration_ms / 1000 - 0.002):.3f}",
    })


def format_caddy(r: SynthRequest) -> str:
    """Caddy's access log with ``log_credentials`` on (Authorization logged, not REDACTED)."""
    headers: dict[str, list[str]] = {"User-Agent": [r.user_agent], "Accept": ["application/json"]}
    if r.authorization:
        headers["Authorization"] = [r.authorization]
    if cookie := _cookie(r):
        headers["Cookie"] = [cookie]
    return _dumps({
        "level": "info", "ts": round(_epoch(r.ts), 6), "logger": "http.log.access.log0", "msg": "handled request",
        "request": {"remote_ip": r.client_ip, "remote_port": str(_port(r)), "client_ip": r.client_ip,
                    "proto": "HTTP/2.0", "method": r.method, "host": _host(r), "uri": r.target, "headers": headers,
                    "tls": {"resumed": False, "version": 772, "cipher_suite": 4865, "proto": "h2",
                            "server_name": _host(r)}},
        "bytes_read": 0, "user_id": r.remote_user or "", "duration": round(r.duration_ms / 1000, 6), "size": r.bytes,
        "status": r.status, "resp_headers": {"Server": ["Caddy"], "Content-Type": ["application/json"]},
    })


def _rfc3339_nano(ts: dt.datetime, offset_hours: int = 0) -> str:
    """Go's RFC3339Nano: nanoseconds with trailing zeros dropped."""
    local = ts + dt.timedelta(hours=offset_hours)
    fraction = f"{local.microsecond:06d}417".rstrip("0")
    zone = "Z" if offset_hours == 0 else f"+{offset_hours:02d}:00"
    return f"{local:%Y-%m-%dT%H:%M:%S}" + (f".{fraction}" if fraction else "") + zone


def format_traefik_json(r: SynthRequest) -> str:
    """Traefik's JSON access log, headers kept (``fields.headers.defaultMode: keep``)."""
    took_ns = round(r.duration_ms * 1e6)
    record: dict[str, object] = {
        "ClientAddr": f"{r.client_ip}:{_port(r)}", "ClientHost": r.client_ip, "ClientPort": str(_port(r)),
        "ClientUsername": r.remote_user or "-", "DownstreamContentSize": r.bytes, "DownstreamStatus": r.status,
        "Duration": took_ns, "OriginContentSize": r.bytes, "OriginDuration": max(0, took_ns - 350000),
        "OriginStatus": r.status, "Overhead": 350000, "RequestAddr": _host(r), "RequestContentSize": 0,
        "RequestCount": int(_epoch(r.ts)) % 100000, "RequestHost": _host(r), "RequestMethod": r.method,
        "RequestPath": r.target, "RequestPort": "-", "RequestProtocol": "HTTP/1.1", "RequestScheme": "https",
        "RetryAttempts": 0, "RouterName": "confluence-egress@file", "ServiceAddr": f"{_ATLASSIAN}:443",
        "ServiceName": "atlassian@file", "ServiceURL": f"https://{_host(r)}", "StartLocal": _rfc3339_nano(r.ts, 2),
        "StartUTC": _rfc3339_nano(r.ts), "entryPointName": "websecure", "level": "info", "msg": "",
        "request_User-Agent": r.user_agent,
    }
    if r.authorization:
        record["request_Authorization"] = r.authorization
    record["time"] = f"{r.ts + dt.timedelta(milliseconds=r.duration_ms):%Y-%m-%dT%H:%M:%S}Z"
    return _dumps(record)


def format_apigateway(r: SynthRequest) -> str:
    """API Gateway (REST API, HTTP proxy integration) with a custom-domain JSON access log format; a Lambda
    authorizer sets principalId, Cognito the OAuth client id. $context has no query string."""
    record: dict[str, object] = {
        "requestId": _uuid(r), "extendedRequestId": _hex(r, 16), "requestTime": _clf(r.ts),
        "requestTimeEpoch": int(_epoch(r.ts) * 1000), "httpMethod": r.method, "path": r.target.split("?", 1)[0],
        "resourcePath": "/{proxy+}", "status": str(r.status), "protocol": "HTTP/1.1",
        "responseLength": str(r.bytes), "responseLatency": str(max(1, round(r.duration_ms))),
        "integrationLatency": str(max(1, round(r.duration_ms) - 4)), "domainName": _host(r), "stage": "prod",
        "identity": {"sourceIp": r.client_ip, "userAgent": r.user_agent},
    }
    if r.remote_user:
        record["authorizer"] = {"principalId": r.remote_user}
    elif r.client_id:
        record["authorizer"] = {"claims": {"client_id": r.client_id, "scope": "read:confluence-content.all"}}
    return _dumps(record)


def format_gcp_lb(r: SynthRequest) -> str:
    """A Cloud Logging entry of an external Application Load Balancer (exported as JSON lines)."""
    return _dumps({
        "insertId": _hex(r, 12), "jsonPayload": {
            "@type": "type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry",
            "statusDetails": "response_sent_by_backend", "backendTargetProjectNumber": "projects/123456789012",
            "remoteIp": r.client_ip},
        "httpRequest": {"requestMethod": r.method, "requestUrl": r.scheme_host + r.target,
                        "requestSize": str(180 + len(r.target)), "status": r.status, "responseSize": str(r.bytes),
                        "userAgent": r.user_agent, "remoteIp": r.client_ip, "serverIp": "10.0.5.17",
                        "latency": f"{r.duration_ms / 1000:.6f}s", "protocol": "HTTP/1.1"},
        "resource": {"type": "http_load_balancer", "labels": {
            "backend_service_name": "confluence-egress", "forwarding_rule_name": "confluence-fr",
            "project_id": "acme-prod", "target_proxy_name": "confluence-proxy", "url_map_name": "confluence-map",
            "zone": "global"}},
        "timestamp": f"{r.ts:%Y-%m-%dT%H:%M:%S.%f}Z", "severity": "INFO",
        "logName": "projects/acme-prod/logs/requests", "trace": f"projects/acme-prod/traces/{_hex(r, 32)}",
        "receiveTimestamp": f"{r.ts + dt.timedelta(seconds=2):%Y-%m-%dT%H:%M:%S.%f}Z",
    })


_APPGW = ("/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/NETWORK/PROVIDERS/"
          "MICROSOFT.NETWORK/APPLICATIONGATEWAYS/CONFLUENCE-EGRESS")


def format_azure_appgw(r: SynthRequest) -> str:
    """Azure Application Gateway v2 access log (timeStamp to the second, timeTaken in seconds)."""
    path, _, query = r.target.partition("?")
    return _dumps({
        "timeStamp": f"{r.ts:%Y-%m-%dT%H:%M:%S}+00:00", "resourceId": _APPGW, "listenerName": "https-listener",
        "ruleName": "confluence", "backendPoolName": "atlassian", "backendSettingName": "atlassian-https",
        "operationName": "ApplicationGatewayAccess", "category": "ApplicationGatewayAccessLog",
        "properties": {
            "instanceId": "appgw_1", "clientIP": r.client_ip, "clientPort": _port(r), "httpMethod": r.method,
            "originalRequestUriWithArgs": r.target, "requestUri": path, "requestQuery": query,
            "userAgent": r.user_agent, "httpStatus": r.status, "httpVersion": "HTTP/1.1",
            "receivedBytes": 180 + len(r.target), "sentBytes": r.bytes, "clientResponseTime": 0,
            "timeTaken": round(r.duration_ms / 1000, 3), "WAFEvaluationTime": "0.000", "WAFMode": "Detection",
            "transactionId": _hex(r, 32), "sslEnabled": "on", "sslCipher": "ECDHE-RSA-AES256-GCM-SHA384",
            "sslProtocol": "TLSv1.2", "serverRouted": f"{_ATLASSIAN}:443", "serverStatus": str(r.status),
            "serverResponseLatency": f"{max(0.001, r.duration_ms / 1000 - 0.002):.3f}",
            "upstreamSourcePort": str(_port(r) + 1), "originalHost": _host(r), "host": _host(r),
            "error_info": "ERRORINFO_NO_ERROR", "contentType": "application/json"},
    })


def format_azure_appgw_v1(r: SynthRequest) -> str:
    """Azure Application Gateway v1 access log (time, timeTaken in milliseconds, no original URI)."""
    path, _, query = r.target.partition("?")
    return _dumps({
        "resourceId": _APPGW, "operationName": "ApplicationGatewayAccess", "time": f"{r.ts:%Y-%m-%dT%H:%M:%S}Z",
        "category": "ApplicationGatewayAccessLog",
        "properties": {
            "instanceId": "ApplicationGatewayRole_IN_0", "clientIP": r.client_ip, "clientPort": _port(r),
            "httpMethod": r.method, "requestUri": path, "requestQuery": query, "userAgent": r.user_agent,
            "httpStatus": r.status, "httpVersion": "HTTP/1.1", "receivedBytes": 180 + len(r.target),
            "sentBytes": r.bytes, "timeTaken": max(1, round(r.duration_ms)), "sslEnabled": "on",
            "host": _host(r)},
    })


def format_azure_frontdoor(r: SynthRequest) -> str:
    """Azure Front Door Standard/Premium access log (time with 7 fractional digits, values as strings)."""
    url = f"https://{_host(r)}:443{r.target}"
    return _dumps({
        "time": f"{r.ts:%Y-%m-%dT%H:%M:%S.%f}0Z",
        "resourceId": "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/EDGE/PROVIDERS/"
                      "MICROSOFT.CDN/PROFILES/ACME-EDGE",
        "category": "FrontDoorAccessLog", "operationName": "Microsoft.Cdn/Profiles/AccessLog/Write",
        "properties": {
            "trackingReference": f"0{_hex(r, 12).upper()}AAAAD", "httpMethod": r.method, "httpVersion": "1.1.0.0",
            "requestUri": url, "sni": _host(r), "requestBytes": str(180 + len(r.target)),
            "responseBytes": str(r.bytes), "userAgent": r.user_agent, "clientIp": r.client_ip,
            "clientPort": str(_port(r)), "socketIp": r.client_ip,
            "timeToFirstByte": f"{max(0.001, r.duration_ms / 1000 - 0.004):.3f}",
            "timeTaken": f"{r.duration_ms / 1000:.3f}", "requestProtocol": "HTTPS", "securityProtocol": "TLS 1.2",
            "rulesEngineMatchNames": [], "httpStatusCode": str(r.status), "httpStatusDetails": str(r.status),
            "pop": "AMS", "cacheStatus": "CONFIG_NOCACHE", "errorInfo": "NoError", "ErrorInfo": "NoError",
            "result": "N/A", "endpoint": "acme-edge-b7dqc8f2.z01.azurefd.net", "routingRuleName": "confluence",
            "hostName": _host(r), "originUrl": url, "originIp": f"{_ATLASSIAN}:443",
            "originName": f"{_host(r)}:443", "referer": "", "clientCountry": "Germany",
            "domain": f"{_host(r)}:443", "securityCipher": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "securityCurves": "X25519"},
    })


#: Format name (or name:variant) -> formatter; merged into analyzer.synth.FORMATTERS.
FRONT_FORMATTERS: dict[str, Callable[[SynthRequest], str]] = {
    "haproxy": format_haproxy,
    "haproxy:stdout": format_haproxy_stdout,
    "envoy_text": format_envoy_text,
    "traefik_common": format_traefik_common,
    "nginx_json": format_nginx_json,
    "caddy": format_caddy,
    "traefik_json": format_traefik_json,
    "apigateway": format_apigateway,
    "gcp_lb": format_gcp_lb,
    "azure_appgw": format_azure_appgw,
    "azure_appgw:v1": format_azure_appgw_v1,
    "azure_frontdoor": format_azure_frontdoor,
}

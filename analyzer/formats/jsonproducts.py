"""The JSON access logs of named products: how to recognise each, and which key feeds which column.

Reverse proxies (nginx ``escape=json``, Caddy, Traefik) and cloud front doors
(AWS API Gateway, GCP HTTP(S) Load Balancing, Azure Application Gateway and
Front Door) all write one JSON object per request. They share the JSON parser
(``queries/formats/json.sql`` through :mod:`analyzer.formats.jsonl`); what
differs is data, kept here:

* ``needs``: a record is the product's when it has, for every group, at least
  one of the group's key paths (exact spelling, dotted for nesting). The groups
  are chosen so that no record matches two products, and generic JSON takes
  only records that no product claims (tests/formats/test_detect.py).
* ``table``: candidate source keys per canonical slot, best first, with the
  factor that turns a duration into milliseconds (see
  :mod:`analyzer.formats.fieldmap`). Keys are matched per file from its first
  records; spelling variants (``clientIP``/``clientIp``,
  ``httpRequest``/``http_request``) match because names are compared
  normalised.
* ``lists``: key-path prefixes whose values are lists of strings (Caddy logs
  each header as a list); the first item is read.
* ``variants``: when any of the marker keys appears in a file's first
  records, these candidates replace the table's for that file (Azure
  Application Gateway v2 logs ``timeTaken`` in seconds, v1 in milliseconds).
* ``fixed``: the product always spells its keys the same way, so a slot whose
  key the first records lack still reads the usual key; False for formats
  whose keys the user names (nginx ``log_format``, API Gateway ``$context``
  templates), where the first records are the only guide.

Credentials are never stored: mapped Authorization values go to the
``auth_header`` column, which the ingest reduces to the JWT issuer or the
basic-auth user, and credential-looking keys never reach ``extra``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from analyzer.formats.fieldmap import Candidate


def _c(*names: str, scale: float = 1.0) -> list[Candidate]:
    return [(n, scale) for n in names]


@dataclass(frozen=True)
class Variant:
    """Candidates that replace the table's when a file's first records hold any of ``marks``."""

    marks: tuple[str, ...]
    table: Mapping[str, list[Candidate]]


@dataclass(frozen=True)
class JsonProduct:
    """One product's JSON access log, as data."""

    name: str
    summary: str
    needs: tuple[tuple[str, ...], ...]
    table: Mapping[str, list[Candidate]]
    example: str
    fixed: bool = True
    lists: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = field(default_factory=tuple)


NGINX_JSON = JsonProduct(
    name="nginx_json",
    summary="nginx JSON access log (log_format ... escape=json) keyed by variable names: remote_addr, "
            "time_local/time_iso8601/msec, request or request_uri, status, body_bytes_sent, request_time, ...",
    needs=(("time_local", "time_iso8601", "msec"), ("request", "request_uri", "uri"),
           ("remote_addr", "body_bytes_sent", "request_time", "http_user_agent", "upstream_response_time",
            "bytes_sent", "http_referer", "request_length", "http_x_forwarded_for")),
    table={
        # msec (epoch seconds with milliseconds) is the most precise of the three
        "ts": _c("msec", "time_iso8601", "time_local"),
        "method": _c("request_method"),
        # $request is the request line, $request_uri the target with its arguments
        "url": _c("request", "request_uri"),
        "path": _c("uri"),
        "query": _c("args", "query_string"),
        "host": _c("host", "http_host", "server_name"),
        "status": _c("status"),
        "bytes": _c("body_bytes_sent", "bytes_sent"),
        "duration_ms": _c("request_time", "upstream_response_time", scale=1000.0),
        "client_ip": _c("remote_addr", "realip_remote_addr"),
        "client_ip_fallback": _c("http_x_forwarded_for"),
        "user_agent": _c("http_user_agent"),
        "remote_user": _c("remote_user"),
        "authorization": _c("http_authorization"),
    },
    fixed=False,
    example='{"msec":"1788343200.123","time_local":"11/Sep/2026:10:00:00 +0000","remote_addr":"10.20.0.11",'
            '"remote_user":"","request":"GET /wiki/api/v2/pages/42 HTTP/1.1","status":"200",'
            '"body_bytes_sent":"512","request_time":"0.041","http_referer":"","http_user_agent":"BackupPro/2.1",'
            '"host":"acme.atlassian.net"}',
)

CADDY = JsonProduct(
    name="caddy",
    summary="Caddy JSON access log (ts epoch seconds, request.{method,host,uri,headers}, status, size, "
            "duration in seconds, user_id)",
    needs=(("ts",), ("status",), ("request.method",), ("request.uri",),
           ("request.remote_ip", "request.client_ip", "request.headers", "resp_headers", "bytes_read")),
    table={
        "ts": _c("ts"),
        "method": _c("request.method"),
        "url": _c("request.uri"),
        "host": _c("request.host"),
        "status": _c("status"),
        "bytes": _c("size"),
        # seconds by default; a `duration_format string` value ("1.5ms") carries its unit
        "duration_ms": _c("duration", scale=1000.0),
        # client_ip honours trusted_proxies (Caddy 2.7+); remote_ip is the peer
        "client_ip": _c("request.client_ip"),
        "client_ip_fallback": _c("request.remote_ip"),
        "user_agent": _c("request.headers.User-Agent"),
        "remote_user": _c("user_id"),
        # "REDACTED" unless the server sets log_credentials
        "authorization": _c("request.headers.Authorization"),
    },
    lists=("request.headers.", "resp_headers."),
    example='{"level":"info","ts":1788343200.1234567,"logger":"http.log.access.log0","msg":"handled request",'
            '"request":{"remote_ip":"10.20.0.11","remote_port":"51234","client_ip":"10.20.0.11",'
            '"proto":"HTTP/2.0","method":"GET","host":"acme.atlassian.net","uri":"/wiki/api/v2/pages/42",'
            '"headers":{"User-Agent":["BackupPro/2.1"],"Authorization":["REDACTED"]}},"bytes_read":0,'
            '"user_id":"","duration":0.041,"size":512,"status":200,"resp_headers":{"Server":["Caddy"]}}',
)

TRAEFIK_JSON = JsonProduct(
    name="traefik_json",
    summary="Traefik JSON access log (StartUTC, ClientHost, RequestMethod, RequestHost, RequestPath, "
            "DownstreamStatus, Duration in ns, request_<Header> fields)",
    needs=(("RequestMethod",), ("RequestPath",), ("StartUTC", "StartLocal"),
           ("DownstreamStatus", "OriginStatus", "ClientHost", "RouterName")),
    table={
        "ts": _c("StartUTC", "StartLocal", "time"),
        "method": _c("RequestMethod"),
        "url": _c("RequestPath"),
        "host": _c("RequestHost", "RequestAddr"),
        "status": _c("DownstreamStatus", "OriginStatus"),
        "bytes": _c("DownstreamContentSize", "OriginContentSize"),
        "duration_ms": _c("Duration", scale=1e-6),
        "client_ip": _c("ClientHost", "ClientAddr"),
        "client_ip_fallback": _c("request_X-Forwarded-For"),
        "user_agent": _c("request_User-Agent"),
        "remote_user": _c("ClientUsername"),
        "authorization": _c("request_Authorization"),
    },
    example='{"ClientAddr":"10.20.0.11:51234","ClientHost":"10.20.0.11","ClientPort":"51234",'
            '"ClientUsername":"-","DownstreamContentSize":512,"DownstreamStatus":200,"Duration":41000000,'
            '"RequestHost":"acme.atlassian.net","RequestMethod":"GET","RequestPath":"/wiki/api/v2/pages/42",'
            '"RequestProtocol":"HTTP/1.1","RouterName":"confluence@file","StartUTC":"2026-09-11T10:00:00.123456789Z",'
            '"entryPointName":"websecure","level":"info","msg":"","request_User-Agent":"BackupPro/2.1",'
            '"time":"2026-09-11T10:00:00Z"}',
)

APIGATEWAY = JsonProduct(
    name="apigateway",
    summary="AWS API Gateway access log (JSON of $context variables: requestTime/requestTimeEpoch, "
            "httpMethod, path/resourcePath, status, identity.sourceIp, identity.userAgent, domainName, ...)",
    needs=(("httpMethod",), ("requestTime", "requestTimeEpoch"),
           ("requestId", "extendedRequestId", "resourcePath", "routeKey", "apiId", "domainName", "responseLength",
            "responseLatency", "integrationLatency")),
    table={
        # requestTimeEpoch has milliseconds, requestTime only seconds
        "ts": _c("requestTimeEpoch", "requestTime"),
        "method": _c("httpMethod"),
        # $context.path is the path as called; resourcePath is the API's template (/wiki/{proxy+})
        "path": _c("path", "resourcePath"),
        "host": _c("domainName"),
        "status": _c("status"),
        "bytes": _c("responseLength"),
        "duration_ms": _c("responseLatency", "integrationLatency", "latency"),
        "client_ip": _c("sourceIp", "ip"),
        "user_agent": _c("userAgent"),
        "remote_user": _c("user", "caller", "principalId"),
        # an OAuth client (Cognito claims) or the API key's id (never the key itself)
        "client_id": _c("client_id", "clientId", "apiKeyId"),
    },
    fixed=False,
    example='{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","requestTime":"11/Sep/2026:10:00:00 +0000",'
            '"requestTimeEpoch":1788343200123,"httpMethod":"GET","path":"/wiki/api/v2/pages/42",'
            '"resourcePath":"/wiki/{proxy+}","status":"200","responseLength":"512","responseLatency":"41",'
            '"domainName":"acme.atlassian.net","identity":{"sourceIp":"10.20.0.11","userAgent":"BackupPro/2.1"}}',
)

GCP_LB = JsonProduct(
    name="gcp_lb",
    summary="GCP HTTP(S) Load Balancing log entry (Cloud Logging JSON: timestamp, httpRequest.{requestMethod, "
            "requestUrl, status, responseSize, userAgent, remoteIp, latency}); any LogEntry with httpRequest",
    needs=(("httpRequest.requestMethod", "http_request.request_method"),
           ("httpRequest.requestUrl", "http_request.request_url"), ("timestamp", "receiveTimestamp")),
    table={
        "ts": _c("timestamp", "receiveTimestamp"),
        "method": _c("httpRequest.requestMethod"),
        "url": _c("httpRequest.requestUrl"),
        "status": _c("httpRequest.status"),
        "bytes": _c("httpRequest.responseSize"),
        # a protobuf Duration: "0.123s" (the unit is read from the value)
        "duration_ms": _c("httpRequest.latency", scale=1000.0),
        "client_ip": _c("httpRequest.remoteIp"),
        "user_agent": _c("httpRequest.userAgent"),
    },
    example='{"insertId":"1x2y3z","jsonPayload":{"@type":"type.googleapis.com/google.cloud.loadbalancing.type.'
            'LoadBalancerLogEntry","statusDetails":"response_sent_by_backend"},"httpRequest":{"requestMethod":"GET",'
            '"requestUrl":"https://acme.atlassian.net/wiki/api/v2/pages/42","requestSize":"312","status":200,'
            '"responseSize":"512","userAgent":"BackupPro/2.1","remoteIp":"10.20.0.11","latency":"0.041234s"},'
            '"resource":{"type":"http_load_balancer"},"timestamp":"2026-09-11T10:00:00.123456Z","severity":"INFO"}',
)

AZURE_APPGW = JsonProduct(
    name="azure_appgw",
    summary="Azure Application Gateway access log (v1: time, timeTaken in ms; v2: timeStamp, "
            "originalRequestUriWithArgs, originalHost, timeTaken in s; properties.clientIP, httpMethod, httpStatus)",
    needs=(("time", "timeStamp"), ("properties.httpMethod",),
           ("properties.requestUri", "properties.originalRequestUriWithArgs"), ("properties.httpStatus",)),
    table={
        "ts": _c("timeStamp", "time"),
        "method": _c("properties.httpMethod"),
        "url": _c("properties.originalRequestUriWithArgs"),
        "path": _c("properties.requestUri"),
        "query": _c("properties.requestQuery"),
        # v2 logs the Host the client sent (originalHost) and the one after rewrites (host)
        "host": _c("properties.originalHost", "properties.host"),
        "status": _c("properties.httpStatus"),
        "bytes": _c("properties.sentBytes"),
        "duration_ms": _c("properties.timeTaken"),
        "client_ip": _c("properties.clientIP"),
        "user_agent": _c("properties.userAgent"),
    },
    variants=(Variant(("timeStamp", "properties.originalRequestUriWithArgs", "properties.WAFEvaluationTime",
                       "properties.transactionId"),
                      {"duration_ms": _c("properties.timeTaken", scale=1000.0)}),),
    example='{"timeStamp":"2026-09-11T10:00:00+00:00","resourceId":"/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/'
            'PROVIDERS/MICROSOFT.NETWORK/APPLICATIONGATEWAYS/EGRESS","listenerName":"https","ruleName":"confluence",'
            '"operationName":"ApplicationGatewayAccess","category":"ApplicationGatewayAccessLog","properties":'
            '{"instanceId":"appgw_1","clientIP":"10.20.0.11","clientPort":51234,"httpMethod":"GET",'
            '"originalRequestUriWithArgs":"/wiki/api/v2/pages/42","requestUri":"/wiki/api/v2/pages/42",'
            '"requestQuery":"","userAgent":"BackupPro/2.1","httpStatus":200,"httpVersion":"HTTP/1.1",'
            '"receivedBytes":312,"sentBytes":512,"timeTaken":0.041,"originalHost":"acme.atlassian.net",'
            '"host":"acme.atlassian.net"}}',
)

AZURE_FRONTDOOR = JsonProduct(
    name="azure_frontdoor",
    summary="Azure Front Door access log, Standard/Premium and classic (properties.requestUri absolute, "
            "httpMethod, httpStatusCode, clientIp, timeTaken in s; time)",
    needs=(("time",), ("properties.httpMethod",), ("properties.requestUri",), ("properties.httpStatusCode",)),
    table={
        "ts": _c("time"),
        "method": _c("properties.httpMethod"),
        "url": _c("properties.requestUri"),
        "host": _c("properties.hostName", "properties.domain"),
        "status": _c("properties.httpStatusCode"),
        "bytes": _c("properties.responseBytes"),
        "duration_ms": _c("properties.timeTaken", scale=1000.0),
        "client_ip": _c("properties.clientIp"),
        "client_ip_fallback": _c("properties.socketIp"),
        "user_agent": _c("properties.userAgent"),
    },
    example='{"time":"2026-09-11T10:00:00.1230000Z","resourceId":"/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/'
            'MICROSOFT.CDN/PROFILES/EDGE","category":"FrontDoorAccessLog","operationName":'
            '"Microsoft.Cdn/Profiles/AccessLog/Write","properties":{"trackingReference":"0TeNvZQAAAAD",'
            '"httpMethod":"GET","httpVersion":"1.1.0.0","requestUri":"https://acme.atlassian.net:443/wiki/api/v2/'
            'pages/42","requestBytes":"312","responseBytes":"512","userAgent":"BackupPro/2.1","clientIp":'
            '"10.20.0.11","socketIp":"10.20.0.11","timeTaken":"0.041","requestProtocol":"HTTPS",'
            '"httpStatusCode":"200","pop":"AMS","cacheStatus":"CONFIG_NOCACHE","hostName":"acme.atlassian.net"}}',
)

#: Every product, in registry order.
PRODUCTS: tuple[JsonProduct, ...] = (NGINX_JSON, CADDY, TRAEFIK_JSON, APIGATEWAY, GCP_LB, AZURE_APPGW,
                                     AZURE_FRONTDOOR)

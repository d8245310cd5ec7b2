-- name: formats/envoy_text
-- Parse Envoy's default text access log, and Istio's longer default:
--   Envoy: [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"
--          %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
--          %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
--          "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
--   Istio: the same with %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
--          "%UPSTREAM_TRANSPORT_FAILURE_REASON%" after the flags, and %UPSTREAM_CLUSTER%
--          %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS%
--          %REQUESTED_SERVER_NAME% %ROUTE_NAME% at the end.
-- Input: relation `lines(line_no, line)`.
-- Params: $format_name (text, for messages).
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- Lines are split on '"' (13 parts: Envoy, 15: Istio). Envoy does not escape
-- quotes inside values, so a line with another count (a user agent holding a
-- quote) is matched by a regex, greedy on the user agent, and rebuilt into the
-- same parts. Like the Envoy JSON format, the client is the first
-- X-Forwarded-For entry, else (Istio) the downstream peer address. Status 0
-- (no response) is NULL; '-' is an absent value. TCP proxy lines ("- - -")
-- are rejected as no HTTP request lines.
WITH split AS (
    SELECT line_no, line, string_split(line, '"') AS p0
    FROM lines
),
shaped AS (
    SELECT *,
           (len(p0) = 13 AND p0[13] = '' AND p0[5] = ' ' AND p0[7] = ' ' AND p0[9] = ' ' AND p0[11] = ' ')
           OR (len(p0) = 15 AND p0[7] = ' ' AND p0[9] = ' ' AND p0[11] = ' ' AND p0[13] = ' ') AS simple
    FROM split
),
fallback AS (
    SELECT *,
           CASE WHEN NOT simple THEN regexp_extract(line,
               '^(\[[^\]]*\] )"([^"]*)" (\S+ \S+ \S+ \S+ \S+ \S+) "([^"]*)" "(.*)" "([^"]*)" "([^"]*)" "([^"]*)"\s*$',
               ['h', 'r', 'a', 'x', 'u', 'i', 'au', 'up']) END AS m,
           CASE WHEN NOT simple THEN regexp_extract(line,
               '^(\[[^\]]*\] )"([^"]*)" (\S+ \S+ \S+ \S+) "([^"]*)" (\S+ \S+ \S+ \S+) "([^"]*)" "(.*)" "([^"]*)" '
               || '"([^"]*)" "([^"]*)" (.*)$',
               ['h', 'r', 'a', 'f', 'b', 'x', 'u', 'i', 'au', 'up', 't']) END AS mi
    FROM shaped
),
parts AS (
    SELECT line_no,
           CASE WHEN simple THEN p0
                WHEN m.h <> '' THEN [m.h, m.r, ' ' || m.a || ' ', m.x, ' ', m.u, ' ', m.i, ' ', m.au, ' ', m.up, '']
                WHEN mi.h <> '' THEN [mi.h, mi.r, ' ' || mi.a || ' ', mi.f, ' ' || mi.b || ' ', mi.x, ' ', mi.u, ' ',
                                      mi.i, ' ', mi.au, ' ', mi.up, ' ' || mi.t]
           END AS p
    FROM fallback
),
f AS (
    SELECT line_no, p,
           len(p) = 15 AS istio,
           string_split(trim(p[3]), ' ') AS cf,
           string_split(p[2], ' ') AS r
    FROM parts
),
typed AS (
    SELECT *,
           CASE WHEN istio THEN string_split(trim(p[5]), ' ') ELSE list_slice(cf, 3, 6) END AS sizes,
           CASE WHEN istio THEN string_split(trim(p[15]), ' ') END AS tail,
           p[CASE WHEN istio THEN 6 ELSE 4 END] AS xff,
           p[CASE WHEN istio THEN 8 ELSE 6 END] AS ua,
           p[CASE WHEN istio THEN 10 ELSE 8 END] AS request_id,
           p[CASE WHEN istio THEN 12 ELSE 10 END] AS authority,
           p[CASE WHEN istio THEN 14 ELSE 12 END] AS upstream_host,
           aa_ts_iso(trim(p[1], '[] ')) AS ts,
           TRY_CAST(cf[1] AS INTEGER) AS status
    FROM f
),
checked AS (
    SELECT *,
           CASE WHEN sizes[2] = '-' THEN 0 ELSE TRY_CAST(sizes[2] AS BIGINT) END AS bytes
    FROM typed
)
SELECT
    line_no,
    CASE
        WHEN p IS NULL OR NOT starts_with(p[1], '[') OR len(cf) <> CASE WHEN istio THEN 4 ELSE 6 END
             OR len(sizes) <> 4 OR (istio AND len(tail) <> 6)
            THEN 'line does not match the ' || $format_name || ' layout'
        WHEN ts IS NULL THEN 'bad timestamp: ' || left(trim(p[1], '[] '), 60)
        WHEN r[1] = '-' AND r[2] = '-'
            THEN 'not an HTTP request line: a TCP connection (method and path are "-")'
        WHEN len(r) NOT IN (2, 3) OR r[1] IN ('', '-') OR r[2] IN ('', '-')
            THEN 'bad request line: ' || left(p[2], 200)
        WHEN status IS NULL OR (status <> 0 AND status NOT BETWEEN 100 AND 999) THEN 'bad status: ' || left(cf[1], 40)
        WHEN bytes IS NULL THEN 'bad byte count: ' || left(sizes[2], 40)
    END AS reject_reason,
    ts,
    r[1] AS method,
    r[2] AS target,
    aa_strip_port(NULLIF(NULLIF(authority, ''), '-')) AS host,
    NULLIF(status, 0) AS status,
    bytes,
    TRY_CAST(sizes[3] AS DOUBLE) AS duration_ms,
    coalesce(aa_client_ip(xff), CASE WHEN istio THEN aa_client_ip(tail[4]) END) AS client_ip,
    NULLIF(NULLIF(ua, ''), '-') AS user_agent,
    CAST(NULL AS VARCHAR) AS remote_user,
    CAST(NULL AS VARCHAR) AS auth_header,
    CAST(NULL AS VARCHAR) AS jwt_iss,
    CAST(NULL AS VARCHAR) AS client_id,
    CAST(NULL AS VARCHAR) AS app_key,
    json_object('response_flags', NULLIF(cf[2], '-'), 'request_id', NULLIF(request_id, '-'),
                'upstream_host', NULLIF(upstream_host, '-'), 'upstream_service_time', NULLIF(sizes[4], '-'),
                'response_code_details', CASE WHEN istio THEN NULLIF(cf[3], '-') END,
                'upstream_cluster', NULLIF(tail[1], '-'), 'route_name', NULLIF(tail[6], '-'))::VARCHAR AS extra
FROM checked

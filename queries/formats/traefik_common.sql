-- name: formats/traefik_common
-- Parse Traefik's `common` access-log format (its default): NCSA combined plus
-- three fields and the duration:
--   ClientHost - ClientUsername [StartUTC] "Method Path Protocol" OriginStatus
--   OriginContentSize "Referer" "User-Agent" RequestCount "RouterName"
--   "ServiceURL" Durationms
-- Input: relation `lines(line_no, line)`.
-- Params: $format_name (text, for messages).
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- Lines are split on '"' (11 parts). Traefik does not escape quotes inside
-- values, so a line with another count is matched by a regex (lazy on the
-- referer, greedy on the user agent) and rebuilt into the same parts. The
-- format logs no Host header: the host stored is the service URL's, the
-- upstream Traefik forwarded to (the Confluence site when Traefik is the
-- egress proxy; Traefik's JSON format has the requested host). '-' for the
-- status (no origin response) is NULL, for the size 0. The referer is not
-- stored, nor credentials in the service URL (user:password@).
WITH split AS (
    SELECT line_no, line, string_split(line, '"') AS p0
    FROM lines
),
shaped AS (
    SELECT *,
           len(p0) = 11 AND p0[5] = ' ' AND p0[9] = ' ' AS simple
    FROM split
),
fallback AS (
    SELECT *,
           CASE WHEN NOT simple THEN regexp_extract(line,
               '^([^"]*)"([^"]*)" (\S+ \S+) "(.*?)" "(.*)" (\S+) "([^"]*)" "([^"]*)" (\S+)\s*$',
               ['h', 'r', 's', 'ref', 'u', 'n', 'rt', 'su', 'd']) END AS m
    FROM shaped
),
parts AS (
    SELECT line_no,
           CASE WHEN simple THEN p0
                WHEN m.h <> '' THEN [m.h, m.r, ' ' || m.s || ' ', m.ref, ' ', m.u, ' ' || m.n || ' ', m.rt, ' ', m.su,
                                     ' ' || m.d]
           END AS p
    FROM fallback
),
f AS (
    SELECT line_no, p,
           string_split(trim(p[1]), ' ') AS h,
           string_split(p[2], ' ') AS r,
           string_split(trim(p[3]), ' ') AS t,
           trim(p[11]) AS took
    FROM parts
),
typed AS (
    SELECT *,
           aa_ts_clf(substr(h[4], 2) || ' ' || rtrim(h[5], ']')) AS ts,
           TRY_CAST(t[1] AS INTEGER) AS status,
           CASE WHEN t[2] = '-' THEN 0 ELSE TRY_CAST(t[2] AS BIGINT) END AS bytes
    FROM f
)
SELECT
    line_no,
    CASE
        WHEN p IS NULL OR len(h) <> 5 OR h[2] <> '-' OR NOT starts_with(h[4], '[') OR NOT ends_with(h[5], ']')
             OR len(t) <> 2 OR NOT ends_with(took, 'ms')
            THEN 'line does not match the ' || $format_name || ' layout'
        WHEN ts IS NULL THEN 'bad timestamp: ' || left(h[4] || ' ' || h[5], 60)
        WHEN len(r) NOT IN (2, 3) OR r[1] IN ('', '-') OR r[2] IN ('', '-')
            THEN 'bad request line: ' || left(p[2], 200)
        WHEN t[1] <> '-' AND (status IS NULL OR status NOT BETWEEN 100 AND 999) THEN 'bad status: ' || left(t[1], 40)
        WHEN bytes IS NULL THEN 'bad byte count: ' || left(t[2], 40)
    END AS reject_reason,
    ts,
    r[1] AS method,
    r[2] AS target,
    aa_strip_port(NULLIF(string_split(split_part(split_part(p[10], '://', 2), '/', 1), '@')[-1], '')) AS host,
    status,
    bytes,
    TRY_CAST(substr(took, 1, length(took) - 2) AS DOUBLE) AS duration_ms,
    NULLIF(h[1], '-') AS client_ip,
    NULLIF(NULLIF(p[6], ''), '-') AS user_agent,
    NULLIF(h[3], '-') AS remote_user,
    CAST(NULL AS VARCHAR) AS auth_header,
    CAST(NULL AS VARCHAR) AS jwt_iss,
    CAST(NULL AS VARCHAR) AS client_id,
    CAST(NULL AS VARCHAR) AS app_key,
    json_object('router', NULLIF(p[8], '-'),
                'service_url', NULLIF(CASE WHEN contains(p[10], '@') THEN regexp_replace(p[10], '//[^/@]*@', '//')
                                           ELSE p[10] END, '-'),
                'request_count', NULLIF(trim(p[7]), '-'))::VARCHAR AS extra
FROM typed

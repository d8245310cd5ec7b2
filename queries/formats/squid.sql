-- name: formats/squid
-- Parse Squid native access.log lines (logformat squid) and its common variants:
--   time.ms elapsed client action/code size method URL user hierarchy/peer type [tail]
--   1788000000.123    112 10.20.0.11 TCP_TUNNEL/200 5120 GET https://acme.atlassian.net/wiki/... - HIER_DIRECT/104.192.142.18 application/json
-- The client may be %>a (an IPv4 or IPv6 address) or %>A (a name), the URL
-- %ru, %>ru or a bare host:port (CONNECT). After the content type a variant
-- may add quoted header values ("%{Referer}>h" "%{User-Agent}>h": the last is
-- the user agent, one before it the referer) or squidmime's header blocks
-- [request headers] [reply headers], CR LF written as \r\n, from which the
-- User-Agent and Authorization headers are read (the Authorization value is
-- decoded for its JWT issuer or basic-auth user and never stored; the blocks
-- are not kept).
-- Input: relation `lines(line_no, line)`.
-- Params: $format_name (text, for messages).
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- Time is epoch seconds with milliseconds (UTC); elapsed is milliseconds. The
-- elapsed column is right-aligned with spaces, so the rest of the line is
-- split after trimming it; lines with other runs of spaces take a (slower)
-- regex split. CONNECT lines carry host:port as URL: they are stored (not
-- Confluence REST). Status 000 (no reply sent) is stored as NULL. The user
-- column is URL-decoded. Entries that are no HTTP request (error:... pseudo
-- URLs, no method, cache-peer queries) are rejected saying so
-- (aa_squid_not_http). `extra` keeps the cache result, the hierarchy/peer,
-- the content type and a logged referer.
WITH s AS (
    SELECT line_no,
           split_part(line, ' ', 1) AS t0,
           ltrim(substr(line, strpos(line, ' ') + 1)) AS rest,
           strpos(line, ' ') > 0 AS spaced
    FROM lines
),
p AS (
    SELECT line_no, t0, spaced,
           CASE WHEN contains(rest, '  ') THEN regexp_split_to_array(trim(rest), ' +')
                ELSE string_split(rest, ' ') END AS f
    FROM s
),
tails AS (
    SELECT *,
           NULLIF(array_to_string(list_slice(f, 9, len(f)), ' '), '') AS tail
    FROM p
),
variant AS (
    SELECT *,
           CASE WHEN contains(tail, ' [') OR starts_with(tail, '[')
                THEN regexp_extract(tail, '\[([^\]]*)\]', 1) END AS request_headers,
           CASE WHEN contains(tail, '"') AND NOT contains(tail, '[')
                THEN regexp_extract_all(tail, '"((?:[^"\\]|\\.)*)"', 1) END AS quoted,
           CASE WHEN tail IS NULL THEN NULL
                WHEN contains(tail, '"') OR contains(tail, '[')
                THEN NULLIF(trim(regexp_extract(tail, '^([^"\[]*)', 1)), '')
                ELSE tail END AS content_type
    FROM tails
),
typed AS (
    SELECT *,
           aa_ts_epoch(TRY_CAST(t0 AS DOUBLE)) AS ts,
           split_part(f[3], '/', 1) AS cache_result,
           TRY_CAST(split_part(f[3], '/', 2) AS INTEGER) AS status,
           TRY_CAST(f[4] AS BIGINT) AS bytes,
           CASE WHEN request_headers IS NOT NULL
                THEN NULLIF(regexp_extract(request_headers, '(?i)(?:^|\\r\\n)User-Agent: (.*?)(?:\\r\\n|$)', 1), '')
                WHEN len(quoted) > 0
                THEN NULLIF(replace(replace(quoted[-1], '\"', '"'), '\\', '\'), '-') END AS user_agent,
           CASE WHEN request_headers IS NOT NULL
                THEN NULLIF(regexp_extract(request_headers, '(?i)(?:^|\\r\\n)Authorization: (.*?)(?:\\r\\n|$)', 1), '')
           END AS auth_header,
           CASE WHEN len(quoted) > 1 THEN NULLIF(quoted[-2], '-') END AS referer
    FROM variant
)
SELECT
    line_no,
    CASE
        WHEN NOT spaced OR len(f) < 8 THEN 'line does not match the ' || $format_name || ' layout'
        WHEN ts IS NULL OR NOT contains(t0, '.') THEN 'bad timestamp: ' || left(t0, 60)
        WHEN aa_squid_not_http(f[5], f[6], cache_result) IS NOT NULL THEN aa_squid_not_http(f[5], f[6], cache_result)
        WHEN NOT contains(f[3], '/') OR status IS NULL OR (status <> 0 AND status NOT BETWEEN 100 AND 999)
            THEN 'bad status: ' || left(f[3], 60)
        WHEN bytes IS NULL THEN 'bad byte count: ' || left(f[4], 40)
        WHEN f[5] = '' OR f[6] = '' THEN 'bad request: ' || left(f[5] || ' ' || f[6], 200)
    END AS reject_reason,
    ts,
    f[5] AS method,
    f[6] AS target,
    CAST(NULL AS VARCHAR) AS host,
    NULLIF(status, 0) AS status,
    bytes,
    TRY_CAST(f[1] AS DOUBLE) AS duration_ms,
    NULLIF(f[2], '-') AS client_ip,
    user_agent,
    CASE WHEN f[7] = '-' OR f[7] = '' THEN NULL
         WHEN contains(f[7], '%') THEN coalesce(try(url_decode(f[7])), f[7])
         ELSE f[7] END AS remote_user,
    auth_header,
    CAST(NULL AS VARCHAR) AS jwt_iss,
    CAST(NULL AS VARCHAR) AS client_id,
    CAST(NULL AS VARCHAR) AS app_key,
    CASE WHEN referer IS NULL
         THEN json_object('cache_result', cache_result, 'hierarchy', f[8], 'content_type', NULLIF(content_type, '-'))
         ELSE json_object('cache_result', cache_result, 'hierarchy', f[8], 'content_type', NULLIF(content_type, '-'),
                          'referer', referer) END::VARCHAR AS extra
FROM typed

-- name: formats/squid_clf
-- Parse Squid access.log lines written with its `common` or `combined` logformat:
--   common:   %>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st %Ss:%Sh
--   combined: %>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st "%{Referer}>h" "%{User-Agent}>h" %Ss:%Sh
--   10.20.0.11 - - [11/Sep/2026:12:00:00 +0200] "GET https://acme.atlassian.net/wiki/api/v2/pages/42 HTTP/1.1" 200 5120 TCP_MISS:HIER_DIRECT
-- Input: relation `lines(line_no, line)`.
-- Params: $agent (combined: referer and user agent logged), $format_name.
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- Like NCSA lines, but the URL is absolute (a proxy's), CONNECT lines carry
-- host:port (stored, not Confluence REST), %tl is the proxy's local time with
-- its offset, and the Squid result code and hierarchy (TCP_MISS:HIER_DIRECT)
-- close the line; they go to `extra`. Status 0/000 (no reply) is stored as
-- NULL. Entries that are no HTTP request (error:... pseudo URLs, no method)
-- are rejected saying so (aa_squid_not_http). Lines without a backslash split
-- on quotes without a regex; the others take a regex that understands \".
WITH split AS (
    SELECT line_no, line, string_split(line, '"') AS p,
           NOT contains(line, '\') AND len(p) = CASE WHEN $agent THEN 7 ELSE 3 END
             AND (NOT $agent OR p[5] = ' ') AS simple
    FROM lines
),
fields AS (
    SELECT line_no, simple,
           CASE WHEN NOT simple THEN regexp_extract(
               line,
               CASE WHEN $agent
                    THEN '^([^"]*)"((?:[^"\\]|\\.)*)" (\d+ \S+) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)" (\S+)\s*$'
                    ELSE '^([^"]*)"((?:[^"\\]|\\.)*)" (\d+ \S+)()() (\S+)\s*$' END,
               ['head', 'request', 'tail', 'referer', 'ua', 'codes']) END AS m,
           CASE WHEN simple THEN p[1] ELSE m['head'] END AS head,
           CASE WHEN simple THEN p[2] ELSE replace(replace(m['request'], '\"', '"'), '\\', '\') END AS request,
           CASE WHEN NOT simple THEN string_split(m['tail'] || ' ' || m['codes'], ' ')
                WHEN $agent THEN list_concat(string_split(trim(p[3]), ' '), [trim(p[7])])
                ELSE string_split(trim(p[3]), ' ') END AS t,
           CASE WHEN NOT $agent THEN NULL
                WHEN simple THEN p[4]
                ELSE replace(replace(m['referer'], '\"', '"'), '\\', '\') END AS referer,
           CASE WHEN NOT $agent THEN NULL
                WHEN simple THEN p[6]
                ELSE replace(replace(m['ua'], '\"', '"'), '\\', '\') END AS user_agent
    FROM split
),
parts AS (
    SELECT line_no, referer, user_agent, t,
           string_split(head, ' ') AS h,
           string_split(request, ' ') AS r
    FROM fields
),
typed AS (
    SELECT *,
           len(h) = 6 AND h[6] = '' AND starts_with(h[4], '[') AND ends_with(h[5], ']') AS head_ok,
           try_strptime(substr(h[4], 2) || ' ' || rtrim(h[5], ']'), '%d/%b/%Y:%H:%M:%S %z') AS ts_tz,
           TRY_CAST(t[1] AS INTEGER) AS status,
           CASE WHEN t[2] = '-' THEN 0 ELSE TRY_CAST(t[2] AS BIGINT) END AS bytes,
           t[3] AS codes
    FROM parts
)
SELECT
    line_no,
    CASE
        WHEN NOT coalesce(head_ok AND len(t) = 3 AND contains(codes, ':'), false)
            THEN 'line does not match the ' || $format_name || ' layout'
        WHEN ts_tz IS NULL THEN 'bad timestamp: ' || left(h[4] || ' ' || h[5], 60)
        WHEN len(r) NOT IN (2, 3) THEN 'bad request line: ' || left(array_to_string(r, ' '), 200)
        WHEN aa_squid_not_http(r[1], r[2], split_part(codes, ':', 1)) IS NOT NULL
            THEN aa_squid_not_http(r[1], r[2], split_part(codes, ':', 1))
        WHEN r[2] = '' THEN 'bad request line: ' || left(array_to_string(r, ' '), 200)
        WHEN status IS NULL OR (status <> 0 AND status NOT BETWEEN 100 AND 999)
            THEN 'bad status: ' || left(coalesce(t[1], ''), 40)
        WHEN bytes IS NULL THEN 'bad byte count: ' || left(t[2], 40)
    END AS reject_reason,
    timezone('UTC', ts_tz) AS ts,
    r[1] AS method,
    r[2] AS target,
    CAST(NULL AS VARCHAR) AS host,
    NULLIF(status, 0) AS status,
    bytes,
    CAST(NULL AS DOUBLE) AS duration_ms,
    NULLIF(h[1], '-') AS client_ip,
    NULLIF(user_agent, '-') AS user_agent,
    CASE WHEN h[3] = '-' OR h[3] = '' THEN NULL
         WHEN contains(h[3], '%') THEN coalesce(try(url_decode(h[3])), h[3])
         ELSE h[3] END AS remote_user,
    CAST(NULL AS VARCHAR) AS auth_header,
    CAST(NULL AS VARCHAR) AS jwt_iss,
    CAST(NULL AS VARCHAR) AS client_id,
    CAST(NULL AS VARCHAR) AS app_key,
    CASE WHEN referer IS NULL OR referer = '-'
         THEN json_object('cache_result', split_part(codes, ':', 1), 'hierarchy', split_part(codes, ':', 2))
         ELSE json_object('cache_result', split_part(codes, ':', 1), 'hierarchy', split_part(codes, ':', 2),
                          'referer', referer) END::VARCHAR AS extra
FROM typed

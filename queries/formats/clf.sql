-- name: formats/clf
-- Parse NCSA/Apache/nginx access-log lines: common, combined and vhost_combined.
--   common:          %h %l %u %t "%r" %>s %b
--   combined:        common + "%{Referer}i" "%{User-Agent}i"
--   vhost_combined:  %v:%p + combined
-- Input: relation `lines(line_no, line)`.
-- Params: $vhost (bool), $agent (bool), $format_name (text, for messages).
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- Why no regex on the common path: DuckDB's RE2 calls cost ~0.5 s per million
-- lines each, splits cost a fifth of that. Lines holding a backslash (escaped
-- quotes, \xNN escapes) take the RE2 path, which understands \" and \\.
WITH split AS (
    SELECT line_no, line, string_split(line, '"') AS p,
           NOT contains(line, '\') AND len(p) = CASE WHEN $agent THEN 7 ELSE 3 END
             AND (NOT $agent OR (p[5] = ' ' AND p[7] = '')) AS simple
    FROM lines
),
fields AS (
    SELECT line_no, line, simple,
           CASE WHEN NOT simple THEN regexp_extract(
               line,
               CASE WHEN $agent
                    THEN '^([^"]*)"((?:[^"\\]|\\.)*)" (\d{3} \S+) "(?:[^"\\]|\\.)*" "((?:[^"\\]|\\.)*)"\s*$'
                    ELSE '^([^"]*)"((?:[^"\\]|\\.)*)" (\d{3} \S+)()\s*$' END,
               ['head', 'request', 'tail', 'ua']) END AS m,
           CASE WHEN simple THEN p[1] ELSE m['head'] END AS head,
           CASE WHEN simple THEN p[2] ELSE replace(replace(m['request'], '\"', '"'), '\\', '\') END AS request,
           CASE WHEN simple THEN trim(p[3]) ELSE m['tail'] END AS tail,
           CASE WHEN NOT $agent THEN NULL
                WHEN simple THEN p[6]
                ELSE replace(replace(m['ua'], '\"', '"'), '\\', '\') END AS user_agent
    FROM split
),
parts AS (
    SELECT line_no, user_agent,
           string_split(head, ' ') AS h,
           CASE WHEN $vhost THEN 1 ELSE 0 END AS o,
           string_split(request, ' ') AS r,
           string_split(tail, ' ') AS t
    FROM fields
),
typed AS (
    SELECT *,
           len(h) = 6 + o AND h[6 + o] = '' AND starts_with(h[4 + o], '[') AND ends_with(h[5 + o], ']')
               AS head_ok,
           try_strptime(substr(h[4 + o], 2) || ' ' || rtrim(h[5 + o], ']'), '%d/%b/%Y:%H:%M:%S %z') AS ts_tz,
           TRY_CAST(t[1] AS INTEGER) AS status,
           CASE WHEN t[2] = '-' THEN 0 ELSE TRY_CAST(t[2] AS BIGINT) END AS bytes
    FROM parts
)
SELECT
    line_no,
    CASE
        WHEN NOT head_ok THEN 'line does not match the ' || $format_name || ' layout'
        WHEN ts_tz IS NULL THEN 'bad timestamp: ' || left(h[4 + o] || ' ' || h[5 + o], 60)
        WHEN len(r) NOT IN (2, 3) OR r[1] = '' OR r[2] = '' THEN 'bad request line: ' || left(array_to_string(r, ' '), 200)
        WHEN len(t) <> 2 OR status IS NULL OR status NOT BETWEEN 100 AND 999 THEN 'bad status: ' || left(array_to_string(t, ' '), 100)
        WHEN bytes IS NULL THEN 'bad byte count: ' || left(t[2], 40)
    END AS reject_reason,
    timezone('UTC', ts_tz) AS ts,
    r[1] AS method,
    r[2] AS target,
    CASE WHEN $vhost THEN split_part(h[1], ':', 1) END AS host,
    status,
    bytes,
    CAST(NULL AS DOUBLE) AS duration_ms,
    h[1 + o] AS client_ip,
    NULLIF(user_agent, '-') AS user_agent,
    NULLIF(h[3 + o], '-') AS remote_user,
    CAST(NULL AS VARCHAR) AS auth_header,
    CAST(NULL AS VARCHAR) AS jwt_iss,
    CAST(NULL AS VARCHAR) AS client_id,
    CAST(NULL AS VARCHAR) AS app_key,
    CAST(NULL AS VARCHAR) AS extra
FROM typed

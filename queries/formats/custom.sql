-- name: formats/custom
-- Parse lines of a custom layout given with --log-format (GoAccess-style or a
-- regex with named groups), compiled by analyzer/formats/custom.py into one
-- RE2 pattern whose groups are named by $groups: `_match` (the whole match,
-- empty when the line does not match), the layout's own groups, then empty
-- groups for every name this query reads that the layout lacks.
-- Input: relation `lines(line_no, line)`.
-- Params: $pattern, $groups, $has_extra (the layout has groups that are no
-- canonical field: they go to `extra`), $drop (JSON merge patch deleting the
-- other groups from the JSON of all groups), $format_name (for messages).
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- Times: a `ts` group takes any aa_parse_ts spelling (NCSA with offset,
-- ISO-8601, epoch); `date` + `time` are NCSA (10/Oct/2026) or ISO dates and
-- HH:MM:SS[.fff], taken as UTC. Durations: duration_ms, or duration_s (%T),
-- duration_us (%D), converted to milliseconds.
WITH m AS (
    SELECT line_no, regexp_extract(line, $pattern, $groups) AS g
    FROM lines
),
r AS (
    SELECT line_no, g,
           g['_match'] <> '' AS matched,
           NULLIF(g['ts'], '') AS ts_text,
           NULLIF(g['date'], '') || ' ' || coalesce(NULLIF(g['time'], ''), '00:00:00') AS date_time,
           CASE WHEN g['request'] <> '' THEN string_split(trim(g['request']), ' ') END AS req,
           NULLIF(NULLIF(g['url'], ''), '-') AS url0,
           NULLIF(NULLIF(g['path'], ''), '-') AS path0,
           NULLIF(NULLIF(NULLIF(g['query'], ''), '-'), '?') AS query0,
           NULLIF(NULLIF(g['client_ip'], ''), '-') AS ip0,
           NULLIF(NULLIF(g['host'], ''), '-') AS host0,
           CASE WHEN $has_extra THEN json_merge_patch(to_json(g), $drop) END AS extra0
    FROM m
),
typed AS (
    SELECT *,
           coalesce(aa_parse_ts(ts_text),
                    try_strptime(date_time, ['%d/%b/%Y %H:%M:%S', '%Y-%m-%d %H:%M:%S',
                                             '%d/%b/%Y %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S.%f'])) AS ts,
           coalesce(NULLIF(NULLIF(g['method'], ''), '-'), req[1]) AS method,
           coalesce(req[2], coalesce(url0, path0)
               || CASE WHEN query0 IS NULL OR contains(coalesce(url0, path0), '?') THEN ''
                       ELSE '?' || ltrim(query0, '?') END) AS target,
           TRY_CAST(NULLIF(g['status'], '') AS INTEGER) AS status,
           CASE WHEN g['bytes'] IN ('-', '') THEN 0 ELSE TRY_CAST(g['bytes'] AS BIGINT) END AS bytes,
           coalesce(TRY_CAST(NULLIF(g['duration_ms'], '') AS DOUBLE),
                    TRY_CAST(NULLIF(g['duration_s'], '') AS DOUBLE) * 1000,
                    TRY_CAST(NULLIF(g['duration_us'], '') AS DOUBLE) / 1000) AS duration_ms
    FROM r
)
SELECT
    line_no,
    CASE
        WHEN NOT matched THEN 'line does not match the ' || $format_name || ' layout'
        WHEN ts IS NULL THEN 'bad timestamp: ' || left(coalesce(ts_text, date_time, ''), 60)
        WHEN req IS NOT NULL AND (len(req) NOT IN (2, 3) OR req[1] = '' OR req[2] = '')
            THEN 'bad request line: ' || left(g['request'], 200)
        WHEN target IS NULL OR target = '' THEN 'missing URL or path'
        WHEN method IS NULL THEN 'missing method'
        WHEN g['status'] NOT IN ('', '-') AND (status IS NULL OR status NOT BETWEEN 100 AND 999)
            THEN 'bad status: ' || left(g['status'], 40)
        WHEN bytes IS NULL THEN 'bad byte count: ' || left(g['bytes'], 40)
    END AS reject_reason,
    ts,
    method,
    target,
    aa_strip_port(host0) AS host,
    status,
    bytes,
    duration_ms,
    aa_client_ip(ip0) AS client_ip,
    NULLIF(NULLIF(g['user_agent'], ''), '-') AS user_agent,
    NULLIF(NULLIF(g['remote_user'], ''), '-') AS remote_user,
    NULLIF(NULLIF(g['authorization'], ''), '-') AS auth_header,
    NULLIF(NULLIF(g['jwt_iss'], ''), '-') AS jwt_iss,
    NULLIF(NULLIF(g['client_id'], ''), '-') AS client_id,
    NULLIF(NULLIF(g['app_key'], ''), '-') AS app_key,
    extra0::VARCHAR AS extra  -- credential keys and values: see ingest/row_split
FROM typed

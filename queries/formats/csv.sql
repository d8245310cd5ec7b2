-- name: formats/csv
-- Parse the data lines of a CSV (or ;/tab/| separated) file with a header
-- line. The header was read per file by analyzer/formats/csvfmt.py, which
-- chose a column for each slot of analyzer/formats/fieldmap.py SLOTS (0: none):
--   1 ts  2 method  3 url (or a whole "GET /x HTTP/1.1" request line)  4 path
--   5 query  6 host  7 status  8 bytes  9 duration  10 client_ip
--   11 client_ip fallback  12 user_agent  13 remote_user  14 authorization
--   15 jwt_iss  16 client_id  17 app_key
-- Header lines never reach this query (they are skipped by the ingest).
-- Input: relation `lines(line_no, line)`.
-- Params: $delim, $ncols (columns in the header), $idx (column per slot),
-- $duration_scale (-> milliseconds), $has_extra, $extra_idx / $extra_names (the
-- other, non-credential columns, kept in `extra` under their header names),
-- $token_re / $line_re (RE2 patterns for lines with quoted fields), $ts_hint,
-- $format_name.
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- Lines without a double quote are split with string_split (cheap); quoted
-- fields ("a,b", "say ""hi""") take the regex path. A quoted field holding a
-- line break arrives as two lines: the first has an odd number of quotes and
-- is rejected as an unterminated quoted field, the rest has the wrong number
-- of columns and is rejected too (both with their reason; nothing is lost).
WITH t AS (
    SELECT line_no, line,
           contains(line, '"') AS quoted,
           CASE WHEN NOT quoted THEN string_split(line, $delim)
                ELSE list_transform(regexp_extract_all(line || $delim, $token_re, 1),
                                    lambda v: CASE WHEN starts_with(v, '"')
                                                   THEN replace(substr(v, 2, length(v) - 2), '""', '"')
                                                   ELSE v END)
           END AS c
    FROM lines
),
v AS (
    SELECT line_no, line, quoted, c, list_select(c, $idx) AS v
    FROM t
),
r AS (
    SELECT line_no, line, quoted, c,
           NULLIF(trim(v[1]), '') AS ts_text,
           NULLIF(NULLIF(trim(v[2]), ''), '-') AS method0,
           NULLIF(NULLIF(trim(v[3]), ''), '-') AS url0,
           NULLIF(NULLIF(trim(v[4]), ''), '-') AS path0,
           NULLIF(NULLIF(NULLIF(trim(v[5]), ''), '-'), '?') AS query0,
           NULLIF(NULLIF(trim(v[6]), ''), '-') AS host0,
           NULLIF(NULLIF(trim(v[7]), ''), '-') AS status_text,
           trim(v[8]) AS bytes_text,
           TRY_CAST(v[9] AS DOUBLE) * $duration_scale AS duration_ms,
           coalesce(NULLIF(NULLIF(trim(v[10]), ''), '-'), NULLIF(NULLIF(trim(v[11]), ''), '-')) AS ip0,
           NULLIF(NULLIF(v[12], ''), '-') AS user_agent,
           NULLIF(NULLIF(v[13], ''), '-') AS remote_user,
           NULLIF(NULLIF(v[14], ''), '-') AS auth_header,
           NULLIF(NULLIF(v[15], ''), '-') AS jwt_iss,
           NULLIF(NULLIF(v[16], ''), '-') AS client_id,
           NULLIF(NULLIF(v[17], ''), '-') AS app_key,
           CASE WHEN $has_extra
                THEN to_json(map($extra_names, list_select(c, $extra_idx)))::VARCHAR END AS extra0
    FROM v
),
typed AS (
    SELECT *,
           -- a url value holding a request line ("GET /x HTTP/1.1"), not a URL with a space in it
           CASE WHEN contains(url0, ' ') AND NOT starts_with(url0, '/') AND NOT starts_with(lower(url0), 'http')
                THEN string_split(trim(url0), ' ') END AS req,
           aa_parse_ts(ts_text) AS ts,
           TRY_CAST(status_text AS INTEGER) AS status0,
           CASE WHEN bytes_text IN ('', '-') THEN 0 ELSE TRY_CAST(bytes_text AS BIGINT) END AS bytes
    FROM r
),
final AS (
    SELECT *,
           coalesce(method0, req[1]) AS method,
           coalesce(CASE WHEN req IS NULL THEN url0 ELSE req[2] END,
                    path0 || CASE WHEN query0 IS NULL OR contains(path0, '?') THEN ''
                                  ELSE '?' || ltrim(query0, '?') END) AS target
    FROM typed
)
SELECT
    line_no,
    CASE
        WHEN quoted AND (length(line) - length(replace(line, '"', ''))) % 2 = 1
            THEN 'unterminated quoted field (a field holding a line break is not supported)'
        WHEN quoted AND NOT regexp_full_match(line || $delim, $line_re) THEN 'malformed quoting'
        WHEN len(c) <> $ncols THEN len(c) || ' columns, the header has ' || $ncols
        WHEN ts_text IS NULL THEN 'missing timestamp (' || $ts_hint || ')'
        WHEN ts IS NULL THEN 'bad timestamp: ' || left(ts_text, 60)
        WHEN target IS NULL OR target = '' THEN 'missing URL or path'
        WHEN method IS NULL OR contains(method, ' ') THEN 'missing method'
        WHEN status_text IS NOT NULL AND (status0 IS NULL OR (status0 <> 0 AND status0 NOT BETWEEN 100 AND 999))
            THEN 'bad status: ' || left(status_text, 40)
        WHEN bytes_text IS NOT NULL AND bytes IS NULL THEN 'bad byte count: ' || left(bytes_text, 40)
    END AS reject_reason,
    ts,
    method,
    target,
    aa_strip_port(host0) AS host,
    NULLIF(status0, 0) AS status,
    bytes,
    duration_ms,
    aa_client_ip(ip0) AS client_ip,
    user_agent,
    remote_user,
    auth_header,
    jwt_iss,
    client_id,
    app_key,
    extra0::VARCHAR AS extra  -- credential keys and values: see ingest/row_split
FROM final

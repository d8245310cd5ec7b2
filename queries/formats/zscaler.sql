-- name: formats/zscaler
-- Parse Zscaler NSS web-feed lines: the default output (34 quoted,
-- comma-separated fields, or the same fields tab-separated) or the JSON feed
-- ({"sourcetype":"zscalernss-web","event":{...}}). analyzer/formats/zscaler.py
-- says where each slot of analyzer/formats/fieldmap.py SLOTS is: a column
-- ($idx, text) or a JSON pointer ($paths, JSON), in the order
--   1 time  2 reqmethod  3 eurl  4 -  5 -  6 ehost  7 respcode  8 respsize
--   9 ctime  10 cip  11 -  12 ua / eua  13 login  14 authorization
--   15 jwt_iss  16 client_id  17 app_key (14-17 only through --field)
-- Input: relation `lines(line_no, line)`.
-- Params: $json (which layout), $ncols (text: fields per line), $idx /
-- $paths, $proto_idx / $proto_path (the proto field), $extra_idx /
-- $extra_paths with $extra_keys (the other fields, kept in `extra`: their
-- names JSON-encoded with the colon; credential-looking names are left out in
-- Python, so no screen is needed here),
-- $ua_encoded (the user agent is eua, URL-encoded), $timezone (the feed's
-- time zone), $format_name.
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- Text lines split without a regex: a fully quoted line on '","', a line
-- with tabs on tabs (quotes around a value dropped). 'None', 'NA', 'N/A' and
-- '' are empty. time ("Mon Jun 20 15:29:11 2022") has no zone: it is read in
-- $timezone, like an ISO time without an offset (a JSON feed's own format); an
-- epoch time, or an ISO time with an offset or Z, needs no zone. eurl has no scheme ("host/path?query"; CONNECT:
-- "host:443"), which the target splitter reads as host and path. A request
-- method that is no HTTP method (records of native FTP or other protocols)
-- rejects the line as not an HTTP request.
WITH src AS (
    SELECT line_no, line,
           $json AND json_valid(line) AND starts_with(ltrim(line), '{') AS is_json,
           CASE WHEN $json THEN NULL
                WHEN contains(line, chr(9)) THEN list_transform(string_split(line, chr(9)), lambda x: trim(x, '"'))
                WHEN starts_with(line, '"') AND ends_with(line, '"') AND length(line) > 1
                    THEN string_split(substr(line, 2, length(line) - 2), '","')
           END AS c
    FROM lines
),
v AS (
    SELECT line_no, c, is_json,
           CASE WHEN $json THEN CASE WHEN is_json THEN json_extract_string(line, $paths) END
                ELSE list_select(c, $idx) END AS v,
           CASE WHEN $json THEN CASE WHEN is_json THEN json_extract_string(line, $proto_path) END
                ELSE c[$proto_idx] END AS proto,
           CASE WHEN $json THEN CASE WHEN is_json THEN json_extract_string(line, $extra_paths) END
                ELSE list_select(c, $extra_idx) END AS x
    FROM src
),
r AS (
    SELECT line_no, c, is_json, proto, x,
           list_transform(v, lambda f: CASE WHEN f IN ('', 'None', 'NA', 'N/A') THEN NULL ELSE f END) AS f
    FROM v
),
typed AS (
    SELECT *,
           -- wall-clock times (the feed's own form, or ISO text without an offset): in the feed's zone
           coalesce(try_strptime(f[1], '%a %b %d %H:%M:%S %Y'),
                    CASE WHEN NOT (ends_with(f[1], 'Z') OR (length(f[1]) > 19 AND (contains(substr(f[1], 20), '+')
                                                                                 OR contains(substr(f[1], 20), '-'))))
                         THEN TRY_CAST(f[1] AS TIMESTAMP) END) AS ts_feed,
           TRY_CAST(f[7] AS INTEGER) AS status0,
           TRY_CAST(f[8] AS BIGINT) AS bytes,
           f[2] IS NOT NULL AND upper(f[2]) IN ('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS',
                                                'CONNECT', 'TRACE', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY',
                                                'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'SEARCH') AS http_method
    FROM r
)
SELECT
    line_no,
    CASE
        WHEN $json AND NOT is_json THEN 'not a JSON object'
        WHEN NOT $json AND c IS NULL THEN 'line does not match the ' || $format_name || ' layout'
        WHEN NOT $json AND len(c) <> $ncols THEN len(c) || ' fields, the NSS web feed''s default output has ' || $ncols
        WHEN f[1] IS NULL THEN 'missing timestamp (time)'
        WHEN ts_feed IS NULL AND aa_parse_ts(f[1]) IS NULL THEN 'bad timestamp: ' || left(f[1], 60)
        WHEN f[2] IS NULL
            THEN 'not an HTTP request: ' || coalesce(left(proto, 20) || ' ', '') || 'record without a request method'
        WHEN NOT http_method AND upper(coalesce(proto, '')) NOT LIKE 'HTTP%'
            THEN 'not an HTTP request: ' || coalesce(left(proto, 20) || ' ', '') || 'record (reqmethod '
                 || left(f[2], 20) || ')'
        WHEN f[3] IS NULL THEN 'missing URL (eurl)'
        WHEN f[7] IS NOT NULL AND f[7] <> '0' AND (status0 IS NULL OR status0 NOT BETWEEN 100 AND 999)
            THEN 'bad status: ' || left(f[7], 40)
        WHEN f[8] IS NOT NULL AND bytes IS NULL THEN 'bad byte count: ' || left(f[8], 40)
    END AS reject_reason,
    CASE WHEN ts_feed IS NULL THEN aa_parse_ts(f[1])
         WHEN $timezone = 'UTC' THEN ts_feed
         ELSE timezone('UTC', timezone($timezone, ts_feed)) END AS ts,
    f[2] AS method,
    f[3] AS target,
    aa_strip_port(f[6]) AS host,
    NULLIF(status0, 0) AS status,
    bytes,
    TRY_CAST(f[9] AS DOUBLE) AS duration_ms,
    aa_client_ip(f[10]) AS client_ip,
    CASE WHEN $ua_encoded AND contains(f[12], '%') THEN coalesce(try(url_decode(f[12])), f[12]) ELSE f[12] END
        AS user_agent,
    f[13] AS remote_user,
    f[14] AS auth_header,
    f[15] AS jwt_iss,
    f[16] AS client_id,
    f[17] AS app_key,
    CASE WHEN len(x) > 0 AND $extra_keys[1] <> '"-":'
         THEN '{' || array_to_string(list_transform(x, lambda v, k: $extra_keys[k] || to_json(v)), ',') || '}'
    END AS extra
FROM typed

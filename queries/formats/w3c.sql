-- name: formats/w3c
-- Parse the data lines of a W3C extended log (IIS, CloudFront...). Directive
-- lines (#Software, #Version, #Date, #Fields) never reach this query: the
-- ingest skips them, and analyzer/formats/w3c.py turns the #Fields directive
-- in force into the column of each slot of analyzer/formats/fieldmap.py SLOTS
-- (0: none):
--   1 date (joined with the `time` column)  2 cs-method  3 cs-uri  4 cs-uri-stem
--   5 cs-uri-query  6 cs-host  7 sc-status  8 sc-bytes  9 time-taken  10 c-ip
--   11 X-Forwarded-For  12 cs(User-Agent)  13 cs-username  14 cs(Authorization)
--   15 jwt_iss  16 client_id  17 app_key (only through --field)
-- Input: relation `lines(line_no, line)`.
-- Params: $ncols (fields declared), $idx (column per slot), $time_idx (the
-- `time` column, 0: none), $default_date (from #Date, for logs without a date
-- column), $has_extra, $extra_idx / $extra_names (other non-credential
-- columns, kept in `extra` under their W3C names, values as logged),
-- $format_name.
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- Fields are separated by single spaces and '-' means empty; date and time
-- are UTC. IIS writes '+' for a space inside a field: user agents are
-- decoded so (a literal '+' becomes a space too), an Authorization value only
-- after its scheme (base64 has '+'). time-taken is milliseconds (IIS); a value
-- with a decimal point is seconds (CloudFront). Lines with quoted fields, tabs
-- or runs of spaces take a (slower) regex split.
WITH t AS (
    SELECT line_no, line,
           CASE WHEN NOT contains(line, '"') AND NOT contains(line, chr(9)) AND NOT contains(line, '  ')
                THEN string_split(line, ' ')
                ELSE list_transform(regexp_extract_all(trim(line), '"(?:[^"]|"")*"|[^ \t]+'),
                                    lambda v: CASE WHEN starts_with(v, '"') AND length(v) > 1
                                                   THEN replace(substr(v, 2, length(v) - 2), '""', '"')
                                                   ELSE v END)
           END AS c
    FROM lines
),
v AS (
    SELECT line_no, c, list_select(c, $idx) AS v
    FROM t
),
r AS (
    SELECT line_no, c,
           coalesce(NULLIF(v[1], '-'), $default_date) || ' ' || coalesce(c[$time_idx], '') AS ts_text,
           NULLIF(v[2], '-') AS method,
           NULLIF(v[3], '-') AS url0,
           NULLIF(v[4], '-') AS path0,
           NULLIF(NULLIF(v[5], '-'), '?') AS query0,
           NULLIF(v[6], '-') AS host0,
           NULLIF(v[7], '-') AS status_text,
           v[8] AS bytes_text,
           v[9] AS taken,
           coalesce(NULLIF(v[10], '-'), NULLIF(v[11], '-')) AS ip0,
           replace(NULLIF(v[12], '-'), '+', ' ') AS user_agent,
           NULLIF(v[13], '-') AS remote_user,
           CASE WHEN v[14] <> '-' THEN regexp_replace(v[14], '^([A-Za-z]+)\+', '\1 ') END AS auth_header,
           NULLIF(v[15], '-') AS jwt_iss,
           NULLIF(v[16], '-') AS client_id,
           NULLIF(v[17], '-') AS app_key,
           CASE WHEN $has_extra
                THEN to_json(map($extra_names, list_select(c, $extra_idx)))::VARCHAR END AS extra0
    FROM v
),
typed AS (
    SELECT *,
           TRY_CAST(ts_text AS TIMESTAMP) AS ts,
           coalesce(url0, path0 || CASE WHEN query0 IS NULL OR contains(path0, '?') THEN ''
                                        ELSE '?' || ltrim(query0, '?') END) AS target,
           TRY_CAST(status_text AS INTEGER) AS status0,
           CASE WHEN bytes_text = '-' THEN 0 ELSE TRY_CAST(bytes_text AS BIGINT) END AS bytes
    FROM r
)
SELECT
    line_no,
    CASE
        WHEN len(c) <> $ncols THEN len(c) || ' fields, #Fields declares ' || $ncols
        WHEN ts IS NULL THEN 'bad timestamp: ' || left(coalesce(ts_text, '(no date field and no #Date)'), 60)
        WHEN target IS NULL OR target = '' THEN 'missing URL (cs-uri-stem)'
        WHEN method IS NULL THEN 'missing method (cs-method)'
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
    CASE WHEN contains(taken, '.') THEN TRY_CAST(taken AS DOUBLE) * 1000
         ELSE TRY_CAST(NULLIF(taken, '-') AS DOUBLE) END AS duration_ms,
    aa_client_ip(ip0) AS client_ip,
    user_agent,
    remote_user,
    auth_header,
    jwt_iss,
    client_id,
    app_key,
    aa_safe_extra(extra0) AS extra
FROM typed

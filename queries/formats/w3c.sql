-- name: formats/w3c
-- Parse the data lines of a W3C extended / ELFF log: IIS (plain and Advanced
-- Logging), CloudFront, Symantec/Blue Coat ProxySG. Directive lines (#Software,
-- #Version, #Date, #Fields, #Remark...) never reach this query: the ingest
-- skips them, and analyzer/formats/w3c.py turns the #Fields directive in force
-- into the column of each slot of analyzer/formats/fieldmap.py SLOTS (0: none):
--   1 date (or a whole timestamp, see $ts_kind)  2 cs-method  3 cs-uri
--   4 cs-uri-stem / cs-uri-path  5 cs-uri-query  6 x-host-header / cs-host
--   7 sc-status  8 sc-bytes  9 time-taken / TimeTakenMS  10 c-ip
--   11 X-Forwarded-For  12 cs(User-Agent)  13 cs-username
--   14 cs(Authorization)  15 jwt_iss  16 client_id  17 app_key (15-17 only
--   through --field)
-- and $aux_idx: the columns of 1 the time, 2 cs-uri-scheme, 3 cs-uri-port.
-- Input: relation `lines(line_no, line)`.
-- Params: $ncols (fields declared), $idx, $aux_idx, $ts_kind (utc: date +
-- time in UTC; local: date-local + time-local, read in $timezone; epoch:
-- x-timestamp-unix; text: a --field ts column holding a whole timestamp),
-- $timezone (IANA name), $default_date (from #Date, for logs without a date
-- column), $tabs (fields separated by tabs: CloudFront), $ua_decoding (plus:
-- IIS writes '+' for a space; percent: CloudFront URL-encodes; none),
-- $duration_auto (time-taken: a value with a decimal point is seconds), the
-- $layout_reason every line is rejected with when #Fields lacks a time, a URL
-- or a method (NULL otherwise), $has_extra, $extra_idx / $extra_keys (the other
-- columns, kept in `extra` under their W3C names with values as logged; the
-- keys JSON-encoded with their colon; credential-looking names are left out
-- in Python, so no screen is needed here), $format_name.
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- Splitting: '-' means empty. Lines without quotes split on single spaces
-- (runs of spaces or tabs: a regex split). Quoted values (ProxySG categories
-- and user agents, Advanced Logging) are handled without a regex when every
-- quote sits at a field boundary: the spaces outside quotes become chr(30),
-- the quotes go, and the line splits at chr(30). Other lines (quotes inside
-- a field, doubled quotes) take a regex split, several times slower. `extra`
-- is built as text from pre-encoded keys: to_json(map(...)) costs about three
-- times as much.
--
-- URL: cs-uri when logged, else cs-uri-stem (IIS, CloudFront) or cs-uri-path
-- (ProxySG) with cs-uri-query (ProxySG's starts with '?') and the host field;
-- a CONNECT tunnel becomes host:port (stored, not Confluence REST). An
-- Authorization value is decoded only after its scheme (base64 has '+').
-- Lines that are no HTTP request are rejected saying so: FTP commands (IIS FTP
-- logs, FTP through a proxy) and ProxySG connections it saw no HTTP request in
-- (cs-method 'unknown': an undecrypted TLS or TCP tunnel).
WITH q AS (
    -- fields split at chr(30): spaces outside quotes become it, quotes go (NULL: not that simple)
    SELECT line_no, line,
           CASE WHEN NOT $tabs AND contains(line, '"') AND NOT contains(line, chr(9)) AND NOT contains(line, '""')
                     AND len(string_split(line, '"')) % 2 = 1
                     AND NOT contains(replace(replace(' ' || line || ' ', ' "', ' '), '" ', ' '), '"')
                THEN array_to_string(list_transform(string_split(line, '"'),
                         lambda p, i: CASE WHEN i % 2 = 1 THEN replace(p, ' ', chr(30)) ELSE p END), '')
           END AS s
    FROM lines
),
t AS (
    SELECT line_no,
           CASE WHEN $tabs THEN string_split(line, chr(9))
                WHEN NOT contains(line, '"')
                THEN CASE WHEN contains(line, '  ') OR contains(line, chr(9))
                          THEN regexp_split_to_array(trim(line), '[ \t]+') ELSE string_split(line, ' ') END
                WHEN s IS NOT NULL
                THEN string_split(CASE WHEN contains(s, chr(30) || chr(30)) OR starts_with(s, chr(30))
                                            OR ends_with(s, chr(30))
                                       THEN regexp_replace(trim(s, chr(30)), chr(30) || '+', chr(30), 'g')
                                       ELSE s END, chr(30))
                ELSE list_transform(regexp_extract_all(trim(line), '"(?:[^"]|"")*"|[^ \t]+'),
                                    lambda v: CASE WHEN starts_with(v, '"') AND ends_with(v, '"') AND length(v) > 1
                                                   THEN replace(substr(v, 2, length(v) - 2), '""', '"')
                                                   ELSE v END)
           END AS c
    FROM q
),
v AS (
    SELECT line_no, c, list_select(c, $idx) AS v, list_select(c, $aux_idx) AS a
    FROM t
),
r AS (
    SELECT line_no, c,
           CASE $ts_kind
               WHEN 'text' THEN CASE WHEN a[1] IS NOT NULL AND NOT contains(v[1], ':') THEN v[1] || ' ' || a[1]
                                     ELSE v[1] END
               WHEN 'epoch' THEN v[1]
               ELSE coalesce(NULLIF(v[1], '-'), $default_date) || ' ' || coalesce(a[1], '')
           END AS ts_text,
           NULLIF(v[2], '-') AS method,
           NULLIF(v[3], '-') AS url0,
           NULLIF(v[4], '-') AS path0,
           NULLIF(NULLIF(v[5], '-'), '?') AS query0,
           NULLIF(v[6], '-') AS host0,
           NULLIF(v[7], '-') AS status_text,
           v[8] AS bytes_text,
           v[9] AS taken,
           coalesce(NULLIF(v[10], '-'), NULLIF(v[11], '-')) AS ip0,
           NULLIF(v[12], '-') AS ua0,
           NULLIF(v[13], '-') AS remote_user,
           CASE WHEN v[14] <> '-' THEN regexp_replace(v[14], '^([A-Za-z]+)\+', '\1 ') END AS auth_header,
           NULLIF(v[15], '-') AS jwt_iss,
           NULLIF(v[16], '-') AS client_id,
           NULLIF(v[17], '-') AS app_key,
           lower(NULLIF(a[2], '-')) AS scheme,
           NULLIF(a[3], '-') AS port,
           CASE WHEN $has_extra
                THEN '{' || array_to_string(list_transform(list_select(c, $extra_idx),
                                                           lambda x, k: $extra_keys[k] || to_json(x)), ',') || '}'
           END AS extra0
    FROM v
),
typed AS (
    SELECT *,
           CASE $ts_kind
               WHEN 'text' THEN aa_parse_ts(ts_text)
               WHEN 'epoch' THEN aa_ts_epoch(TRY_CAST(ts_text AS DOUBLE))
               WHEN 'local' THEN CASE WHEN $timezone = 'UTC' THEN TRY_CAST(ts_text AS TIMESTAMP)
                                      ELSE timezone('UTC', timezone($timezone, TRY_CAST(ts_text AS TIMESTAMP))) END
               ELSE TRY_CAST(ts_text AS TIMESTAMP)
           END AS ts,
           CASE WHEN url0 IS NOT NULL THEN url0
                WHEN upper(method) = 'CONNECT' AND host0 IS NOT NULL THEN host0 || coalesce(':' || port, '')
                ELSE path0 || CASE WHEN query0 IS NULL OR contains(path0, '?') THEN ''
                                   ELSE '?' || ltrim(query0, '?') END
           END AS target,
           TRY_CAST(status_text AS INTEGER) AS status0,
           CASE WHEN bytes_text = '-' THEN 0 ELSE TRY_CAST(bytes_text AS BIGINT) END AS bytes
    FROM r
),
kind AS (
    -- lines that are no HTTP request: tested only when the method is not a common HTTP one
    SELECT *,
           CASE
               WHEN method IS NULL OR method IN ('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'CONNECT')
                   THEN NULL
               WHEN upper(method) IN ('USER', 'PASS', 'ACCT', 'CWD', 'CDUP', 'XCWD', 'XCUP', 'QUIT', 'REIN', 'PORT',
                                      'PASV', 'EPRT', 'EPSV', 'TYPE', 'STRU', 'MODE', 'RETR', 'STOR', 'STOU', 'APPE',
                                      'ALLO', 'REST', 'RNFR', 'RNTO', 'ABOR', 'DELE', 'RMD', 'XRMD', 'MKD', 'XMKD',
                                      'PWD', 'XPWD', 'LIST', 'NLST', 'MLSD', 'MLST', 'SITE', 'SYST', 'STAT', 'HELP',
                                      'NOOP', 'FEAT', 'OPTS', 'AUTH', 'PBSZ', 'PROT', 'CCC', 'SIZE', 'MDTM', 'MFMT',
                                      'HOST', 'CLNT', 'LANG', 'SMNT', 'CONTROLCHANNELOPENED', 'CONTROLCHANNELCLOSED',
                                      'DATACHANNELOPENED', 'DATACHANNELCLOSED')
                    OR regexp_matches(method, '^\[[0-9]+\][A-Za-z]+$')
                   THEN 'not an HTTP request: FTP command ' || left(method, 40)
               WHEN lower(method) = 'unknown'
                   THEN 'not an HTTP request: ' || coalesce(left(scheme, 20) || ' ', '')
                        || 'connection the proxy saw no HTTP request in (cs-method unknown)'
           END AS not_http
    FROM typed
)
SELECT
    line_no,
    CASE
        WHEN $layout_reason IS NOT NULL THEN $layout_reason
        WHEN len(c) <> $ncols THEN len(c) || ' fields, #Fields declares ' || $ncols
        WHEN not_http IS NOT NULL THEN not_http
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
    CASE WHEN taken IS NULL OR taken = '-' THEN NULL
         WHEN $duration_auto AND contains(taken, '.') THEN TRY_CAST(taken AS DOUBLE) * 1000
         ELSE TRY_CAST(taken AS DOUBLE) END AS duration_ms,
    aa_client_ip(ip0) AS client_ip,
    CASE WHEN ua0 IS NULL THEN NULL
         WHEN $ua_decoding = 'plus' AND NOT contains(ua0, ' ') THEN replace(ua0, '+', ' ')
         WHEN $ua_decoding = 'percent' AND contains(ua0, '%') THEN coalesce(try(url_decode(ua0)), ua0)
         ELSE ua0 END AS user_agent,
    remote_user,
    auth_header,
    jwt_iss,
    client_id,
    app_key,
    NULLIF(extra0, '{}') AS extra
FROM kind

-- name: formats/haproxy
-- Parse HAProxy HTTP log lines (`option httplog`), with or without a syslog
-- prefix (`<134>Oct 11 22:14:15 haproxy[1234]: `, rsyslog's `Oct 11 22:14:15
-- lb1 haproxy[1234]: `, RFC 5424 `<134>1 2026-...Z lb1 haproxy 1234 - - `):
--   client:port [accept_date] frontend backend/server TR/Tw/Tc/Tr/Ta status
--   bytes_read req_cookie res_cookie termination_state ac/fc/bc/sc/rc sq/bq
--   {captured request headers} {captured response headers} "request line"
-- (the header blocks appear only when captures are configured).
-- Input: relation `lines(line_no, line)`.
-- Params: $hdr - 1-based positions in the captured request header block of
-- [Host, User-Agent, Authorization, X-Forwarded-For, client id, app key,
-- user] (0: not captured), chosen per file by analyzer/formats/haproxy.py;
-- $format_name (text, for messages).
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- The log line starts at the first ' [' (the accept date): the token before it
-- is the client, anything before that is the syslog prefix. The accept date
-- has no zone: it is read as UTC. Duration is Ta (Tt before HAProxy 1.9), the
-- last timer, in ms ('+' with option logasap is dropped; -1, aborted, is NULL).
-- Status -1 (no response) is stored as NULL. HAProxy encodes '"', '#', '{',
-- '|', '}' and non-printable bytes inside fields as #XX: the printable ones are
-- decoded in the request line and the captured headers. The client is the
-- first captured X-Forwarded-For entry when there is one, else the peer
-- address (its port cut at the last colon: HAProxy writes IPv6 without
-- brackets). Captured cookies and uncaptured-header values are never stored;
-- an Authorization header becomes auth_header, which the ingest reduces to
-- the JWT issuer or basic-auth user.
-- Lines that are no HTTP request (start-up and health-check messages, TCP
-- logs, connection errors) are rejected with a reason saying so, quoting the
-- message (masked like every reject reason, by ingest/row_split).
WITH s AS (
    SELECT line_no, line, strpos(line, ' [') AS b
    FROM lines
),
d AS (
    SELECT line_no, line, b,
           CASE WHEN b > 0 THEN string_split(left(line, b - 1), ' ')[-1] END AS client,
           split_part(substr(line, b + 2), ']', 1) AS accept_date,
           substr(line, b + 2 + strpos(substr(line, b + 2), ']') + 1) AS rest
    FROM s
),
q AS (
    SELECT *, strpos(rest, '"') AS qpos
    FROM d
),
p AS (
    SELECT line_no, line, b, client, accept_date, rest, qpos,
           CASE WHEN qpos > 0 THEN left(rest, qpos - 1) ELSE rest END AS pre,
           CASE WHEN qpos > 0 THEN substr(rest, qpos + 1) END AS req0
    FROM q
),
c AS (
    SELECT *,
           strpos(pre, '{') AS brace,
           string_split(trim(CASE WHEN strpos(pre, '{') > 0 THEN left(pre, strpos(pre, '{') - 1) ELSE pre END), ' ')
               AS f,
           CASE WHEN strpos(pre, '{') > 0 THEN substr(string_split(trim(substr(pre, strpos(pre, '{'))), '}')[1], 2) END
               AS reqh,
           contains(req0, '"') AS closed,
           split_part(req0, '"', 1) AS request0
    FROM p
),
x AS (
    SELECT *,
           -- #XX escapes of printable characters decoded (a literal '#' is #23, so every '#' starts one)
           CASE WHEN contains(request0, '#') THEN array_to_string(list_transform(string_split(request0, '#'),
                    lambda part, i: CASE WHEN i = 1 THEN part
                        WHEN TRY_CAST('0x' || left(part, 2) AS INTEGER) BETWEEN 32 AND 126
                        THEN chr(TRY_CAST('0x' || left(part, 2) AS INTEGER)) || substr(part, 3)
                        ELSE '#' || part END), '')
                ELSE request0 END AS request,
           CASE WHEN reqh IS NULL THEN NULL
                WHEN NOT contains(reqh, '#') THEN string_split(reqh, '|')
                ELSE list_transform(string_split(reqh, '|'), lambda v: array_to_string(list_transform(
                    string_split(v, '#'), lambda part, i: CASE WHEN i = 1 THEN part
                        WHEN TRY_CAST('0x' || left(part, 2) AS INTEGER) BETWEEN 32 AND 126
                        THEN chr(TRY_CAST('0x' || left(part, 2) AS INTEGER)) || substr(part, 3)
                        ELSE '#' || part END), ''))
           END AS hl,
           coalesce(try_strptime(accept_date, '%d/%b/%Y:%H:%M:%S.%g'), try_strptime(accept_date, '%d/%b/%Y:%H:%M:%S'))
               AS ts,
           string_split(f[3], '/') AS t,
           -- the text of a non-request line: what follows the syslog tag, or the whole line
           CASE WHEN contains(line, ']: ') THEN substr(line, strpos(line, ']: ') + 3) ELSE line END AS message
    FROM c
),
typed AS (
    SELECT *,
           string_split(request, ' ') AS r,
           TRY_CAST(f[4] AS INTEGER) AS status,
           TRY_CAST(ltrim(f[5], '+') AS BIGINT) AS bytes,
           TRY_CAST(ltrim(t[5], '+') AS DOUBLE) AS ta,
           CASE WHEN $hdr[1] > 0 THEN NULLIF(NULLIF(hl[$hdr[1]], ''), '-') END AS h_host,
           CASE WHEN $hdr[4] > 0 THEN NULLIF(NULLIF(hl[$hdr[4]], ''), '-') END AS h_xff
    FROM x
)
SELECT
    line_no,
    CASE
        WHEN b = 0 OR (ts IS NULL AND qpos = 0)
            THEN 'not an HTTP request line: ' || left(message, 80)
        WHEN ts IS NULL THEN 'bad timestamp: ' || left(accept_date, 60)
        WHEN qpos = 0 AND len(t) >= 4 THEN 'line does not match the ' || $format_name || ' layout (cut short?)'
        WHEN qpos = 0
            THEN 'not an HTTP request line: ' || CASE WHEN len(t) = 3 THEN 'a TCP connection log (option tcplog)'
                                                      ELSE left(trim(rest), 80) END
        WHEN len(f) <> 10 OR len(t) <> 5 OR NOT contains(f[2], '/')
            THEN 'line does not match the ' || $format_name || ' layout'
        WHEN NOT closed THEN 'request line cut short (no closing quote): raise the length of HAProxy log lines'
        WHEN request = '<BADREQ>' THEN 'bad request line: <BADREQ> (HAProxy could not parse the request)'
        WHEN len(r) NOT IN (2, 3) OR r[1] = '' OR r[2] = '' THEN 'bad request line: ' || left(request, 200)
        WHEN status IS NULL OR (status <> -1 AND status NOT BETWEEN 100 AND 999) THEN 'bad status: ' || left(f[4], 40)
        WHEN bytes IS NULL THEN 'bad byte count: ' || left(f[5], 40)
    END AS reject_reason,
    ts,
    r[1] AS method,
    r[2] AS target,
    aa_strip_port(h_host) AS host,
    CASE WHEN status > 0 THEN status END AS status,
    bytes,
    CASE WHEN ta >= 0 THEN ta END AS duration_ms,
    coalesce(aa_client_ip(h_xff),
             NULLIF(trim(CASE WHEN contains(client, ':') THEN left(client, length(client) - strpos(reverse(client), ':'))
                              ELSE client END, '[]'), '')) AS client_ip,
    CASE WHEN $hdr[2] > 0 THEN NULLIF(NULLIF(hl[$hdr[2]], ''), '-') END AS user_agent,
    CASE WHEN $hdr[7] > 0 THEN NULLIF(NULLIF(hl[$hdr[7]], ''), '-') END AS remote_user,
    CASE WHEN $hdr[3] > 0 THEN NULLIF(NULLIF(hl[$hdr[3]], ''), '-') END AS auth_header,
    CAST(NULL AS VARCHAR) AS jwt_iss,
    CASE WHEN $hdr[5] > 0 THEN NULLIF(NULLIF(hl[$hdr[5]], ''), '-') END AS client_id,
    CASE WHEN $hdr[6] > 0 THEN NULLIF(NULLIF(hl[$hdr[6]], ''), '-') END AS app_key,
    json_object('frontend', f[1], 'backend', split_part(f[2], '/', 1), 'server', split_part(f[2], '/', 2),
                'timers', f[3], 'termination_state', f[8], 'connections', f[9], 'queues', f[10])::VARCHAR AS extra
FROM typed

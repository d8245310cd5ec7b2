-- name: formats/json
-- Parse JSON-lines access logs (one JSON object per line): Envoy/Istio,
-- Cloudflare Logpush, the products of analyzer/formats/jsonproducts.py (nginx,
-- Caddy, Traefik, API Gateway, GCP and Azure load balancers) and generic JSON. Which key feeds which column is decided
-- per file by analyzer/formats/jsonl.py and passed as $paths, one JSON pointer
-- per slot of analyzer/formats/fieldmap.py SLOTS, in that order:
--   1 ts  2 method  3 url (or a whole "GET /x HTTP/1.1" request line)  4 path
--   5 query  6 host  7 status  8 bytes  9 duration  10 client_ip
--   11 client_ip fallback  12 user_agent  13 remote_user  14 authorization
--   15 jwt_iss  16 client_id  17 app_key
-- Input: relation `lines(line_no, line)`.
-- Params: $paths; $duration_scale (duration value -> milliseconds); $drop (a
-- JSON merge patch of nulls that deletes the mapped keys and the credential
-- keys seen in the file from `extra`); $ts_hint (named in the missing-timestamp
-- reason); $format_name (for messages).
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- Why this shape: one json_extract_string with a list of paths parses a line
-- once (ten single extractions cost four times as much); `extra` is the record
-- through one merge patch (credential keys the file's first lines did not
-- show, and credential values under other keys - a JWT, a ?jwt=/token=/... URL
-- parameter in a referer - are masked with every stored `extra` by
-- ingest/row_split). Timestamps:
-- aa_parse_ts (epoch s/ms/us/ns, ISO-8601 with or without offset - none means
-- UTC - and the NCSA form).
-- Status 0 (no response: reset, aborted) is stored as NULL. A duration is a
-- number (times $duration_scale) or a value with its unit - a protobuf/Go
-- duration such as "0.123s" (GCP), "1.5ms", "350us", "800ns" - which wins
-- over the scale. A key whose values are lists (Caddy headers) is read
-- through a pointer to its first item, chosen per file.
WITH j AS (
    SELECT line_no, line, json_valid(line) AND starts_with(ltrim(line), '{') AS ok
    FROM lines
),
v AS (
    SELECT line_no, line, json_extract_string(line, $paths) AS f
    FROM j
    WHERE ok
),
r AS (
    SELECT line_no, f,
           NULLIF(f[1], '') AS ts_text,
           -- a url value holding a request line ("GET /x HTTP/1.1"), not a URL with a space in it
           CASE WHEN contains(f[3], ' ') AND NOT starts_with(f[3], '/') AND NOT starts_with(lower(f[3]), 'http')
                THEN string_split(trim(f[3]), ' ') END AS req,
           NULLIF(NULLIF(f[4], ''), '-') AS path0,
           NULLIF(NULLIF(NULLIF(f[5], ''), '-'), '?') AS query0,
           coalesce(NULLIF(NULLIF(f[10], ''), '-'), f[11]) AS ip0,
           NULLIF(NULLIF(f[6], ''), '-') AS host0,
           json_merge_patch(line, $drop) AS extra0
    FROM v
),
typed AS (
    SELECT line_no, f, ts_text, ip0, host0, extra0,
           aa_parse_ts(ts_text) AS ts,
           coalesce(NULLIF(NULLIF(f[2], ''), '-'), req[1]) AS method,
           coalesce(CASE WHEN req IS NULL THEN NULLIF(NULLIF(f[3], ''), '-')
                         -- a raw space inside the target: what lies between the method and the protocol
                         WHEN len(req) > 3 AND starts_with(req[-1], 'HTTP/') THEN array_to_string(req[2:-2], ' ')
                         ELSE req[2] END,
                    path0 || CASE WHEN query0 IS NULL OR contains(path0, '?') THEN ''
                                  ELSE '?' || ltrim(query0, '?') END) AS target,
           TRY_CAST(f[7] AS INTEGER) AS status0,
           CASE WHEN f[8] IN ('-', '') THEN 0 ELSE TRY_CAST(f[8] AS BIGINT) END AS bytes
    FROM r
)
SELECT
    line_no,
    CASE
        WHEN ts_text IS NULL THEN 'missing timestamp (' || $ts_hint || ')'
        WHEN ts IS NULL THEN 'bad timestamp: ' || left(ts_text, 60)
        WHEN target IS NULL OR target = '' THEN 'missing URL or path'
        WHEN method IS NULL OR method = '' OR contains(method, ' ') THEN 'missing method'
        WHEN f[7] IS NOT NULL AND f[7] <> '-' AND (status0 IS NULL OR (status0 <> 0 AND status0 NOT BETWEEN 100 AND 999))
            THEN 'bad status: ' || left(f[7], 40)
        WHEN f[8] IS NOT NULL AND bytes IS NULL THEN 'bad byte count: ' || left(f[8], 40)
    END AS reject_reason,
    ts,
    method,
    target,
    aa_strip_port(host0) AS host,
    NULLIF(status0, 0) AS status,
    bytes,
    CASE WHEN TRY_CAST(f[9] AS DOUBLE) IS NOT NULL THEN round(TRY_CAST(f[9] AS DOUBLE) * $duration_scale, 6)
         WHEN ends_with(f[9], 'ms') THEN TRY_CAST(substr(f[9], 1, length(f[9]) - 2) AS DOUBLE)
         WHEN ends_with(f[9], 'us') OR ends_with(f[9], 'µs')
             THEN TRY_CAST(substr(f[9], 1, length(f[9]) - 2) AS DOUBLE) / 1000
         WHEN ends_with(f[9], 'ns') THEN TRY_CAST(substr(f[9], 1, length(f[9]) - 2) AS DOUBLE) / 1e6
         WHEN ends_with(f[9], 's') THEN TRY_CAST(substr(f[9], 1, length(f[9]) - 1) AS DOUBLE) * 1000
    END AS duration_ms,
    aa_client_ip(ip0) AS client_ip,
    NULLIF(NULLIF(f[12], ''), '-') AS user_agent,
    NULLIF(NULLIF(f[13], ''), '-') AS remote_user,
    NULLIF(NULLIF(f[14], ''), '-') AS auth_header,
    NULLIF(NULLIF(f[15], ''), '-') AS jwt_iss,
    NULLIF(NULLIF(f[16], ''), '-') AS client_id,
    NULLIF(NULLIF(f[17], ''), '-') AS app_key,
    extra0::VARCHAR AS extra  -- credential keys and values: see ingest/row_split
FROM typed
UNION ALL
SELECT
    line_no,
    CASE WHEN json_valid(line) THEN 'not a JSON object' ELSE 'bad JSON' END AS reject_reason,
    NULL::TIMESTAMP, NULL, NULL, NULL, NULL::INTEGER, NULL::BIGINT, NULL::DOUBLE,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM j
WHERE NOT ok

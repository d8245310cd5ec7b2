-- name: formats/alb
-- Parse AWS Application Load Balancer access-log lines:
--   type time elb client:port target:port request_processing_time
--   target_processing_time response_processing_time elb_status_code
--   target_status_code received_bytes sent_bytes "request" "user_agent"
--   ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name"
--   "chosen_cert_arn" matched_rule_priority request_creation_time ...
-- (fields after "user_agent" are optional: older logs end earlier).
-- Input: relation `lines(line_no, line)`.
-- Params: $format_name (text, for messages).
-- Output: the canonical parsed columns (analyzer/formats/base.py PARSED_COLUMNS).
--
-- `time` (when the ALB sent the response, ISO-8601 UTC) is the timestamp; the
-- request is "METHOD absolute-URL PROTO"; status is elb_status_code (what the
-- client saw; '-' is stored as NULL); bytes is sent_bytes; duration is the sum
-- of the three processing times that apply (-1 = did not apply; all -1: NULL), in ms.
-- Like formats/clf, lines holding a backslash take an RE2 path that
-- understands \" inside the quoted fields; the others are split on '"'.
WITH split AS (
    SELECT line_no, line, string_split(line, '"') AS p,
           NOT contains(line, '\') AND len(p) >= 5 AS simple
    FROM lines
),
fields AS (
    SELECT line_no, simple, p,
           CASE WHEN NOT simple THEN regexp_extract(
               line, '^([^"]*)"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"(.*)$', ['head', 'request', 'ua', 'tail'])
           END AS m,
           CASE WHEN simple THEN p[1] ELSE m['head'] END AS head,
           CASE WHEN simple THEN p[2] ELSE replace(replace(m['request'], '\"', '"'), '\\', '\') END AS request,
           CASE WHEN simple THEN p[3] = ' ' ELSE m['head'] <> '' END AS shaped,
           CASE WHEN simple THEN p[4] ELSE replace(replace(m['ua'], '\"', '"'), '\\', '\') END AS user_agent,
           -- after the user agent: ' ssl_cipher ssl_protocol target_group_arn ', trace_id, ' ', domain_name
           CASE WHEN NOT simple THEN string_split(m['tail'], '"') END AS t,
           CASE WHEN simple THEN p[5] ELSE t[1] END AS tls_text,
           CASE WHEN simple THEN p[6] ELSE t[2] END AS trace_id,
           CASE WHEN simple THEN p[8] ELSE t[4] END AS domain_name
    FROM split
),
parts AS (
    SELECT line_no, shaped, request, user_agent, trace_id, domain_name,
           string_split(rtrim(head, ' '), ' ') AS h,
           string_split(request, ' ') AS r,
           trim(tls_text) AS tls
    FROM fields
),
typed AS (
    SELECT *,
           TRY_CAST(h[2] AS TIMESTAMP) AS ts,
           TRY_CAST(h[9] AS INTEGER) AS status,
           TRY_CAST(h[12] AS BIGINT) AS bytes,
           TRY_CAST(h[6] AS DOUBLE) AS t1, TRY_CAST(h[7] AS DOUBLE) AS t2, TRY_CAST(h[8] AS DOUBLE) AS t3
    FROM parts
)
SELECT
    line_no,
    CASE
        WHEN NOT shaped OR len(h) <> 12 THEN 'line does not match the ' || $format_name || ' layout'
        WHEN ts IS NULL OR NOT ends_with(h[2], 'Z') THEN 'bad timestamp: ' || left(h[2], 60)
        WHEN len(r) <> 3 OR r[1] IN ('', '-') OR r[2] IN ('', '-') THEN 'bad request line: ' || left(request, 200)
        WHEN h[9] <> '-' AND (status IS NULL OR status NOT BETWEEN 100 AND 999) THEN 'bad status: ' || left(h[9], 40)
        WHEN bytes IS NULL THEN 'bad byte count: ' || left(h[12], 40)
    END AS reject_reason,
    ts,
    r[1] AS method,
    r[2] AS target,
    NULLIF(NULLIF(domain_name, '-'), '') AS host,
    status,
    bytes,
    CASE WHEN t1 IS NOT NULL AND t2 IS NOT NULL AND t3 IS NOT NULL AND greatest(t1, t2, t3) >= 0
         THEN (greatest(t1, 0) + greatest(t2, 0) + greatest(t3, 0)) * 1000 END AS duration_ms,
    -- client:port, also for IPv6 (ALB writes no brackets): cut at the last colon
    NULLIF(trim(left(h[4], length(h[4]) - strpos(reverse(h[4]), ':')), '[]'), '-') AS client_ip,
    NULLIF(user_agent, '-') AS user_agent,
    CAST(NULL AS VARCHAR) AS remote_user,
    CAST(NULL AS VARCHAR) AS auth_header,
    CAST(NULL AS VARCHAR) AS jwt_iss,
    CAST(NULL AS VARCHAR) AS client_id,
    CAST(NULL AS VARCHAR) AS app_key,
    json_object('type', h[1], 'elb', h[3], 'target', NULLIF(h[5], '-'), 'target_status_code', NULLIF(h[10], '-'),
                'ssl_protocol', NULLIF(split_part(tls, ' ', 2), '-'),
                'target_group_arn', NULLIF(split_part(tls, ' ', 3), '-'),
                'trace_id', NULLIF(trace_id, '-'))::VARCHAR AS extra
FROM typed

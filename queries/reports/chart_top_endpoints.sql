-- name: reports/chart_top_endpoints
-- Chart data: the blocked APIs most used, by requests, for the report's bar
-- chart. One row per (endpoint, decision) for the 20 busiest endpoints
-- (method + path template); `endpoint_rank` orders them, busiest first, and
-- `endpoints_total` says how many blocked endpoints were used in all.
-- `decision` is 'exempt' for calls allowed thanks to an allowlist.
-- Params: $since, $until (TIMESTAMP or NULL), $site, $app, $space, $decision (text or NULL;
-- $decision 'exempt' selects requests allowed thanks to an allowlist).
WITH d AS (
    SELECT endpoint_method || ' ' || endpoint_path AS endpoint, endpoint_name,
           CASE WHEN exempt_by IS NOT NULL THEN 'exempt' ELSE decision END AS decision, c.n
    FROM request_counts($since, $until) AS c
    JOIN key_decisions AS k ON k.kd_id = c.kd_id
    WHERE api_blocked
      AND ($site IS NULL OR site = $site)
      AND ($app IS NULL OR app = $app OR ($app = '(unknown)' AND app IS NULL))
      AND ($space IS NULL OR space_key = $space OR space_id = $space)
      AND ($decision IS NULL OR CASE WHEN exempt_by IS NOT NULL THEN 'exempt' ELSE decision END = $decision)
),
by_decision AS (
    SELECT endpoint, any_value(endpoint_name) AS endpoint_name, decision, sum(n)::BIGINT AS requests
    FROM d GROUP BY endpoint, decision
),
totals AS (
    SELECT *, CAST(sum(requests) OVER (PARTITION BY endpoint) AS BIGINT) AS endpoint_requests FROM by_decision
),
ranked AS (
    SELECT *, dense_rank() OVER (ORDER BY endpoint_requests DESC, endpoint) AS endpoint_rank FROM totals
)
SELECT endpoint_rank, endpoint, endpoint_name, decision, requests, endpoint_requests,
       (SELECT count(DISTINCT endpoint) FROM d) AS endpoints_total
FROM ranked
WHERE endpoint_rank <= 20
ORDER BY endpoint_rank, requests DESC, decision

-- name: reports/chart_timeline
-- Chart data: requests per day and app, for the report's timeline, in two
-- measures (long format, one row per measure, day and app):
--   blocked_or_filtered  requests the active rules blocked or filtered
--   blocked_api          every request to an API that app access rules block
-- The chart shows blocked_or_filtered, or blocked_api when the active rules
-- blocked nothing (no rules loaded yet: exposure instead of enforcement).
-- Per measure the 12 busiest apps are kept and the rest summed as '(other apps)';
-- `app_rank` orders the legend (13 for the rest).
-- Params: $since, $until (TIMESTAMP or NULL), $site, $app, $space, $decision (text or NULL;
-- $decision 'exempt' selects requests allowed thanks to an allowlist).
WITH d AS (
    SELECT c.day, coalesce(app, '(unknown)') AS app, decision, c.n
    FROM request_counts($since, $until) AS c
    JOIN key_decisions AS k ON k.kd_id = c.kd_id
    WHERE api_blocked
      AND ($site IS NULL OR site = $site)
      AND ($app IS NULL OR app = $app OR ($app = '(unknown)' AND app IS NULL))
      AND ($space IS NULL OR space_key = $space OR space_id = $space)
      AND ($decision IS NULL OR CASE WHEN exempt_by IS NOT NULL THEN 'exempt' ELSE decision END = $decision)
),
daily AS (
    SELECT day, app,
           coalesce(sum(n) FILTER (WHERE decision IN ('blocked', 'filtered')), 0)::BIGINT AS by_rules,
           sum(n)::BIGINT AS api
    FROM d GROUP BY ALL
),
long AS (
    SELECT 'blocked_or_filtered' AS measure, day, app, by_rules AS requests FROM daily WHERE by_rules > 0
    UNION ALL
    SELECT 'blocked_api', day, app, api FROM daily
),
totals AS (
    SELECT *, sum(requests) OVER (PARTITION BY measure, app) AS app_requests FROM long
),
ranked AS (
    SELECT *, dense_rank() OVER (PARTITION BY measure ORDER BY app_requests DESC, app) AS app_rank FROM totals
)
SELECT measure, day,
       CASE WHEN app_rank <= 12 THEN app ELSE '(other apps)' END AS app,
       least(app_rank, 13) AS app_rank,
       CAST(sum(requests) AS BIGINT) AS requests
FROM ranked
GROUP BY ALL
ORDER BY measure, app_rank, app, day

-- name: reports/chart_heatmap
-- Chart data: requests to blocked APIs on objects of one space (scope 'space'),
-- per app and space, for the report's heatmap. One row per (app, site, space)
-- with the requests, how many the active rules blocked, and the split by
-- decision as text for the hover ('exempt' = allowed thanks to an allowlist).
-- The busiest 30 apps and 40 spaces are kept (apps_total / spaces_total say how
-- many there were); `app_rank` and `space_rank` order the axes, busiest first.
-- `space_label` names the site too when the selection spans several sites.
-- Params: $since, $until (TIMESTAMP or NULL), $site, $app, $space (text or NULL).
WITH d AS (
    SELECT coalesce(app, '(unknown)') AS app, site,
           coalesce(space_key, space_id, '(unknown space)') AS space,
           CASE WHEN exempt_by IS NOT NULL THEN 'exempt' ELSE decision END AS decision
    FROM decisions
    WHERE api_blocked AND scope = 'space'
      AND ($since IS NULL OR ts >= $since) AND ($until IS NULL OR ts < $until)
      AND ($site IS NULL OR site = $site)
      AND ($app IS NULL OR app = $app OR ($app = '(unknown)' AND app IS NULL))
      AND ($space IS NULL OR space_key = $space OR space_id = $space)
),
cells AS (
    SELECT app, site, space, decision, count(*) AS n FROM d GROUP BY ALL
),
pairs AS (
    SELECT app, site, space,
           CAST(sum(n) AS BIGINT) AS requests,
           CAST(coalesce(sum(n) FILTER (WHERE decision = 'blocked'), 0) AS BIGINT) AS blocked,
           string_agg(decision || ': ' || n, ', ' ORDER BY n DESC, decision) AS decisions
    FROM cells GROUP BY ALL
),
totals AS (
    SELECT *,
           sum(requests) OVER (PARTITION BY app) AS app_requests,
           sum(requests) OVER (PARTITION BY site, space) AS space_requests
    FROM pairs
),
ranked AS (
    SELECT *,
           dense_rank() OVER (ORDER BY app_requests DESC, app) AS app_rank,
           dense_rank() OVER (ORDER BY space_requests DESC, space, site) AS space_rank
    FROM totals
)
SELECT app, app_rank, site, space,
       CASE WHEN (SELECT count(DISTINCT site) FROM pairs) > 1
            THEN space || ' (' || coalesce(regexp_replace(site, '\.atlassian\.net$', ''), '?') || ')'
            ELSE space END AS space_label,
       space_rank, requests, blocked, decisions,
       (SELECT count(DISTINCT app) FROM pairs) AS apps_total,
       (SELECT count(*) FROM (SELECT DISTINCT site, space FROM pairs)) AS spaces_total
FROM ranked
WHERE app_rank <= 30 AND space_rank <= 40
ORDER BY app_rank, space_rank

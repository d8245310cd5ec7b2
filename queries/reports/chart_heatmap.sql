-- name: reports/chart_heatmap
-- Chart data: requests to blocked APIs on objects of one space (scope 'space'),
-- per app and space, for the report's heatmap, split by what a rule does to them:
--   enforced      blocked or filtered by the active rules
--   exposed       allowed today, but an app access rule covering the space would
--                 block it (an eligible app, or an unidentified client)
--   undecided     unknown client or unknown space: would be blocked if identified
--   exempt        allowed thanks to a policy's allowlist; in a cell where the app is
--                 exempt at all, its other allowed requests (made before the policy
--                 was active) count as exempt too: the allowlist covers them now
--   not_eligible  an API-token client: acts as a user, no rule can block it
-- One row per (app, site, space) with each count, and the split by decision as
-- text for the hover. The busiest 30 apps and 40 spaces are kept (apps_total /
-- spaces_total say how many there were); `app_rank` and `space_rank` order the
-- axes, busiest first by the requests a rule does or could act on. `space_label`
-- names the site too when the selection spans several sites.
-- Params: $since, $until (TIMESTAMP or NULL), $site, $app, $space, $decision (text or NULL;
-- $decision 'exempt' selects requests allowed thanks to an allowlist).
WITH d AS (
    SELECT coalesce(app, '(unknown)') AS app, site,
           coalesce(space_key, space_id, '(unknown space)') AS space,
           CASE WHEN exempt_by IS NOT NULL THEN 'exempt' ELSE decision END AS label,
           CASE WHEN decision IN ('blocked', 'filtered') THEN 'enforced'
                WHEN exempt_by IS NOT NULL THEN 'exempt'
                WHEN decision = 'not_eligible' OR auth = 'api_token' THEN 'not_eligible'
                WHEN decision IN ('unknown_client', 'unknown_space') THEN 'undecided'
                ELSE 'exposed' END AS category,
           c.n
    FROM request_counts($since, $until) AS c
    JOIN key_decisions AS k ON k.kd_id = c.kd_id
    WHERE api_blocked AND scope = 'space'
      AND ($site IS NULL OR site = $site)
      AND ($app IS NULL OR app = $app OR ($app = '(unknown)' AND app IS NULL))
      AND ($space IS NULL OR space_key = $space OR space_id = $space)
      AND ($decision IS NULL OR CASE WHEN exempt_by IS NOT NULL THEN 'exempt' ELSE decision END = $decision)
),
cells AS (
    SELECT app, site, space, label, category, sum(n)::BIGINT AS n FROM d GROUP BY ALL
),
pairs AS (
    SELECT app, site, space,
           CAST(sum(n) AS BIGINT) AS requests,
           CAST(coalesce(sum(n) FILTER (WHERE category = 'enforced'), 0) AS BIGINT) AS enforced,
           CAST(coalesce(sum(n) FILTER (WHERE category = 'exposed'), 0) AS BIGINT) AS exposed,
           CAST(coalesce(sum(n) FILTER (WHERE category = 'undecided'), 0) AS BIGINT) AS undecided,
           CAST(coalesce(sum(n) FILTER (WHERE category = 'exempt'), 0) AS BIGINT) AS exempt,
           CAST(coalesce(sum(n) FILTER (WHERE category = 'not_eligible'), 0) AS BIGINT) AS not_eligible,
           string_agg(label || ': ' || n, ', ' ORDER BY n DESC, label) AS decisions
    FROM cells GROUP BY ALL
),
allowlisted AS (
    SELECT * REPLACE (CASE WHEN exempt > 0 THEN 0 ELSE exposed END AS exposed,
                      CASE WHEN exempt > 0 THEN exempt + exposed ELSE exempt END AS exempt)
    FROM pairs
),
totals AS (
    SELECT *,
           sum(enforced + exposed + undecided) OVER (PARTITION BY app) AS app_actionable,
           sum(requests) OVER (PARTITION BY app) AS app_requests,
           sum(requests) OVER (PARTITION BY site, space) AS space_requests
    FROM allowlisted
),
ranked AS (
    SELECT *,
           dense_rank() OVER (ORDER BY app_actionable DESC, app_requests DESC, app) AS app_rank,
           dense_rank() OVER (ORDER BY space_requests DESC, space, site) AS space_rank
    FROM totals
)
SELECT app, app_rank, site, space,
       CASE WHEN (SELECT count(DISTINCT site) FROM pairs) > 1
            THEN space || ' (' || coalesce(regexp_replace(site, '\.atlassian\.net$', ''), '?') || ')'
            ELSE space END AS space_label,
       space_rank, requests, enforced, exposed, undecided, exempt, not_eligible, decisions,
       (SELECT count(DISTINCT app) FROM pairs) AS apps_total,
       (SELECT count(*) FROM (SELECT DISTINCT site, space FROM pairs)) AS spaces_total
FROM ranked
WHERE app_rank <= 30 AND space_rank <= 40
ORDER BY app_rank, space_rank

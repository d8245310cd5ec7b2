-- name: reports/blocked
-- Which apps touched APIs that app access rules block, in which spaces: every
-- request to a blocked API (whether or not a rule was active then), grouped by
-- app, site, scope, space, endpoint and decision. `scope` = 'space' for calls on
-- objects of one space, 'site' for site-wide lists and searches.
-- `exempt` marks allowed calls that a policy would have blocked but for its
-- allowlist (`policy` then names that policy). `auth` is the app's (api_token
-- clients act as users: no rule can block them).
-- Params: $since, $until (TIMESTAMP or NULL), $site, $app, $space, $decision (text or NULL;
-- $decision 'exempt' selects requests allowed thanks to an allowlist).
WITH kd AS (
    -- the decision rows of interest (a few thousand at most, whatever the traffic), each with the
    -- number of the report row it counts towards
    SELECT *, dense_rank() OVER (ORDER BY app, site, scope, space, method, endpoint, decision, exempt, policy) AS gid
    FROM (
        SELECT kd_id, coalesce(app, '(unknown)') AS app, site, scope,
               CASE WHEN scope = 'space' THEN coalesce(space_key, space_id, '(unknown space)') END AS space,
               endpoint_method AS method, endpoint_path AS endpoint, endpoint_name, decision,
               exempt_by IS NOT NULL AS exempt, coalesce(policy, exempt_by) AS policy
        FROM key_decisions
        WHERE api_blocked
          AND ($site IS NULL OR site = $site)
          AND ($app IS NULL OR app = $app OR ($app = '(unknown)' AND app IS NULL))
          AND ($space IS NULL OR space_key = $space OR space_id = $space)
          AND ($decision IS NULL OR CASE WHEN exempt_by IS NOT NULL THEN 'exempt' ELSE decision END = $decision)
    )
),
counts AS MATERIALIZED (
    -- the requests to them, counted per report row, day and status
    SELECT kd.gid, c.day, c.status, c.n, c.first_seen, c.last_seen
    FROM request_counts($since, $until) AS c
    JOIN kd ON kd.kd_id = c.kd_id
),
statuses AS (
    SELECT gid, string_agg(status || ':' || n, ' ' ORDER BY n DESC, status) AS statuses
    FROM (SELECT gid, coalesce(CAST(status AS VARCHAR), '-') AS status, sum(n) AS n FROM counts GROUP BY ALL)
    GROUP BY gid
),
grouped AS (
    SELECT gid, sum(n)::BIGINT AS requests, count(DISTINCT day) AS days, min(first_seen) AS first_seen,
           max(last_seen) AS last_seen
    FROM counts
    GROUP BY gid
),
dims AS (
    SELECT gid, any_value(app) AS app, any_value(site) AS site, any_value(scope) AS scope, any_value(space) AS space,
           any_value(method) AS method, any_value(endpoint) AS endpoint, any_value(endpoint_name) AS endpoint_name,
           any_value(decision) AS decision, any_value(exempt) AS exempt, any_value(policy) AS policy
    FROM kd
    GROUP BY gid
)
SELECT g.app, a.name AS app_name, a.auth, g.site, g.scope, g.space, g.method, g.endpoint,
       g.endpoint_name, g.decision, g.exempt, g.policy, n.requests, n.days, n.first_seen, n.last_seen, s.statuses
FROM grouped AS n
JOIN dims AS g ON g.gid = n.gid
JOIN statuses AS s ON s.gid = n.gid
LEFT JOIN apps AS a ON a.app_key = g.app
ORDER BY g.scope DESC, n.requests DESC, g.app, g.site, g.space, g.endpoint, g.method, g.decision

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
    -- the decision rows of interest (a few thousand at most, whatever the traffic)
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
),
d AS (
    -- the requests to them, counted per decision row, day and status
    SELECT kd.*, c.day, coalesce(CAST(c.status AS VARCHAR), '-') AS status, c.n, c.first_seen, c.last_seen
    FROM request_counts($since, $until) AS c
    JOIN kd ON kd.kd_id = c.kd_id
),
by_status AS (
    SELECT app, site, scope, space, method, endpoint, decision, exempt, policy, status, sum(n) AS n
    FROM d GROUP BY ALL
),
statuses AS (
    SELECT app, site, scope, space, method, endpoint, decision, exempt, policy,
           string_agg(status || ':' || n, ' ' ORDER BY n DESC, status) AS statuses
    FROM by_status GROUP BY ALL
),
grouped AS (
    SELECT app, site, scope, space, method, endpoint, decision, exempt, policy,
           any_value(endpoint_name) AS endpoint_name,
           sum(n)::BIGINT AS requests,
           count(DISTINCT day) AS days,
           min(first_seen) AS first_seen,
           max(last_seen) AS last_seen
    FROM d
    GROUP BY app, site, scope, space, method, endpoint, decision, exempt, policy
)
SELECT g.app, a.name AS app_name, a.auth, g.site, g.scope, g.space, g.method, g.endpoint,
       g.endpoint_name, g.decision, g.exempt, g.policy, g.requests, g.days, g.first_seen, g.last_seen, s.statuses
FROM grouped AS g
LEFT JOIN apps AS a ON a.app_key = g.app
LEFT JOIN statuses AS s
       ON s.app = g.app AND s.site IS NOT DISTINCT FROM g.site AND s.scope = g.scope
      AND s.space IS NOT DISTINCT FROM g.space AND s.method = g.method AND s.endpoint = g.endpoint
      AND s.decision = g.decision AND s.exempt = g.exempt AND s.policy IS NOT DISTINCT FROM g.policy
ORDER BY g.scope DESC, g.requests DESC, g.app, g.site, g.space, g.endpoint, g.method, g.decision

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
WITH d AS (
    SELECT coalesce(app, '(unknown)') AS app, site, scope,
           CASE WHEN scope = 'space' THEN coalesce(space_key, space_id, '(unknown space)') END AS space,
           endpoint_method AS method, endpoint_path AS endpoint, endpoint_name, decision,
           exempt_by IS NOT NULL AS exempt, coalesce(policy, exempt_by) AS policy,
           ts, coalesce(CAST(status AS VARCHAR), '-') AS status
    FROM decisions
    WHERE api_blocked
      AND ($since IS NULL OR ts >= $since) AND ($until IS NULL OR ts < $until)
      AND ($site IS NULL OR site = $site)
      AND ($app IS NULL OR app = $app OR ($app = '(unknown)' AND app IS NULL))
      AND ($space IS NULL OR space_key = $space OR space_id = $space)
      AND ($decision IS NULL OR CASE WHEN exempt_by IS NOT NULL THEN 'exempt' ELSE decision END = $decision)
),
by_status AS (
    SELECT app, site, scope, space, method, endpoint, decision, exempt, policy, status, count(*) AS n
    FROM d GROUP BY ALL
),
statuses AS (
    SELECT app, site, scope, space, method, endpoint, decision, exempt, policy,
           string_agg(status || ':' || n, ' ' ORDER BY n DESC, status) AS statuses
    FROM by_status GROUP BY ALL
)
SELECT d.app, any_value(a.name) AS app_name, any_value(a.auth) AS auth, d.site, d.scope, d.space, d.method, d.endpoint,
       any_value(d.endpoint_name) AS endpoint_name, d.decision, d.exempt, d.policy,
       count(*) AS requests,
       count(DISTINCT CAST(d.ts AS DATE)) AS days,
       min(d.ts) AS first_seen,
       max(d.ts) AS last_seen,
       any_value(s.statuses) AS statuses
FROM d
LEFT JOIN apps AS a ON a.app_key = d.app
LEFT JOIN statuses AS s
       ON s.app = d.app AND s.site IS NOT DISTINCT FROM d.site AND s.scope = d.scope
      AND s.space IS NOT DISTINCT FROM d.space AND s.method = d.method AND s.endpoint = d.endpoint
      AND s.decision = d.decision AND s.exempt = d.exempt AND s.policy IS NOT DISTINCT FROM d.policy
GROUP BY d.app, d.site, d.scope, d.space, d.method, d.endpoint, d.decision, d.exempt, d.policy
ORDER BY d.scope DESC, requests DESC, d.app, d.site, d.space, d.endpoint, d.method, d.decision

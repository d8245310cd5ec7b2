-- name: reports/apps
-- Each app's dependency profile: how much of its traffic uses APIs that app
-- access rules block, which spaces it touches with them, which deprecated v1
-- endpoints it still calls, and what share the active rules block or filter.
-- Params: $since, $until (TIMESTAMP or NULL), $site, $app (text or NULL).
WITH d AS (
    -- the Confluence requests counted per decision row (and day, status): the only per-request step
    SELECT k.*, c.n, c.first_seen, c.last_seen
    FROM request_counts($since, $until) AS c
    JOIN key_decisions AS k ON k.kd_id = c.kd_id
    WHERE k.is_wiki
      AND ($site IS NULL OR k.site = $site)
      AND ($app IS NULL OR k.app = $app OR ($app = '(unknown)' AND k.app IS NULL))
),
per_app AS (
    SELECT d.app,
           sum(d.n)::BIGINT AS requests,
           coalesce(sum(d.n) FILTER (WHERE d.api_blocked), 0)::BIGINT AS blocked_api_requests,
           count(DISTINCT d.endpoint_id) FILTER (WHERE d.api_blocked) AS blocked_apis,
           count(DISTINCT coalesce(d.space_key, d.space_id)) FILTER (WHERE d.api_blocked AND d.scope = 'space')
               AS spaces,
           string_agg(DISTINCT coalesce(d.space_key, d.space_id), ', ' ORDER BY coalesce(d.space_key, d.space_id))
               FILTER (WHERE d.api_blocked AND d.scope = 'space') AS space_list,
           coalesce(sum(d.n) FILTER (WHERE d.api_blocked AND d.scope = 'site'), 0)::BIGINT AS site_wide_requests,
           count(DISTINCT d.endpoint_id) FILTER (WHERE d.endpoint_deprecated AND d.api_version = 1)
               AS deprecated_v1_apis,
           coalesce(sum(d.n) FILTER (WHERE d.decision IN ('blocked', 'filtered')), 0)::BIGINT AS blocked_by_rules,
           coalesce(sum(d.n) FILTER (WHERE d.exempt_by IS NOT NULL), 0)::BIGINT AS exempt_requests,
           min(d.first_seen) AS first_seen,
           max(d.last_seen) AS last_seen
    FROM d
    GROUP BY d.app
)
SELECT coalesce(p.app, '(unknown)') AS app,
       a.name AS app_name,
       a.auth,
       p.requests, p.blocked_api_requests, p.blocked_apis, p.spaces, p.space_list, p.site_wide_requests,
       p.deprecated_v1_apis, p.blocked_by_rules,
       round(100.0 * p.blocked_by_rules / p.requests, 1) AS blocked_share_pct,
       p.exempt_requests, p.first_seen, p.last_seen
FROM per_app AS p
LEFT JOIN apps AS a ON a.app_key = p.app
ORDER BY p.blocked_api_requests DESC, app

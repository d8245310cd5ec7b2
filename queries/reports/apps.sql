-- name: reports/apps
-- Each app's dependency profile: how much of its traffic uses APIs that app
-- access rules block, which spaces it touches with them, which deprecated v1
-- endpoints it still calls, and what share the active rules block or filter.
-- Params: $since, $until (TIMESTAMP or NULL), $site, $app (text or NULL).
WITH d AS (
    SELECT * FROM decisions
    WHERE is_wiki
      AND ($since IS NULL OR ts >= $since) AND ($until IS NULL OR ts < $until)
      AND ($site IS NULL OR site = $site)
      AND ($app IS NULL OR app = $app OR ($app = '(unknown)' AND app IS NULL))
)
SELECT coalesce(d.app, '(unknown)') AS app,
       any_value(a.name) AS app_name,
       any_value(a.auth) AS auth,
       count(*) AS requests,
       count(*) FILTER (WHERE d.api_blocked) AS blocked_api_requests,
       count(DISTINCT d.endpoint_id) FILTER (WHERE d.api_blocked) AS blocked_apis,
       count(DISTINCT coalesce(d.space_key, d.space_id)) FILTER (WHERE d.api_blocked AND d.scope = 'space') AS spaces,
       string_agg(DISTINCT coalesce(d.space_key, d.space_id), ', ' ORDER BY coalesce(d.space_key, d.space_id))
           FILTER (WHERE d.api_blocked AND d.scope = 'space') AS space_list,
       count(*) FILTER (WHERE d.api_blocked AND d.scope = 'site') AS site_wide_requests,
       count(DISTINCT d.endpoint_id) FILTER (WHERE d.endpoint_deprecated AND d.api_version = 1) AS deprecated_v1_apis,
       count(*) FILTER (WHERE d.decision IN ('blocked', 'filtered')) AS blocked_by_rules,
       round(100.0 * count(*) FILTER (WHERE d.decision IN ('blocked', 'filtered')) / count(*), 1)
           AS blocked_share_pct,
       count(*) FILTER (WHERE d.exempt_by IS NOT NULL) AS exempt_requests,
       min(d.ts) AS first_seen,
       max(d.ts) AS last_seen
FROM d
LEFT JOIN apps AS a ON a.app_key = d.app
GROUP BY d.app
ORDER BY blocked_api_requests DESC, app

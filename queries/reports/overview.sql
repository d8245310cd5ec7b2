-- name: reports/overview
-- Totals for a report header and `appaccess status`: the window the stored
-- traffic covers, how many requests there are, how many are Confluence
-- requests, use APIs that app access rules block, or are blocked or filtered by
-- the active rules, and how many apps made them. One row.
-- `confluence_requests`: requests to Confluence (a path under /wiki, or the Connect
-- API), catalogued or not: every request that is not `not_confluence`. The same
-- definition everywhere (status, HTML cards, reports).
-- `apps`: distinct identified apps; `unidentified_requests`: Confluence calls no app claims.
-- Params: $since, $until (TIMESTAMP or NULL), $site, $app, $space, $decision (text or NULL;
-- $decision 'exempt' selects requests allowed thanks to an allowlist).
WITH d AS (
    SELECT c.day, c.n, c.first_seen, c.last_seen, app, site, is_wiki, api_blocked, decision
    FROM request_counts($since, $until) AS c
    JOIN key_decisions AS k ON k.kd_id = c.kd_id
    WHERE ($site IS NULL OR site = $site)
      AND ($app IS NULL OR app = $app OR ($app = '(unknown)' AND app IS NULL))
      AND ($space IS NULL OR space_key = $space OR space_id = $space)
      AND ($decision IS NULL OR CASE WHEN exempt_by IS NOT NULL THEN 'exempt' ELSE decision END = $decision)
)
SELECT coalesce(sum(n), 0)::BIGINT AS requests,
       coalesce(sum(n) FILTER (WHERE is_wiki), 0)::BIGINT AS confluence_requests,
       coalesce(sum(n) FILTER (WHERE api_blocked), 0)::BIGINT AS blocked_api_requests,
       coalesce(sum(n) FILTER (WHERE decision IN ('blocked', 'filtered')), 0)::BIGINT AS blocked_by_rules,
       count(DISTINCT app) AS apps,
       coalesce(sum(n) FILTER (WHERE is_wiki AND app IS NULL), 0)::BIGINT AS unidentified_requests,
       count(DISTINCT site) AS sites,
       min(first_seen) AS first_seen,
       max(last_seen) AS last_seen,
       count(DISTINCT day) AS days,
       (SELECT count(*) FROM files) AS files,
       (SELECT count(*) FROM policies WHERE policy_set = 'active' AND status = 'active') AS active_policies
FROM d

-- name: reports/overview
-- Totals for a report header: the window the stored traffic covers, how many
-- requests there are, how many are Confluence REST calls, use APIs that app
-- access rules block, or are blocked or filtered by the active rules, and how
-- many apps made them. One row.
-- `rest_requests`: a recognised Confluence REST prefix (/wiki/api/v2, /wiki/rest/api, Connect).
-- `apps`: distinct identified apps; `unidentified_requests`: Confluence calls no app claims.
-- Params: $since, $until (TIMESTAMP or NULL), $site, $app, $space (text or NULL).
WITH d AS (
    SELECT ts, app, site, is_wiki, api_version, api_blocked, decision
    FROM decisions
    WHERE ($since IS NULL OR ts >= $since) AND ($until IS NULL OR ts < $until)
      AND ($site IS NULL OR site = $site)
      AND ($app IS NULL OR app = $app OR ($app = '(unknown)' AND app IS NULL))
      AND ($space IS NULL OR space_key = $space OR space_id = $space)
)
SELECT count(*) AS requests,
       count(*) FILTER (WHERE api_version IS NOT NULL) AS rest_requests,
       count(*) FILTER (WHERE api_blocked) AS blocked_api_requests,
       count(*) FILTER (WHERE decision IN ('blocked', 'filtered')) AS blocked_by_rules,
       count(DISTINCT app) AS apps,
       count(*) FILTER (WHERE is_wiki AND app IS NULL) AS unidentified_requests,
       count(DISTINCT site) AS sites,
       min(ts) AS first_seen,
       max(ts) AS last_seen,
       count(DISTINCT CAST(ts AS DATE)) AS days,
       (SELECT count(*) FROM files) AS files,
       (SELECT count(*) FROM policies WHERE policy_set = 'active' AND status = 'active') AS active_policies
FROM d

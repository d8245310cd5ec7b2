-- name: reports/anomalies
-- What hides or contradicts a decision:
--   enforcement_gap   decided blocked, yet the response succeeded (2xx) after activation
--   unexpected_denial denied (403/404) on a blocked API where no rule should block
--   unknown_client    calls no app in apps.yaml claims, where an app would be blocked or filtered
--   unknown_space     calls on objects whose space the inventory does not know (inventory gap)
--   unknown_site      gateway calls whose cloud id is not in the sites inventory
-- One row per (kind, subject), with an example line to look at.
-- Params: $since, $until (TIMESTAMP or NULL), $site (text or NULL).
WITH kd AS (
    -- the decision rows that can hide or contradict a decision (key-level facts, a few at most)
    SELECT k.*, t.cloud_id, t.path_content_id, t.path_space_key, t.path_space_id, i.user_agent, i.client_ip
    FROM key_decisions AS k
    JOIN request_keys AS rk ON rk.key_id = k.key_id
    JOIN targets AS t ON t.target_id = rk.target_id
    JOIN identities AS i ON i.identity_id = rk.identity_id
    WHERE k.is_wiki
      AND ($site IS NULL OR k.site = $site)
      AND (k.decision IN ('blocked', 'unknown_client', 'unknown_space') OR (k.api_blocked AND k.decision = 'allowed')
           OR (k.scope = 'space' AND NOT k.space_known AND k.api_blocked)
           OR (t.cloud_id IS NOT NULL AND k.site IS NULL))
),
c AS (
    -- their requests per decision row and status, with the first of them (the example to look at)
    SELECT kd_id, status, sum(n) AS n, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
           min(first) AS first
    FROM request_counts($since, $until)
    WHERE kd_id IN (SELECT kd_id FROM kd)
    GROUP BY kd_id, status
),
d AS (
    SELECT kd.*, c.status, c.n, c.first_seen, c.last_seen, c.first FROM c JOIN kd ON kd.kd_id = c.kd_id
),
rows_ AS (
    SELECT 'enforcement_gap' AS kind, coalesce(app, '(unknown)') || ' on ' || coalesce(space_key, space_id, '?')
               || ' via ' || endpoint_method || ' ' || endpoint_path AS subject,
           app, site, policy, n, first_seen, last_seen, first
    FROM d WHERE decision = 'blocked' AND status BETWEEN 200 AND 299
    UNION ALL
    SELECT 'unexpected_denial', coalesce(app, '(unknown)') || ' got ' || status || ' on ' || endpoint_method || ' '
               || endpoint_path, app, site, policy, n, first_seen, last_seen, first
    FROM d WHERE api_blocked AND decision = 'allowed' AND status IN (403, 404)
    UNION ALL
    SELECT 'unknown_client', 'user agent ' || coalesce('"' || user_agent || '"', '-') || ', address '
               || coalesce(client_ip, '-'), app, site, policy, n, first_seen, last_seen, first
    FROM d WHERE decision = 'unknown_client'
    UNION ALL
    SELECT 'unknown_space', CASE WHEN path_content_id IS NOT NULL THEN 'content ' || path_content_id
                                 ELSE 'space ' || coalesce(path_space_key, path_space_id, '?') END
               || ' on ' || coalesce(site, '?'), app, site, policy, n, first_seen, last_seen, first
    FROM d WHERE decision = 'unknown_space' OR (scope = 'space' AND NOT space_known AND api_blocked)
    UNION ALL
    SELECT 'unknown_site', 'cloud id ' || cloud_id, app, site, policy, n, first_seen, last_seen, first
    FROM d WHERE cloud_id IS NOT NULL AND site IS NULL
),
grouped AS (
    SELECT kind, subject,
           sum(n)::BIGINT AS requests,
           string_agg(DISTINCT coalesce(app, '(unknown)'), ', ' ORDER BY coalesce(app, '(unknown)')) AS apps,
           string_agg(DISTINCT site, ', ' ORDER BY site) AS sites,
           string_agg(DISTINCT policy, ', ' ORDER BY policy) AS policies,
           min(first_seen) AS first_seen,
           max(last_seen) AS last_seen,
           min(first) AS first
    FROM rows_
    GROUP BY kind, subject
)
SELECT g.kind, g.subject, g.requests, g.apps, g.sites, g.policies, g.first_seen, g.last_seen,
       f.path || ':' || aa_first_line(g.first) AS example
FROM grouped AS g
JOIN files AS f ON f.file_id = aa_first_file(g.first)
ORDER BY CASE g.kind WHEN 'enforcement_gap' THEN 1 WHEN 'unexpected_denial' THEN 2 WHEN 'unknown_client' THEN 3
                     WHEN 'unknown_space' THEN 4 ELSE 5 END, g.requests DESC, g.subject

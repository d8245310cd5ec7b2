-- name: reports/anomalies
-- What hides or contradicts a decision:
--   enforcement_gap   decided blocked, yet the response succeeded (2xx) after activation
--   unexpected_denial denied (403/404) on a blocked API where no rule should block
--   unknown_client    calls no app in apps.yaml claims, where an app would be blocked or filtered
--   unknown_space     calls on objects whose space the inventory does not know (inventory gap)
--   unknown_site      gateway calls whose cloud id is not in the sites inventory
-- One row per (kind, subject), with an example line to look at.
-- Params: $since, $until (TIMESTAMP or NULL), $site (text or NULL).
WITH d AS (
    SELECT dd.*, f.path AS file
    FROM decisions AS dd JOIN files AS f ON f.file_id = dd.file_id
    WHERE dd.is_wiki
      AND ($since IS NULL OR dd.ts >= $since) AND ($until IS NULL OR dd.ts < $until)
      AND ($site IS NULL OR dd.site = $site)
),
rows_ AS (
    SELECT 'enforcement_gap' AS kind, coalesce(app, '(unknown)') || ' on ' || coalesce(space_key, space_id, '?')
               || ' via ' || endpoint_method || ' ' || endpoint_path AS subject,
           app, site, policy, ts, file_id, file, line_no, status
    FROM d WHERE decision = 'blocked' AND status BETWEEN 200 AND 299
    UNION ALL
    SELECT 'unexpected_denial', coalesce(app, '(unknown)') || ' got ' || status || ' on ' || endpoint_method || ' '
               || endpoint_path, app, site, policy, ts, file_id, file, line_no, status
    FROM d WHERE api_blocked AND decision = 'allowed' AND status IN (403, 404)
    UNION ALL
    SELECT 'unknown_client', 'user agent ' || coalesce('"' || user_agent || '"', '-') || ', address '
               || coalesce(client_ip, '-'), app, site, policy, ts, file_id, file, line_no, status
    FROM d WHERE decision = 'unknown_client'
    UNION ALL
    SELECT 'unknown_space', CASE WHEN path_content_id IS NOT NULL THEN 'content ' || path_content_id
                                 ELSE 'space ' || coalesce(path_space_key, path_space_id, '?') END
               || ' on ' || coalesce(site, '?'), app, site, policy, ts, file_id, file, line_no, status
    FROM (SELECT d.*, r.path_content_id, r.path_space_key, r.path_space_id
          FROM d JOIN requests AS r ON r.file_id = d.file_id AND r.line_no = d.line_no
          WHERE d.decision = 'unknown_space' OR (d.scope = 'space' AND NOT d.space_known AND d.api_blocked))
    UNION ALL
    SELECT 'unknown_site', 'cloud id ' || cloud_id, app, site, policy, ts, file_id, file, line_no, status
    FROM d WHERE cloud_id IS NOT NULL AND site IS NULL
)
SELECT kind, subject,
       count(*) AS requests,
       string_agg(DISTINCT coalesce(app, '(unknown)'), ', ' ORDER BY coalesce(app, '(unknown)')) AS apps,
       string_agg(DISTINCT site, ', ' ORDER BY site) AS sites,
       string_agg(DISTINCT policy, ', ' ORDER BY policy) AS policies,
       min(ts) AS first_seen,
       max(ts) AS last_seen,
       arg_min(file || ':' || line_no, {'ts': ts, 'file_id': file_id, 'line_no': line_no}) AS example
FROM rows_
GROUP BY kind, subject
ORDER BY CASE kind WHEN 'enforcement_gap' THEN 1 WHEN 'unexpected_denial' THEN 2 WHEN 'unknown_client' THEN 3
                   WHEN 'unknown_space' THEN 4 ELSE 5 END, requests DESC, subject

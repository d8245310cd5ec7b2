-- name: reports/coverage_disagreements
-- Where Confluence's own view of coverage and the loaded rules disagree. Confluence's view
-- is a loaded GET /wiki/api/v2/data-policies/spaces response (`appaccess inventory load`):
-- for each space, whether any content in it is blocked for the app that made the call.
--   coverage_unruled  Confluence says the space blocks apps, yet no active rule covers it
--                     (a rule missing from rules.yaml, or the space is on another site)
--   coverage_open     an active rule covers the space, yet Confluence says nothing in it is
--                     blocked (the rule is not in force, or its app list exempts the app
--                     that saved the response: allowlist / blocklist)
-- Coverage only: a rule covers a space by all_spaces, by listing it (key or id), or by its
-- classification (spaces whose classification the inventory does not know are left out).
-- Rules are taken as active when the response was loaded. In the columns of
-- reports/anomalies: requests, apps, first and last seen are the traffic on the space.
-- Params: $since, $until (TIMESTAMP or NULL), $site (text or NULL).
WITH dp AS (
    SELECT row_number() OVER () AS rid, d.*,
           (SELECT any_value(s.classification) FROM spaces AS s
            WHERE (s.space_id = d.space_id OR s.space_key = d.space_key)
              AND (d.site IS NULL OR s.site IS NULL OR s.site = d.site)) AS classification
    FROM data_policy_spaces AS d
    WHERE $site IS NULL OR d.site = $site
),
cover AS (
    -- every active rule that could cover each space, and whether it does (NULL: cannot tell)
    SELECT dp.rid, p.name, p.mode,
           CASE p.coverage
               WHEN 'all_spaces' THEN true
               WHEN 'spaces' THEN list_contains(p.keys, dp.space_key) OR list_contains(p.ids, dp.space_id)
               WHEN 'classification' THEN CASE WHEN dp.classification IS NOT NULL
                                               THEN list_contains(p.classes, dp.classification) END
           END AS covers
    FROM dp
    JOIN policy_lists AS p
      ON p.policy_set = 'active' AND p.status = 'active'
     AND (p.site IS NULL OR dp.site IS NULL OR p.site = dp.site)
     AND (p.active_from IS NULL OR p.active_from <= dp.loaded_at)
     AND (p.active_until IS NULL OR dp.loaded_at < p.active_until)
),
verdict AS (
    SELECT dp.rid,
           coalesce(bool_or(c.covers), false) AS covered,
           coalesce(bool_or(c.covers IS NULL AND c.name IS NOT NULL), false) AS unsure,
           string_agg(c.name, ', ' ORDER BY c.name) FILTER (WHERE c.covers) AS policies,
           coalesce(bool_and(c.mode <> 'block_all') FILTER (WHERE c.covers), false) AS app_lists_only
    FROM dp LEFT JOIN cover AS c ON c.rid = dp.rid
    GROUP BY dp.rid
),
traffic AS (
    SELECT k.site, k.space_id, k.space_key, sum(c.n)::BIGINT AS requests,
           string_agg(DISTINCT coalesce(k.app, '(unknown)'), ', ' ORDER BY coalesce(k.app, '(unknown)')) AS apps,
           min(c.first_seen) AS first_seen, max(c.last_seen) AS last_seen
    FROM request_counts($since, $until) AS c
    JOIN key_decisions AS k ON k.kd_id = c.kd_id
    WHERE k.is_wiki AND k.scope = 'space'
      AND ($site IS NULL OR k.site = $site)
    GROUP BY ALL
),
rows_ AS (
    SELECT CASE WHEN dp.any_content_blocked THEN 'coverage_unruled' ELSE 'coverage_open' END AS kind,
           'space ' || coalesce(dp.space_key, '?') || coalesce(' (' || dp.space_id || ')', '') || ' on '
               || coalesce(dp.site, '?') || CASE WHEN dp.any_content_blocked
                   THEN ': Confluence blocks apps there, no active rule covers it'
                   ELSE ': covered by a rule, Confluence blocks nothing there'
                        || CASE WHEN v.app_lists_only THEN ' (the rule''s app list may exempt the app that saved '
                                                           || 'the response)' ELSE '' END
               END AS subject,
           dp.*, v.policies
    FROM dp JOIN verdict AS v ON v.rid = dp.rid
    WHERE (dp.any_content_blocked AND NOT v.covered AND NOT v.unsure)
       OR (NOT dp.any_content_blocked AND v.covered)
)
SELECT r.kind, r.subject,
       coalesce(sum(t.requests), 0)::BIGINT AS requests,
       string_agg(DISTINCT t.apps, ', ') AS apps,
       r.site AS sites,
       r.policies,
       min(t.first_seen) AS first_seen,
       max(t.last_seen) AS last_seen,
       r.source AS example
FROM rows_ AS r
LEFT JOIN traffic AS t
       ON (t.space_id = r.space_id OR t.space_key = r.space_key)
      AND (r.site IS NULL OR t.site IS NULL OR t.site = r.site)
GROUP BY r.kind, r.subject, r.site, r.policies, r.source
ORDER BY r.kind DESC, requests DESC, r.subject

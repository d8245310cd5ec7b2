-- name: schema/decisions
-- The decision for every request under a policy set, computed at query time.
--
--   SELECT * FROM decide('active')      -- the loaded rules (stored as the `decisions` view)
--   SELECT * FROM decide('proposed')    -- a set loaded by `appaccess simulate`
--
-- Vocabulary (one, used everywhere):
--   not_confluence  not a Confluence REST call
--   not_catalogued  a /wiki/ URL that matches no catalogued endpoint
--   allowed         nothing blocks it (API not blocked, no covering policy, app exempt)
--   blocked         eligible app, blocked API, object in a covered space, policy active
--   filtered        eligible app, blocked API, site-wide list/search while a space on
--                   that site is covered: results from covered spaces are withheld
--   not_eligible    would be blocked/filtered, but the app uses an API token (acts as a user)
--   unknown_client  would be blocked/filtered if the client were an app; no app matched
--   unknown_space   blocked API on an object whose space the inventory does not know,
--                   while coverage is partial (spaces or classifications)
-- Policies are additive; the most restrictive effect wins (blocked > filtered >
-- unknown_space), ties go to the policy listed first.

-- Each policy's space entries, resolved through the inventory when possible.
CREATE OR REPLACE VIEW policy_space_entries AS
SELECT ps.policy_set, ps.name, ps.space AS entry,
       coalesce(any_value(sk.space_key), any_value(si.space_key),
                CASE WHEN NOT regexp_full_match(ps.space, '[0-9]+') THEN ps.space END) AS space_key,
       coalesce(any_value(sk.space_id), any_value(si.space_id),
                CASE WHEN regexp_full_match(ps.space, '[0-9]+') THEN ps.space END) AS space_id
FROM policy_spaces AS ps
JOIN policies AS p ON p.policy_set = ps.policy_set AND p.name = ps.name
LEFT JOIN spaces AS sk ON sk.space_key = ps.space AND (p.site IS NULL OR sk.site IS NULL OR sk.site = p.site)
LEFT JOIN spaces AS si ON si.space_id = ps.space AND (p.site IS NULL OR si.site IS NULL OR si.site = p.site)
GROUP BY ps.policy_set, ps.name, ps.space;

-- One row per policy with its lists, ready to test requests against.
CREATE OR REPLACE VIEW policy_lists AS
SELECT p.*,
       coalesce((SELECT list(DISTINCT e.space_key) FROM policy_space_entries e
                 WHERE e.policy_set = p.policy_set AND e.name = p.name AND e.space_key IS NOT NULL), []) AS keys,
       coalesce((SELECT list(DISTINCT e.space_id) FROM policy_space_entries e
                 WHERE e.policy_set = p.policy_set AND e.name = p.name AND e.space_id IS NOT NULL), []) AS ids,
       (SELECT count(*) FROM policy_space_entries e
        WHERE e.policy_set = p.policy_set AND e.name = p.name) AS n_entries,
       (SELECT count(*) FROM policy_space_entries e
        WHERE e.policy_set = p.policy_set AND e.name = p.name AND e.space_key IS NOT NULL) AS n_key_known,
       (SELECT count(*) FROM policy_space_entries e
        WHERE e.policy_set = p.policy_set AND e.name = p.name AND e.space_id IS NOT NULL) AS n_id_known,
       coalesce((SELECT list(c.classification) FROM policy_classifications c
                 WHERE c.policy_set = p.policy_set AND c.name = p.name), []) AS classes,
       coalesce((SELECT list(DISTINCT s.site) FROM spaces s JOIN policy_classifications c
                   ON c.classification = s.classification
                 WHERE c.policy_set = p.policy_set AND c.name = p.name AND s.site IS NOT NULL
                   AND (p.site IS NULL OR s.site = p.site)), []) AS class_sites,
       coalesce((SELECT list(a.app_key) FROM policy_apps a
                 WHERE a.policy_set = p.policy_set AND a.name = p.name), []) AS apps
FROM policies AS p;

CREATE OR REPLACE MACRO decide(policy_set_name) AS TABLE
WITH facts AS (
    SELECT * FROM request_facts
),
pol AS (
    SELECT * FROM policy_lists WHERE policy_set = policy_set_name AND status = 'active'
),
-- effect: 3 block the object, 2 filter a site-wide call, 1 cannot tell (space unknown), 0 none
candidates AS (
    SELECT f.file_id, f.line_no, p.name AS policy, p.ord, p.mode,
           CASE p.coverage
               WHEN 'all_spaces' THEN CASE WHEN f.scope = 'space' THEN 3 ELSE 2 END
               WHEN 'spaces' THEN CASE
                   WHEN f.scope = 'site' THEN 2
                   WHEN list_contains(p.keys, f.space_key) OR list_contains(p.ids, f.space_id) THEN 3
                   WHEN (f.space_key IS NOT NULL AND f.space_id IS NOT NULL)
                     OR (f.space_key IS NOT NULL AND p.n_key_known = p.n_entries)
                     OR (f.space_id IS NOT NULL AND p.n_id_known = p.n_entries) THEN 0
                   ELSE 1 END
               WHEN 'classification' THEN CASE
                   WHEN f.scope = 'site' THEN
                       CASE WHEN list_contains(p.class_sites, f.site) OR (f.site IS NULL AND len(p.class_sites) > 0)
                            THEN 2 ELSE 0 END
                   WHEN f.space_known THEN CASE WHEN list_contains(p.classes, f.classification) THEN 3 ELSE 0 END
                   ELSE 1 END
           END AS effect,
           CASE p.mode
               WHEN 'block_all' THEN true
               WHEN 'allowlist' THEN NOT coalesce(list_contains(p.apps, f.app), false)
               ELSE coalesce(list_contains(p.apps, f.app), false)
           END AS applies
    FROM facts AS f
    JOIN pol AS p
      ON (p.site IS NULL OR p.site = f.site)
     AND (p.active_from IS NULL OR f.ts >= p.active_from)
     AND (p.active_until IS NULL OR f.ts < p.active_until)
    WHERE f.api_blocked
),
best AS (
    SELECT file_id, line_no,
           max(effect) FILTER (WHERE applies AND effect > 0) AS effect,
           arg_min(policy, {'e': -effect, 'o': ord}) FILTER (WHERE applies AND effect > 0) AS policy,
           arg_min(policy, {'e': -effect, 'o': ord})
               FILTER (WHERE NOT applies AND effect > 0 AND mode = 'allowlist') AS exempt_by
    FROM candidates
    GROUP BY file_id, line_no
)
SELECT f.*,
       CASE
           WHEN NOT f.is_wiki THEN 'not_confluence'
           WHEN f.endpoint_id IS NULL THEN 'not_catalogued'
           WHEN NOT f.api_blocked OR b.effect IS NULL THEN 'allowed'
           WHEN f.app IS NULL THEN 'unknown_client'
           WHEN f.auth = 'api_token' THEN 'not_eligible'
           WHEN b.effect = 3 THEN 'blocked'
           WHEN b.effect = 2 THEN 'filtered'
           ELSE 'unknown_space'
       END AS decision,
       b.policy,
       CASE WHEN b.effect IS NULL THEN b.exempt_by END AS exempt_by,
       (b.effect = 3 AND f.app IS NOT NULL AND coalesce(f.auth, '') <> 'api_token'
        AND f.status IN (403, 404)) AS observed_denied
FROM facts AS f
LEFT JOIN best AS b ON b.file_id = f.file_id AND b.line_no = f.line_no;

-- `decisions` (the view every report reads) is the stored result of
-- decide('active'): refreshed in the same transaction as every change to what it
-- depends on (ingest, apps, inventory, rules, catalogue), so reads stay fast.
-- See queries/schema/decisions_cache.sql.

-- name: schema/decisions
-- The decision for every request key under a policy set, per policy epoch.
--
--   SELECT * FROM decide('active', false)    -- the loaded rules (stored in key_decisions)
--   SELECT * FROM decide('proposed', false)  -- a set loaded by `appaccess simulate`
--
-- A decision depends on the request's key (target, identity, the spaces its
-- query names, a field app) and on which policies were active when it was
-- made, never on the request itself. The policies' active_from/active_until
-- cut time into *epochs*; within one, the same policies are active. So each
-- key is decided once per epoch, consecutive epochs with the same outcome are
-- merged, and a request takes the decision of its key whose interval
-- [starts, ends) holds its time (queries/schema/views.sql).
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

-- Each policy's space entries, resolved through the inventory when possible (a space
-- key whatever its case: Confluence looks spaces up by their lower-cased key).
CREATE OR REPLACE VIEW policy_space_entries AS
SELECT ps.policy_set, ps.name, ps.space AS entry,
       coalesce(any_value(sk.space_key), any_value(si.space_key),
                CASE WHEN NOT regexp_full_match(ps.space, '[0-9]+') THEN ps.space END) AS space_key,
       coalesce(any_value(sk.space_id), any_value(si.space_id),
                CASE WHEN regexp_full_match(ps.space, '[0-9]+') THEN ps.space END) AS space_id
FROM policy_spaces AS ps
JOIN policies AS p ON p.policy_set = ps.policy_set AND p.name = ps.name
LEFT JOIN spaces AS sk ON upper(sk.space_key) = upper(ps.space) AND (p.site IS NULL OR sk.site IS NULL OR sk.site = p.site)
LEFT JOIN spaces AS si ON si.space_id = ps.space AND (p.site IS NULL OR si.site IS NULL OR si.site = p.site)
GROUP BY ps.policy_set, ps.name, ps.space;

-- One row per policy with its lists, ready to test requests against.
CREATE OR REPLACE VIEW policy_lists AS
SELECT p.*,
       coalesce((SELECT list(DISTINCT e.space_key) FROM policy_space_entries e
                 WHERE e.policy_set = p.policy_set AND e.name = p.name AND e.space_key IS NOT NULL), []) AS keys,
       coalesce((SELECT list(DISTINCT upper(e.space_key)) FROM policy_space_entries e
                 WHERE e.policy_set = p.policy_set AND e.name = p.name AND e.space_key IS NOT NULL), [])
           AS upper_keys,  -- (a request's key matches whatever its case)
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

-- The epochs of a policy set: the intervals between the active policies'
-- active_from and active_until values ('-infinity' and 'infinity' at the ends).
CREATE OR REPLACE MACRO policy_intervals(policy_set_name) AS TABLE
WITH bounds AS (
    SELECT DISTINCT t FROM (
        SELECT active_from AS t FROM policies WHERE policy_set = policy_set_name AND status = 'active'
        UNION ALL
        SELECT active_until FROM policies WHERE policy_set = policy_set_name AND status = 'active'
        UNION ALL
        SELECT '-infinity'::TIMESTAMP
    ) WHERE t IS NOT NULL
)
SELECT t AS starts, coalesce(lead(t) OVER (ORDER BY t), 'infinity'::TIMESTAMP) AS ends FROM bounds;

-- only_pending: decide only the (key, field app) pairs key_decisions lacks (an ingest's new keys).
CREATE OR REPLACE MACRO decide(policy_set_name, only_pending) AS TABLE
WITH facts AS MATERIALIZED (
    SELECT * FROM key_facts AS f
    WHERE NOT only_pending
       OR NOT EXISTS (SELECT 1 FROM key_decisions AS k WHERE k.key_id = f.key_id AND k.fapp = f.fapp)
),
intervals AS MATERIALIZED (
    SELECT * FROM policy_intervals(policy_set_name)
),
pol AS (
    -- each active policy in each epoch in which it is active
    SELECT p.*, i.starts
    FROM policy_lists AS p
    JOIN intervals AS i
      ON (p.active_from IS NULL OR p.active_from <= i.starts)
     AND (p.active_until IS NULL OR p.active_until > i.starts)
    WHERE p.policy_set = policy_set_name AND p.status = 'active'
),
-- effect: 3 block the object, 2 filter a site-wide call, 1 cannot tell (space unknown), 0 none
candidates AS (
    SELECT f.key_id, f.fapp, p.starts, p.name AS policy, p.ord, p.mode,
           CASE p.coverage
               WHEN 'all_spaces' THEN CASE WHEN f.scope = 'space' THEN 3 ELSE 2 END
               WHEN 'spaces' THEN CASE
                   WHEN f.scope = 'site' THEN 2
                   WHEN list_contains(p.upper_keys, upper(f.space_key)) OR list_contains(p.ids, f.space_id) THEN 3
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
    JOIN pol AS p ON p.site IS NULL OR p.site = f.site
    WHERE f.api_blocked
),
best AS (
    SELECT key_id, fapp, starts,
           max(effect) FILTER (WHERE applies AND effect > 0) AS effect,
           arg_min(policy, {'e': -effect, 'o': ord}) FILTER (WHERE applies AND effect > 0) AS policy,
           arg_min(policy, {'e': -effect, 'o': ord})
               FILTER (WHERE NOT applies AND effect > 0 AND mode = 'allowlist') AS exempt_by
    FROM candidates
    GROUP BY key_id, fapp, starts
),
per_epoch AS (
    SELECT f.key_id, f.fapp, i.starts, i.ends,
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
           CASE WHEN b.effect IS NULL THEN b.exempt_by END AS exempt_by
    FROM facts AS f
    CROSS JOIN intervals AS i
    LEFT JOIN best AS b ON b.key_id = f.key_id AND b.fapp = f.fapp AND b.starts = i.starts
),
islands AS (
    -- consecutive epochs with the same outcome make one interval
    SELECT *, sum(CASE WHEN same THEN 0 ELSE 1 END) OVER (PARTITION BY key_id, fapp ORDER BY starts) AS island
    FROM (
        SELECT *, lag({'d': decision, 'p': policy, 'x': exempt_by}) OVER w
                      IS NOT DISTINCT FROM {'d': decision, 'p': policy, 'x': exempt_by} AS same
        FROM per_epoch
        WINDOW w AS (PARTITION BY key_id, fapp ORDER BY starts)
    )
),
merged AS (
    SELECT key_id, fapp, min(starts) AS starts, max(ends) AS ends,
           any_value(decision) AS decision, any_value(policy) AS policy, any_value(exempt_by) AS exempt_by
    FROM islands
    GROUP BY key_id, fapp, island
)
SELECT f.key_id, f.fapp, m.starts, m.ends,
       f.site, f.app, f.auth, f.scope, f.space_key, f.space_id, f.classification, f.space_known, f.n_spaces,
       f.is_wiki, f.endpoint_id, f.api_version, f.api_blocked, f.endpoint_method, f.endpoint_path,
       f.endpoint_name, f.endpoint_deprecated,
       m.decision, m.policy, m.exempt_by
FROM facts AS f
JOIN merged AS m ON m.key_id = f.key_id AND m.fapp = f.fapp;

-- `key_decisions` is the stored result of decide('active', ...), refreshed in the
-- same transaction as every change to what it depends on (ingest, apps,
-- inventory, rules, catalogue): see queries/schema/decisions_cache.sql.

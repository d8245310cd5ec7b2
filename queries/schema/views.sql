-- name: schema/views
-- The stored requests back as one row each, by joining the facts with their
-- keys: `requests` (what was logged, normalised and routed) and `decisions`
-- (with site, app, space and the decision under the active rules). Their
-- columns are those of the row-per-request tables of schema version 1, so
-- SQL written against them keeps working. Reports aggregate `facts` by key
-- first and join the small tables after; these views are for reading rows.

-- Each stored request with the ids of its keys.
CREATE OR REPLACE VIEW request_rows AS
SELECT f.file_id, f.line_no, f.ts, t.method, t.host, t.cloud_id, t.path, f.query, f.status, f.bytes,
       f.duration_ms, i.client_ip, i.user_agent, i.remote_user, i.jwt_iss, i.client_id, i.app_key, f.extra,
       t.api_version, t.is_wiki, t.endpoint_id, t.path_space_key, t.path_space_id, t.path_content_id,
       q.query_space_keys, q.query_space_ids, f.key_id, k.target_id, k.identity_id
FROM facts AS f
JOIN request_keys AS k ON k.key_id = f.key_id
JOIN targets AS t ON t.target_id = k.target_id
JOIN identities AS i ON i.identity_id = k.identity_id
LEFT JOIN query_refs AS q ON q.qref_id = k.qref_id;

CREATE OR REPLACE VIEW requests AS
SELECT * EXCLUDE (key_id, target_id, identity_id) FROM request_rows;

-- Each stored request with its row of key_decisions: the one of its key (and
-- field app) whose interval holds the request's time.
CREATE OR REPLACE VIEW decided_facts AS
SELECT f.file_id, f.line_no, f.ts, f.status, f.key_id, f.query, d.* EXCLUDE (key_id, fapp, starts, ends)
FROM facts AS f
LEFT JOIN field_app_rows AS fa ON fa.file_id = f.file_id AND fa.line_no = f.line_no
JOIN key_decisions AS d
  ON d.key_id = f.key_id AND d.fapp = coalesce(fa.app, '') AND f.ts >= d.starts AND f.ts < d.ends;

-- Every stored request decided under a policy set: 'active' reads the stored
-- decisions (the `decisions` view), any other set (a proposal loaded for a
-- what-if) is decided per key on the fly. The columns of schema version 1's
-- `decide()`, e.g. SELECT decision, count(*) FROM decided_requests('active') GROUP BY 1.
CREATE OR REPLACE MACRO decided_requests(policy_set_name) AS TABLE
WITH keyed AS (
    SELECT * FROM key_decisions WHERE policy_set_name = 'active'
    UNION ALL
    SELECT 0, * FROM decide(policy_set_name, false) WHERE policy_set_name <> 'active'
),
decided AS (
    SELECT f.file_id, f.line_no, f.ts, f.status, f.key_id, f.query, d.* EXCLUDE (kd_id, key_id, fapp, starts, ends)
    FROM facts AS f
    LEFT JOIN field_app_rows AS fa ON fa.file_id = f.file_id AND fa.line_no = f.line_no
    JOIN keyed AS d
      ON d.key_id = f.key_id AND d.fapp = coalesce(fa.app, '') AND f.ts >= d.starts AND f.ts < d.ends
)
SELECT f.file_id, f.line_no, f.ts, t.method, t.host, t.path, f.query, f.status, t.cloud_id,
       i.user_agent, i.client_ip, i.remote_user, i.jwt_iss, i.client_id,
       t.path_space_key, t.path_space_id, t.path_content_id,
       f.is_wiki, f.endpoint_id, f.api_version, f.api_blocked, f.endpoint_method, f.endpoint_path,
       f.endpoint_name, f.endpoint_deprecated,
       f.site, f.app, f.auth, f.scope, f.space_key, f.space_id, f.classification, f.space_known, f.n_spaces,
       f.decision, f.policy, f.exempt_by,
       -- blocked and answered 403/404 (three-valued as in schema version 1: NULL where no
       -- policy had an effect and nothing else rules it out)
       CASE WHEN f.decision IN ('not_confluence', 'not_catalogued', 'allowed')
            THEN (NULL::BOOLEAN AND f.app IS NOT NULL AND coalesce(f.auth, '') <> 'api_token'
                  AND f.status IN (403, 404))
            WHEN f.decision = 'blocked' THEN f.status IN (403, 404)
            ELSE false END AS observed_denied
FROM decided AS f
JOIN request_keys AS k ON k.key_id = f.key_id
JOIN targets AS t ON t.target_id = k.target_id
JOIN identities AS i ON i.identity_id = k.identity_id;

CREATE OR REPLACE VIEW decisions AS
SELECT * FROM decided_requests('active');

-- The stored requests in a window counted per request key, field app, policy
-- epoch, day and status: the one per-request step of every report and
-- simulation. Whole days that no policy boundary and no window edge cuts come
-- from the per-file rollup `fact_days`; the rest (the days a boundary or an edge
-- cuts, or every request when field identifiers claim some) is counted from
-- `facts`, read for those days only. The epoch is aa_active_epoch(ts), or
-- aa_sim_epoch(ts) when `sim` (a simulation's: active and proposed boundaries);
-- analyzer/workspace.py epoch_macro writes them with their *_cut_days().
CREATE OR REPLACE MACRO key_day_counts(since, until, sim) AS TABLE
WITH rollup_ok AS (
    SELECT NOT EXISTS (SELECT 1 FROM field_app_rows) AS ok
),
cut AS (
    -- the days the rollup cannot give: a policy boundary or a window edge falls inside them
    SELECT day FROM aa_active_cut_days() WHERE NOT sim
    UNION
    SELECT day FROM aa_sim_cut_days() WHERE sim
    UNION
    SELECT CAST(since AS DATE) WHERE since IS NOT NULL AND CAST(since AS DATE)::TIMESTAMP <> since
    UNION
    SELECT CAST(until AS DATE) WHERE until IS NOT NULL AND CAST(until AS DATE)::TIMESTAMP <> until
),
ranges AS (
    -- the time the facts are read for: the cut days, or all of it when the rollup cannot be used
    SELECT day::TIMESTAMP AS lo, day + INTERVAL 1 DAY AS hi FROM cut, rollup_ok WHERE rollup_ok.ok
    UNION ALL
    SELECT '-infinity'::TIMESTAMP, 'infinity'::TIMESTAMP FROM rollup_ok WHERE NOT rollup_ok.ok
),
rolled AS (
    SELECT r.key_id, '' AS fapp,
           CASE WHEN sim THEN aa_sim_epoch(r.day::TIMESTAMP) ELSE aa_active_epoch(r.day::TIMESTAMP) END AS epoch,
           r.day, r.status, r.n, r.first_seen, r.last_seen, aa_first_key(r.first_seen, r.file_id, r.first_line) AS first
    FROM fact_days AS r, rollup_ok
    WHERE rollup_ok.ok
      AND r.day NOT IN (SELECT day FROM cut)
      AND (since IS NULL OR r.day::TIMESTAMP >= since)
      AND (until IS NULL OR r.day + INTERVAL 1 DAY <= until)
),
counted AS (
    SELECT f.key_id, coalesce(fa.app, '') AS fapp,
           CASE WHEN sim THEN aa_sim_epoch(f.ts) ELSE aa_active_epoch(f.ts) END AS epoch,
           CAST(f.ts AS DATE) AS day, f.status, count(*) AS n, min(f.ts) AS first_seen, max(f.ts) AS last_seen,
           min(aa_first_key(f.ts, f.file_id, f.line_no)) AS first
    FROM facts AS f
    JOIN ranges AS g ON f.ts >= g.lo AND f.ts < g.hi
    LEFT JOIN field_app_rows AS fa ON fa.file_id = f.file_id AND fa.line_no = f.line_no
    WHERE (since IS NULL OR f.ts >= since) AND (until IS NULL OR f.ts < until)
    GROUP BY f.key_id, coalesce(fa.app, ''), epoch, CAST(f.ts AS DATE), f.status
)
SELECT * FROM rolled
UNION ALL
SELECT * FROM counted;

-- The stored requests in a window counted per row of key_decisions, day and
-- status, with the first and last time seen and the first request (aa_first_key:
-- earliest, then by file and line): what every report starts from.
--   SELECT d.app, sum(c.n) FROM request_counts(NULL, NULL) c JOIN key_decisions d USING (kd_id) GROUP BY 1
CREATE OR REPLACE MACRO request_counts(since, until) AS TABLE
SELECT d.kd_id, c.day, c.status, sum(c.n)::BIGINT AS n, min(c.first_seen) AS first_seen,
       max(c.last_seen) AS last_seen,
       min(c.first) AS first
FROM key_day_counts(since, until, false) AS c
JOIN key_decisions AS d
  ON d.key_id = c.key_id AND d.fapp = c.fapp AND c.epoch >= d.starts AND c.epoch < d.ends
GROUP BY d.kd_id, c.day, c.status;

-- Schema version 1 names, kept for users' SQL.
CREATE OR REPLACE VIEW request_facts AS
SELECT * EXCLUDE (decision, policy, exempt_by, observed_denied) FROM decisions;

-- name: migrations/v2
-- Schema version 1 -> 2: the row-per-request table `requests` becomes facts
-- plus key tables (targets, identities, query_refs, request_keys). Runs once,
-- in the transaction that opens an old workspace, after schema/workspace has
-- created the new tables. Every stored value is carried over as it was; the
-- stored decisions are dropped (they are recomputed per key).
INSERT INTO targets
SELECT nextval('target_id_seq'), method, host, cloud_id, path, api_version, is_wiki,
       aa_path_shape(path, aa_api_prefix_len(path)),
       CASE WHEN method = 'HEAD' THEN 'GET' ELSE method END,
       endpoint_id, path_space_key, path_space_id, path_content_id
FROM (SELECT DISTINCT ON (method, host, cloud_id, path) * FROM requests ORDER BY method, host, cloud_id, path);

INSERT INTO identities
SELECT nextval('identity_id_seq'), *
FROM (SELECT DISTINCT user_agent, jwt_iss, client_id, remote_user, client_ip, app_key FROM requests);

INSERT INTO query_refs
SELECT nextval('qref_id_seq'), *
FROM (SELECT DISTINCT query_space_keys, query_space_ids FROM requests
      WHERE query_space_keys IS NOT NULL OR query_space_ids IS NOT NULL);

CREATE TEMP TABLE v1_keys AS
SELECT r.file_id, r.line_no, t.target_id, i.identity_id, q.qref_id
FROM requests AS r
JOIN targets AS t
  ON t.method = r.method AND t.host IS NOT DISTINCT FROM r.host AND t.cloud_id IS NOT DISTINCT FROM r.cloud_id
 AND t.path = r.path
JOIN identities AS i
  ON i.user_agent IS NOT DISTINCT FROM r.user_agent AND i.jwt_iss IS NOT DISTINCT FROM r.jwt_iss
 AND i.client_id IS NOT DISTINCT FROM r.client_id AND i.remote_user IS NOT DISTINCT FROM r.remote_user
 AND i.client_ip IS NOT DISTINCT FROM r.client_ip AND i.app_key IS NOT DISTINCT FROM r.app_key
LEFT JOIN query_refs AS q
  ON q.query_space_keys IS NOT DISTINCT FROM r.query_space_keys AND q.query_space_ids IS NOT DISTINCT FROM r.query_space_ids
 AND (r.query_space_keys IS NOT NULL OR r.query_space_ids IS NOT NULL);

INSERT INTO request_keys
SELECT nextval('key_id_seq'), *
FROM (SELECT DISTINCT target_id, identity_id, qref_id FROM v1_keys);

INSERT INTO facts
SELECT r.file_id, r.line_no, r.ts, k.key_id, r.status, r.bytes, r.duration_ms, r.query, r.extra
FROM requests AS r
JOIN v1_keys AS v ON v.file_id = r.file_id AND v.line_no = r.line_no
JOIN request_keys AS k
  ON k.target_id = v.target_id AND k.identity_id = v.identity_id AND k.qref_id IS NOT DISTINCT FROM v.qref_id
ORDER BY r.file_id, r.line_no;

INSERT INTO fact_days
SELECT file_id, key_id, CAST(ts AS DATE), status, count(*), min(ts), max(ts),
       aa_first_line(min(aa_first_key(ts, file_id, line_no)))
FROM facts GROUP BY file_id, key_id, CAST(ts AS DATE), status;

DROP TABLE v1_keys;
DROP VIEW IF EXISTS decisions;
DROP VIEW IF EXISTS request_facts;
DROP VIEW IF EXISTS attributed_requests;
DROP VIEW IF EXISTS field_apps;
DROP VIEW IF EXISTS identity_apps;
DROP VIEW IF EXISTS scoped_requests;
DROP TABLE IF EXISTS decision_cache;
DROP TABLE IF EXISTS route_cache;
DROP TABLE requests;
-- stored SQL objects and decisions are made again by this release
DELETE FROM meta WHERE key IN ('sql', 'decisions');

-- name: schema/decisions_cache
-- Store decide('active') and expose it as `decisions`. Run after any change
-- to requests, apps, inventory, policies or the catalogue, inside the same
-- transaction, so `decisions` is never stale. Only what the decision adds is
-- stored; the view joins it back to the requests (writing the request columns
-- a second time would double the cost of every ingest).
CREATE OR REPLACE TABLE decision_cache AS
SELECT file_id, line_no, site, app, auth, scope, space_key, space_id, classification, space_known, n_spaces,
       decision, policy, exempt_by, observed_denied
FROM decide('active');

CREATE OR REPLACE VIEW decisions AS
SELECT r.file_id, r.line_no, r.ts, r.method, r.host, r.path, r.query, r.status, r.cloud_id,
       r.user_agent, r.client_ip, r.remote_user, r.jwt_iss, r.client_id,
       r.path_space_key, r.path_space_id, r.path_content_id,
       r.is_wiki, r.endpoint_id, r.api_version,
       e.blocked AS api_blocked, e.method AS endpoint_method, e.path AS endpoint_path, e.name AS endpoint_name,
       e.deprecated AS endpoint_deprecated,
       c.site, c.app, c.auth, c.scope, c.space_key, c.space_id, c.classification, c.space_known, c.n_spaces,
       c.decision, c.policy, c.exempt_by, c.observed_denied
FROM requests AS r
JOIN decision_cache AS c ON c.file_id = r.file_id AND c.line_no = r.line_no
LEFT JOIN endpoints AS e ON e.id = r.endpoint_id;

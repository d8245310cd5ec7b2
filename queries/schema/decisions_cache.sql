-- name: schema/decisions_cache
-- The stored decisions under the active rules, exposed as `decisions`. The
-- table is filled slice by slice by ingest/decide_slice (a slice: one file's
-- lines in a range, at most a million), so deciding ten million requests never
-- needs ten million rows in memory at once. Refreshed in the same transaction
-- as every change to what decisions depend on. Only what the decision adds is
-- stored; the view joins it back to the requests.
CREATE OR REPLACE TABLE decision_cache (
    file_id          INTEGER NOT NULL,
    line_no          BIGINT NOT NULL,
    site             VARCHAR,
    app              VARCHAR,
    auth             VARCHAR,
    scope            VARCHAR,
    space_key        VARCHAR,
    space_id         VARCHAR,
    classification   VARCHAR,
    space_known      BOOLEAN,
    n_spaces         BIGINT,
    decision         VARCHAR,
    policy           VARCHAR,
    exempt_by        VARCHAR,
    observed_denied  BOOLEAN
);

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

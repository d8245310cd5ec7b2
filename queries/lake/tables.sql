-- name: lake/tables
-- A lake as the workspace's tables, by the same names, so that every query a
-- workspace runs (reports, what-if, suggest, the views of schema/views.sql,
-- a user's SQL) runs unchanged over it. Input relations, created by
-- analyzer/lake/read.py over the lake's Parquet files: `lake_requests` (the
-- requests/ rows, already restricted to the days and site asked for),
-- `lake_keys` (keys/) and `lake_rejects` (rejects/).
--
-- `facts` and `rejects` stay views over Parquet (one row per request: never
-- copied); the key tables are small and are loaded into memory. Key ids are the
-- lake's 64-bit ids (lake/macros), so they are BIGINT here.

CREATE OR REPLACE VIEW facts AS
SELECT CAST(file_id AS INTEGER) AS file_id, CAST(line_no AS BIGINT) AS line_no, CAST(ts AS TIMESTAMP) AS ts,
       CAST(key_id AS BIGINT) AS key_id, CAST(status AS SMALLINT) AS status, CAST(bytes AS BIGINT) AS bytes,
       CAST(duration_ms AS DOUBLE) AS duration_ms, CAST(query AS VARCHAR) AS query,
       CAST(extra AS VARCHAR) AS extra
FROM lake_requests;

CREATE OR REPLACE VIEW rejects AS
SELECT CAST(file_id AS INTEGER) AS file_id, CAST(line_no AS BIGINT) AS line_no, CAST(reason AS VARCHAR) AS reason,
       CAST(raw AS VARCHAR) AS raw
FROM lake_rejects;

CREATE OR REPLACE TABLE targets AS
SELECT DISTINCT ON (target_id)
       CAST(target_id AS BIGINT) AS target_id, method, host, cloud_id, path, CAST(api_version AS TINYINT) AS api_version,
       is_wiki, shape, route_method, CAST(endpoint_id AS SMALLINT) AS endpoint_id, path_space_key, path_space_id,
       path_content_id
FROM lake_keys
ORDER BY target_id;

CREATE OR REPLACE TABLE identities AS
SELECT DISTINCT ON (identity_id)
       CAST(identity_id AS BIGINT) AS identity_id, user_agent, jwt_iss, client_id, remote_user, client_ip, app_key
FROM lake_keys
ORDER BY identity_id;

CREATE OR REPLACE TABLE query_refs AS
SELECT DISTINCT ON (qref_id)
       CAST(qref_id AS BIGINT) AS qref_id, CAST(query_space_keys AS VARCHAR[]) AS query_space_keys,
       CAST(query_space_ids AS VARCHAR[]) AS query_space_ids
FROM lake_keys
WHERE qref_id IS NOT NULL
ORDER BY qref_id;

CREATE OR REPLACE TABLE request_keys AS
SELECT CAST(key_id AS BIGINT) AS key_id, CAST(target_id AS BIGINT) AS target_id,
       CAST(identity_id AS BIGINT) AS identity_id, CAST(qref_id AS BIGINT) AS qref_id
FROM lake_keys
ORDER BY key_id;

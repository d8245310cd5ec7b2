-- name: ingest/routed
-- The good rows of a normalised batch as `requests` rows: routed endpoint plus
-- the space key / space id / content id named by the path (URL-decoded).
-- Input: relation `batch` (queries/ingest/normalize.sql) after
-- ingest/route_new_shapes. Param: $file_id.
SELECT
    $file_id AS file_id,
    b.line_no, b.ts, b.method, b.host, b.cloud_id, b.path, b.query, b.status, b.bytes,
    b.duration_ms, b.client_ip, b.user_agent, b.remote_user, b.jwt_iss, b.client_id,
    b.app_key, b.extra, b.api_version, b.is_wiki,
    r.endpoint_id,
    aa_path_param(b.path, e.space_key_pos) AS path_space_key,
    aa_path_param(b.path, e.space_id_pos) AS path_space_id,
    aa_path_param(b.path, e.content_id_pos) AS path_content_id,
    NULLIF(b.query_space_keys, []) AS query_space_keys,
    NULLIF(b.query_space_ids, []) AS query_space_ids
FROM batch AS b
LEFT JOIN route_cache AS r ON r.method = b.route_method AND r.shape = b.shape
LEFT JOIN endpoints AS e ON e.id = r.endpoint_id
WHERE b.reject_reason IS NULL

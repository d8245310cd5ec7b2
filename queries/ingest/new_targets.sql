-- name: ingest/new_targets
-- Add the resolved targets (ingest/resolve_targets) the workspace does not
-- know yet to `targets`, one row per normalised (method, host, cloud id,
-- path, routed method). Input: relation `resolved`.
INSERT INTO targets
SELECT nextval('target_id_seq'), method, host, cloud_id, path, api_version, is_wiki, shape, route_method, endpoint_id,
       path_space_key, path_space_id, path_content_id
FROM (
    SELECT DISTINCT ON (method, host, cloud_id, path, route_method) *
    FROM resolved AS r
    WHERE NOT EXISTS (
        SELECT 1 FROM targets AS t
        WHERE t.method = r.method AND t.host IS NOT DISTINCT FROM r.host
          AND t.cloud_id IS NOT DISTINCT FROM r.cloud_id AND t.path = r.path
          AND t.route_method = r.route_method)
    ORDER BY method, host, cloud_id, path, route_method
)

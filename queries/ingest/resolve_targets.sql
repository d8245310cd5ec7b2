-- name: ingest/resolve_targets
-- Distinct request targets, split (ingest/split_target), normalised and routed:
-- what a `targets` row holds, for each raw (method, host, target) of a batch.
-- The REST API version, whether the path is Confluence's, the method the
-- router matches (HEAD is routed as GET), the endpoint and the space key /
-- space id / content id its path names (URL-decoded). With --redact-pii
-- ($salt not NULL) e-mail addresses and account ids in the path are replaced
-- by tokens first, as in the inventory, so path parameters still match it.
-- Input: relation `split` (ingest/split_target's output); routes come from
-- relation `routes` (ingest/route_shapes over the distinct shapes).
-- Param: $salt (text or NULL).
SELECT
    s.method AS raw_method, s.host AS raw_host, s.target AS raw_target,
    n.method, n.host, n.cloud_id, n.path, n.api_version, n.is_wiki, n.shape, n.route_method,
    r.endpoint_id,
    aa_path_param(n.path, e.space_key_pos) AS path_space_key,
    aa_path_param(n.path, e.space_id_pos) AS path_space_id,
    aa_path_param(n.path, e.content_id_pos) AS path_content_id
FROM split AS s
CROSS JOIN LATERAL (
    SELECT upper(s.method) AS method,
           s.split_host AS host,
           s.cloud_id,
           CASE WHEN $salt IS NULL THEN s.path ELSE aa_redact_pii(s.path, $salt) END AS path,
           CASE WHEN s.prefix_len IS NOT NULL
                THEN CASE WHEN s.prefix_len = 12 THEN 2 ELSE 1 END END::TINYINT AS api_version,
           s.path = '/wiki' OR starts_with(s.path, '/wiki/') OR s.prefix_len IS NOT NULL AS is_wiki,
           s.shape,
           CASE WHEN s.method = 'HEAD' THEN 'GET' ELSE upper(s.method) END AS route_method
) AS n
LEFT JOIN routes AS r ON r.method = n.route_method AND r.shape = n.shape
LEFT JOIN endpoints AS e ON e.id = r.endpoint_id

-- name: ingest/reroute
-- Rewrite the routed endpoint and path parameters of every stored target after
-- the catalogue changed (a new appaccess release). Input: table `routes`
-- (ingest/route_shapes over every target's (route_method, shape)).
UPDATE targets AS t
SET endpoint_id = x.endpoint_id,
    path_space_key = x.path_space_key,
    path_space_id = x.path_space_id,
    path_content_id = x.path_content_id
FROM (
    SELECT t2.target_id, r.endpoint_id,
           aa_path_param(t2.path, e.space_key_pos) AS path_space_key,
           aa_path_param(t2.path, e.space_id_pos) AS path_space_id,
           aa_path_param(t2.path, e.content_id_pos) AS path_content_id
    FROM targets AS t2
    LEFT JOIN routes AS r ON r.method = t2.route_method AND r.shape = t2.shape
    LEFT JOIN endpoints AS e ON e.id = r.endpoint_id
) AS x
WHERE t.target_id = x.target_id

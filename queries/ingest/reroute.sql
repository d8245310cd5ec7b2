-- name: ingest/reroute
-- Rewrite the routed endpoint and path parameters of every stored request
-- after the catalogue changed (a new appaccess release). route_cache must
-- already hold every shape (ingest/reroute_shapes + ingest/route_new_shapes).
UPDATE requests AS q
SET endpoint_id = x.endpoint_id,
    path_space_key = x.path_space_key,
    path_space_id = x.path_space_id,
    path_content_id = x.path_content_id
FROM (
    SELECT q2.file_id, q2.line_no, r.endpoint_id,
           aa_path_param(q2.path, e.space_key_pos) AS path_space_key,
           aa_path_param(q2.path, e.space_id_pos) AS path_space_id,
           aa_path_param(q2.path, e.content_id_pos) AS path_content_id
    FROM requests AS q2
    LEFT JOIN route_cache AS r
      ON r.method = CASE WHEN q2.method = 'HEAD' THEN 'GET' ELSE q2.method END
     AND r.shape = aa_path_shape(q2.path, aa_api_prefix_len(q2.path))
    LEFT JOIN endpoints AS e ON e.id = r.endpoint_id
) AS x
WHERE q.file_id = x.file_id AND q.line_no = x.line_no

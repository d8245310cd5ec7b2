-- name: ingest/reroute_shapes
-- The distinct (method, shape) pairs of all stored requests: the input of
-- ingest/route_new_shapes when the catalogue changed (see ingest/reroute).
SELECT DISTINCT CASE WHEN method = 'HEAD' THEN 'GET' ELSE method END AS route_method,
       aa_path_shape(path, aa_api_prefix_len(path)) AS shape
FROM requests

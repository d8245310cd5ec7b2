-- name: ingest/target_ids
-- Each resolved raw target (ingest/resolve_targets) with its id in `targets`
-- (stored by ingest/new_targets). Input: relation `resolved`.
SELECT r.raw_method, r.raw_host, r.raw_target, t.target_id
FROM resolved AS r
JOIN targets AS t
  ON t.method = r.method AND t.host IS NOT DISTINCT FROM r.host AND t.cloud_id IS NOT DISTINCT FROM r.cloud_id
 AND t.path = r.path AND t.route_method = r.route_method

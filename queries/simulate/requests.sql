-- name: simulate/requests
-- One row per replayed request, for `appaccess simulate --rows`: each stored
-- Confluence request in the window with the row of sim_key_changes
-- (simulate/key_changes) of its key whose interval holds its time.
-- Params: $since, $until (TIMESTAMP or NULL).
SELECT fl.path AS file, f.line_no, f.ts, c.site, c.app, c.space, c.endpoint_method, c.endpoint_path,
       f.status, c.baseline_decision, c.proposed_decision, c.proposed_policy, c.change
FROM facts AS f
LEFT JOIN field_app_rows AS fa ON fa.file_id = f.file_id AND fa.line_no = f.line_no
JOIN sim_key_changes AS c
  ON c.key_id = f.key_id AND c.fapp = coalesce(fa.app, '') AND f.ts >= c.starts AND f.ts < c.ends
JOIN files AS fl ON fl.file_id = f.file_id
WHERE ($since IS NULL OR f.ts >= $since) AND ($until IS NULL OR f.ts < $until)
ORDER BY f.file_id, f.line_no

-- name: simulate/requests
-- One row per replayed request, for `appaccess simulate --out`.
-- Input: table sim_changes (simulate/changes).
SELECT f.path AS file, c.line_no, c.ts, c.site, c.app, c.space, c.endpoint_method, c.endpoint_path,
       c.status, c.baseline_decision, c.proposed_decision, c.proposed_policy, c.change
FROM sim_changes AS c
JOIN files AS f ON f.file_id = c.file_id
ORDER BY c.file_id, c.line_no

-- name: ingest/decide_slice
-- Decide one slice of the stored requests under the active rules and store the
-- result. The slice is set with the variables aa_scope_file, aa_scope_line and
-- aa_scope_line_to (see the view scoped_requests); unset, every request.
INSERT INTO decision_cache
SELECT file_id, line_no, site, app, auth, scope, space_key, space_id, classification, space_known, n_spaces,
       decision, policy, exempt_by, observed_denied
FROM decide('active')

-- name: ingest/key_ids
-- Each (target, identity, query spaces) combination with its id in
-- `request_keys` (stored by ingest/new_request_keys). Input: relation
-- `triples`, whose other columns pass through.
SELECT t.*, k.key_id
FROM triples AS t
JOIN request_keys AS k
  ON k.target_id = t.target_id AND k.identity_id = t.identity_id AND k.qref_id IS NOT DISTINCT FROM t.qref_id

-- name: ingest/new_request_keys
-- Add the (target, identity, query spaces) combinations the workspace does not
-- know yet to `request_keys`. Input: relation `triples` (target_id,
-- identity_id, qref_id).
INSERT INTO request_keys
SELECT nextval('key_id_seq'), target_id, identity_id, qref_id
FROM (SELECT DISTINCT target_id, identity_id, qref_id FROM triples) AS n
WHERE NOT EXISTS (
    SELECT 1 FROM request_keys AS k
    WHERE k.target_id = n.target_id AND k.identity_id = n.identity_id
      AND k.qref_id IS NOT DISTINCT FROM n.qref_id)

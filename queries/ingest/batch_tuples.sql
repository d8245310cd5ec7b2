-- name: ingest/batch_tuples
-- The distinct request keys of a batch, as the rows spell them: raw target
-- (before normalisation), client identity and the spaces the query names.
-- Everything keyed is computed from these few rows, never per request.
-- Input: relation `batch` (ingest/row_split's output).
SELECT DISTINCT method, host, raw_target, user_agent, jwt_iss, client_id, remote_user, client_ip, app_key,
       query_space_keys, query_space_ids
FROM batch
WHERE reject_reason IS NULL

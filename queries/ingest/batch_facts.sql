-- name: ingest/batch_facts
-- The good rows of a batch as facts (the columns of `facts`, in line order):
-- what is each request's own, plus the id of its request key.
-- Input: relations `batch` (ingest/row_split) and `keyed` (its distinct raw
-- keys, ingest/batch_tuples, each with its key_id). Param: $file_id.
SELECT $file_id::INTEGER AS file_id, b.line_no, b.ts, k.key_id, b.status, b.bytes, b.duration_ms, b.query, b.extra
FROM batch AS b
JOIN keyed AS k
  ON k.method = b.method AND k.host IS NOT DISTINCT FROM b.host AND k.raw_target = b.raw_target
 AND k.user_agent IS NOT DISTINCT FROM b.user_agent AND k.jwt_iss IS NOT DISTINCT FROM b.jwt_iss
 AND k.client_id IS NOT DISTINCT FROM b.client_id AND k.remote_user IS NOT DISTINCT FROM b.remote_user
 AND k.client_ip IS NOT DISTINCT FROM b.client_ip AND k.app_key IS NOT DISTINCT FROM b.app_key
 AND k.query_space_keys IS NOT DISTINCT FROM b.query_space_keys
 AND k.query_space_ids IS NOT DISTINCT FROM b.query_space_ids
WHERE b.reject_reason IS NULL
ORDER BY b.line_no

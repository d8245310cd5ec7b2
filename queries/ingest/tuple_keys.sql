-- name: ingest/tuple_keys
-- Each raw key of a batch with the ids of its target, identity and query
-- spaces (all stored by now; identities as ingest/new_identities stores them:
-- user agents masked). Input: relations `tuples` (ingest/batch_tuples)
-- and `resolved` (ingest/resolve_targets). Param: $salt.
SELECT u.*, t.target_id, i.identity_id, q.qref_id
FROM tuples AS u
JOIN resolved AS r
  ON r.raw_method = u.method AND r.raw_host IS NOT DISTINCT FROM u.host AND r.raw_target = u.raw_target
JOIN targets AS t
  ON t.method = r.method AND t.host IS NOT DISTINCT FROM r.host AND t.cloud_id IS NOT DISTINCT FROM r.cloud_id
 AND t.path = r.path AND t.route_method = r.route_method
JOIN identities AS i
  ON i.user_agent IS NOT DISTINCT FROM
         (CASE WHEN $salt IS NULL THEN aa_mask_text(u.user_agent)
               ELSE aa_redact_pii(aa_mask_text(u.user_agent), $salt) END)
 AND i.jwt_iss IS NOT DISTINCT FROM u.jwt_iss AND i.client_id IS NOT DISTINCT FROM u.client_id
 AND i.remote_user IS NOT DISTINCT FROM
         (CASE WHEN $salt IS NULL THEN u.remote_user ELSE aa_redact_pii(u.remote_user, $salt) END)
 AND i.client_ip IS NOT DISTINCT FROM u.client_ip AND i.app_key IS NOT DISTINCT FROM u.app_key
LEFT JOIN query_refs AS q
  ON (u.query_space_keys IS NOT NULL OR u.query_space_ids IS NOT NULL)
 AND q.query_space_keys IS NOT DISTINCT FROM
         (CASE WHEN $salt IS NULL THEN u.query_space_keys
               ELSE list_transform(u.query_space_keys, lambda k: aa_redact_pii(k, $salt)) END)
 AND q.query_space_ids IS NOT DISTINCT FROM u.query_space_ids

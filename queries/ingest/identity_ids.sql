-- name: ingest/identity_ids
-- Each client identity (as the rows name it) with its id in `identities`
-- (stored by ingest/new_identities, user agents masked as it masks them). Input: relation `clients`, whose other
-- columns pass through. Param: $salt.
SELECT c.*, i.identity_id
FROM clients AS c
JOIN identities AS i
  ON i.user_agent IS NOT DISTINCT FROM
         (CASE WHEN $salt IS NULL THEN aa_mask_text(c.user_agent)
               ELSE aa_redact_pii(aa_mask_text(c.user_agent), $salt) END)
 AND i.jwt_iss IS NOT DISTINCT FROM c.jwt_iss AND i.client_id IS NOT DISTINCT FROM c.client_id
 AND i.remote_user IS NOT DISTINCT FROM
         (CASE WHEN $salt IS NULL THEN c.remote_user ELSE aa_redact_pii(c.remote_user, $salt) END)
 AND i.client_ip IS NOT DISTINCT FROM c.client_ip AND i.app_key IS NOT DISTINCT FROM c.app_key

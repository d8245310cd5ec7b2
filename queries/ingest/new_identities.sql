-- name: ingest/new_identities
-- Add the client identities the workspace does not know yet to `identities`.
-- User agents are masked (aa_mask_text: a token in a user agent is not
-- stored). With --redact-pii ($salt not NULL) user agents and basic-auth users
-- are stored as tokens where they hold an e-mail address or an account id.
-- ingest/identity_ids looks identities up the same way.
-- Input: relation `clients` (user_agent, jwt_iss, client_id, remote_user,
-- client_ip, app_key as the rows name them). Param: $salt.
INSERT INTO identities
SELECT nextval('identity_id_seq'), *
FROM (
    SELECT DISTINCT
           CASE WHEN $salt IS NULL THEN aa_mask_text(user_agent)
                ELSE aa_redact_pii(aa_mask_text(user_agent), $salt) END AS user_agent,
           jwt_iss, client_id,
           CASE WHEN $salt IS NULL THEN remote_user ELSE aa_redact_pii(remote_user, $salt) END AS remote_user,
           client_ip, app_key
    FROM clients
) AS n
WHERE NOT EXISTS (
    SELECT 1 FROM identities AS i
    WHERE i.user_agent IS NOT DISTINCT FROM n.user_agent AND i.jwt_iss IS NOT DISTINCT FROM n.jwt_iss
      AND i.client_id IS NOT DISTINCT FROM n.client_id AND i.remote_user IS NOT DISTINCT FROM n.remote_user
      AND i.client_ip IS NOT DISTINCT FROM n.client_ip AND i.app_key IS NOT DISTINCT FROM n.app_key)

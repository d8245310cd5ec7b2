-- name: ingest/redact_pii
-- In a workspace made with --redact-pii: a normalised batch with e-mail
-- addresses and Atlassian account ids replaced by salted tokens, before it is
-- stored (see aa_redact_pii in queries/macros.sql). Input: relation `normalized`.
-- Param: $salt.
SELECT * REPLACE (
    aa_redact_pii(path, $salt) AS path,
    aa_redact_pii(query, $salt) AS query,
    aa_redact_pii(remote_user, $salt) AS remote_user,
    aa_redact_pii(user_agent, $salt) AS user_agent,
    aa_redact_pii(extra, $salt) AS extra,
    list_transform(query_space_keys, lambda k: aa_redact_pii(k, $salt)) AS query_space_keys
)
FROM normalized

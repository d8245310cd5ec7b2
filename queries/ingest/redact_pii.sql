-- name: ingest/redact_pii
-- In a workspace made with --redact-pii: replace e-mail addresses and
-- Atlassian account ids in a normalised batch by salted tokens, before it is
-- stored (see aa_redact_pii in queries/macros.sql). Param: $salt.
UPDATE batch SET
    path = aa_redact_pii(path, $salt),
    query = aa_redact_pii(query, $salt),
    remote_user = aa_redact_pii(remote_user, $salt),
    user_agent = aa_redact_pii(user_agent, $salt),
    extra = aa_redact_pii(extra, $salt),
    query_space_keys = list_transform(query_space_keys, lambda k: aa_redact_pii(k, $salt))
WHERE reject_reason IS NULL

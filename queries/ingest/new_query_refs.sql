-- name: ingest/new_query_refs
-- Add the sets of spaces queries name that the workspace does not know yet to
-- `query_refs` (space keys as tokens with --redact-pii). Input: relation
-- `lists` (query_space_keys, query_space_ids; rows with both NULL are
-- ignored). Param: $salt.
INSERT INTO query_refs
SELECT nextval('qref_id_seq'), *
FROM (
    SELECT DISTINCT
           CASE WHEN $salt IS NULL THEN query_space_keys
                ELSE list_transform(query_space_keys, lambda k: aa_redact_pii(k, $salt)) END AS query_space_keys,
           query_space_ids
    FROM lists
    WHERE query_space_keys IS NOT NULL OR query_space_ids IS NOT NULL
) AS n
WHERE NOT EXISTS (
    SELECT 1 FROM query_refs AS q
    WHERE q.query_space_keys IS NOT DISTINCT FROM n.query_space_keys
      AND q.query_space_ids IS NOT DISTINCT FROM n.query_space_ids)

-- name: ingest/qref_ids
-- Each set of spaces a query names with its id in `query_refs` (stored by
-- ingest/new_query_refs); NULL when the query names none. Input: relation
-- `lists`, whose other columns pass through. Param: $salt.
SELECT l.*, q.qref_id
FROM lists AS l
LEFT JOIN query_refs AS q
  ON (l.query_space_keys IS NOT NULL OR l.query_space_ids IS NOT NULL)
 AND q.query_space_keys IS NOT DISTINCT FROM
         (CASE WHEN $salt IS NULL THEN l.query_space_keys
               ELSE list_transform(l.query_space_keys, lambda k: aa_redact_pii(k, $salt)) END)
 AND q.query_space_ids IS NOT DISTINCT FROM l.query_space_ids

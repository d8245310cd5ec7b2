-- name: inventory/pending_content
-- Content found without a space whose container is now settled, for `inventory fetch`:
--   place    the container is in the inventory: the content goes to its space
--   orphan   the container is missing or has no space itself: no space can be told
-- Params: $site (host name).
SELECT s.content_id, s.content_type,
       any_value(c.space_id) AS space_id, any_value(c.space_key) AS space_key,
       CASE WHEN count(c.content_id) > 0 THEN 'place' ELSE 'orphan' END AS outcome
FROM confluence_content_state AS s
LEFT JOIN content AS c ON c.content_id = s.parent_id AND (c.site IS NULL OR c.site = $site)
LEFT JOIN confluence_content_state AS p ON p.site = s.site AND p.content_id = s.parent_id
WHERE s.site = $site AND s.state = 'pending'
GROUP BY s.content_id, s.content_type
HAVING count(c.content_id) > 0 OR bool_or(p.state IN ('missing', 'no_space'))
ORDER BY s.content_id

-- name: lake/key_clashes
-- Lake key ids that stand for more than one key (two tuples whose ids collide,
-- or a damaged keys/ part): a lake with any is refused, since requests would
-- take another key's decision. Input relation: `lake_keys`.
SELECT key_id, count(*) AS keys
FROM lake_keys
GROUP BY key_id
HAVING count(*) > 1
LIMIT 3

-- name: export/requests
-- Stored requests as they are (no decisions), with a `day` column to partition
-- by: the input of a distributed engine (Spark) running the decision SQL.
-- Params: $since, $until (TIMESTAMP or NULL).
SELECT r.*, CAST(r.ts AS DATE) AS day
FROM requests AS r
WHERE ($since IS NULL OR r.ts >= $since)
  AND ($until IS NULL OR r.ts < $until)

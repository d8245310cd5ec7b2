-- name: export/fact_rows
-- The stored requests in a window, what each holds of its own, in stored order
-- (a plain scan keeps it): the per-request side of `appaccess export`.
-- Params: $since, $until (TIMESTAMP or NULL for open ends).
SELECT file_id, line_no, ts, key_id, status, bytes, duration_ms, query, extra
FROM facts
WHERE ($since IS NULL OR ts >= $since) AND ($until IS NULL OR ts < $until)

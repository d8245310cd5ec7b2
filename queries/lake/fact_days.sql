-- name: lake/fact_days
-- For workspace schemas with the per-file rollup `fact_days` (requests counted
-- per file, request key, day and status, which reports read instead of every
-- fact): the same counts over a lake's `facts`, as a view (analyzer/lake/read.py
-- creates it only when the workspace's schema has the table). The columns and
-- the first line's encoding are those of queries/ingest/roll_up.sql.
CREATE OR REPLACE VIEW fact_days AS
SELECT file_id, key_id, CAST(ts AS DATE) AS day, status, count(*) AS n, min(ts) AS first_seen,
       max(ts) AS last_seen, aa_first_line(min(aa_first_key(ts, file_id, line_no))) AS first_line
FROM facts
GROUP BY ALL

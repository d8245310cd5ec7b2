-- name: simulate/partial_counts
-- A share of the replayed requests (table `facts`, e.g. one Spark task's part of a
-- lake) counted per row of sim_key_changes (simulate/key_changes), day and
-- status, each request joined with its change row by interval: the same rows
-- simulate/change_counts makes for a whole workspace from its rollup. Counts of
-- several shares are read together by simulate/summary, by_app_space and
-- by_endpoint as table sim_change_counts (they sum, take extremes and count
-- distinct days). Params: $since, $until (TIMESTAMP or NULL).
SELECT c.*, CAST(f.ts AS DATE) AS day, f.status, count(*) AS n, min(f.ts) AS first_seen, max(f.ts) AS last_seen
FROM facts AS f
LEFT JOIN field_app_rows AS fa ON fa.file_id = f.file_id AND fa.line_no = f.line_no
JOIN sim_key_changes AS c
  ON c.key_id = f.key_id AND c.fapp = coalesce(fa.app, '') AND f.ts >= c.starts AND f.ts < c.ends
WHERE ($since IS NULL OR f.ts >= $since) AND ($until IS NULL OR f.ts < $until)
GROUP BY ALL

-- name: simulate/change_counts
-- The replayed requests counted per row of sim_key_changes (simulate/key_changes),
-- day and status: the one per-request step of a simulation. Requests are
-- grouped by key and epoch of both policy sets first (aa_sim_epoch, written from
-- the active and proposed policies' windows: analyzer/workspace.py epoch_macro),
-- then joined with the few change rows. Every simulation table
-- (simulate/summary, by_app_space, by_endpoint, suggest/breaking_apps) reads this.
-- Params: $since, $until (TIMESTAMP or NULL): the window replayed.
SELECT c.*, x.day, x.status, x.n, x.first_seen, x.last_seen
FROM (
    SELECT f.key_id, coalesce(fa.app, '') AS fapp, aa_sim_epoch(f.ts) AS epoch, CAST(f.ts AS DATE) AS day,
           f.status, count(*) AS n, min(f.ts) AS first_seen, max(f.ts) AS last_seen
    FROM facts AS f
    LEFT JOIN field_app_rows AS fa ON fa.file_id = f.file_id AND fa.line_no = f.line_no
    WHERE ($since IS NULL OR f.ts >= $since) AND ($until IS NULL OR f.ts < $until)
    GROUP BY ALL
) AS x
JOIN sim_key_changes AS c
  ON c.key_id = x.key_id AND c.fapp = x.fapp AND x.epoch >= c.starts AND x.epoch < c.ends

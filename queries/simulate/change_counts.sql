-- name: simulate/change_counts
-- The replayed requests counted per row of sim_key_changes (simulate/key_changes),
-- day and status: the one per-request step of a simulation. Requests are
-- counted by key and epoch of both policy sets first (key_day_counts with
-- aa_sim_epoch, written from the active and proposed policies' windows), then
-- joined with the few change rows. Every simulation table
-- (simulate/summary, by_app_space, by_endpoint, suggest/breaking_apps) reads this.
-- Params: $since, $until (TIMESTAMP or NULL): the window replayed.
SELECT c.*, x.day, x.status, x.n, x.first_seen, x.last_seen
FROM key_day_counts($since, $until, true) AS x
JOIN sim_key_changes AS c
  ON c.key_id = x.key_id AND c.fapp = x.fapp AND x.epoch >= c.starts AND x.epoch < c.ends

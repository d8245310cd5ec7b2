-- name: lake/sim_partial
-- The first stage of a what-if over a lake on Spark (`appaccess spark simulate`):
-- the replayed requests of one task (table sim_changes, made by
-- simulate/changes, the single-machine query, unchanged) counted per everything
-- the what-if's totals and tables tell apart, and per day. Counts of several
-- tasks add up: the driver finishes with lake/sim_summary, lake/sim_by_app_space
-- and lake/sim_by_endpoint over all of them (table sim_groups), which read these
-- counts the way simulate/summary, by_app_space and by_endpoint read rows.
SELECT site, app, scope, space, endpoint_method, endpoint_path, baseline_decision, proposed_decision,
       proposed_policy, change, CAST(ts AS DATE) AS day,
       count(*) AS requests, min(ts) AS first_ts, max(ts) AS last_ts
FROM sim_changes
GROUP BY ALL

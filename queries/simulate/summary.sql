-- name: simulate/summary
-- Totals of a simulation: requests evaluated, each change class, and the
-- window of traffic the replay covered. Input: table sim_changes (simulate/changes).
SELECT count(*) AS evaluated,
       count(*) FILTER (WHERE change = 'unchanged') AS unchanged,
       count(*) FILTER (WHERE change = 'newly_blocked') AS newly_blocked,
       count(*) FILTER (WHERE change = 'newly_filtered') AS newly_filtered,
       count(*) FILTER (WHERE change = 'unblocked') AS unblocked,
       count(*) FILTER (WHERE change = 'undeterminable') AS undeterminable,
       count(*) FILTER (WHERE change = 'other') AS other,
       count(DISTINCT app) FILTER (WHERE change IN ('newly_blocked', 'newly_filtered')) AS apps_affected,
       min(ts) AS window_start,
       max(ts) AS window_end,
       count(DISTINCT CAST(ts AS DATE)) AS days_covered
FROM sim_changes

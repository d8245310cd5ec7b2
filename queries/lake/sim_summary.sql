-- name: lake/sim_summary
-- simulate/summary over the counts of lake/sim_partial (table sim_groups):
-- requests evaluated, each change class, and the window of traffic covered.
SELECT CAST(coalesce(sum(requests), 0) AS BIGINT) AS evaluated,
       CAST(coalesce(sum(requests) FILTER (WHERE change = 'unchanged'), 0) AS BIGINT) AS unchanged,
       CAST(coalesce(sum(requests) FILTER (WHERE change = 'newly_blocked'), 0) AS BIGINT) AS newly_blocked,
       CAST(coalesce(sum(requests) FILTER (WHERE change = 'newly_filtered'), 0) AS BIGINT) AS newly_filtered,
       CAST(coalesce(sum(requests) FILTER (WHERE change = 'unblocked'), 0) AS BIGINT) AS unblocked,
       CAST(coalesce(sum(requests) FILTER (WHERE change = 'undeterminable'), 0) AS BIGINT) AS undeterminable,
       CAST(coalesce(sum(requests) FILTER (WHERE change = 'other'), 0) AS BIGINT) AS other,
       count(DISTINCT app) FILTER (WHERE change IN ('newly_blocked', 'newly_filtered')) AS apps_affected,
       min(first_ts) AS window_start,
       max(last_ts) AS window_end,
       count(DISTINCT day) AS days_covered
FROM sim_groups

-- name: simulate/summary
-- Totals of a simulation: requests evaluated, each change class, and the
-- window of traffic the replay covered. Input: table sim_change_counts
-- (simulate/change_counts).
SELECT coalesce(sum(n), 0)::BIGINT AS evaluated,
       coalesce(sum(n) FILTER (WHERE change = 'unchanged'), 0)::BIGINT AS unchanged,
       coalesce(sum(n) FILTER (WHERE change = 'newly_blocked'), 0)::BIGINT AS newly_blocked,
       coalesce(sum(n) FILTER (WHERE change = 'newly_filtered'), 0)::BIGINT AS newly_filtered,
       coalesce(sum(n) FILTER (WHERE change = 'unblocked'), 0)::BIGINT AS unblocked,
       coalesce(sum(n) FILTER (WHERE change = 'undeterminable'), 0)::BIGINT AS undeterminable,
       coalesce(sum(n) FILTER (WHERE change = 'other'), 0)::BIGINT AS other,
       count(DISTINCT app) FILTER (WHERE change IN ('newly_blocked', 'newly_filtered')) AS apps_affected,
       min(first_seen) AS window_start,
       max(last_seen) AS window_end,
       count(DISTINCT day) AS days_covered
FROM sim_change_counts

-- name: simulate/by_endpoint
-- Changed requests per endpoint (method and path template) and change class,
-- with how many apps and spaces made them and the last attempt: the busiest
-- endpoints a proposal would block or unblock, for the what-if summary.
-- Input: table sim_change_counts (simulate/change_counts).
SELECT endpoint_method || ' ' || endpoint_path AS endpoint,
       change,
       sum(n)::BIGINT AS requests,
       count(DISTINCT app) AS apps,
       string_agg(DISTINCT app, ', ' ORDER BY app) AS app_list,
       count(DISTINCT coalesce(space, '(site-wide)')) AS spaces,
       max(last_seen) AS last_attempt
FROM sim_change_counts
WHERE change <> 'unchanged' AND endpoint_path IS NOT NULL
GROUP BY endpoint_method, endpoint_path, change
ORDER BY requests DESC, endpoint, change

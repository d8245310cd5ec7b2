-- name: lake/sim_by_endpoint
-- simulate/by_endpoint over the counts of lake/sim_partial (table sim_groups):
-- changed requests per endpoint and change class, with how many apps and spaces
-- made them and the last attempt.
SELECT endpoint_method || ' ' || endpoint_path AS endpoint,
       change,
       CAST(sum(requests) AS BIGINT) AS requests,
       count(DISTINCT app) AS apps,
       string_agg(DISTINCT app, ', ' ORDER BY app) AS app_list,
       count(DISTINCT coalesce(space, '(site-wide)')) AS spaces,
       max(last_ts) AS last_attempt
FROM sim_groups
WHERE change <> 'unchanged' AND endpoint_path IS NOT NULL
GROUP BY endpoint_method, endpoint_path, change
ORDER BY requests DESC, endpoint, change

-- name: lake/sim_by_app_space
-- simulate/by_app_space over the counts of lake/sim_partial (table sim_groups):
-- changed requests per app, site, space and change class, with the days with
-- attempts and the last attempt (most impact first).
SELECT app, site, scope,
       coalesce(space, '(site-wide)') AS space,
       change,
       baseline_decision || ' -> ' || proposed_decision AS transition,
       CAST(sum(requests) AS BIGINT) AS requests,
       count(DISTINCT day) AS days_with_attempts,
       max(last_ts) AS last_attempt,
       count(DISTINCT endpoint_method || ' ' || endpoint_path) AS endpoints,
       string_agg(DISTINCT proposed_policy, ', ' ORDER BY proposed_policy) AS proposed_policy
FROM sim_groups
WHERE change <> 'unchanged'
GROUP BY app, site, scope, coalesce(space, '(site-wide)'), change, baseline_decision, proposed_decision
ORDER BY CASE change WHEN 'newly_blocked' THEN 1 WHEN 'newly_filtered' THEN 2 WHEN 'unblocked' THEN 3
                     WHEN 'undeterminable' THEN 4 ELSE 5 END,
         requests DESC, app, site, space

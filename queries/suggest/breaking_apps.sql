-- name: suggest/breaking_apps
-- Apps that a proposed coverage would break, ranked by how much blocked use
-- they have: requests that would become blocked or filtered, on how many days,
-- in which spaces, through how many endpoints. API-token clients and unknown
-- clients are listed too (they cannot be allowlisted: the first are never
-- blocked, the second must be identified in apps.yaml first).
-- Input: table sim_change_counts (simulate/change_counts), compared against a block_all
-- version of the proposed coverage.
SELECT c.app,
       any_value(a.name) AS app_name,
       any_value(a.auth) AS auth,
       coalesce(sum(c.n) FILTER (WHERE c.change = 'newly_blocked'), 0)::BIGINT AS would_block,
       coalesce(sum(c.n) FILTER (WHERE c.change = 'newly_filtered'), 0)::BIGINT AS would_filter,
       coalesce(sum(c.n) FILTER (WHERE c.proposed_decision = 'not_eligible' AND c.change <> 'unchanged'), 0)::BIGINT
           AS api_token_requests,
       coalesce(sum(c.n) FILTER (WHERE c.proposed_decision = 'unknown_client' AND c.change <> 'unchanged'), 0)::BIGINT
           AS unidentified_requests,
       count(DISTINCT c.day) AS days,
       max(c.last_seen) AS last_attempt,
       string_agg(DISTINCT c.space, ', ' ORDER BY c.space) FILTER (WHERE c.space IS NOT NULL) AS spaces,
       count(DISTINCT c.endpoint_method || ' ' || c.endpoint_path) AS endpoints,
       CASE WHEN c.app = '(unknown)' THEN 'identify'
            WHEN any_value(a.auth) = 'api_token' THEN 'not_eligible'
            ELSE 'allowlist' END AS action
FROM sim_change_counts AS c
LEFT JOIN apps AS a ON a.app_key = c.app
WHERE c.change <> 'unchanged'
GROUP BY c.app
ORDER BY would_block + would_filter DESC, unidentified_requests DESC, c.app

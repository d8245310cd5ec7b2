-- name: simulate/key_changes
-- Decide every request key under a proposed policy set and compare with the
-- stored decisions under the active rules, per interval of time in which
-- neither changes (the active and the proposed epochs intersected). Classes,
-- in the manner of cloud policy simulators:
--   unchanged       same decision under both sets
--   newly_blocked   blocked under the proposed set, not before
--   newly_filtered  filtered (withheld from site-wide results) under the proposed set, not before
--   unblocked       blocked or filtered before, neither under the proposed set
--   undeterminable  proposed outcome hidden by an unknown client or unknown space
--   other           any other change (e.g. now not_eligible: an API-token script)
-- Only Confluence keys. Param: $proposed (a policy set name).
WITH proposed AS (
    SELECT * FROM decide($proposed, false) WHERE is_wiki
)
SELECT b.key_id, b.fapp,
       greatest(b.starts, p.starts) AS starts, least(b.ends, p.ends) AS ends,
       p.site, coalesce(p.app, '(unknown)') AS app, p.scope,
       CASE WHEN p.scope = 'space' THEN coalesce(p.space_key, p.space_id, '(unknown space)') END AS space,
       p.endpoint_method, p.endpoint_path,
       b.decision AS baseline_decision, p.decision AS proposed_decision,
       b.policy AS baseline_policy, p.policy AS proposed_policy,
       CASE
           WHEN b.decision = p.decision THEN 'unchanged'
           WHEN p.decision = 'blocked' THEN 'newly_blocked'
           WHEN p.decision = 'filtered' THEN 'newly_filtered'
           WHEN p.decision IN ('unknown_client', 'unknown_space') THEN 'undeterminable'
           WHEN b.decision IN ('blocked', 'filtered') THEN 'unblocked'
           ELSE 'other'
       END AS change
FROM key_decisions AS b
JOIN proposed AS p ON p.key_id = b.key_id AND p.fapp = b.fapp AND b.starts < p.ends AND p.starts < b.ends

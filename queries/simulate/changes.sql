-- name: simulate/changes
-- Replay stored Confluence traffic against two policy sets and classify each
-- request's change, in the manner of cloud policy simulators:
--   unchanged       same decision under both sets
--   newly_blocked   blocked under the proposed set, not before
--   newly_filtered  filtered (withheld from site-wide results) under the proposed set, not before
--   unblocked       blocked or filtered before, neither under the proposed set
--   undeterminable  proposed outcome hidden by an unknown client or unknown space
--   other           any other change (e.g. now not_eligible: an API-token script)
-- Params: $baseline, $proposed (policy set names), $since, $until (TIMESTAMP or NULL).
SELECT b.file_id, b.line_no, b.ts, b.site,
       coalesce(b.app, '(unknown)') AS app,
       b.scope,
       CASE WHEN b.scope = 'space' THEN coalesce(b.space_key, b.space_id, '(unknown space)') END AS space,
       b.endpoint_method, b.endpoint_path, b.status,
       b.decision AS baseline_decision,
       p.decision AS proposed_decision,
       b.policy AS baseline_policy,
       p.policy AS proposed_policy,
       CASE
           WHEN b.decision = p.decision THEN 'unchanged'
           WHEN p.decision = 'blocked' THEN 'newly_blocked'
           WHEN p.decision = 'filtered' THEN 'newly_filtered'
           WHEN p.decision IN ('unknown_client', 'unknown_space') THEN 'undeterminable'
           WHEN b.decision IN ('blocked', 'filtered') THEN 'unblocked'
           ELSE 'other'
       END AS change
FROM decide($baseline) AS b
JOIN decide($proposed) AS p ON p.file_id = b.file_id AND p.line_no = b.line_no
WHERE b.is_wiki
  AND ($since IS NULL OR b.ts >= $since) AND ($until IS NULL OR b.ts < $until)

-- name: simulate/changes
-- Replay stored Confluence traffic against a proposed policy set and classify each
-- request's change, in the manner of cloud policy simulators:
--   unchanged       same decision under both sets
--   newly_blocked   blocked under the proposed set, not before
--   newly_filtered  filtered (withheld from site-wide results) under the proposed set, not before
--   unblocked       blocked or filtered before, neither under the proposed set
--   undeterminable  proposed outcome hidden by an unknown client or unknown space
--   other           any other change (e.g. now not_eligible: an API-token script)
-- The baseline is the stored decisions under the active rules (decision_cache).
-- Run per slice of the requests (variables aa_scope_*), like ingest/decide_slice.
-- Params: $proposed (a policy set name), $since, $until (TIMESTAMP or NULL).
SELECT p.file_id, p.line_no, p.ts, p.site,
       coalesce(p.app, '(unknown)') AS app,
       p.scope,
       CASE WHEN p.scope = 'space' THEN coalesce(p.space_key, p.space_id, '(unknown space)') END AS space,
       p.endpoint_method, p.endpoint_path, p.status,
       c.decision AS baseline_decision,
       p.decision AS proposed_decision,
       c.policy AS baseline_policy,
       p.policy AS proposed_policy,
       CASE
           WHEN c.decision = p.decision THEN 'unchanged'
           WHEN p.decision = 'blocked' THEN 'newly_blocked'
           WHEN p.decision = 'filtered' THEN 'newly_filtered'
           WHEN p.decision IN ('unknown_client', 'unknown_space') THEN 'undeterminable'
           WHEN c.decision IN ('blocked', 'filtered') THEN 'unblocked'
           ELSE 'other'
       END AS change
FROM decide($proposed) AS p
JOIN decision_cache AS c ON c.file_id = p.file_id AND c.line_no = p.line_no
WHERE p.is_wiki
  AND ($since IS NULL OR p.ts >= $since) AND ($until IS NULL OR p.ts < $until)

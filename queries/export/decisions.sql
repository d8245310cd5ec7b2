-- name: export/decisions
-- One row per stored request with its routing, attribution, space and decision
-- under the active rules. The shape of `appaccess export`.
-- Params: $since, $until (TIMESTAMP or NULL for open ends).
SELECT f.path AS file, d.line_no, d.ts, d.site, d.method, d.path, d.query, d.status,
       d.app AS app_key, d.auth, d.endpoint_method, d.endpoint_path, d.api_version, d.api_blocked,
       d.endpoint_name, d.scope, d.space_key, d.space_id, d.classification, d.decision, d.policy,
       d.exempt_by, d.observed_denied, d.user_agent, d.client_ip, d.jwt_iss, d.client_id
FROM decisions AS d
JOIN files AS f ON f.file_id = d.file_id
WHERE ($since IS NULL OR d.ts >= $since)
  AND ($until IS NULL OR d.ts < $until)
ORDER BY d.file_id, d.line_no

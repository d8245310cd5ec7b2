-- name: export/decision_keys
-- Every row of key_decisions with the columns `appaccess export` takes from it
-- and from its request key (what requests share): analyzer/rows.py places
-- them request by request. One row per (request key, field app, interval of
-- time with one outcome): a few thousand, whatever the traffic.
SELECT d.kd_id, d.key_id, d.fapp, d.starts, d.ends,
       d.site, t.method, t.path, d.app AS app_key, d.auth, d.endpoint_method, d.endpoint_path, d.api_version,
       d.api_blocked, d.endpoint_name, d.scope, d.space_key, d.space_id, d.classification, d.decision,
       d.policy, d.exempt_by, i.user_agent, i.client_ip, i.jwt_iss, i.client_id
FROM key_decisions AS d
JOIN request_keys AS k ON k.key_id = d.key_id
JOIN targets AS t ON t.target_id = k.target_id
JOIN identities AS i ON i.identity_id = k.identity_id
ORDER BY d.key_id, d.fapp, d.starts

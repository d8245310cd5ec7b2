-- name: export/request_keys
-- Every request key with the columns of the `requests` view it holds (what
-- requests share): analyzer/rows.py places them request by request.
SELECT k.key_id, t.method, t.host, t.cloud_id, t.path, i.client_ip, i.user_agent, i.remote_user, i.jwt_iss,
       i.client_id, i.app_key, t.api_version, t.is_wiki, t.endpoint_id, t.path_space_key, t.path_space_id,
       t.path_content_id, q.query_space_keys, q.query_space_ids
FROM request_keys AS k
JOIN targets AS t ON t.target_id = k.target_id
JOIN identities AS i ON i.identity_id = k.identity_id
LEFT JOIN query_refs AS q ON q.qref_id = k.qref_id
ORDER BY k.key_id

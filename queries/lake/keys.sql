-- name: lake/keys
-- Every request key of the workspace with its target, identity and the spaces
-- its query names, under the lake's ids (lake/macros: aa_lake_id of the
-- tuple): one row per key, the `keys/` part of a lake, from which a lake
-- reader rebuilds the workspace's `targets`, `identities`, `query_refs` and
-- `request_keys`. `ws_key_id` is the workspace's own key id (dropped on write).
WITH t AS (
    SELECT *, aa_lake_id(to_json([method, host, cloud_id, path, route_method])) AS lake_target_id
    FROM targets
),
i AS (
    SELECT *, aa_lake_id(to_json([user_agent, jwt_iss, client_id, remote_user, client_ip, app_key]))
               AS lake_identity_id
    FROM identities
),
q AS (
    SELECT *, aa_lake_id(to_json({'keys': query_space_keys, 'ids': query_space_ids})) AS lake_qref_id
    FROM query_refs
)
SELECT k.key_id AS ws_key_id,
       aa_lake_id(to_json([t.lake_target_id, i.lake_identity_id, q.lake_qref_id])) AS key_id,
       t.lake_target_id AS target_id, t.method, t.host, t.cloud_id, t.path, t.api_version, t.is_wiki, t.shape,
       t.route_method, t.endpoint_id, t.path_space_key, t.path_space_id, t.path_content_id,
       i.lake_identity_id AS identity_id, i.user_agent, i.jwt_iss, i.client_id, i.remote_user, i.client_ip,
       i.app_key,
       q.lake_qref_id AS qref_id, q.query_space_keys, q.query_space_ids
FROM request_keys AS k
JOIN t ON t.target_id = k.target_id
JOIN i ON i.identity_id = k.identity_id
LEFT JOIN q ON q.qref_id = k.qref_id

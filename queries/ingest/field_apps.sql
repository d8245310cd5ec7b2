-- name: ingest/field_apps
-- Requests claimed by apps.yaml `field` identifiers: a stored column by name,
-- else a key of the request's `extra` JSON, equal to the identifier's value.
-- Per request (a field may be the request's own, like a gateway's app id
-- header), so it runs only when apps.yaml has field identifiers: on every
-- request when apps are loaded, on one file's requests when it is ingested.
-- Output: rows of `field_app_rows`. Param: $file_id (INTEGER or NULL for all).
WITH wanted AS (
    SELECT DISTINCT field FROM app_identifiers WHERE kind = 'field'
),
values_ AS (
    SELECT r.file_id, r.line_no, r.key_id, w.field,
           CASE w.field
               WHEN 'host' THEN r.host WHEN 'method' THEN r.method WHEN 'path' THEN r.path
               WHEN 'query' THEN r.query WHEN 'status' THEN CAST(r.status AS VARCHAR)
               WHEN 'client_ip' THEN r.client_ip WHEN 'user_agent' THEN r.user_agent
               WHEN 'remote_user' THEN r.remote_user WHEN 'jwt_iss' THEN r.jwt_iss
               WHEN 'client_id' THEN r.client_id WHEN 'app_key' THEN r.app_key WHEN 'cloud_id' THEN r.cloud_id
               ELSE json_extract_string(r.extra, '$."' || replace(w.field, '"', '\"') || '"')
           END AS value
    FROM request_rows AS r CROSS JOIN wanted AS w
    WHERE $file_id IS NULL OR r.file_id = $file_id
)
SELECT v.file_id, v.line_no, any_value(v.key_id) AS key_id, arg_min(i.app_key, a.ord) AS app
FROM values_ AS v
JOIN app_identifiers AS i ON i.kind = 'field' AND i.field = v.field AND i.value = v.value
JOIN apps AS a ON a.app_key = i.app_key
GROUP BY v.file_id, v.line_no

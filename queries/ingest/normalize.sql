-- name: ingest/normalize
-- Turn parsed log rows into request rows: split the request target into host,
-- cloud id, path and query; recognise the Confluence REST prefixes; compute the
-- path *shape* the router matches; derive the JWT issuer and basic-auth user
-- from an Authorization value (the credential itself is dropped here); collect
-- space keys and ids named in the query string (spaceKey, space-id, CQL).
-- Input: relation `parsed` (the output columns of any queries/formats/*.sql).
-- Output: one row per parsed row; `reject_reason` is non-NULL for rows to reject.
WITH t AS (
    SELECT *,
           starts_with(target, '/') AS relative,
           CASE WHEN NOT starts_with(target, '/') THEN regexp_extract(
               target, '^(?:[A-Za-z][A-Za-z0-9+.-]*://)?([^/?#]*)([^?#]*)(\?[^#]*)?',
               ['authority', 'path', 'query']) END AS abs_url
    FROM parsed
),
u AS (
    SELECT * EXCLUDE (relative, abs_url, target, host),
           CASE WHEN relative THEN split_part(target, '?', 1) ELSE abs_url['path'] END AS raw_path,
           CASE WHEN relative THEN (CASE WHEN contains(target, '?') THEN substr(target, strpos(target, '?') + 1) END)
                ELSE NULLIF(substr(abs_url['query'], 2), '') END AS query,
           lower(CASE WHEN relative OR abs_url['authority'] = '' THEN host
                      ELSE regexp_replace(abs_url['authority'], '^[^@]*@|:[0-9]*$', '', 'g') END) AS host
    FROM t
),
g AS (
    -- OAuth 2.0 / Forge gateway: https://api.atlassian.com/ex/confluence/{cloudId}/wiki/...
    SELECT *,
           CASE WHEN starts_with(raw_path, '/ex/confluence/') THEN split_part(raw_path, '/', 4) END AS cloud_id,
           CASE WHEN starts_with(raw_path, '/ex/confluence/')
                THEN substr(raw_path, 16 + length(split_part(raw_path, '/', 4))) ELSE raw_path END AS p0
    FROM u
),
c AS (
    -- (rtrim is costly even when there is nothing to trim: test first)
    SELECT * EXCLUDE (p0, p0c, raw_path),
           CASE WHEN ends_with(p0c, '/') THEN rtrim(p0c, '/') ELSE p0c END AS p1
    FROM (SELECT *, CASE WHEN contains(p0, '//') THEN regexp_replace(p0, '//+', '/', 'g') ELSE p0 END AS p0c FROM g)
),
k AS (
    SELECT * EXCLUDE (p1),
           -- The v1 spec spells the dynamic-module API without its /wiki/rest prefix.
           CASE WHEN starts_with(p1, '/wiki/rest/atlassian-connect/') THEN substr(p1, 11) ELSE p1 END AS path,
           aa_api_prefix_len(path) AS prefix_len
    FROM c
)
SELECT
    line_no,
    reject_reason,
    ts,
    upper(method) AS method,
    host,
    cloud_id,
    CASE WHEN path = '' THEN '/' ELSE path END AS path,
    aa_redact_query(query) AS query,
    status::SMALLINT AS status,
    bytes,
    duration_ms,
    client_ip,
    user_agent,
    coalesce(remote_user, CASE WHEN starts_with(lower(auth_header), 'basic ')
        THEN NULLIF(split_part(try(decode(from_base64(trim(substr(auth_header, 7))))), ':', 1), '') END) AS remote_user,
    coalesce(jwt_iss,
        CASE WHEN starts_with(lower(auth_header), 'jwt ') THEN aa_jwt_iss(trim(substr(auth_header, 5))) END,
        CASE WHEN query IS NOT NULL AND contains(query, 'jwt=')
             THEN aa_jwt_iss(regexp_extract(query, '(?:^|&)jwt=([^&]*)', 1)) END) AS jwt_iss,
    client_id,
    app_key,
    extra,
    CASE WHEN prefix_len IS NOT NULL
         THEN CASE WHEN prefix_len = 12 THEN 2 ELSE 1 END END::TINYINT AS api_version,
    path = '/wiki' OR starts_with(path, '/wiki/') OR prefix_len IS NOT NULL AS is_wiki,
    aa_path_shape(path, prefix_len) AS shape,
    CASE WHEN method = 'HEAD' THEN 'GET' ELSE upper(method) END AS route_method,
    CASE WHEN query IS NOT NULL AND contains(lower(query), 'space') THEN aa_query_space_keys(query) END AS query_space_keys,
    CASE WHEN query IS NOT NULL AND contains(lower(query), 'space') THEN aa_query_space_ids(query) END AS query_space_ids
FROM k

-- name: ingest/normalize
-- Turn split rows (ingest/split_target, or the C fast path) into request rows:
-- the REST API version, whether the path is Confluence's, the method the router
-- matches; the JWT issuer and basic-auth user from an Authorization value (the
-- credential itself is dropped here) or a jwt= parameter; credential-like query
-- parameters masked; space keys and ids named in the query string (spaceKey,
-- space-id, CQL). Input: relation `split`. Output: one row per split row;
-- `reject_reason` is non-NULL for rows to reject.
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
    shape,
    CASE WHEN method = 'HEAD' THEN 'GET' ELSE upper(method) END AS route_method,
    CASE WHEN query IS NOT NULL AND contains(lower(query), 'space') THEN aa_query_space_keys(query) END AS query_space_keys,
    CASE WHEN query IS NOT NULL AND contains(lower(query), 'space') THEN aa_query_space_ids(query) END AS query_space_ids
FROM split

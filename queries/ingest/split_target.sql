-- name: ingest/split_target
-- Split each parsed row's request target into host, cloud id, path and query:
-- absolute URLs (proxy logs) and paths, the OAuth 2.0 / Forge gateway form
-- /ex/confluence/{cloudId}/..., doubled and trailing slashes; then the length
-- of the Confluence REST prefix and the path *shape* the router matches.
-- Input: relation `parsed` (the output columns of any queries/formats/*.sql).
-- Output: the `split` columns (analyzer/pipeline.py SPLIT_SCHEMA), which the C
-- fast path for NCSA lines also produces directly (analyzer/_fastclf.c).
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
SELECT line_no, reject_reason, ts, method, host, cloud_id,
       CASE WHEN path = '' THEN '/' ELSE path END AS path,
       query, prefix_len, aa_path_shape(path, prefix_len) AS shape,
       status, bytes, duration_ms, client_ip, user_agent, remote_user, auth_header, jwt_iss, client_id, app_key,
       extra
FROM k

-- name: ingest/split_target
-- Split each distinct request target (its query string cut off already, see
-- ingest/row_split), its path parameters dropped (;jsessionid=... goes with them:
-- the server ignores them too) and masked (aa_mask_text: URL userinfo, a JWT in a
-- segment: what is stored of it holds no credential), into host,
-- cloud id and path: absolute URLs (proxy logs)
-- and paths, the OAuth 2.0 / Forge gateway form /ex/confluence/{cloudId}/...;
-- the path normalised the way Confluence's server reads it (aa_normalise_path:
-- path parameters dropped, unreserved characters decoded, duplicate slashes
-- merged, dot segments resolved; a trailing slash dropped), so a tricked
-- spelling routes like the plain one; then the length of the Confluence REST
-- prefix and the path *shape* the router matches. Targets Confluence would
-- refuse never get here (aa_target_problem in ingest/row_split rejects them).
-- Runs once per distinct (method, host, target) of a batch, never per request.
-- Input: relation `raw_targets(method, host, target)`.
-- Output: the input columns, then split_host, cloud_id, path, prefix_len, shape.
WITH m AS (
    SELECT *, aa_mask_text(aa_strip_matrix(target)) AS masked FROM raw_targets
),
t AS (
    SELECT *,
           starts_with(masked, '/') AS relative,
           CASE WHEN NOT starts_with(masked, '/') THEN regexp_extract(
               masked, '^(?:[A-Za-z][A-Za-z0-9+.-]*://)?([^/?#]*)([^?#]*)',
               ['authority', 'path']) END AS abs_url
    FROM m
),
u AS (
    SELECT * EXCLUDE (relative, abs_url, masked),
           aa_normalise_path(CASE WHEN relative THEN masked ELSE abs_url['path'] END) AS raw_path,
           lower(CASE WHEN relative OR abs_url['authority'] = '' THEN host
                      ELSE regexp_replace(abs_url['authority'], '^[^@]*@|:[0-9]*$', '', 'g') END) AS split_host
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
    SELECT * EXCLUDE (p0, raw_path),
           CASE WHEN ends_with(p0, '/') THEN rtrim(p0, '/') ELSE p0 END AS p1
    FROM g
),
k AS (
    SELECT * EXCLUDE (p1),
           -- The v1 spec spells the dynamic-module API without its /wiki/rest prefix.
           CASE WHEN starts_with(p1, '/wiki/rest/atlassian-connect/') THEN substr(p1, 11) ELSE p1 END AS split_path,
           aa_api_prefix_len(split_path) AS prefix_len
    FROM c
)
SELECT method, host, target, split_host, cloud_id,
       CASE WHEN split_path = '' THEN '/' ELSE split_path END AS path,
       prefix_len, aa_path_shape(split_path, prefix_len) AS shape
FROM k

-- name: schema/spaces
-- Which space each request touched, decided at query time against the
-- inventory. A request names spaces through path parameters (space key,
-- space id, content id -> its space) and query parameters (spaceKey,
-- space-id, CQL space clauses). Exactly one named space: the request is about
-- objects in that space (scope 'space'). None or several: site-wide (scope
-- 'site'), e.g. a search across spaces.

-- Every way the inventory lets a (kind, value) pair name a space.
CREATE OR REPLACE VIEW space_lookup AS
SELECT 'key' AS kind, space_key AS value, site, space_id, space_key, classification
FROM spaces WHERE space_key IS NOT NULL
UNION ALL
SELECT 'id', space_id, site, space_id, space_key, classification
FROM spaces WHERE space_id IS NOT NULL
UNION ALL
SELECT 'content', c.content_id, coalesce(c.site, s.site), coalesce(c.space_id, s.space_id),
       coalesce(c.space_key, s.space_key), coalesce(c.classification, s.classification)
FROM content AS c
LEFT JOIN spaces AS s
       ON (s.space_id = c.space_id OR (c.space_id IS NULL AND s.space_key = c.space_key))
      AND (c.site IS NULL OR s.site IS NULL OR s.site = c.site);

-- One row per (request, space reference).
CREATE OR REPLACE VIEW request_space_refs AS
SELECT file_id, line_no, request_site, 'key' AS kind, path_space_key AS value
FROM attributed_requests WHERE path_space_key IS NOT NULL
UNION ALL
SELECT file_id, line_no, request_site, 'id', path_space_id
FROM attributed_requests WHERE path_space_id IS NOT NULL
UNION ALL
SELECT file_id, line_no, request_site, 'content', path_content_id
FROM attributed_requests WHERE path_content_id IS NOT NULL
UNION ALL
SELECT file_id, line_no, request_site, 'key', unnest(query_space_keys)
FROM attributed_requests WHERE query_space_keys IS NOT NULL
UNION ALL
SELECT file_id, line_no, request_site, 'id', unnest(query_space_ids)
FROM attributed_requests WHERE query_space_ids IS NOT NULL;

-- Per request: how many distinct spaces it names and, when one, which.
CREATE OR REPLACE VIEW request_spaces AS
WITH resolved AS (
    SELECT f.file_id, f.line_no, f.kind, f.value,
           count(l.value) AS matches,
           any_value(l.site) AS site, any_value(l.space_id) AS space_id,
           any_value(l.space_key) AS space_key, any_value(l.classification) AS classification
    FROM request_space_refs AS f
    LEFT JOIN space_lookup AS l
           ON l.kind = f.kind AND l.value = f.value
          AND (f.request_site IS NULL OR l.site IS NULL OR l.site = f.request_site)
    GROUP BY f.file_id, f.line_no, f.kind, f.value
),
tokens AS (
    SELECT *,
           matches = 1 AS known,
           CASE WHEN matches = 1 THEN 'space:' || coalesce(site, '') || ':' || coalesce(space_id, space_key)
                ELSE kind || ':' || value END AS token
    FROM resolved
)
SELECT file_id, line_no,
       count(DISTINCT token) AS n_spaces,
       bool_and(known) AS space_known,
       any_value(CASE WHEN known THEN space_key WHEN kind = 'key' THEN value END) AS space_key,
       any_value(CASE WHEN known THEN space_id WHEN kind = 'id' THEN value END) AS space_id,
       any_value(CASE WHEN known THEN classification END) AS classification,
       any_value(CASE WHEN known THEN site END) AS space_site,
       any_value(CASE WHEN kind = 'content' THEN value END) AS content_id
FROM tokens
GROUP BY file_id, line_no;

-- The facts a decision needs, one row per stored request.
CREATE OR REPLACE VIEW request_facts AS
SELECT r.file_id, r.line_no, r.ts, r.method, r.host, r.path, r.query, r.status, r.cloud_id,
       r.user_agent, r.client_ip, r.remote_user, r.jwt_iss, r.client_id,
       r.is_wiki, r.endpoint_id, r.api_version,
       e.blocked AS api_blocked, e.method AS endpoint_method, e.path AS endpoint_path, e.name AS endpoint_name,
       e.deprecated AS endpoint_deprecated,
       coalesce(r.request_site, s.space_site) AS site,
       r.app, r.auth,
       CASE WHEN s.n_spaces = 1 THEN 'space' ELSE 'site' END AS scope,
       CASE WHEN s.n_spaces = 1 THEN s.space_key END AS space_key,
       CASE WHEN s.n_spaces = 1 THEN s.space_id END AS space_id,
       CASE WHEN s.n_spaces = 1 THEN s.classification END AS classification,
       coalesce(s.n_spaces = 1 AND s.space_known, false) AS space_known,
       coalesce(s.n_spaces, 0) AS n_spaces
FROM attributed_requests AS r
LEFT JOIN endpoints AS e ON e.id = r.endpoint_id
LEFT JOIN request_spaces AS s ON s.file_id = r.file_id AND s.line_no = r.line_no;

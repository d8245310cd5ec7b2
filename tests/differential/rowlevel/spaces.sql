-- name: schema/spaces
-- Which space each request touched, decided at query time against the
-- inventory. A request names spaces through path parameters (space key,
-- space id, content id -> its space) and query parameters (spaceKey,
-- space-id, CQL space clauses). Exactly one named space: the request is about
-- objects in that space (scope 'space'). None or several: site-wide (scope
-- 'site'), e.g. a search across spaces.
-- Resolution runs once per distinct (site, kind, value) reference, not per
-- request; most requests name one reference and skip any grouping.

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

-- The facts a decision needs, one row per stored request. One statement with
-- materialized steps, so each is computed once however often later steps read it.
CREATE OR REPLACE VIEW request_facts AS
WITH refs AS MATERIALIZED (
    -- each request's site and space references (narrow: keys and references only), with the
    -- number of references and, when it makes one, that one
    SELECT r.file_id, r.line_no,
           CASE WHEN r.cloud_id IS NOT NULL OR r.host IS NULL OR r.host = 'api.atlassian.com' THEN st.site
                ELSE r.host END AS request_site,
           r.path_space_key, r.path_space_id, r.path_content_id, r.query_space_keys, r.query_space_ids,
           (r.path_space_key IS NOT NULL)::INTEGER + (r.path_space_id IS NOT NULL)::INTEGER
             + (r.path_content_id IS NOT NULL)::INTEGER + coalesce(len(r.query_space_keys), 0)
             + coalesce(len(r.query_space_ids), 0) AS n_refs,
           CASE WHEN r.path_space_key IS NOT NULL THEN 'key' WHEN r.path_space_id IS NOT NULL THEN 'id'
                WHEN r.path_content_id IS NOT NULL THEN 'content' WHEN r.query_space_keys IS NOT NULL THEN 'key'
                ELSE 'id' END AS ref_kind,
           coalesce(r.path_space_key, r.path_space_id, r.path_content_id, r.query_space_keys[1],
                    r.query_space_ids[1]) AS ref_value
    FROM scoped_requests AS r
    LEFT JOIN sites AS st ON st.cloud_id = r.cloud_id
    WHERE r.path_space_key IS NOT NULL OR r.path_space_id IS NOT NULL OR r.path_content_id IS NOT NULL
       OR r.query_space_keys IS NOT NULL OR r.query_space_ids IS NOT NULL
),
multi_refs AS MATERIALIZED (
    -- one row per (request, reference) for the few requests with several references
    SELECT file_id, line_no, request_site, 'key' AS kind, path_space_key AS value
    FROM refs WHERE n_refs > 1 AND path_space_key IS NOT NULL
    UNION ALL SELECT file_id, line_no, request_site, 'id', path_space_id
    FROM refs WHERE n_refs > 1 AND path_space_id IS NOT NULL
    UNION ALL SELECT file_id, line_no, request_site, 'content', path_content_id
    FROM refs WHERE n_refs > 1 AND path_content_id IS NOT NULL
    UNION ALL SELECT file_id, line_no, request_site, 'key', unnest(query_space_keys)
    FROM refs WHERE n_refs > 1 AND query_space_keys IS NOT NULL
    UNION ALL SELECT file_id, line_no, request_site, 'id', unnest(query_space_ids)
    FROM refs WHERE n_refs > 1 AND query_space_ids IS NOT NULL
),
distinct_refs AS (
    SELECT DISTINCT request_site, ref_kind AS kind, ref_value AS value FROM refs WHERE n_refs = 1
    UNION
    SELECT DISTINCT request_site, kind, value FROM multi_refs
),
resolution AS MATERIALIZED (
    -- every distinct reference resolved once: known when exactly one space matches
    SELECT coalesce(f.request_site, '') AS site_key, f.kind, f.value,
           count(l.value) = 1 AS known,
           CASE WHEN count(l.value) = 1 THEN any_value(l.site) END AS site,
           CASE WHEN count(l.value) = 1 THEN any_value(l.space_id) WHEN f.kind = 'id' THEN f.value END AS space_id,
           CASE WHEN count(l.value) = 1 THEN any_value(l.space_key) WHEN f.kind = 'key' THEN f.value END AS space_key,
           CASE WHEN count(l.value) = 1 THEN any_value(l.classification) END AS classification,
           CASE WHEN count(l.value) = 1
                THEN 'space:' || coalesce(any_value(l.site), '') || ':'
                     || coalesce(any_value(l.space_id), any_value(l.space_key))
                ELSE f.kind || ':' || f.value END AS token
    FROM distinct_refs AS f
    LEFT JOIN space_lookup AS l
           ON l.kind = f.kind AND l.value = f.value
          AND (f.request_site IS NULL OR l.site IS NULL OR l.site = f.request_site)
    GROUP BY f.request_site, f.kind, f.value
),
multi AS (
    -- requests with several references: how many distinct spaces they name
    SELECT m.file_id, m.line_no,
           count(DISTINCT s.token) AS n_spaces,
           bool_and(s.known) AS known,
           any_value(s.space_key) AS space_key, any_value(s.space_id) AS space_id,
           any_value(s.classification) AS classification, any_value(s.site) AS site
    FROM multi_refs AS m
    JOIN resolution AS s ON s.site_key = coalesce(m.request_site, '') AND s.kind = m.kind AND s.value = m.value
    GROUP BY m.file_id, m.line_no
),
spaced AS (
    -- requests naming at least one space: how many, and which when one
    SELECT r.file_id, r.line_no,
           CASE WHEN r.n_refs = 1 THEN 1 ELSE coalesce(m.n_spaces, 0) END AS n_spaces,
           CASE WHEN r.n_refs = 1 THEN s.known ELSE m.known END AS known,
           CASE WHEN r.n_refs = 1 THEN s.space_key ELSE m.space_key END AS space_key,
           CASE WHEN r.n_refs = 1 THEN s.space_id ELSE m.space_id END AS space_id,
           CASE WHEN r.n_refs = 1 THEN s.classification ELSE m.classification END AS classification,
           CASE WHEN r.n_refs = 1 THEN s.site ELSE m.site END AS space_site
    FROM refs AS r
    LEFT JOIN resolution AS s
           ON r.n_refs = 1 AND s.site_key = coalesce(r.request_site, '') AND s.kind = r.ref_kind
          AND s.value = r.ref_value
    LEFT JOIN multi AS m
           ON r.n_refs > 1 AND m.file_id = r.file_id AND m.line_no = r.line_no
)
SELECT r.file_id, r.line_no, r.ts, r.method, r.host, r.path, r.query, r.status, r.cloud_id,
       r.user_agent, r.client_ip, r.remote_user, r.jwt_iss, r.client_id,
       r.path_space_key, r.path_space_id, r.path_content_id,
       r.is_wiki, r.endpoint_id, r.api_version,
       e.blocked AS api_blocked, e.method AS endpoint_method, e.path AS endpoint_path, e.name AS endpoint_name,
       e.deprecated AS endpoint_deprecated,
       coalesce(r.request_site, CASE WHEN x.n_spaces = 1 THEN x.space_site END) AS site,
       r.app, r.auth,
       CASE WHEN x.n_spaces = 1 THEN 'space' ELSE 'site' END AS scope,
       CASE WHEN x.n_spaces = 1 THEN x.space_key END AS space_key,
       CASE WHEN x.n_spaces = 1 THEN x.space_id END AS space_id,
       CASE WHEN x.n_spaces = 1 THEN x.classification END AS classification,
       coalesce(x.n_spaces = 1 AND x.known, false) AS space_known,
       coalesce(x.n_spaces, 0) AS n_spaces
FROM attributed_requests AS r
LEFT JOIN spaced AS x ON x.file_id = r.file_id AND x.line_no = r.line_no
LEFT JOIN endpoints AS e ON e.id = r.endpoint_id;

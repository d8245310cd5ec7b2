-- name: schema/spaces
-- Which space each request key touched, decided against the inventory (so an
-- inventory load needs no re-ingest). A request names spaces through path parameters (space key,
-- space id, content id -> its space) and query parameters (spaceKey,
-- space-id, CQL space clauses). Exactly one named space: the request is about
-- objects in that space (scope 'space'). None or several: site-wide (scope
-- 'site'), e.g. a search across spaces.
-- Resolution runs once per distinct (site, kind, value) reference, then once
-- per request key; never per request.

-- Every way the inventory lets a (kind, value) pair name a space. Space keys
-- match whatever their case (`value` upper-cased): Confluence looks spaces up by
-- their lower-cased key (its `spaces.lowerspacekey` column), so /space/hr is HR.
CREATE OR REPLACE VIEW space_lookup AS
SELECT 'key' AS kind, upper(space_key) AS value, site, space_id, space_key, classification
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

-- The facts a decision needs, one row per (request key, field app) pair.
-- One statement with materialized steps, so each is computed once however
-- often later steps read it.
CREATE OR REPLACE VIEW key_facts AS
WITH keyed AS MATERIALIZED (
    SELECT a.key_id, a.fapp, a.request_site, a.app, a.auth,
           t.is_wiki, t.endpoint_id, t.api_version,
           t.path_space_key, t.path_space_id, t.path_content_id, q.query_space_keys, q.query_space_ids
    FROM attributed_keys AS a
    JOIN targets AS t ON t.target_id = a.target_id
    LEFT JOIN query_refs AS q ON q.qref_id = a.qref_id
),
refs AS MATERIALIZED (
    -- each distinct (site, references) with the number of references and, when it makes one, that one
    SELECT DISTINCT request_site, path_space_key, path_space_id, path_content_id, query_space_keys, query_space_ids,
           (path_space_key IS NOT NULL)::INTEGER + (path_space_id IS NOT NULL)::INTEGER
             + (path_content_id IS NOT NULL)::INTEGER + coalesce(len(query_space_keys), 0)
             + coalesce(len(query_space_ids), 0) AS n_refs,
           CASE WHEN path_space_key IS NOT NULL THEN 'key' WHEN path_space_id IS NOT NULL THEN 'id'
                WHEN path_content_id IS NOT NULL THEN 'content' WHEN query_space_keys IS NOT NULL THEN 'key'
                ELSE 'id' END AS ref_kind,
           coalesce(path_space_key, path_space_id, path_content_id, query_space_keys[1],
                    query_space_ids[1]) AS ref_value
    FROM keyed
    WHERE path_space_key IS NOT NULL OR path_space_id IS NOT NULL OR path_content_id IS NOT NULL
       OR query_space_keys IS NOT NULL OR query_space_ids IS NOT NULL
),
numbered AS MATERIALIZED (
    SELECT row_number() OVER () AS ref_id, * FROM refs
),
multi_refs AS MATERIALIZED (
    -- one row per (reference set, reference) for the few sets with several references
    SELECT ref_id, request_site, 'key' AS kind, path_space_key AS value
    FROM numbered WHERE n_refs > 1 AND path_space_key IS NOT NULL
    UNION ALL SELECT ref_id, request_site, 'id', path_space_id
    FROM numbered WHERE n_refs > 1 AND path_space_id IS NOT NULL
    UNION ALL SELECT ref_id, request_site, 'content', path_content_id
    FROM numbered WHERE n_refs > 1 AND path_content_id IS NOT NULL
    UNION ALL SELECT ref_id, request_site, 'key', unnest(query_space_keys)
    FROM numbered WHERE n_refs > 1 AND query_space_keys IS NOT NULL
    UNION ALL SELECT ref_id, request_site, 'id', unnest(query_space_ids)
    FROM numbered WHERE n_refs > 1 AND query_space_ids IS NOT NULL
),
distinct_refs AS (
    SELECT DISTINCT request_site, ref_kind AS kind, ref_value AS value FROM numbered WHERE n_refs = 1
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
           ON l.kind = f.kind AND l.value = CASE WHEN f.kind = 'key' THEN upper(f.value) ELSE f.value END
          AND (f.request_site IS NULL OR l.site IS NULL OR l.site = f.request_site)
    GROUP BY f.request_site, f.kind, f.value
),
multi AS (
    -- reference sets with several references: how many distinct spaces they name
    SELECT m.ref_id,
           count(DISTINCT s.token) AS n_spaces,
           bool_and(s.known) AS known,
           any_value(s.space_key) AS space_key, any_value(s.space_id) AS space_id,
           any_value(s.classification) AS classification, any_value(s.site) AS site
    FROM multi_refs AS m
    JOIN resolution AS s ON s.site_key = coalesce(m.request_site, '') AND s.kind = m.kind AND s.value = m.value
    GROUP BY m.ref_id
),
spaced AS (
    -- reference sets naming at least one space: how many, and which when one
    SELECT r.request_site, r.path_space_key, r.path_space_id, r.path_content_id, r.query_space_keys,
           r.query_space_ids,
           CASE WHEN r.n_refs = 1 THEN 1 ELSE coalesce(m.n_spaces, 0) END AS n_spaces,
           CASE WHEN r.n_refs = 1 THEN s.known ELSE m.known END AS known,
           CASE WHEN r.n_refs = 1 THEN s.space_key ELSE m.space_key END AS space_key,
           CASE WHEN r.n_refs = 1 THEN s.space_id ELSE m.space_id END AS space_id,
           CASE WHEN r.n_refs = 1 THEN s.classification ELSE m.classification END AS classification,
           CASE WHEN r.n_refs = 1 THEN s.site ELSE m.site END AS space_site
    FROM numbered AS r
    LEFT JOIN resolution AS s
           ON r.n_refs = 1 AND s.site_key = coalesce(r.request_site, '') AND s.kind = r.ref_kind
          AND s.value = r.ref_value
    LEFT JOIN multi AS m ON r.n_refs > 1 AND m.ref_id = r.ref_id
)
SELECT k.key_id, k.fapp, k.is_wiki, k.endpoint_id, k.api_version,
       e.blocked AS api_blocked, e.method AS endpoint_method, e.path AS endpoint_path, e.name AS endpoint_name,
       e.deprecated AS endpoint_deprecated,
       coalesce(k.request_site, CASE WHEN x.n_spaces = 1 THEN x.space_site END) AS site,
       k.app, k.auth,
       CASE WHEN x.n_spaces = 1 THEN 'space' ELSE 'site' END AS scope,
       CASE WHEN x.n_spaces = 1 THEN x.space_key END AS space_key,
       CASE WHEN x.n_spaces = 1 THEN x.space_id END AS space_id,
       CASE WHEN x.n_spaces = 1 THEN x.classification END AS classification,
       coalesce(x.n_spaces = 1 AND x.known, false) AS space_known,
       coalesce(x.n_spaces, 0)::BIGINT AS n_spaces
FROM keyed AS k
LEFT JOIN spaced AS x
       ON x.request_site IS NOT DISTINCT FROM k.request_site
      AND x.path_space_key IS NOT DISTINCT FROM k.path_space_key
      AND x.path_space_id IS NOT DISTINCT FROM k.path_space_id
      AND x.path_content_id IS NOT DISTINCT FROM k.path_content_id
      AND x.query_space_keys IS NOT DISTINCT FROM k.query_space_keys
      AND x.query_space_ids IS NOT DISTINCT FROM k.query_space_ids
LEFT JOIN endpoints AS e ON e.id = k.endpoint_id;

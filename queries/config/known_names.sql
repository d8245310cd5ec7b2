-- name: config/known_names
-- Every site, space (key or id), classification and app the workspace knows,
-- for catching typos in rules files and in --site/--app/--space filters: a
-- name that is in neither the inventory, the apps nor the traffic matches
-- nothing, so a rule naming it silently protects nothing.
-- One row per (kind, name, site): kind is site | space | classification | app;
-- `site` is the site a space or classification was seen on (NULL when unknown:
-- space keys and ids in paths and queries are kept without their host, which may
-- be the api.atlassian.com gateway rather than a site);
-- `source` is inventory, apps or traffic (the first that names it).
-- Traffic is read from the key tables (what requests name, once per distinct
-- value), never request by request.
WITH traffic AS (
    SELECT DISTINCT site, space_key, space_id, app FROM key_decisions
),
paths AS (
    SELECT DISTINCT path_space_key, path_space_id FROM targets WHERE is_wiki
),
query_keys AS (
    SELECT DISTINCT unnest(query_space_keys) AS space FROM query_refs WHERE query_space_keys IS NOT NULL
    UNION
    SELECT DISTINCT unnest(query_space_ids) FROM query_refs WHERE query_space_ids IS NOT NULL
),
names AS (
    SELECT 'site' AS kind, site AS name, NULL AS site, 1 AS source FROM sites
    UNION ALL SELECT 'site', site, NULL, 1 FROM spaces
    UNION ALL SELECT 'space', space_key, site, 1 FROM spaces
    UNION ALL SELECT 'space', space_id, site, 1 FROM spaces
    UNION ALL SELECT 'space', space_key, site, 1 FROM content
    UNION ALL SELECT 'space', space_id, site, 1 FROM content
    UNION ALL SELECT 'classification', classification, site, 1 FROM spaces
    UNION ALL SELECT 'classification', classification, site, 1 FROM content
    UNION ALL SELECT 'app', app_key, NULL, 2 FROM apps
    UNION ALL SELECT 'site', site, NULL, 3 FROM traffic
    UNION ALL SELECT 'space', space_key, site, 3 FROM traffic
    UNION ALL SELECT 'space', space_id, site, 3 FROM traffic
    UNION ALL SELECT 'app', app, NULL, 3 FROM traffic
    UNION ALL SELECT 'space', path_space_key, NULL, 3 FROM paths
    UNION ALL SELECT 'space', path_space_id, NULL, 3 FROM paths
    UNION ALL SELECT 'space', space, NULL, 3 FROM query_keys
)
SELECT kind, name, site,
       CASE min(source) WHEN 1 THEN 'inventory' WHEN 2 THEN 'apps' ELSE 'traffic' END AS source
FROM names
WHERE name IS NOT NULL AND name <> ''
GROUP BY kind, name, site
ORDER BY kind, name, site

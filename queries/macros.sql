-- name: macros
-- Scalar helpers shared by ingest, views and lookups. Stored in the workspace
-- (so the DuckDB CLI sees them) and recreated when appaccess changes them.

-- The `iss` claim of a JWT (Atlassian Connect's app key / client key).
-- Only the payload is decoded; the token and its signature are never kept.
CREATE OR REPLACE MACRO aa_jwt_iss(token) AS
    try(json_extract_string(
        decode(from_base64(
            translate(split_part(token, '.', 2), '-_', '+/')
            || repeat('=', (4 - length(split_part(token, '.', 2)) % 4) % 4))),
        '$.iss'));

-- Form-decode one query-string value ('+' is a space there, unlike in paths).
CREATE OR REPLACE MACRO aa_form_decode(value) AS
    try(url_decode(replace(value, '+', ' ')));

-- Values of the named query parameters, form-decoded.
CREATE OR REPLACE MACRO aa_query_values(query, pattern) AS
    list_transform(
        regexp_extract_all(query, '(?:^|&)(?:' || pattern || ')=([^&]*)', 1),
        lambda v: aa_form_decode(v));

-- The same, with comma-separated lists (space-id=1,2,3) split into items.
CREATE OR REPLACE MACRO aa_query_items(query, pattern) AS
    list_filter(
        flatten(list_transform(aa_query_values(query, pattern), lambda v: string_split(v, ','))),
        lambda v: trim(v) <> '');

-- Space keys a CQL expression pins: space = KEY, space.key = "KEY", space in (A, "B").
CREATE OR REPLACE MACRO aa_cql_space_keys(cql) AS
    list_transform(
        flatten([
            regexp_extract_all(cql, '(?i)(?:^|[^.\w])space(?:\.key)?\s*=\s*("[^"]*"|''[^'']*''|[^\s()"'']+)', 1),
            flatten(list_transform(
                regexp_extract_all(cql, '(?i)(?:^|[^.\w])space(?:\.key)?\s+in\s*\(([^)]*)\)', 1),
                lambda l: string_split(l, ',')))
        ]),
        lambda v: trim(trim(v), '"''')
    );

-- Space ids a CQL expression pins: space.id = 123, space.id in (1, 2).
CREATE OR REPLACE MACRO aa_cql_space_ids(cql) AS
    list_transform(
        flatten([
            regexp_extract_all(cql, '(?i)(?:^|[^.\w])space\.id\s*=\s*("[^"]*"|[^\s()"]+)', 1),
            flatten(list_transform(
                regexp_extract_all(cql, '(?i)(?:^|[^.\w])space\.id\s+in\s*\(([^)]*)\)', 1),
                lambda l: string_split(l, ',')))
        ]),
        lambda v: trim(trim(v), '"''')
    );

-- Space keys named by a query string: spaceKey / space-key parameters, a CQL
-- `cql` parameter, and the spaceKey of a `cqlcontext` JSON parameter.
CREATE OR REPLACE MACRO aa_query_space_keys(query) AS
    list_sort(list_distinct(list_filter(flatten([
        aa_query_items(query, 'spaceKey|space-key|spaceKeys'),
        flatten(list_transform(aa_query_values(query, 'cql'), lambda c: aa_cql_space_keys(c))),
        list_transform(
            list_filter(regexp_extract_all(query, '(?:^|&)cqlcontext=([^&]*)', 1), lambda c: c <> ''),
            lambda c: try(json_extract_string(aa_form_decode(c), '$.spaceKey')))
    ]), lambda v: v IS NOT NULL AND v <> '')));

-- Space ids named by a query string: space-id / spaceId parameters and CQL space.id.
CREATE OR REPLACE MACRO aa_query_space_ids(query) AS
    list_sort(list_distinct(list_filter(flatten([
        aa_query_items(query, 'space-id|spaceId|spaceIds'),
        flatten(list_transform(aa_query_values(query, 'cql'), lambda c: aa_cql_space_ids(c)))
    ]), lambda v: v IS NOT NULL AND v <> '')));

-- Length of the Confluence REST prefix a canonical path starts with, else NULL.
CREATE OR REPLACE MACRO aa_api_prefix_len(path) AS
    CASE WHEN starts_with(path, '/wiki/api/v2/') OR path = '/wiki/api/v2' THEN 12
         WHEN starts_with(path, '/wiki/rest/api/') OR path = '/wiki/rest/api' THEN 14
         WHEN starts_with(path, '/atlassian-connect/1/') THEN 20
    END;

-- The router's view of a path: the REST prefix kept, then every segment that
-- holds anything but letters, '_' or '-' (ids, encoded keys) replaced by '*'.
-- Literal segments of catalogue templates are all words, so nothing that could
-- match a literal is lost; words that are really parameters (space keys,
-- labels) stay and match {parameter} segments.
CREATE OR REPLACE MACRO aa_path_shape(path, prefix_len) AS
    CASE WHEN prefix_len IS NOT NULL
         THEN left(path, prefix_len)
              || regexp_replace(substr(path, prefix_len + 1), '/[^/]*[^A-Za-z/_-][^/]*', '/*', 'g')
    END;

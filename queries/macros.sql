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

-- A query string with credential-like parameter values masked (aa_mask_text,
-- generated from analyzer/data/secret_names.csv: jwt=, access_token=,
-- accessToken=, X-Amz-Signature=, client_secret=, os_password=, ;-parameters,
-- percent-encoded names, JWTs under any name...). What was there is not
-- stored; the JWT issuer is extracted before this runs.
CREATE OR REPLACE MACRO aa_redact_query(query) AS aa_mask_text(query);

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

-- The URL-decoded path segment at a 1-based position (a catalogue template's
-- space key / space id / content id parameter); NULL without a position.
CREATE OR REPLACE MACRO aa_path_param(path, pos) AS
    CASE WHEN pos IS NOT NULL THEN try(url_decode(split_part(path, '/', pos))) END;

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

-- A request's place in time order, as one number: its time, then its file and
-- line (earliest first; ties broken by file, then line). min() of it finds the
-- first request of a group at the cost of a plain minimum; aa_first_file and
-- aa_first_line read the file id and line back.
CREATE OR REPLACE MACRO aa_first_key(ts, file_id, line_no) AS
    ((epoch_us(ts)::HUGEINT + 9223372036854775808)::UHUGEINT << 64)
    | (file_id::UHUGEINT << 40) | line_no::UHUGEINT;

CREATE OR REPLACE MACRO aa_first_file(k) AS CAST((k >> 40) & 16777215 AS INTEGER);

CREATE OR REPLACE MACRO aa_first_line(k) AS CAST(k & 1099511627775 AS BIGINT);

-- -- Request targets: normalised the way the server does (README, "Which API") --

-- Confluence runs on Tomcat, whose request handling this follows: path
-- parameters (';' up to the next '/', "matrix parameters") are dropped before
-- anything else, percent-decoding comes next, then duplicate slashes are
-- merged and dot segments resolved. Only unreserved characters (RFC 3986:
-- letters, digits, '-', '.', '_', '~') are decoded here, so a path keeps its
-- segments and stays printable; every other escape keeps its meaning, spelled
-- with upper-case hex digits.
-- (A macro inlines its argument at each use: these name theirs once, in
-- `list_transform([arg], lambda p: ...)[1]`, so nesting them stays cheap.)

-- A path without its path parameters: /space/HR;x=1/content -> /space/HR/content.
CREATE OR REPLACE MACRO aa_strip_matrix(path) AS
    list_transform([path], lambda p: CASE WHEN contains(p, ';') THEN regexp_replace(p, ';[^/]*', '', 'g')
                                          ELSE p END)[1];

-- A path with its escapes of unreserved characters decoded (%48%52 -> HR, %2e -> .)
-- and the others spelled in upper case (%2f -> %2F). A '%' not followed by two hex
-- digits is kept as it is (Confluence refuses such a path: aa_target_problem).
CREATE OR REPLACE MACRO aa_decode_unreserved(path) AS
    list_transform([path], lambda p: CASE WHEN NOT contains(p, '%') THEN p ELSE
        list_transform([string_split(p, '%')], lambda parts: parts[1] || array_to_string(list_transform(parts[2:],
            lambda x: CASE WHEN NOT regexp_full_match(left(x, 2), '[0-9A-Fa-f]{2}') THEN '%' || x
                           WHEN regexp_full_match(upper(left(x, 2)), '3[0-9]|4[1-9A-F]|5[0-9A]|6[1-9A-F]|7[0-9A]|2D|2E|5F|7E')
                           THEN chr(('0x' || left(x, 2))::INTEGER) || substr(x, 3)
                           ELSE '%' || upper(left(x, 2)) || substr(x, 3) END), ''))[1]
    END)[1];

-- Duplicate slashes merged (tested first: a regex costs even when there is nothing to do).
CREATE OR REPLACE MACRO aa_merge_slashes(path) AS
    list_transform([path], lambda p: CASE WHEN contains(p, '//') THEN regexp_replace(p, '//+', '/', 'g')
                                          ELSE p END)[1];

-- A path with its dot segments resolved (/a/./b/../c -> /a/c); '..' at the root stays at
-- the root (RFC 3986; Confluence refuses it: aa_target_problem). Duplicate slashes must
-- be merged first.
CREATE OR REPLACE MACRO aa_resolve_dots(path) AS
    list_transform([path], lambda p: CASE WHEN NOT contains(p, '/.') THEN p
        ELSE array_to_string(list_reduce(string_split(p, '/'), lambda acc, s:
                 CASE WHEN s = '.' THEN acc
                      WHEN s = '..' THEN CASE WHEN len(acc) > 1 THEN acc[:-2] ELSE acc END
                      ELSE list_append(acc, s) END, []::VARCHAR[]), '/')
             || CASE WHEN ends_with(p, '/.') OR ends_with(p, '/..') THEN '/' ELSE '' END
    END)[1];

-- Whether dot segments climb above the root (/wiki/../../x).
CREATE OR REPLACE MACRO aa_dots_above_root(path) AS
    list_transform([path], lambda p: contains(p, '/..') AND list_reduce(string_split(p, '/'), lambda depth, s:
        CASE WHEN depth < 0 THEN depth WHEN s = '..' THEN depth - 1 WHEN s IN ('', '.') THEN depth
             ELSE depth + 1 END, 0) < 0)[1];

-- A path before its dot segments are resolved: path parameters dropped, unreserved
-- characters decoded, duplicate slashes merged.
CREATE OR REPLACE MACRO aa_clean_path(path) AS
    aa_merge_slashes(aa_decode_unreserved(aa_strip_matrix(path)));

-- A path as the server sees it before routing (aa_clean_path, then dot segments resolved).
CREATE OR REPLACE MACRO aa_normalise_path(path) AS
    aa_resolve_dots(aa_clean_path(path));

-- The path of a request target (an absolute URL or a path, query cut off already).
CREATE OR REPLACE MACRO aa_target_path(target) AS
    list_transform([target], lambda t: CASE WHEN starts_with(t, '/') THEN t
        ELSE regexp_extract(t, '^(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^/?#]*([^?#]*)', 1) END)[1];

-- Whether a normalised path is one Confluence answers (site or gateway form).
CREATE OR REPLACE MACRO aa_is_confluence_path(path) AS
    list_transform([path], lambda p: p = '/wiki' OR starts_with(p, '/wiki/') OR starts_with(p, '/ex/confluence/')
                                     OR starts_with(p, '/atlassian-connect/'))[1];

-- Why Confluence would refuse a request target (so it is rejected, not decided), else
-- NULL: a NUL character anywhere (no HTTP request holds one; JSON logs can spell it
-- \u0000); and in a Confluence path (before or after its dot segments are resolved): an
-- invalid or NUL escape (%zz, %4, %00), an encoded slash or backslash (%2F, %5C) or a
-- backslash, and dot segments above the root: Tomcat answers each with 400. `target` is
-- the whole target, query included; `raw_target` the part before the query (ingest/row_split).
CREATE OR REPLACE MACRO aa_target_problem(raw_target, target) AS
    CASE WHEN contains(target, chr(0)) THEN 'NUL character in the URL'
         ELSE list_transform([aa_target_path(raw_target)], lambda path:
             list_transform([aa_clean_path(path)], lambda clean:
                 CASE WHEN NOT aa_is_confluence_path(clean) AND NOT aa_is_confluence_path(aa_resolve_dots(clean))
                      THEN NULL
                      WHEN regexp_matches(path, '%(?:[^0-9A-Fa-f]|[0-9A-Fa-f](?:[^0-9A-Fa-f]|$)|$)')
                      THEN 'invalid percent-encoding in the URL path (Confluence answers 400)'
                      WHEN contains(path, '%00') THEN 'encoded NUL (%00) in the URL path (Confluence answers 400)'
                      WHEN regexp_matches(path, '(?i)%2f|%5c|\\')
                      THEN 'encoded slash or backslash in the URL path (Confluence answers 400)'
                      WHEN aa_dots_above_root(clean)
                      THEN 'dot segments above the root in the URL path (Confluence answers 400)'
                 END)[1])[1]
    END;

-- -- Helpers of the input formats (queries/formats/*.sql) ---------------------

-- An epoch number as a naive UTC TIMESTAMP; the unit is told by the magnitude:
-- seconds below 1e11 (year 5138), then milliseconds, microseconds, nanoseconds.
CREATE OR REPLACE MACRO aa_ts_epoch(x) AS
    try(make_timestamp(TRY_CAST(
        CASE WHEN abs(x) >= 1e17 THEN x / 1000
             WHEN abs(x) >= 1e14 THEN x
             WHEN abs(x) >= 1e11 THEN x * 1000
             ELSE x * 1000000 END AS BIGINT)));

-- ISO-8601 / RFC 3339 text as naive UTC. An offset after the seconds is
-- applied; 'Z' or no offset at all means UTC. (A plain cast to TIMESTAMP would
-- drop an offset, and a cast to TIMESTAMPTZ reads offset-less text in the
-- session time zone: hence the two branches.)
CREATE OR REPLACE MACRO aa_ts_iso(v) AS
    CASE WHEN length(v) > 19 AND (contains(substr(v, 20), '+') OR contains(substr(v, 20), '-'))
         THEN timezone('UTC', TRY_CAST(v AS TIMESTAMPTZ))
         ELSE TRY_CAST(v AS TIMESTAMP) END;

-- The NCSA time form 10/Oct/2026:13:55:36 -0700 (offset optional: UTC) as naive UTC.
CREATE OR REPLACE MACRO aa_ts_clf(v) AS
    coalesce(timezone('UTC', try_strptime(v, '%d/%b/%Y:%H:%M:%S %z')),
             try_strptime(v, '%d/%b/%Y:%H:%M:%S'));

-- Any of the timestamp spellings JSON and CSV logs use: epoch numbers (s, ms,
-- us, ns), the NCSA form, ISO-8601 with or without offset. NULL if none fits.
CREATE OR REPLACE MACRO aa_parse_ts(v) AS
    CASE WHEN v IS NULL OR v = '' THEN NULL
         WHEN TRY_CAST(v AS DOUBLE) IS NOT NULL THEN aa_ts_epoch(TRY_CAST(v AS DOUBLE))
         WHEN contains(v, '/') THEN aa_ts_clf(v)
         ELSE aa_ts_iso(v) END;

-- An address without its port: 10.0.0.1:5555 -> 10.0.0.1, [2001:db8::1]:443 ->
-- 2001:db8::1; a bare IPv6 address (several colons) is kept as it is.
CREATE OR REPLACE MACRO aa_strip_port(a) AS
    CASE WHEN starts_with(a, '[') THEN split_part(substr(a, 2), ']', 1)
         WHEN strpos(a, ':') > 0 AND NOT contains(substr(a, strpos(a, ':') + 1), ':') THEN split_part(a, ':', 1)
         ELSE a END;

-- The client address of a field that may hold a port or an X-Forwarded-For
-- list (the first entry is the original client); NULL for '' and '-'.
CREATE OR REPLACE MACRO aa_client_ip(v) AS
    NULLIF(NULLIF(aa_strip_port(trim(split_part(v, ',', 1))), ''), '-');

-- Why a Squid access-log entry is no HTTP request, NULL when it is one: the
-- transaction errors Squid logs with a pseudo-URL (error:transaction-end-before-headers
-- for connections closed before a request, error:invalid-request, ...), entries
-- without a method (NONE, -), and ICP/HTCP queries between caches (UDP_*).
CREATE OR REPLACE MACRO aa_squid_not_http(method, url, action) AS
    CASE WHEN starts_with(url, 'error:') THEN 'not an HTTP request: squid ' || left(url, 60)
         WHEN method IS NULL OR method IN ('NONE', '-', '')
             THEN 'not an HTTP request: squid logged no method (' || left(coalesce(action, '-'), 40) || ')'
         WHEN starts_with(method, 'ICP_') OR starts_with(method, 'HTCP_') OR starts_with(action, 'UDP_')
             THEN 'not an HTTP request: a cache-peer query (' || left(method, 20) || ')'
    END;

-- A JSON object without its top-level credential-looking keys, NULL when one
-- is still nested inside (the record's other fields are then lost rather than
-- a secret kept) or when it is no JSON object. Slow (lambdas): reach it only
-- through a screen (aa_safe_extra; ingest/row_split for every `extra`). Pass a
-- column, not an expression: a macro argument is evaluated at each use.
CREATE OR REPLACE MACRO aa_json_drop_secrets(doc) AS
    json_merge_patch(doc, to_json(map_from_entries(list_transform(
        list_filter(json_keys(doc), lambda k: aa_is_secret_name(k)),
        lambda k: {'key': k, 'value': NULL::JSON}))))::VARCHAR;

CREATE OR REPLACE MACRO aa_drop_secret_keys(doc) AS
    CASE WHEN NOT regexp_matches(doc, aa_secret_json_key_re()) THEN doc
         WHEN NOT json_valid(doc) OR json_type(doc) <> 'OBJECT' THEN NULL
         WHEN regexp_matches(aa_json_drop_secrets(doc), aa_secret_json_key_re()) THEN NULL
         ELSE aa_json_drop_secrets(doc) END;

-- `extra` without credential keys (aa_drop_secret_keys behind the cheap
-- screen), NULL when empty. Every stored `extra` goes through this and the
-- masking of credential values under other keys (a referer with ?jwt=) in
-- ingest/row_split; a format need not call it.
CREATE OR REPLACE MACRO aa_safe_extra(doc) AS
    NULLIF(CASE WHEN aa_secret_words_in(doc) THEN aa_drop_secret_keys(doc) ELSE doc END, '{}');

-- -- Personal data (appaccess ingest --redact-pii) ---------------------------

-- The stand-in for one e-mail address or Atlassian account id: a salted hash
-- (the salt is the workspace's own), so the same person always maps to the same
-- token and grouping still works, while the value itself is not stored.
CREATE OR REPLACE MACRO aa_pii_token(value, salt) AS
    CASE WHEN ends_with(lower(value), '@redacted.invalid') THEN value
         WHEN contains(value, '@') OR contains(lower(value), '%40')
         THEN 'u' || left(sha256(salt || replace(replace(replace(replace(replace(lower(value), '%40', '@'),
                   '%2b', '+'), '%2d', '-'), '%2e', '.'), '%5f', '_')), 15) || '@redacted.invalid'
         ELSE 'x' || left(sha256(salt || replace(lower(value), '%3a', ':')), 23) END;

-- Text with every e-mail address and Atlassian account id (24 hex digits, or
-- 123456:uuid; also inside personal space keys ~accountId) replaced by its token.
-- An address may be percent-encoded (jane.doe%2Btag%40acme.com): the escapes of
-- '+', '-', '.' and '_' belong to it, and it gets the token of its decoded form.
CREATE OR REPLACE MACRO aa_redact_pii(text, salt) AS
    CASE WHEN text IS NULL THEN NULL
         ELSE list_transform([CAST(text AS VARCHAR)], lambda t: list_reduce(
             list_prepend(t, flatten([
                 -- (an address starts after a separator or an escape: the 22 of %22 is no part of it)
                 regexp_extract_all(t, '(?i)(?:^|[^%0-9a-z._+-]|%[0-9a-f]{2})((?:[a-z0-9._+-]|%2[bde]|%5f)+'
                                       || '(?:@|%40)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})', 1),
                 regexp_extract_all(t,
                     '(?i)\b[0-9]{6}(?::|%3A)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b'
                     || '|\b[0-9a-f]{24}\b')])),
             lambda acc, m: replace(acc, m, aa_pii_token(m, salt))))[1]
    END;

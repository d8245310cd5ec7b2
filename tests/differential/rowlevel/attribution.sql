-- name: schema/attribution
-- Which app made each request, decided at query time from the identifiers in
-- apps.yaml (table app_identifiers) so that loading new apps needs no re-ingest.
-- Matching runs on the few distinct client identities (user agent, JWT issuer,
-- client id, basic-auth user, address, logged app key), then joins back.
-- Strongest identifier wins: logged app key, then jwt_iss / client_id, then
-- field, then basic_auth_user, then user_agent, then client_ip; then file order.

-- Address family of a textual IP (IPv4-mapped IPv6 counts as IPv4).
CREATE OR REPLACE MACRO aa_ip_family(ip) AS
    CASE WHEN ip IS NULL OR ip = '' THEN NULL
         WHEN regexp_full_match(ip, '(?i)(::ffff:)?\d{1,3}(\.\d{1,3}){3}') THEN 4
         WHEN regexp_full_match(ip, '(?i)\[?[0-9a-f:]*:[0-9a-f:]*(%[^\]]*)?\]?') THEN 6
    END;

-- The address as a number (IPv4: 32 bits, IPv6: 128 bits); NULL when not an address.
CREATE OR REPLACE MACRO aa_ipv4_num(ip) AS
    (SELECT CASE WHEN len(o) = 4 AND list_bool_and(list_transform(o, lambda x: TRY_CAST(x AS INTEGER) BETWEEN 0 AND 255))
                 THEN (o[1]::UHUGEINT << 24::UHUGEINT) + (o[2]::UHUGEINT << 16::UHUGEINT)
                      + (o[3]::UHUGEINT << 8::UHUGEINT) + o[4]::UHUGEINT END
     FROM (SELECT string_split(regexp_replace(ip, '(?i)^::ffff:', ''), '.') AS o));

CREATE OR REPLACE MACRO aa_ipv6_num(ip) AS
    (SELECT CASE WHEN len(g) = 8 AND list_bool_and(list_transform(g, lambda x: regexp_full_match(x, '[0-9a-fA-F]{1,4}')))
                 THEN list_reduce(list_transform(range(8), lambda i: ('0x' || g[i + 1])::UHUGEINT << (16 * (7 - i))::UHUGEINT),
                                  lambda a, b: a + b)
            END
     FROM (SELECT CASE WHEN len(h) = 1 THEN string_split(h[1], ':')
                       WHEN len(h) = 2 THEN
                           list_concat(
                               CASE WHEN h[1] = '' THEN [] ELSE string_split(h[1], ':') END,
                               list_transform(range(greatest(0, 8 - len(CASE WHEN h[1] = '' THEN [] ELSE string_split(h[1], ':') END)
                                                              - len(CASE WHEN h[2] = '' THEN [] ELSE string_split(h[2], ':') END))),
                                              lambda x: '0'),
                               CASE WHEN h[2] = '' THEN [] ELSE string_split(h[2], ':') END)
                  END AS g
           FROM (SELECT string_split(regexp_replace(ip, '^\[|%[^\]]*|\]$', '', 'g'), '::') AS h)));

CREATE OR REPLACE MACRO aa_ip_num(ip) AS
    CASE aa_ip_family(ip) WHEN 4 THEN aa_ipv4_num(ip)::UHUGEINT WHEN 6 THEN aa_ipv6_num(ip)::UHUGEINT END;

-- The requests to decide: all of them, or one slice (one file's lines from
-- aa_scope_line to aa_scope_line_to) when those variables are set. Every
-- decision depends only on its own request and the loaded apps, inventory and
-- rules, so deciding slice by slice gives the same answers as deciding all at
-- once, in bounded memory, and an ingest decides only the lines it stored.
CREATE OR REPLACE VIEW scoped_requests AS
SELECT * FROM requests
WHERE getvariable('aa_scope_file') IS NULL
   OR (file_id = getvariable('aa_scope_file') AND line_no >= getvariable('aa_scope_line')
       AND (getvariable('aa_scope_line_to') IS NULL OR line_no <= getvariable('aa_scope_line_to')));

-- Distinct client identities and the app each belongs to (NULL: no app matched).
CREATE OR REPLACE VIEW identity_apps AS
WITH ids AS (
    SELECT DISTINCT user_agent, jwt_iss, client_id, remote_user, client_ip, app_key
    FROM scoped_requests
),
addr AS (
    SELECT *, aa_ip_family(client_ip) AS ip_family, aa_ip_num(client_ip) AS ip_num FROM ids
),
candidates AS (
    SELECT d.user_agent, d.jwt_iss, d.client_id, d.remote_user, d.client_ip, d.app_key,
           i.app_key AS app, i.strength, a.ord
    FROM addr AS d
    JOIN app_identifiers AS i ON
           (i.kind = 'jwt_iss' AND d.jwt_iss = i.value)
        OR (i.kind = 'client_id' AND d.client_id = i.value)
        OR (i.kind = 'basic_auth_user' AND d.remote_user = i.value)
        OR (i.kind = 'user_agent' AND regexp_matches(d.user_agent, i.value))
        OR (i.kind = 'client_ip' AND d.ip_family = i.ip_family AND d.ip_num BETWEEN i.ip_lo AND i.ip_hi)
    JOIN apps AS a ON a.app_key = i.app_key
    UNION ALL
    -- A log that records the app key itself (e.g. a gateway's app id field).
    SELECT d.user_agent, d.jwt_iss, d.client_id, d.remote_user, d.client_ip, d.app_key,
           a.app_key, 0, a.ord
    FROM addr AS d JOIN apps AS a ON a.app_key = d.app_key
)
SELECT user_agent, jwt_iss, client_id, remote_user, client_ip, app_key,
       arg_min(app, {'strength': strength, 'ord': ord}) AS app,
       min(strength) AS strength
FROM candidates
GROUP BY ALL;

-- `field` identifiers: any stored column by name, else a key of the stored `extra` JSON.
CREATE OR REPLACE VIEW field_apps AS
WITH wanted AS (
    SELECT DISTINCT field FROM app_identifiers WHERE kind = 'field'
),
values_ AS (
    SELECT r.file_id, r.line_no, w.field,
           CASE w.field
               WHEN 'host' THEN r.host WHEN 'method' THEN r.method WHEN 'path' THEN r.path
               WHEN 'query' THEN r.query WHEN 'status' THEN CAST(r.status AS VARCHAR)
               WHEN 'client_ip' THEN r.client_ip WHEN 'user_agent' THEN r.user_agent
               WHEN 'remote_user' THEN r.remote_user WHEN 'jwt_iss' THEN r.jwt_iss
               WHEN 'client_id' THEN r.client_id WHEN 'app_key' THEN r.app_key WHEN 'cloud_id' THEN r.cloud_id
               ELSE json_extract_string(r.extra, '$."' || replace(w.field, '"', '\"') || '"')
           END AS value
    FROM scoped_requests AS r CROSS JOIN wanted AS w
)
SELECT v.file_id, v.line_no, arg_min(i.app_key, a.ord) AS app
FROM values_ AS v
JOIN app_identifiers AS i ON i.kind = 'field' AND i.field = v.field AND i.value = v.value
JOIN apps AS a ON a.app_key = i.app_key
GROUP BY v.file_id, v.line_no;

-- Every request with its site and app. Site: the host, or for gateway calls
-- (api.atlassian.com/ex/confluence/{cloudId}) the site whose cloud id it is.
CREATE OR REPLACE VIEW attributed_requests AS
SELECT r.*,
       CASE WHEN r.cloud_id IS NOT NULL OR r.host IS NULL OR r.host = 'api.atlassian.com' THEN s.site
            ELSE r.host END AS request_site,
       CASE WHEN ia.strength <= 1 THEN ia.app ELSE coalesce(fa.app, ia.app) END AS app,
       a.auth
FROM scoped_requests AS r
LEFT JOIN sites AS s ON s.cloud_id = r.cloud_id
LEFT JOIN identity_apps AS ia
       ON ia.user_agent IS NOT DISTINCT FROM r.user_agent AND ia.jwt_iss IS NOT DISTINCT FROM r.jwt_iss
      AND ia.client_id IS NOT DISTINCT FROM r.client_id AND ia.remote_user IS NOT DISTINCT FROM r.remote_user
      AND ia.client_ip IS NOT DISTINCT FROM r.client_ip AND ia.app_key IS NOT DISTINCT FROM r.app_key
LEFT JOIN field_apps AS fa ON fa.file_id = r.file_id AND fa.line_no = r.line_no
LEFT JOIN apps AS a ON a.app_key = (CASE WHEN ia.strength <= 1 THEN ia.app ELSE coalesce(fa.app, ia.app) END);

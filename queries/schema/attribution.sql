-- name: schema/attribution
-- Which app made each request, from the identifiers in apps.yaml (table
-- app_identifiers), so that loading new apps needs no re-ingest. Matching runs
-- once per distinct client identity (user agent, JWT issuer, client id,
-- basic-auth user, address, logged app key: table `identities`); `field`
-- identifiers name a value of the request itself and are matched per request
-- into `field_app_rows` (queries/ingest/field_apps.sql), only when apps.yaml
-- has any. Strongest identifier wins: logged app key, then jwt_iss /
-- client_id, then field, then basic_auth_user, then user_agent, then
-- client_ip; then file order.

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

-- Each distinct client identity and the app it belongs to (NULL: no app matched).
CREATE OR REPLACE VIEW identity_apps AS
WITH addr AS (
    -- an address logged with its port ([2001:db8::2]:443, 10.0.0.1:5555) is the address
    SELECT *, aa_ip_family(aa_strip_port(client_ip)) AS ip_family, aa_ip_num(aa_strip_port(client_ip)) AS ip_num
    FROM identities
),
candidates AS (
    SELECT d.identity_id, i.app_key AS app, i.strength, a.ord
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
    SELECT d.identity_id, a.app_key, 0, a.ord
    FROM addr AS d JOIN apps AS a ON a.app_key = d.app_key
)
SELECT identity_id,
       arg_min(app, {'strength': strength, 'ord': ord}) AS app,
       min(strength) AS strength
FROM candidates
GROUP BY identity_id;

-- Every (request key, field app) pair that stored requests hold: each key
-- with no field app (''), and the few keys some of whose requests a `field`
-- identifier claims. Decisions are made per pair (and policy epoch).
CREATE OR REPLACE VIEW key_pairs AS
SELECT key_id, '' AS fapp FROM request_keys
UNION
SELECT DISTINCT key_id, app FROM field_app_rows;

-- Each pair with its site and app. Site: the host, or for gateway calls
-- (api.atlassian.com/ex/confluence/{cloudId}) the site whose cloud id it is.
-- A field app wins over identifiers weaker than it (user agent, address...).
CREATE OR REPLACE VIEW attributed_keys AS
SELECT p.key_id, p.fapp, k.target_id, k.identity_id, k.qref_id,
       CASE WHEN t.cloud_id IS NOT NULL OR t.host IS NULL OR t.host = 'api.atlassian.com' THEN s.site
            ELSE t.host END AS request_site,
       CASE WHEN ia.strength <= 1 THEN ia.app ELSE coalesce(NULLIF(p.fapp, ''), ia.app) END AS app,
       a.auth
FROM key_pairs AS p
JOIN request_keys AS k ON k.key_id = p.key_id
JOIN targets AS t ON t.target_id = k.target_id
LEFT JOIN sites AS s ON s.cloud_id = t.cloud_id
LEFT JOIN identity_apps AS ia ON ia.identity_id = k.identity_id
LEFT JOIN apps AS a ON a.app_key = (CASE WHEN ia.strength <= 1 THEN ia.app ELSE coalesce(NULLIF(p.fapp, ''), ia.app) END);

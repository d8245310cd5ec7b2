-- name: ingest/row_split
-- The per-request part of normalising a parsed row, kept as cheap as it can
-- be because it runs once per line: the request target is cut at its query
-- string (the part before is normalised once per distinct value, see
-- ingest/split_target); the JWT issuer and the basic-auth user are taken from
-- an Authorization value (the credential itself is dropped here) or a jwt=
-- parameter. Then every text stored per request - the query, `extra` (its
-- credential-looking keys dropped: aa_drop_secret_keys) and a reject's reason
-- - is masked by the one policy of aa_mask_text (credential-like parameters
-- and keys, Authorization values, JWTs, URL userinfo; see SECURITY.md),
-- behind a cheap screen for texts without anything suspicious. Paths and user
-- agents are masked once per distinct value, when they are interned. The
-- space keys and ids a query names (spaceKey, space-id, CQL) are read only
-- from queries that mention a space. For an absolute URL the query ends at a
-- fragment ('#'), which is dropped; a path keeps anything after its first '?'
-- as its query. With --redact-pii ($salt not NULL) the query, `extra` and
-- reject reasons have e-mail addresses and account ids replaced by tokens
-- (identities and query space keys are redacted once per distinct value,
-- when they are interned).
-- A target Confluence would refuse (a NUL character, an invalid or NUL escape, an
-- encoded slash, dot segments above the root: aa_target_problem) makes the row a
-- reject with the reason; the check runs only on the few targets holding '%', a
-- backslash, '/.' or NUL.
-- Input: relation `parsed` (ingest/check_parsed). Param: $salt (text or NULL).
-- Output: one row per parsed row; `reject_reason` is non-NULL for rows to reject.
WITH c AS (
    SELECT *,
           starts_with(target, '/') AS relative,
           strpos(target, '?') AS qpos,
           CASE WHEN starts_with(target, '/') THEN 0 ELSE strpos(target, '#') END AS hpos
    FROM parsed
),
q AS (
    SELECT * EXCLUDE (relative, qpos, hpos),
           CASE WHEN hpos = 0 THEN qpos WHEN qpos = 0 THEN hpos ELSE least(qpos, hpos) END AS cut,
           CASE WHEN cut > 0 THEN left(target, cut - 1) ELSE target END AS raw_target,
           CASE WHEN cut > 0 AND cut = qpos
                THEN CASE WHEN relative THEN substr(target, qpos + 1)
                          ELSE NULLIF(split_part(substr(target, qpos + 1), '#', 1), '') END
           END AS query_raw
    FROM c
),
m AS (
    SELECT *,
           aa_redact_query(query_raw) AS masked_query,
           aa_mask_text(reject_reason) AS masked_reason,
           aa_secret_words_in(extra) AS extra_suspect,  -- one screen serves both steps below
           CASE WHEN extra_suspect THEN aa_drop_secret_keys(extra) ELSE extra END AS kept_extra
    FROM q
),
x AS (
    SELECT *, NULLIF(CASE WHEN extra_suspect THEN aa_mask_screened(kept_extra) ELSE kept_extra END, '{}')
              AS masked_extra
    FROM m
)
SELECT
    line_no,
    CASE WHEN masked_reason IS NOT NULL
         THEN CASE WHEN $salt IS NULL THEN masked_reason ELSE aa_redact_pii(masked_reason, $salt) END
         WHEN contains(raw_target, '%') OR contains(raw_target, '/.') OR contains(raw_target, '\')
              OR contains(target, chr(0))
         THEN aa_target_problem(raw_target, target) END AS reject_reason,
    ts,
    method,
    host,
    raw_target,
    CASE WHEN $salt IS NULL THEN masked_query ELSE aa_redact_pii(masked_query, $salt) END AS query,
    status::SMALLINT AS status,
    bytes,
    duration_ms,
    client_ip,
    user_agent,
    coalesce(remote_user, CASE WHEN starts_with(lower(auth_header), 'basic ')
        THEN NULLIF(split_part(try(decode(from_base64(trim(substr(auth_header, 7))))), ':', 1), '') END) AS remote_user,
    coalesce(jwt_iss,
        CASE WHEN starts_with(lower(auth_header), 'jwt ') THEN aa_jwt_iss(trim(substr(auth_header, 5))) END,
        CASE WHEN query_raw IS NOT NULL AND contains(query_raw, 'jwt=')
             THEN aa_jwt_iss(regexp_extract(query_raw, '(?:^|&)jwt=([^&]*)', 1)) END) AS jwt_iss,
    client_id,
    app_key,
    CASE WHEN $salt IS NULL THEN masked_extra ELSE aa_redact_pii(masked_extra, $salt) END AS extra,
    CASE WHEN query_raw IS NOT NULL AND contains(lower(query_raw), 'space')
         THEN NULLIF(aa_query_space_keys(query_raw), []) END AS query_space_keys,
    CASE WHEN query_raw IS NOT NULL AND contains(lower(query_raw), 'space')
         THEN NULLIF(aa_query_space_ids(query_raw), []) END AS query_space_ids
FROM x

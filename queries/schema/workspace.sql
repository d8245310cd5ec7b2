-- name: schema/workspace
-- The workspace tables (schema version 2). Idempotent: safe to run on an
-- existing workspace. Views live in queries/schema/views.sql.

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- The endpoint catalogue, copied from analyzer/catalog/data/endpoints.csv.
CREATE TABLE IF NOT EXISTS endpoints (
    id                SMALLINT PRIMARY KEY,
    method            VARCHAR NOT NULL,
    path              VARCHAR NOT NULL,
    version           TINYINT NOT NULL,
    "group"           VARCHAR,
    name              VARCHAR,
    blocked           BOOLEAN NOT NULL,
    deprecated        BOOLEAN NOT NULL,
    source            VARCHAR NOT NULL,
    operation_id      VARCHAR,
    spec_exempt       BOOLEAN,
    space_key_param   VARCHAR,
    space_id_param    VARCHAR,
    content_id_param  VARCHAR,
    -- 1-based positions of those parameters in split_part(path, '/', n)
    space_key_pos     TINYINT,
    space_id_pos      TINYINT,
    content_id_pos    TINYINT,
    n_segments        TINYINT NOT NULL,
    segments          VARCHAR[] NOT NULL,
    -- '0' per literal segment, '1' per parameter: the smallest wins a tie, so
    -- /content/search beats /content/{id} and /group/by-name beats /group/{groupName}
    specificity       VARCHAR NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1;

-- One row per ingested source file; what makes re-ingest incremental.
CREATE TABLE IF NOT EXISTS files (
    file_id          INTEGER PRIMARY KEY,
    path             VARCHAR NOT NULL,
    inode            BIGINT,             -- with path: tells a rotated file from one edited in place
    format           VARCHAR NOT NULL,
    compression      VARCHAR NOT NULL,
    head_hash        VARCHAR NOT NULL,   -- blake2b of the first 64 KiB ingested
    prefix_hash      VARCHAR NOT NULL,   -- blake2b of every byte ingested so far
    bytes_ingested   BIGINT NOT NULL,    -- (decompressed) bytes covered by prefix_hash
    lines_read       BIGINT NOT NULL,
    rows_stored      BIGINT NOT NULL,
    rows_rejected    BIGINT NOT NULL,
    rows_skipped     BIGINT NOT NULL,    -- header and directive lines (CSV, W3C)
    unterminated     BOOLEAN NOT NULL,   -- last line had no newline (may still grow)
    tail_offset      BIGINT NOT NULL,    -- where that last line starts, to take it back
    options          VARCHAR,            -- JSON: field mapping, custom format
    first_ingested   TIMESTAMP NOT NULL,
    last_ingested    TIMESTAMP NOT NULL
);

-- Storage is keyed: what many requests share is stored once, in key tables,
-- and each request (a *fact*) keeps only what is its own plus the id of its
-- request key. Routing, attribution and decisions run once per key, never per
-- row. The `requests` and `decisions` views (queries/schema/views.sql) join
-- them back into one row per request.

CREATE SEQUENCE IF NOT EXISTS target_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS identity_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS qref_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS key_id_seq START 1;

-- Distinct normalised request targets (method, host, gateway cloud id, path)
-- with their route in the catalogue and the space key / space id / content id
-- their path names (URL-decoded).
CREATE TABLE IF NOT EXISTS targets (
    target_id        INTEGER NOT NULL,
    method           VARCHAR,
    host             VARCHAR,
    cloud_id         VARCHAR,
    path             VARCHAR,
    api_version      TINYINT,            -- 1 or 2 for a Confluence REST prefix
    is_wiki          BOOLEAN NOT NULL,   -- path under /wiki (or the Connect API)
    shape            VARCHAR,            -- the router's view of the path (aa_path_shape)
    route_method     VARCHAR NOT NULL,   -- the method routed (HEAD as GET)
    endpoint_id      SMALLINT,           -- NULL: not catalogued
    path_space_key   VARCHAR,
    path_space_id    VARCHAR,
    path_content_id  VARCHAR
);

-- Distinct client identities: what apps.yaml identifiers match.
CREATE TABLE IF NOT EXISTS identities (
    identity_id  INTEGER NOT NULL,
    user_agent   VARCHAR,
    jwt_iss      VARCHAR,
    client_id    VARCHAR,
    remote_user  VARCHAR,
    client_ip    VARCHAR,
    app_key      VARCHAR
);

-- Distinct sets of spaces a query string names (spaceKey, space-id, CQL).
CREATE TABLE IF NOT EXISTS query_refs (
    qref_id           INTEGER NOT NULL,
    query_space_keys  VARCHAR[],
    query_space_ids   VARCHAR[]
);

-- Request keys: what a decision depends on besides time (and per-row field
-- identifiers): a target, an identity and the spaces its query names.
CREATE TABLE IF NOT EXISTS request_keys (
    key_id       INTEGER NOT NULL,
    target_id    INTEGER NOT NULL,
    identity_id  INTEGER NOT NULL,
    qref_id      INTEGER            -- NULL: the query names no space
);

-- One row per stored request: only what is its own. Timestamps are UTC.
CREATE TABLE IF NOT EXISTS facts (
    file_id      INTEGER NOT NULL,
    line_no      BIGINT NOT NULL,
    ts           TIMESTAMP NOT NULL,
    key_id       INTEGER NOT NULL,
    status       SMALLINT,
    bytes        BIGINT,
    duration_ms  DOUBLE,
    query        VARCHAR,            -- credentials masked
    extra        VARCHAR             -- JSON of other source fields (credentials removed)
);

-- The requests of each file counted per request key, day and status: what
-- reports read instead of every fact (days that a policy window or a report's
-- --since/--until cuts are counted from the facts themselves). Written at the
-- end of each file's ingest, in the same transaction.
CREATE TABLE IF NOT EXISTS fact_days (
    file_id     INTEGER NOT NULL,
    key_id      INTEGER NOT NULL,
    day         DATE NOT NULL,
    status      SMALLINT,
    n           BIGINT NOT NULL,
    first_seen  TIMESTAMP NOT NULL,
    last_seen   TIMESTAMP NOT NULL,
    first_line  BIGINT NOT NULL      -- the group's first request in the file (earliest, then lowest line)
);

-- Requests an apps.yaml `field` identifier claims (a field's value is the
-- row's own, e.g. a key of `extra`): refreshed with the apps and each ingest.
CREATE TABLE IF NOT EXISTS field_app_rows (
    file_id  INTEGER NOT NULL,
    line_no  BIGINT NOT NULL,
    key_id   INTEGER NOT NULL,
    app      VARCHAR NOT NULL
);

-- Every line that did not become a request, with the reason.
CREATE TABLE IF NOT EXISTS rejects (
    file_id  INTEGER NOT NULL,
    line_no  BIGINT NOT NULL,
    reason   VARCHAR NOT NULL,
    raw      VARCHAR            -- bounded, credentials masked
);

-- Apps and how to recognise them in traffic (apps.yaml).
CREATE TABLE IF NOT EXISTS apps (
    app_key   VARCHAR PRIMARY KEY,
    name      VARCHAR,
    auth      VARCHAR,          -- connect | forge | oauth2 | api_token | NULL
    ord       INTEGER NOT NULL  -- file order, the last tie-breaker
);

CREATE TABLE IF NOT EXISTS app_identifiers (
    app_key   VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL, -- jwt_iss | client_id | field | basic_auth_user | user_agent | client_ip
    field     VARCHAR,          -- for kind = field: the field name
    value     VARCHAR NOT NULL, -- literal, regex (user_agent) or address/CIDR (client_ip)
    strength  TINYINT NOT NULL, -- 1 strongest (jwt_iss, client_id) .. 5 weakest (client_ip)
    ip_family TINYINT,          -- client_ip: 4 or 6
    ip_lo     UHUGEINT,         -- client_ip: first address of the range as a number
    ip_hi     UHUGEINT
);

-- Inventory: sites, spaces, content.
CREATE TABLE IF NOT EXISTS sites (
    site      VARCHAR PRIMARY KEY,  -- host name, e.g. acme.atlassian.net
    cloud_id  VARCHAR
);

CREATE TABLE IF NOT EXISTS spaces (
    space_id        VARCHAR,
    space_key       VARCHAR,
    name            VARCHAR,
    site            VARCHAR,
    classification  VARCHAR
);

CREATE TABLE IF NOT EXISTS content (
    content_id      VARCHAR NOT NULL,
    content_type    VARCHAR,
    space_id        VARCHAR,
    space_key       VARCHAR,
    site            VARCHAR,
    classification  VARCHAR
);

-- Data security policies (rules.yaml). `policy_set` separates the active rules
-- ('active') from proposals replayed by `appaccess simulate`.
CREATE TABLE IF NOT EXISTS policies (
    policy_set     VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    site           VARCHAR,
    status         VARCHAR NOT NULL,   -- active | draft | disabled
    active_from    TIMESTAMP,
    active_until   TIMESTAMP,
    coverage       VARCHAR NOT NULL,   -- all_spaces | spaces | classification
    mode           VARCHAR NOT NULL,   -- block_all | allowlist | blocklist
    ord            INTEGER NOT NULL,
    PRIMARY KEY (policy_set, name)
);

CREATE TABLE IF NOT EXISTS policy_spaces (
    policy_set  VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    space       VARCHAR NOT NULL      -- a space key or a space id
);

CREATE TABLE IF NOT EXISTS policy_classifications (
    policy_set      VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    classification  VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS policy_apps (
    policy_set  VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    app_key     VARCHAR NOT NULL
);

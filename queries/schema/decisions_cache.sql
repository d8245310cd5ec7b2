-- name: schema/decisions_cache
-- The stored decisions under the active rules: one row per (request key,
-- field app, interval of time with one outcome), with everything reports need
-- about the key (site, app, space, endpoint). A few hundred thousand rows at
-- most, whatever the number of requests: refreshed whole in milliseconds in
-- the same transaction as every change to what decisions depend on, and for
-- an ingest only for the keys it added. `kd_id` names a row, so that reports
-- can count requests per decision row before joining anything else.
CREATE OR REPLACE SEQUENCE kd_id_seq START 1;

CREATE OR REPLACE TABLE key_decisions (
    kd_id                INTEGER NOT NULL,
    key_id               INTEGER NOT NULL,
    fapp                 VARCHAR NOT NULL,   -- '' or the app a field identifier names
    starts               TIMESTAMP NOT NULL,
    ends                 TIMESTAMP NOT NULL,
    site                 VARCHAR,
    app                  VARCHAR,
    auth                 VARCHAR,
    scope                VARCHAR,
    space_key            VARCHAR,
    space_id             VARCHAR,
    classification       VARCHAR,
    space_known          BOOLEAN,
    n_spaces             BIGINT,
    is_wiki              BOOLEAN,
    endpoint_id          SMALLINT,
    api_version          TINYINT,
    api_blocked          BOOLEAN,
    endpoint_method      VARCHAR,
    endpoint_path        VARCHAR,
    endpoint_name        VARCHAR,
    endpoint_deprecated  BOOLEAN,
    decision             VARCHAR NOT NULL,
    policy               VARCHAR,
    exempt_by            VARCHAR
);

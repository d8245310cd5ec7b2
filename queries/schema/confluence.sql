-- name: schema/confluence
-- Tables of the Confluence connector (`appaccess inventory fetch`) and of Confluence's own
-- view of coverage (`appaccess inventory load` of a GET /wiki/api/v2/data-policies/spaces
-- response). What is fetched lands in the inventory tables (sites, spaces, content); these
-- keep the fetch state, so an interrupted fetch resumes without repeating a call and ids
-- Confluence does not know are not asked for again. Idempotent: run on every writable open.

-- One row per site: its current (or last) fetch run.
CREATE TABLE IF NOT EXISTS confluence_fetches (
    site          VARCHAR PRIMARY KEY,  -- host name, e.g. acme.atlassian.net
    run_started   TIMESTAMP NOT NULL,   -- identifies the run
    spaces_next   VARCHAR,              -- path + query of the next page of spaces still to get
    spaces_done   BOOLEAN NOT NULL,     -- every page of spaces of this run is stored
    classified    BOOLEAN,              -- the site has classification levels; NULL: not asked yet
    calls         BIGINT NOT NULL,      -- calls made by this run so far
    finished      TIMESTAMP             -- NULL while the run is incomplete (the next fetch resumes it)
);

-- Idempotent calls of the current run already answered (e.g. 'classification:98311'), so a
-- resumed run does not make them again. Cleared when the run finishes.
CREATE TABLE IF NOT EXISTS confluence_fetch_calls (
    site         VARCHAR NOT NULL,
    run_started  TIMESTAMP NOT NULL,
    call         VARCHAR NOT NULL
);

-- What the space listing says beyond the spaces table: type and status.
CREATE TABLE IF NOT EXISTS confluence_spaces (
    site        VARCHAR NOT NULL,
    space_id    VARCHAR NOT NULL,
    space_type  VARCHAR,                -- global | collaboration | knowledge_base | personal
    status      VARCHAR,                -- current | archived
    fetched_at  TIMESTAMP NOT NULL
);

-- Content ids seen in traffic that are not (yet) in `content`:
--   tried         look-ups that answered "not this" (e.g. 'pages', 'attachment'), so a resumed
--                 fetch goes on with the next one
--   state         'missing'  no look-up knows the id (deleted, or not visible to the account)
--                 'pending'  found, its space comes from its container (parent_id), not fetched yet
--                 'no_space' found, but no space can be told (no container, or the container is missing)
CREATE TABLE IF NOT EXISTS confluence_content_state (
    site          VARCHAR NOT NULL,
    content_id    VARCHAR NOT NULL,
    state         VARCHAR,              -- NULL while look-ups remain
    content_type  VARCHAR,
    parent_id     VARCHAR,
    parent_type   VARCHAR,
    tried         VARCHAR[] NOT NULL,
    checked_at    TIMESTAMP NOT NULL
);

-- Confluence's own view of coverage, as an app sees it: the spaces of a saved
-- GET /wiki/api/v2/data-policies/spaces response with dataPolicy.anyContentBlocked.
CREATE TABLE IF NOT EXISTS data_policy_spaces (
    site                 VARCHAR,       -- from the response's _links.base; NULL when absent
    space_id             VARCHAR,
    space_key            VARCHAR,
    name                 VARCHAR,
    any_content_blocked  BOOLEAN,
    source               VARCHAR,       -- the file it was loaded from
    loaded_at            TIMESTAMP NOT NULL
);

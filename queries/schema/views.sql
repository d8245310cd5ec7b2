-- name: schema/views
-- Views over the workspace tables (decisions etc.); recreated on every open.
SELECT 1;

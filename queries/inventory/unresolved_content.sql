-- name: inventory/unresolved_content
-- Content ids that one site's traffic references and the inventory does not know: what
-- `appaccess inventory fetch` resolves. The site's traffic is the requests to its host, the
-- gateway requests with its cloud id, and requests without a host or cloud id (bare paths).
-- Each id comes with a type hint from the endpoint it was called on (v2 /pages/{id} is a
-- page; v1 /content/{id} gives none) and the look-ups already tried. Containers of content
-- found without a space (an attachment's page, a comment's page) are included, hinted with
-- their type. Ids already settled (missing, without a space, waiting for their container)
-- are left out. Busiest ids first.
-- Params: $site (host name), $cloud_id (text or NULL).
WITH traffic AS (
    SELECT r.path_content_id AS content_id,
           CASE WHEN e.version = 2 THEN CASE split_part(e.path, '/', 5)
               WHEN 'pages' THEN 'page' WHEN 'blogposts' THEN 'blogpost'
               WHEN 'custom-content' THEN 'custom_content' WHEN 'attachments' THEN 'attachment'
               WHEN 'footer-comments' THEN 'footer_comment' WHEN 'inline-comments' THEN 'inline_comment'
               WHEN 'comments' THEN 'comment' WHEN 'whiteboards' THEN 'whiteboard'
               WHEN 'databases' THEN 'database' WHEN 'folders' THEN 'folder' WHEN 'embeds' THEN 'embed'
           END END AS hint,
           count(*) AS requests
    FROM requests AS r
    LEFT JOIN endpoints AS e ON e.id = r.endpoint_id
    WHERE r.path_content_id IS NOT NULL
      AND (lower(r.host) = lower($site)
           OR ($cloud_id IS NOT NULL AND lower(r.cloud_id) = lower($cloud_id))
           OR (r.host IS NULL AND r.cloud_id IS NULL))
    GROUP BY ALL
),
candidates AS (
    SELECT content_id, hint, requests, 0 AS is_container FROM traffic
    UNION ALL
    SELECT parent_id, parent_type, 0, 1
    FROM confluence_content_state
    WHERE site = $site AND state = 'pending' AND parent_id IS NOT NULL
),
ids AS (
    SELECT content_id,
           -- a container's own type beats a traffic hint; among traffic hints the most used wins
           arg_max(hint, {'c': is_container, 'n': requests}) FILTER (WHERE hint IS NOT NULL) AS hint,
           sum(requests) AS requests
    FROM candidates
    GROUP BY content_id
)
SELECT i.content_id, i.hint, coalesce(s.tried, []::VARCHAR[]) AS tried, i.requests
FROM ids AS i
LEFT JOIN confluence_content_state AS s ON s.site = $site AND s.content_id = i.content_id
WHERE s.state IS NULL
  AND NOT EXISTS (SELECT 1 FROM content AS c
                  WHERE c.content_id = i.content_id AND (c.site IS NULL OR c.site = $site))
ORDER BY i.requests DESC, i.content_id

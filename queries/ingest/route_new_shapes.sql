-- name: ingest/route_new_shapes
-- Route the (method, path shape) pairs of a batch that the workspace has not
-- seen before, and remember the answer in route_cache. A shape keeps literal
-- words and turns every segment holding a digit or punctuation into '*', so a
-- million requests to /content/{id} share one shape and are routed once.
-- A template segment matches a shape segment when it is a {parameter} or the
-- same literal; among matching templates the one with literals furthest left
-- wins (endpoints.specificity), so /content/search is not /content/{id}.
-- Input: relation `batch` with columns route_method, shape. Output: the new
-- route_cache rows (the caller inserts them).
WITH fresh AS (
    SELECT DISTINCT b.route_method AS method, b.shape
    FROM batch AS b
    WHERE b.shape IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM route_cache AS r WHERE r.method = b.route_method AND r.shape = b.shape)
),
shape_segments AS (
    SELECT method, shape, string_split(shape, '/') AS segs FROM fresh
),
candidates AS (
    SELECT s.method, s.shape, e.id, e.specificity
    FROM shape_segments AS s
    JOIN endpoints AS e ON e.method = s.method AND e.n_segments = len(s.segs)
    WHERE list_bool_and(list_transform(list_zip(e.segments, s.segs),
                                       lambda z: z[1] = z[2] OR starts_with(z[1], '{')))
)
SELECT f.method, f.shape, arg_min(c.id, c.specificity) AS endpoint_id
FROM fresh AS f
LEFT JOIN candidates AS c ON c.method = f.method AND c.shape = f.shape
GROUP BY f.method, f.shape

-- name: ingest/route_shapes
-- Route (method, path shape) pairs to catalogue endpoints. A shape keeps
-- literal words and turns every segment holding a digit or punctuation into
-- '*', so a million requests to /content/{id} share one shape and are routed
-- once. A template segment matches a shape segment when it is a {parameter} or
-- the same literal; among matching templates the one with literals furthest
-- left wins (endpoints.specificity), so /content/search is not /content/{id}.
-- Input: relation `shapes(method, shape)`, distinct. Output: method, shape,
-- endpoint_id (NULL: not catalogued).
WITH shape_segments AS (
    SELECT method, shape, string_split(shape, '/') AS segs FROM shapes WHERE shape IS NOT NULL
),
candidates AS (
    SELECT s.method, s.shape, e.id, e.specificity
    FROM shape_segments AS s
    JOIN endpoints AS e ON e.method = s.method AND e.n_segments = len(s.segs)
    WHERE list_bool_and(list_transform(list_zip(e.segments, s.segs),
                                       lambda z: z[1] = z[2] OR starts_with(z[1], '{')))
)
SELECT f.method, f.shape, arg_min(c.id, c.specificity) AS endpoint_id
FROM shapes AS f
LEFT JOIN candidates AS c ON c.method = f.method AND c.shape = f.shape
GROUP BY f.method, f.shape

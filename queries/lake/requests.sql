-- name: lake/requests
-- One row per stored request: the `requests/` part of a lake. Every column of
-- the `decisions` view (routing, attribution, space, the decision under the
-- active rules), the file's path, the columns of `requests` that `decisions`
-- lacks, the lake's key id (lake/keys, read from the temp table `lake_keys`),
-- the app a field identifier gave the request ('' for none) and the day to
-- partition by. A lake reader needs only file_id, line_no, ts, key_id, status,
-- bytes, duration_ms, query, extra and fapp; the rest is for other engines.
-- Params: $file_id (INTEGER or NULL for every file), $since, $until
-- (TIMESTAMP or NULL for open ends).
SELECT d.file_id, fl.path AS file, d.* EXCLUDE (file_id),
       r.bytes, r.duration_ms, r.app_key, r.extra, r.query_space_keys, r.query_space_ids,
       k.key_id, coalesce(fa.app, '') AS fapp, CAST(d.ts AS DATE) AS day
FROM decisions AS d
JOIN request_rows AS r ON r.file_id = d.file_id AND r.line_no = d.line_no
JOIN lake_keys AS k ON k.ws_key_id = r.key_id
JOIN files AS fl ON fl.file_id = d.file_id
LEFT JOIN field_app_rows AS fa ON fa.file_id = d.file_id AND fa.line_no = d.line_no
WHERE ($file_id IS NULL OR d.file_id = $file_id)
  AND ($since IS NULL OR d.ts >= $since) AND ($until IS NULL OR d.ts < $until)
ORDER BY d.file_id, d.line_no

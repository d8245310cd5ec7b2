-- name: lake/rejects
-- Every rejected line with its file's path and the reason: the `rejects/`
-- part of a lake. Param: $file_id (INTEGER or NULL for every file).
SELECT r.file_id, f.path AS file, r.line_no, r.reason, r.raw
FROM rejects AS r
JOIN files AS f ON f.file_id = r.file_id
WHERE $file_id IS NULL OR r.file_id = $file_id
ORDER BY r.file_id, r.line_no

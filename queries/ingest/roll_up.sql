-- name: ingest/roll_up
-- Count a file's stored requests from line $from_line on per request key, day
-- and status into fact_days (the rollup reports read; see key_day_counts in
-- queries/schema/views.sql). Params: $file_id, $from_line.
INSERT INTO fact_days
SELECT $file_id, key_id, CAST(ts AS DATE), status, count(*), min(ts), max(ts),
       -- the line of the earliest request (then the lowest line)
       aa_first_line(min(aa_first_key(ts, $file_id, line_no)))
FROM facts
WHERE file_id = $file_id AND line_no >= $from_line
GROUP BY ALL

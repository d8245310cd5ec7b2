-- name: ingest/check_parsed
-- The guard between any format parser and the workspace: a row its parser did
-- not reject but that lacks what every stored request needs (a time, a
-- method, a URL) or has an impossible status is rejected here, and a rejected
-- row keeps no target or status, so nothing of it is routed or cast. Format
-- parsers reject such rows with a better reason themselves; this makes "every
-- line is a request or a reject" hold even when one of them misses a case.
-- A time outside the accepted window (variables aa_ts_oldest, aa_ts_newest,
-- set by the ingest from --time-window / APPACCESS_TIME_WINDOW; default
-- 1990-01-01 to ten years from now) is a reject too, for every format: a
-- year-0 or negative-epoch time is a broken clock, and no reader could show it.
-- Input: relation `parsed_raw` (the PARSED_COLUMNS of a format parser).
-- Output: the same columns. (No WITH here: the ingest prepends its own.)
SELECT * EXCLUDE (checked_reason) REPLACE (
    checked_reason AS reject_reason,
    CASE WHEN checked_reason IS NULL THEN target END AS target,
    CASE WHEN checked_reason IS NULL THEN status END AS status
)
FROM (
    SELECT *,
           CASE WHEN reject_reason IS NOT NULL THEN reject_reason
                WHEN ts IS NULL THEN 'missing timestamp'
                WHEN ts < coalesce(getvariable('aa_ts_oldest'), TIMESTAMP '1990-01-01')
                  OR ts > coalesce(getvariable('aa_ts_newest'), now()::TIMESTAMP + INTERVAL 10 YEAR)
                    THEN 'timestamp ' || CAST(ts AS VARCHAR) || ' outside the accepted window '
                         || strftime(coalesce(getvariable('aa_ts_oldest'), TIMESTAMP '1990-01-01'), '%Y-%m-%d')
                         || ' .. ' || strftime(coalesce(getvariable('aa_ts_newest'),
                                                        now()::TIMESTAMP + INTERVAL 10 YEAR), '%Y-%m-%d')
                         || ' (--time-window or APPACCESS_TIME_WINDOW widens it)'
                WHEN method IS NULL OR method = '' THEN 'missing method'
                WHEN target IS NULL OR target = '' THEN 'missing URL'
                WHEN status IS NOT NULL AND status NOT BETWEEN 0 AND 999 THEN 'bad status: ' || status
           END AS checked_reason
    FROM parsed_raw
) AS c

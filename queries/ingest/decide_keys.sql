-- name: ingest/decide_keys
-- Decide request keys under the active rules and store the result in
-- key_decisions: every key ($only_pending false, after key_decisions was
-- emptied) or only the keys an ingest added ($only_pending true).
INSERT INTO key_decisions
SELECT nextval('kd_id_seq'), * FROM decide('active', $only_pending)

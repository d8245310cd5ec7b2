-- name: lake/macros
-- Helpers of the lake writers (`appaccess export -o DIR`, `appaccess spark
-- ingest`), created as TEMP macros so that a read-only workspace can run them.
--
-- aa_lake_id: the id of a key tuple in a lake, the same whoever writes it: the
-- first 64 bits of the MD5 of the tuple's JSON text, as a signed BIGINT. A
-- workspace numbers its keys in the order it met them; a lake written by many
-- Spark tasks cannot, so its ids come from what the key is. The lake reader
-- refuses a lake where two keys share an id (analyzer/lake/read.py).
CREATE OR REPLACE TEMP MACRO aa_lake_id(tuple_json) AS
    ((('0x' || md5(tuple_json)[1:16])::UBIGINT)::HUGEINT - 9223372036854775808)::BIGINT;

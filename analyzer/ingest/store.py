"""From a chunk of lines (or a document's parsed rows) to stored facts and rejects.

The format's SQL parser (queries/formats/*) turns lines into canonical rows;
queries/ingest/check_parsed.sql and row_split.sql make them per-request rows
(analyzer/pipeline.py composes the three into one statement); rejected rows
join `rejects` with the raw text of their line, the others go to
analyzer/ingest/keys.py. Lines the C fast path declined come here too
(analyzer/ingest/fast.py stores them with the lines it parsed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from analyzer import pipeline, sql
from analyzer.formats.base import DocumentBatch
from analyzer.formats.lines import LINES_SCHEMA, REJECT_SCHEMA, LineChunk, reject_text
from analyzer.ingest.keys import FACTS_SCHEMA, batch_facts, insert_facts
from analyzer.ingest.options import Counts
from analyzer.ingest.reading import FormatState, segments, strip_bom


@dataclass(frozen=True)
class Inputs:
    """The Arrow tables one chunk's SQL reads, by the names the SQL files use.

    They reach DuckDB through its replacement scan of the calling function's local
    variables, not through con.register: inside the file's transaction DuckDB keeps
    every registered table alive until the commit, which would make memory grow with
    the file (a 10M-line file peaked at over 5 GB that way).
    """

    all_lines: pa.Table  # every good line of the chunk, for the text of rejected ones
    lines: pa.Table | None = None  # the lines the format's SQL parses
    document_rows: pa.Table | None = None  # rows a document reader parsed


def store_chunk(con: Any, state: FormatState, file_id: int, chunk: LineChunk, counts: Counts) -> None:
    rejects = [chunk.rejects] if chunk.rejects.num_rows else []
    query = sql.load_query(state.fmt.query or "")
    for lines, params in segments(state, strip_bom(chunk.lines), counts):
        facts = _parse(con, file_id, counts, rejects, query.text, sql.bind(query, params), state.pii_salt,
                       Inputs(lines=lines, all_lines=lines))
        if facts.num_rows:
            insert_facts(con, facts)
    store_rejects(con, file_id, rejects, counts, state.pii_salt)


def declined_facts(con: Any, state: FormatState, file_id: int, lines: pa.Table, rejects: list[pa.Table],
                   counts: Counts) -> pa.Table:
    """The facts the format's SQL parser makes of the lines the C fast path declined (not stored yet: the
    caller stores them with the others, in line order); their rejects join ``rejects``."""
    if not lines.num_rows:
        return FACTS_SCHEMA.empty_table()
    query = sql.load_query(state.fmt.query or "")
    lines = strip_bom(lines)
    return _parse(con, file_id, counts, rejects, query.text, sql.bind(query, state.params), state.pii_salt,
                  Inputs(lines=lines, all_lines=lines))


def store_document_batch(con: Any, file_id: int, batch: DocumentBatch, counts: Counts,
                         pii_salt: str | None = None) -> None:
    """Rows a document reader parsed take the same path as parsed lines (no raw lines to show)."""
    rejects = [batch.rejects] if batch.rejects.num_rows else []
    if batch.parsed.num_rows:
        facts = _parse(con, file_id, counts, rejects, "SELECT * FROM document_rows", {}, pii_salt,
                       Inputs(all_lines=LINES_SCHEMA.empty_table(), document_rows=batch.parsed))
        if facts.num_rows:
            insert_facts(con, facts)
    store_rejects(con, file_id, rejects, counts, pii_salt)


def store_rejects(con: Any, file_id: int, rejects: list[pa.Table], counts: Counts,
                  pii_salt: str | None = None) -> None:
    for new_rejects in rejects:  # read by the SQL below through the replacement scan (see Inputs)
        counts.rejected += new_rejects.num_rows
        con.execute("INSERT INTO rejects SELECT $file_id, line_no, reason, "
                    "CASE WHEN $salt IS NULL THEN raw ELSE aa_redact_pii(raw, $salt) END FROM new_rejects",
                    {"file_id": file_id, "salt": pii_salt})


def _parse(con: Any, file_id: int, counts: Counts, rejects: list[pa.Table], parser_sql: str,
           params: dict[str, Any], pii_salt: str | None, inputs: Inputs) -> pa.Table:
    """Parse (``parser_sql``), check and split; return the facts of the good rows, their keys interned
    (analyzer/ingest/keys.py); rejected rows join ``rejects`` (raw text from ``all_lines``, empty for
    documents).

    Every statement reading the inputs runs in this function, so that the replacement scan finds
    the tables below (see :class:`Inputs`) as local variables.
    """
    lines, all_lines, document_rows = inputs.lines, inputs.all_lines, inputs.document_rows  # noqa: F841
    batch = con.sql(pipeline.row_batch(parser_sql), params={**params, "salt": pii_salt}).to_arrow_table()
    good = pc.is_null(batch.column("reject_reason"))
    n_good = pc.sum(good).as_py() or 0
    if n_good < batch.num_rows:
        bad = con.execute(
            "SELECT b.line_no, b.reject_reason, l.line FROM batch AS b LEFT JOIN all_lines AS l USING (line_no) "
            "WHERE b.reject_reason IS NOT NULL ORDER BY b.line_no"
        ).fetchall()
        rejects.append(pa.table(
            [pa.array([b[0] for b in bad], pa.int64()), pa.array([b[1] for b in bad], pa.string()),
             pa.array([reject_text((b[2] or "").encode("utf-8")) for b in bad], pa.string())],
            schema=REJECT_SCHEMA,
        ))
    counts.stored += n_good
    return batch_facts(con, file_id, batch, pii_salt) if n_good else FACTS_SCHEMA.empty_table()

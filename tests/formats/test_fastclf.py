"""The C fast path for NCSA lines must agree with queries/formats/clf.sql on every line it accepts."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer import sql
from analyzer.formats import fastclf
from analyzer.formats.base import PARSED_SCHEMA
from analyzer.formats.lines import LINES_SCHEMA

pytestmark = pytest.mark.skipif(not fastclf.available(), reason="C extension not built (no compiler)")

FLAGS = {"common": (False, False), "combined": (False, True), "vhost_combined": (True, True)}


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    yield c
    c.close()


def reference(con: duckdb.DuckDBPyConnection, lines: pa.Table, fmt: str) -> dict[int, dict[str, object]]:
    vhost, agent = FLAGS[fmt]
    query = sql.load_query("formats/clf")
    con.register("lines", lines)
    try:
        table = con.sql(query.text, params={"vhost": vhost, "agent": agent, "format_name": fmt}).to_arrow_table()
    finally:
        con.unregister("lines")
    return {r["line_no"]: r for r in table.to_pylist()}


def table_of(texts: list[str]) -> pa.Table:
    return pa.table([pa.array(range(1, len(texts) + 1), pa.int64()), pa.array(texts, pa.large_string())],
                    schema=LINES_SCHEMA)


def check(con: duckdb.DuckDBPyConnection, texts: list[str], fmt: str) -> tuple[int, int]:
    lines = table_of(texts)
    vhost, agent = FLAGS[fmt]
    fast, rest = fastclf.split_fast(lines, vhost=vhost, agent=agent)
    assert fast.schema == PARSED_SCHEMA
    assert fast.num_rows + rest.num_rows == lines.num_rows
    assert sorted(fast.column("line_no").to_pylist() + rest.column("line_no").to_pylist()) == \
        list(range(1, len(texts) + 1))
    ref = reference(con, lines, fmt)
    for row in fast.to_pylist():
        expected = ref[row["line_no"]]
        assert expected["reject_reason"] is None, (texts[row["line_no"] - 1], expected["reject_reason"])
        assert row == {k: expected[k] for k in row}, texts[row["line_no"] - 1]
    return fast.num_rows, rest.num_rows


GOOD = [
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2/pages/1 HTTP/1.1" 200 512 '
    '"-" "BackupPro/2.1"',
    'acme.atlassian.net 10.0.0.1 - bob [29/Feb/2024:23:59:59 -0730] "POST /x?y=1 HTTP/2.0" 201 - "https://r" "-"',
    'h:1 ::1 - - [01/Jan/2026:00:00:00 +1400] "DELETE /a" 599 12345678901 "-" "ua with spaces / ok"',
]


def test_plain_lines_take_the_fast_path(con: duckdb.DuckDBPyConnection) -> None:
    accepted, rejected = check(con, GOOD, "vhost_combined")
    assert (accepted, rejected) == (3, 0)


def test_unusual_lines_are_left_to_sql(con: duckdb.DuckDBPyConnection) -> None:
    odd = [
        GOOD[0].replace('"BackupPro/2.1"', '"Backup \\"Pro\\""'),  # escaped quote
        GOOD[0].replace("11/Sep", "31/Sep"),  # no such day
        GOOD[0].replace("200", "099"),
        GOOD[0].replace("  ", " ").replace(" - - ", " -  - "),  # double space
        GOOD[0].replace("HTTP/1.1", "HTTP/1.1 extra"),
        GOOD[0] + " trailing",
        GOOD[0].replace("sep", "Sep").replace("Sep", "sep"),  # lower-case month: SQL decides
    ]
    accepted, rejected = check(con, odd, "vhost_combined")
    assert accepted == 0 and rejected == len(odd)


@pytest.mark.parametrize("fmt", sorted(FLAGS))
def test_each_flavour(con: duckdb.DuckDBPyConnection, fmt: str) -> None:
    vhost, agent = FLAGS[fmt]
    line = '10.0.0.1 - - [11/Sep/2026:10:00:00 +0200] "GET /wiki/rest/api/space HTTP/1.1" 200 5'
    if agent:
        line += ' "-" "curl/8"'
    if vhost:
        line = "acme.atlassian.net:443 " + line
    assert check(con, [line], fmt) == (1, 0)


_token = st.text(alphabet=st.characters(codec="utf-8", exclude_characters=' "\\\n\r\x00'), min_size=1, max_size=8)
_mutation = st.sampled_from(["", " ", '"', "\\", "-", "[", "]", ":", "0", "x", "é"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_token, _token, _token, st.integers(0, 400), st.integers(0, 10**6), _mutation,
                       st.integers(0, 200)), min_size=1, max_size=30),
    st.sampled_from(sorted(FLAGS)),
)
def test_fast_path_agrees_with_sql(con: duckdb.DuckDBPyConnection, specs: list[tuple], fmt: str) -> None:
    texts = []
    for user, target, agent_text, day, size, mutation, where in specs:
        day_text = f"{day % 32:02d}"
        line = (f'acme.atlassian.net:443 10.0.0.{day % 256} - {user} [{day_text}/Sep/2026:10:{day % 60:02d}:00 '
                f'+0{day % 10}00] "GET /{target} HTTP/1.1" {100 + day} {size} "-" "{agent_text}"')
        if not FLAGS[fmt][0]:
            line = line.split(" ", 1)[1]
        if not FLAGS[fmt][1]:
            line = line.rsplit(' "-" ', 1)[0]
        position = where % (len(line) + 1)
        texts.append(line[:position] + mutation + line[position:])
    check(con, texts, fmt)

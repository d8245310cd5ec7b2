"""The C fast path for NCSA lines must agree with queries/formats/clf.sql (checked by
queries/ingest/check_parsed.sql) on every line it accepts."""

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
    sql.run_script(c, "macros")
    yield c
    c.close()


def reference(con: duckdb.DuckDBPyConnection, lines: pa.Table, fmt: str) -> dict[int, dict[str, object]]:
    """The parsed rows the SQL path makes of ``lines`` (parse, check)."""
    vhost, agent = FLAGS[fmt]
    query = sql.load_query("formats/clf")
    check_sql = sql.load_query("ingest/check_parsed").text
    con.register("lines", lines)
    try:
        table = con.sql(f"WITH parsed_raw AS ({query.text}) {check_sql}",
                        params={"vhost": vhost, "agent": agent, "format_name": fmt}).to_arrow_table()
    finally:
        con.unregister("lines")
    return {r["line_no"]: r for r in table.to_pylist()}


def table_of(texts: list[str]) -> pa.Table:
    return pa.table([pa.array(range(1, len(texts) + 1), pa.int64()), pa.array(texts, pa.large_string())],
                    schema=LINES_SCHEMA)


def check(con: duckdb.DuckDBPyConnection, texts: list[str], fmt: str) -> tuple[int, int]:
    lines = table_of(texts)
    vhost, agent = FLAGS[fmt]
    fast, rest = fastclf.parse_fast(lines, vhost=vhost, agent=agent)
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
    'api.atlassian.com:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /ex/confluence/c-1/wiki/rest/api/space/HR/'
    'content?limit=5 HTTP/1.1" 200 512 "-" "ReportBot/1.4"',
    'ACME.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "POST /wiki/rest/atlassian-connect/1/app/'
    'module/dynamic HTTP/1.1" 201 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2 HTTP/1.1" 200 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2/pages/12/children? '
    'HTTP/1.1" 200 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/rest/api/space/%7Eabc/content#x?q '
    'HTTP/1.1" 200 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2/pages/1 HTTP/1.1" 200 512 '
    '"-" "BackupPro/2.1"',
    'acme.atlassian.net 10.0.0.1 - bob [29/Feb/2024:23:59:59 -0730] "POST /x?y=1 HTTP/2.0" 201 - "https://r" "-"',
    'h:1 ::1 - - [01/Jan/2026:00:00:00 +1400] "DELETE /a" 599 12345678901 "-" "ua with spaces / ok"',
]


def test_plain_lines_take_the_fast_path(con: duckdb.DuckDBPyConnection) -> None:
    accepted, rejected = check(con, GOOD, "vhost_combined")
    assert (accepted, rejected) == (len(GOOD), 0)


def test_unusual_lines_are_left_to_sql(con: duckdb.DuckDBPyConnection) -> None:
    odd = [
        GOOD[0].replace('"ReportBot/1.4"', '"Report \\"Bot\\""'),  # escaped quote
        GOOD[0].replace("11/Sep", "31/Sep"),  # no such day
        GOOD[0].replace("200", "099"),
        GOOD[0].replace("  ", " ").replace(" - - ", " -  - "),  # double space
        GOOD[0].replace("HTTP/1.1", "HTTP/1.1 extra"),
        GOOD[0] + " trailing",
        GOOD[0].replace("sep", "Sep").replace("Sep", "sep"),  # lower-case month: SQL decides
        GOOD[0].replace("GET /ex/", "GET https://api.atlassian.com/ex/"),  # absolute URL
        GOOD[0].replace("/content?", "/content/?"),  # trailing slash
        GOOD[0].replace("/wiki/rest", "/wiki//rest"),  # doubled slash
        GOOD[0].replace("api.atlassian.com:443", "ÄPI.atlassian.com:443"),  # non-ASCII host: SQL lower()s it
        GOOD[0].replace("/ex/confluence/c-1/", "/ex/confluence//"),  # empty cloud id
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
_segment = st.one_of(st.sampled_from(["wiki", "rest", "api", "v2", "pages", "content", "search", "space",
                                      "ex", "confluence", "atlassian-connect", "1", "~abc", "%7Eabc", "12", "",
                                      "child", "attachment", "x_y", "a-b", "é", "?", "#", "&q=1"]), _token)
_target = st.lists(_segment, min_size=0, max_size=7).map(lambda parts: "/" + "/".join(parts))
_mutation = st.sampled_from(["", " ", '"', "\\", "-", "[", "]", ":", "0", "x", "é"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_token, _target, _token, st.integers(0, 400), st.integers(0, 10**6), _mutation,
                       st.integers(0, 200)), min_size=1, max_size=30),
    st.sampled_from(sorted(FLAGS)),
)
def test_fast_path_agrees_with_sql(con: duckdb.DuckDBPyConnection, specs: list[tuple], fmt: str) -> None:
    texts = []
    for user, target, agent_text, day, size, mutation, where in specs:
        day_text = f"{day % 32:02d}"
        line = (f'acme.atlassian.net:443 10.0.0.{day % 256} - {user} [{day_text}/Sep/2026:10:{day % 60:02d}:00 '
                f'+0{day % 10}00] "GET {target} HTTP/1.1" {100 + day} {size} "-" "{agent_text}"')
        if not FLAGS[fmt][0]:
            line = line.split(" ", 1)[1]
        if not FLAGS[fmt][1]:
            line = line.rsplit(' "-" ', 1)[0]
        position = where % (len(line) + 1)
        texts.append(line[:position] + mutation + line[position:])
    check(con, texts, fmt)

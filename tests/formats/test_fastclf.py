"""The C fast path for NCSA lines must store exactly what the SQL path stores.

Lines the fast path accepts skip queries/formats/clf.sql and ingest/row_split.sql,
and their keys are interned in C; everything else is declined to the SQL parser.
So the same file ingested with and without the C module must give the same
requests (every column of the `requests` view), the same rejects and the same
counts - on plain lines, odd lines, hostile lines and generated ones.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.formats import fastclf
from analyzer.ingest import IngestOptions, ingest
from analyzer.workspace import Workspace

pytestmark = pytest.mark.skipif(not fastclf.available(), reason="C extension not built (no compiler)")

FLAGS = {"common": (False, False), "combined": (False, True), "vhost_combined": (True, True)}

GOOD = [
    'api.atlassian.com:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /ex/confluence/c-1/wiki/rest/api/space/HR/'
    'content?limit=5 HTTP/1.1" 200 512 "-" "ReportBot/1.4"',
    'ACME.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "POST /wiki/rest/atlassian-connect/1/app/'
    'module/dynamic HTTP/1.1" 201 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2 HTTP/1.1" 200 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2/pages/12/children? '
    'HTTP/1.1" 200 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/rest/api/space/~abc/content#x?q '
    'HTTP/1.1" 200 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/api/v2/pages/1 HTTP/1.1" 200 512 '
    '"-" "BackupPro/2.1"',
    'acme.atlassian.net 10.0.0.1 - bob [29/Feb/2024:23:59:59 -0730] "POST /x?y=1 HTTP/2.0" 201 - "https://r" "-"',
    'h:1 ::1 - - [01/Jan/2026:00:00:00 +1400] "DELETE /a" 599 12345678901 "-" "ua with spaces / ok"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki//rest/api/space/HR/ HTTP/1.1" '
    '200 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/rest/api/search?cql=space%3DHR '
    'HTTP/1.1" 200 5 "-" "x"',
    'acme.atlassian.net:443 10.0.0.1 - - [11/Sep/2026:10:00:00 +0000] "GET /wiki/rest/api/content?spaceKey=FIN'
    '&limit=2 HTTP/1.1" 200 5 "-" "x"',
]

ODD = [
    GOOD[0].replace('"ReportBot/1.4"', '"Report \\"Bot\\""'),  # escaped quote
    GOOD[0].replace("11/Sep", "31/Sep"),  # no such day
    GOOD[0].replace("200", "099"),
    GOOD[0].replace(" - - ", " -  - "),  # double space
    GOOD[0].replace("HTTP/1.1", "HTTP/1.1 extra"),
    GOOD[0] + " trailing",
    GOOD[0].replace("Sep", "sep"),  # lower-case month: SQL decides
    GOOD[0].replace("GET /ex/", "GET https://api.atlassian.com/ex/"),  # absolute URL
    GOOD[0].replace("api.atlassian.com:443", "ÄPI.atlassian.com:443"),  # non-ASCII
    GOOD[0].replace("limit=5", "limit=5&jwt=eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"),  # a credential: SQL masks
    GOOD[0].replace("11/Sep/2026", "11/Sep/1985"),  # outside the time window: SQL rejects it with the reason
    GOOD[0] + "\r",  # CRLF line
    GOOD[0].replace("space/HR", "space/%48R"),  # an escape in the path: normalised (or refused) in SQL
    GOOD[0].replace("space/HR", "space/./HR"),  # a dot segment
    "",  # empty line
]

#: Lines C keeps whose query the masking changes (or screens and leaves): masked after C, as SQL masks them.
MASKED = [
    GOOD[0].replace("limit=5", "access_token=abc"),
    GOOD[0].replace("limit=5", "limit=5&os_password=hunter2&X-Amz-Signature=00ff"),
    GOOD[0].replace("limit=5", "next=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"),  # a JWT under any name
    GOOD[0].replace("limit=5", "redirect=https://bob:pw@example.com/"),  # URL userinfo
    GOOD[0].replace("limit=5", "spaceKey=HR&expand=body.storage"),  # screened ("key"), left as it is
    GOOD[0].replace("limit=5", "a=1;sessionid=abc"),
]
#: The default time window (what an ingest without --time-window accepts).
WINDOW = (dt.datetime(1990, 1, 1), dt.datetime(2036, 1, 1))


@pytest.fixture
def both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Workspace, Workspace]]:
    with Workspace.open(tmp_path / "fast.duckdb") as fast, Workspace.open(tmp_path / "sql.duckdb") as slow:
        yield fast, slow


_counter = itertools.count()


def ingest_both(fast: Workspace, slow: Workspace, folder: Path, texts: list[str], fmt: str,
                monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Ingest the lines with and without C and compare everything stored; returns (accepted by C, declined)."""
    path = folder / f"lines-{next(_counter)}.log"
    path.write_bytes(("\n".join(texts) + "\n").encode("utf-8"))
    parser = fastclf.FastParser(vhost=FLAGS[fmt][0], agent=FLAGS[fmt][1], window=WINDOW)
    parsed = parser.parse(path.read_bytes(), 1)
    for ws in (fast, slow):
        for table in ("files", "facts", "rejects", "fact_days"):
            ws.con.execute(f"DELETE FROM {table}")
    ingest(fast, [path], IngestOptions(format=fmt))
    with monkeypatch.context() as patch:
        patch.setattr(fastclf, "_fastclf", None)
        ingest(slow, [path], IngestOptions(format=fmt))
    query = ("SELECT * EXCLUDE (file_id) FROM requests ORDER BY line_no",
             "SELECT line_no, reason, raw FROM rejects ORDER BY line_no",
             "SELECT lines_read, rows_stored, rows_rejected, rows_skipped FROM files",
             "SELECT t.method, t.host, t.path, i.user_agent, i.client_ip, i.remote_user, d.day, d.status, d.n, "
             "d.first_seen, d.last_seen, d.first_line FROM fact_days AS d JOIN request_keys AS k USING (key_id) "
             "JOIN targets AS t USING (target_id) JOIN identities AS i USING (identity_id) ORDER BY ALL")
    for text in query:
        assert fast.con.execute(text).fetchall() == slow.con.execute(text).fetchall(), text
    return parsed.rows.num_rows, parsed.declined.num_rows + parsed.rejects.num_rows


def test_plain_lines_take_the_fast_path(both: tuple[Workspace, Workspace], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert ingest_both(*both, tmp_path, GOOD, "vhost_combined", monkeypatch) == (len(GOOD), 0)


def test_unusual_lines_are_left_to_sql(both: tuple[Workspace, Workspace], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert ingest_both(*both, tmp_path, ODD, "vhost_combined", monkeypatch) == (0, len(ODD))


def test_queries_c_keeps_are_masked_as_sql_masks_them(both: tuple[Workspace, Workspace], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert ingest_both(*both, tmp_path, MASKED, "vhost_combined", monkeypatch) == (len(MASKED), 0)
    stored = " ".join(q for (q,) in both[0].con.execute("SELECT query FROM requests").fetchall())
    for secret in ("abc", "hunter2", "00ff", "c2ln", "bob:pw"):
        assert secret not in stored, stored
    assert "spaceKey=HR&expand=body.storage" in stored


@pytest.mark.parametrize("fmt", sorted(FLAGS))
def test_each_flavour(both: tuple[Workspace, Workspace], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      fmt: str) -> None:
    vhost, agent = FLAGS[fmt]
    line = '10.0.0.1 - - [11/Sep/2026:10:00:00 +0200] "GET /wiki/rest/api/space HTTP/1.1" 200 5'
    if agent:
        line += ' "-" "curl/8"'
    if vhost:
        line = "acme.atlassian.net:443 " + line
    assert ingest_both(*both, tmp_path, [line, line.replace("10.0.0.1", "10.0.0.2")], fmt, monkeypatch) == (2, 0)


def test_keys_are_interned_once_per_parser() -> None:
    parser = fastclf.FastParser(vhost=True, agent=True, window=WINDOW)
    first = parser.parse(("\n".join(GOOD[:3]) + "\n").encode(), 1)
    again = parser.parse(("\n".join(GOOD[:3] + GOOD[6:7]) + "\n").encode(), 4)
    assert len(first.new_pairs) == 3 and len(again.new_pairs) == 1  # only GOOD[6] is new
    assert again.rows.column("pair").to_pylist() == [0, 1, 2, 3]
    assert first.new_targets[0] == ("GET", "api.atlassian.com", "/ex/confluence/c-1/wiki/rest/api/space/HR/content",
                                    None)


def test_a_unique_parameter_beside_a_space_does_not_make_a_key_of_its_own() -> None:
    parser = fastclf.FastParser(vhost=True, agent=True, window=WINDOW)
    lines = [GOOD[-1].replace("&limit=2", f"&rid={n}") for n in range(3)] + \
        [GOOD[-1].replace("?spaceKey=FIN&limit=2", "?rid=7&spaceKey=FIN")]
    parsed = parser.parse(("\n".join(lines) + "\n").encode(), 1)
    assert parsed.rows.num_rows == 4 and len(parsed.new_targets) == 1
    assert parsed.new_targets[0][3] == "spaceKey=FIN"  # what SQL reads the space from
    assert parsed.rows.column("query").to_pylist()[0] == "spaceKey=FIN&rid=0"  # each line keeps its own query


_token = st.text(alphabet=st.characters(codec="utf-8", exclude_characters=' "\\\n\r\x00'), min_size=1, max_size=8)
_segment = st.one_of(st.sampled_from(["wiki", "rest", "api", "v2", "pages", "content", "search", "space",
                                      "ex", "confluence", "atlassian-connect", "1", "~abc", "%7Eabc", "12", "",
                                      "child", "attachment", "x_y", "a-b", "é", "?", "#", "&q=1", "?spaceKey=HR",
                                      "?cql=space%20in%20(A,B)", "?token=1", "?x=Space", "?spaceKey=HR&limit=1",
                                      "?x_token=1", "?API-KEY=2", "?passwd=3&a", "?sigma=4", "?a.SIG=5",
                                      "?design=1&jwt=x.eyJpc3MiOiJ4In0.y", "?xjwt=1", "?spaceKey=HR&rid=9",
                                      "?rid=1&spaceId=12&space-key=X", "?SpaceKey=HR&x=1", "?spaceKeys=A,B&",
                                      "?cqlcontext=%7B%22spaceKey%22%3A%22HR%22%7D&x=1&cql=space=D"]), _token)
_target = st.lists(_segment, min_size=0, max_size=7).map(lambda parts: "/" + "/".join(parts))
_mutation = st.sampled_from(["", " ", '"', "\\", "-", "[", "]", ":", "0", "x", "é", "\r"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(_token, _target, _token, st.integers(0, 400), st.integers(0, 10**6), _mutation,
                       st.integers(0, 200)), min_size=1, max_size=30),
    st.sampled_from(sorted(FLAGS)),
)
def test_fast_path_agrees_with_sql(both: tuple[Workspace, Workspace], tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch, specs: list[tuple], fmt: str) -> None:
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
    ingest_both(*both, tmp_path, texts, fmt, monkeypatch)

"""The one masking policy: its name list is data, and Python and the generated SQL agree on it.

The SQL macros (queries/macros.sql opens with them) and analyzer.masking are built from
analyzer/data/secret_names.csv; here both are asked the same questions - is this name a
credential's, what does this text look like masked - and must answer alike.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import masking, sql

JWT = ".".join(base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
               for part in ({"alg": "HS256", "typ": "JWT"}, {"iss": "corpus-app", "qsh": "x"})) + ".SIGq7Zk3t"


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute(sql.load_query("macros").text)
    yield connection
    connection.close()


def _sql_names(con: duckdb.DuckDBPyConnection, names: list[str]) -> list[bool]:
    return [r[0] for r in con.execute(
        "SELECT aa_is_secret_name(n) FROM unnest($names) WITH ORDINALITY AS t(n, i) ORDER BY i",
        {"names": names}).fetchall()]


def _sql_masked(con: duckdb.DuckDBPyConnection, texts: list[str]) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT aa_mask_text(t) FROM unnest($texts) WITH ORDINALITY AS u(t, i) ORDER BY i",
        {"texts": texts}).fetchall()]


def _spellings(word: str) -> list[str]:
    """A word of the list as logs spell it: case, separators (also percent-encoded), prefixes."""
    parts = word.split()
    camel = parts[0] + "".join(p.capitalize() for p in parts[1:])
    out = ["_".join(parts), "-".join(parts).upper(), camel, "%5F".join(parts), "%2d".join(parts)]
    return [*out, f"x-{camel}", f"my_{'_'.join(parts)}"]


EXAMPLES = [e for w in masking.secret_words() for e in w.examples]
#: Names that attribution, routing or reports need: never masked.
HARMLESS = ["spaceKey", "space-key", "spaceKeys", "space-id", "spaceId", "cql", "cqlcontext", "limit", "cursor",
            "expand", "start", "client_id", "clientKey", "app_key", "user_key", "authority", "author", "os_authType",
            "status", "xdm_e", "lic", "cv", "body-format", "keys", "monkey", "keyword"]


def test_the_name_list_is_data_read_by_both_sides(con: duckdb.DuckDBPyConnection) -> None:
    assert masking.NAMES_FILE.name == "secret_names.csv" and len(masking.secret_words()) >= 20
    generated = masking.sql_macros()
    assert masking.name_pattern().replace("'", "''") in generated
    assert "aa_is_secret_name" in sql.load_query("macros").text
    # every example of the list is a credential's name, for Python and for SQL
    assert EXAMPLES and all(masking.is_secret_name(e) for e in EXAMPLES), \
        [e for e in EXAMPLES if not masking.is_secret_name(e)]
    assert all(_sql_names(con, EXAMPLES))


def test_spellings_of_every_word_are_recognised_alike(con: duckdb.DuckDBPyConnection) -> None:
    names = [s for w in masking.secret_words() if w.match == "part" for s in _spellings(w.word)]
    names += [s for w in masking.secret_words() if w.match != "part" for s in _spellings(w.word)[:5]]
    names += ["accessToken", "apiToken", "authToken", "clientSecret", "X-Amz-Signature", "oauth_signature",
              "os_password", "private_token", "refresh_token", "id_token", "access%5Ftoken", "Proxy-Authorization",
              "Set-Cookie", "X-Api-Key", "cs(Cookie)", "request.headers.authorization"]
    python = [masking.is_secret_name(n) for n in names]
    assert all(python), [n for n, p in zip(names, python, strict=True) if not p]
    assert _sql_names(con, names) == python


def test_names_attribution_needs_are_not_masked(con: duckdb.DuckDBPyConnection) -> None:
    assert not any(masking.is_secret_name(n) for n in HARMLESS), [n for n in HARMLESS if masking.is_secret_name(n)]
    assert not any(_sql_names(con, HARMLESS))


CASES = [
    # (text, secrets that must be gone, what must survive)
    (f"/wiki/rest/api/content?jwt={JWT}&access_token=AT1q&limit=5", [JWT, "SIGq7Zk3t", "AT1q"], ["limit=5", "jwt="]),
    ("accessToken=A1q;apiToken=A2q;authToken=A3q;clientSecret=A4q;spaceKey=HR",
     ["A1q", "A2q", "A3q", "A4q"], ["spaceKey=HR", "accessToken="]),
    ("X-Amz-Signature=B1q&X-Amz-Credential=B2q&oauth_signature=B3q%3D&os_password=B4q&pass=B5q&sig=B6q",
     ["B1q", "B2q", "B3q", "B4q", "B5q", "B6q"], ["X-Amz-Signature="]),
    ("access%5Ftoken=C1q&private_token=C2q&refresh_token=C3q&id_token=C4q&api_key=C5q&key=C6q",
     ["C1q", "C2q", "C3q", "C4q", "C5q", "C6q"], ["access%5Ftoken="]),
    ("Authorization: Bearer D1q0x9\r\nCookie: JSESSIONID=D2q; tenant.session.token=D3q", ["D1q0x9", "D2q", "D3q"],
     ["Authorization:"]),
    ('{"authorization":"Basic RDRxdXNlcjpwdw==","x-api-key":"D5q","password":12345,"ok":"yes"}',
     ["RDRxdXNlcjpwdw==", "D5q", "12345"], ['"ok":"yes"']),
    ("GET https://bot:E1qpw@acme.atlassian.net/wiki/x HTTP/1.1", ["E1qpw", "bot:"], ["acme.atlassian.net/wiki/x"]),
    ("redirect=https%3A%2F%2Fx%2F%3Ftoken%3DE2q%26page%3D2", ["E2q"], ["page%3D2"]),
    ('{"referer":"https://x/?a=1\\u0026token=E3q","n":1}', ["E3q"], ['"n":1']),
    (f"note {JWT} and more", [JWT], ["note", "and more"]),
    ("/wiki/spaces/HR;jsessionid=F1q", ["F1q"], ["/wiki/spaces/HR"]),
    ("basic authentication failed for space key HR", [], ["basic authentication failed for space key HR"]),
    ("wrong or expired token: check ATLASSIAN_API_TOKEN", [], ["token: check ATLASSIAN_API_TOKEN"]),  # prose
]


@pytest.mark.parametrize(("text", "gone", "kept"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_mask_text_removes_each_shape_the_same_in_python_and_sql(con: duckdb.DuckDBPyConnection, text: str,
                                                                 gone: list[str], kept: list[str]) -> None:
    masked = masking.mask_text(text)
    assert all(g not in masked for g in gone), masked
    assert all(k in masked for k in kept), masked
    assert _sql_masked(con, [text]) == [masked]
    assert masking.mask_text(masked) == masked  # idempotent: masking stored text again changes nothing


#: Texts made of the pieces the rules look for, in any order.
_PIECES = [*"aAkKtTyJ0.=&;:%25Fx_- \"'{}@/\\?#\r\n", "token", "key", "Bearer ", "basic ", "eyJ", "://", "pass",
           "%3D", "%26", "%5F", "Cookie", "auth"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=20))
def test_python_and_sql_agree_on_any_text(texts: list[str]) -> None:
    with duckdb.connect() as connection:
        connection.execute(sql.load_query("macros").text)
        assert _sql_masked(connection, texts) == [masking.mask_text(t) for t in texts]


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_the_screen_never_lets_a_maskable_text_through(text: str) -> None:
    assert masking.mask_text(text) == masking.apply_rules(text)

"""URL tricks that must not change a decision: each spelling of a request is decided like the
plain one (the README's "Which API" says what is normalised), and what Confluence would refuse
is a reject with its reason, never a decision."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer import Context, IngestOptions
from analyzer.router import Router

APPS = """\
apps:
  - key: com.acme.backup
    name: Backup Pro
    auth: connect
    match:
      user_agent: '^BackupPro/'
  - key: com.acme.v6
    name: IPv6 client
    auth: connect
    match:
      client_ip: 2001:db8::/32
"""
RULES = """\
policies:
  - name: Restricted HR
    site: acme.atlassian.net
    status: active
    active_from: 2020-01-01T00:00:00Z
    coverage:
      spaces: [HR]
    app_access:
      mode: block_all
"""
LINE = ('acme.atlassian.net:443 {client} - - [11/Sep/2026:10:00:00 +0000] "GET {target} HTTP/1.1" 200 5 "-" '
        '"BackupPro/2.1"')

#: The plain request and its tricked spellings: each must be decided like the plain one.
PLAIN = "/wiki/rest/api/space/HR"
TRICKED = [
    "/wiki/rest/api/space/HR;x=1",  # a path parameter (Tomcat drops it)
    "/wiki/rest/api/space/HR;jsessionid=1/",
    "/wiki/rest/api/space/hr",  # Confluence looks space keys up lower-cased
    "/wiki/rest/api/space/%48%52",  # unreserved characters percent-encoded
    "/wiki/rest/api/sp%61ce/HR",
    "/wiki//rest/api///space/HR",  # duplicate slashes
    "/wiki/rest/api/./space/HR",  # dot segments
    "/wiki/rest/api/content/../space/HR",
    "/wiki/rest/api/x/%2e%2e/space/HR",
    "https://acme.atlassian.net/wiki/rest/api/space/Hr;v=2?expand=homepage",
]
#: Targets Confluence answers with 400: rejected with the reason, never decided.
REFUSED = {
    "/wiki/rest/api/space/HR%00": "encoded NUL (%00) in the URL path",  # (the server's own answer)
    "/wiki/rest/api/space/HR%zz": "invalid percent-encoding in the URL path",
    "/wiki/rest/api/space/HR%4": "invalid percent-encoding in the URL path",
    "/wiki/rest/api/space/HR%2Fx": "encoded slash or backslash in the URL path",
    "/wiki/rest/api/space/HR%5cx": "encoded slash or backslash in the URL path",
    "/wiki/../../wiki/rest/api/space/HR": "dot segments above the root in the URL path",
}


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    folder = tmp_path_factory.mktemp("tricks")
    (folder / "apps.yaml").write_text(APPS)
    (folder / "rules.yaml").write_text(RULES)
    (folder / "spaces.csv").write_text("space_id,space_key,name,site,classification\n"
                                       "101,HR,Human Resources,acme.atlassian.net,\n"
                                       "102,DEV,Engineering,acme.atlassian.net,\n")
    with Context(folder / "ws.duckdb") as context:
        context.load_apps(folder / "apps.yaml")
        context.load_inventory([folder / "spaces.csv"])
        context.load_rules(folder / "rules.yaml")
        yield context


_files = itertools.count()


def _ingest(ctx: Context, lines: list[str], suffix: str = ".log", **options: object) -> int:
    path = ctx.db.parent / f"input-{next(_files)}{suffix}"
    path.write_text("\n".join(lines) + "\n")
    result = ctx.ingest([path], IngestOptions(**options))  # type: ignore[arg-type]
    return result.files[0].file_id  # type: ignore[return-value]


def _decided(ctx: Context, file_id: int) -> dict[int, tuple[object, ...]]:
    return {r[0]: r[1:] for r in ctx.ws.con.execute(
        "SELECT line_no, endpoint_id, space_key, decision, app FROM decisions WHERE file_id = ?", [file_id]
    ).fetchall()}


def _rejects(ctx: Context, file_id: int) -> dict[int, str]:
    return dict(ctx.ws.con.execute("SELECT line_no, reason FROM rejects WHERE file_id = ?", [file_id]).fetchall())


def test_tricked_spellings_are_decided_like_the_plain_request(ctx: Context) -> None:
    file_id = _ingest(ctx, [LINE.format(client="10.0.0.1", target=t) for t in [PLAIN, *TRICKED]])
    decided = _decided(ctx, file_id)
    assert _rejects(ctx, file_id) == {}
    plain = decided[1]
    assert plain[1:] == ("HR", "blocked", "com.acme.backup") and plain[0] is not None
    assert {line: row for line, row in decided.items() if row != plain} == {}


def test_what_confluence_refuses_is_rejected_with_the_reason(ctx: Context) -> None:
    targets = list(REFUSED)
    file_id = _ingest(ctx, [LINE.format(client="10.0.0.1", target=t) for t in [PLAIN, *targets]])
    assert set(_decided(ctx, file_id)) == {1}
    rejects = _rejects(ctx, file_id)
    assert {line: reason.removesuffix(" (Confluence answers 400)") for line, reason in rejects.items()} == {
        i + 2: REFUSED[t] for i, t in enumerate(targets)}
    assert all(reason.endswith("(Confluence answers 400)") for reason in rejects.values())


def test_the_same_escapes_elsewhere_are_not_confluences_business(ctx: Context) -> None:
    file_id = _ingest(ctx, [LINE.format(client="10.0.0.1", target=t)
                            for t in ["/jira/%zz", "/files/a%2Fb", "/x/../../y"]])
    assert _rejects(ctx, file_id) == {}
    assert {r[2] for r in _decided(ctx, file_id).values()} == {"not_confluence"}


def test_json_nul_escape_never_reaches_a_stored_path(ctx: Context) -> None:
    records = [{"time": "2026-09-11T10:00:00Z", "method": "GET", "url": url, "status": 200,
                "user_agent": "BackupPro/2.1"}
               for url in ["https://acme.atlassian.net/wiki/rest/api/space/HR",
                           "https://acme.atlassian.net/wiki/rest/api/space/HR\u0000",
                           "https://acme.atlassian.net/jira/\u0000x",
                           "https://acme.atlassian.net/wiki/rest/api/space/HR?x=\u0000"]]
    file_id = _ingest(ctx, [json.dumps(r) for r in records], suffix=".jsonl")
    assert _rejects(ctx, file_id) == {2: "NUL character in the URL", 3: "NUL character in the URL",
                                      4: "NUL character in the URL"}
    nul = ctx.ws.con.execute("SELECT count(*) FROM requests WHERE contains(path, chr(0)) "
                             "OR contains(coalesce(query, ''), chr(0))").fetchall()[0][0]
    assert nul == 0


def test_ipv6_client_with_port_matches_a_cidr(ctx: Context) -> None:
    line = LINE.format(client="[2001:db8::2]:443", target=PLAIN).replace('"BackupPro/2.1"', '"curl/8"')
    file_id = _ingest(ctx, [line, line.replace("[2001:db8::2]:443", "2001:db8::3")], format="vhost_combined")
    assert {r[3] for r in _decided(ctx, file_id).values()} == {"com.acme.v6"}


def test_percent_encoded_address_is_redacted_whole(tmp_path: Path) -> None:
    path = tmp_path / "pii.log"
    targets = ["/wiki/rest/api/search?cql=creator%3D%22jane.doe%2Btag%40acme.com%22",
               "/wiki/rest/api/search?cql=creator%3D%22jane.doe+tag@acme.com%22",
               "/wiki/rest/api/user?username=jane.doe%2btag%40acme.com"]
    path.write_text("".join(LINE.format(client="10.0.0.1", target=t) + "\n" for t in targets))
    with Context(tmp_path / "ws.duckdb") as ctx:
        ctx.ingest([path], IngestOptions(redact_pii=True))
        queries = [r[0] for r in ctx.ws.con.execute("SELECT query FROM requests ORDER BY line_no").fetchall()]
    assert not any("jane" in q or "doe" in q or "tag" in q for q in queries), queries
    tokens = {q.split("%22")[1] if "%22" in q else q.split("=")[1] for q in queries}
    assert len(tokens) == 1 and tokens.pop().endswith("@redacted.invalid")


# -- property: a URL and its tricked variants route to the same endpoint and space ----------

BASES = ["/wiki/rest/api/space/{key}/content", "/wiki/api/v2/spaces/{id}/pages", "/wiki/rest/api/space/{key}",
         "/wiki/rest/api/content/{id}/child/page", "/wiki/api/v2/pages/{id}/footer-comments"]
_UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"


@st.composite
def tricked(draw: st.DrawFn, path: str) -> str:
    """``path`` spelled another way Confluence reads the same."""
    segments = path.split("/")[1:]
    out = []
    for index, segment in enumerate(segments):
        text = segment
        if (text.isupper() and index == len(segments) - 1) or (index > 0 and segments[index - 1] == "space"):
            text = draw(st.sampled_from([text, text.lower(), text.title()]))  # a space key, any case
        chars = []
        for char in text:
            if char in _UNRESERVED and draw(st.booleans()):
                escape = f"%{ord(char):02X}"
                chars.append(escape.lower() if draw(st.booleans()) else escape)
            else:
                chars.append(char)
        text = "".join(chars)
        if draw(st.booleans()):
            text += ";" + draw(st.sampled_from(["x=1", "jsessionid=abc", "v", ""]))
        prefix = draw(st.sampled_from(["", "./", "x/../", "%2e/", "x/%2E%2e/", "/"]))
        out.append(prefix + text)
    tricked_path = "/" + "/".join(out)
    if draw(st.booleans()):
        tricked_path += draw(st.sampled_from(["/", "/.", "//"]))
    return tricked_path


@pytest.fixture(scope="module")
def router() -> Iterator[Router]:
    r = Router()
    yield r
    r.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), base=st.sampled_from(BASES), key=st.sampled_from(["HR", "DEV", "FIN"]),
       number=st.integers(min_value=1, max_value=10**9))
def test_tricked_variants_route_to_the_same_endpoint_and_space(router: Router, data: st.DataObject, base: str,
                                                               key: str, number: int) -> None:
    plain = base.format(key=key, id=number)
    variants = [data.draw(tricked(plain)) for _ in range(4)]
    matches = router.route_many([("GET", url) for url in [plain, *variants]])
    first = matches[0]
    assert first.endpoint is not None
    for url, match in zip(variants, matches[1:], strict=True):
        assert match.endpoint is not None, url
        assert match.endpoint.key == first.endpoint.key, url
        assert (match.space_key or "").upper() == (first.space_key or ""), url
        assert (match.space_id, match.content_id) == (first.space_id, first.content_id), url


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_tricked_variants_are_decided_like_the_plain_request(ctx: Context, data: st.DataObject) -> None:
    variants = [data.draw(tricked(PLAIN)) for _ in range(6)]
    file_id = _ingest(ctx, [LINE.format(client="10.0.0.1", target=t) for t in [PLAIN, *variants]])
    decided = _decided(ctx, file_id)
    assert _rejects(ctx, file_id) == {}
    assert set(decided.values()) == {decided[1]}
    assert decided[1][1:] == ("HR", "blocked", "com.acme.backup")

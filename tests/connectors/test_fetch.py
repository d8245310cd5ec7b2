"""inventory fetch end to end against the fake site: what is stored, what it asks, resuming, decisions."""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from analyzer import Context
from analyzer.connectors.fetch import FetchOptions, FetchProgress, normalise_site
from analyzer.errors import RemoteError, UsageError
from tests.connectors.conftest import BULK, CREDENTIALS, CUSTOM_TYPE, GOLDEN, OAUTH, FakeTime, acme_site
from tests.connectors.fake_confluence import CLOUD_ID, FakeConfluence, Fault

SITE = "acme.atlassian.net"


def _fetch(db: Path, server: FakeConfluence, fake_time: FakeTime, env: dict[str, str] | None = None,
           progress: list[FetchProgress] | None = None, **options: object):
    opts = FetchOptions(api_base=server.url, custom_content_types=(CUSTOM_TYPE,), timing=fake_time.timing(),
                        **options)  # type: ignore[arg-type]
    with Context(db) as ctx:
        return ctx.fetch_inventory(SITE, opts, env=env or CREDENTIALS,
                                   progress=progress.append if progress is not None else None)


def _rows(db: Path, text: str) -> list[tuple]:
    with Context(db, read_only=True) as ctx:
        return list(ctx.sql(text).rows)


def _decisions(db: Path) -> dict[tuple[str, int], str]:
    rows = _rows(db, "SELECT f.path, d.line_no, d.decision FROM decisions d JOIN files f USING (file_id)")
    return {(Path(path).name, line): decision for path, line, decision in rows}


def _ids(target: str) -> list[str]:
    return [i for v in parse_qs(urlsplit(target).query).get("id", []) for i in v.split(",")]


# -- what is stored ------------------------------------------------------------------------------
def test_fetch_stores_the_site_its_spaces_and_the_content_the_traffic_references(
        golden_db: Path, server: FakeConfluence, fake_time: FakeTime) -> None:
    result = _fetch(golden_db, server, fake_time)
    assert (result.cloud_id, result.spaces, result.classified, result.classifications) == (CLOUD_ID, 5, True, 5)
    assert _rows(golden_db, "SELECT site, cloud_id FROM sites") == [(SITE, CLOUD_ID)]
    assert _rows(golden_db, "SELECT s.space_id, space_key, name, classification, space_type, status FROM spaces s "
                            "JOIN confluence_spaces USING (site, space_id) ORDER BY 1") == [
        ("101", "HR", "Human Resources", "confidential", "global", "current"),
        ("102", "DEV", "Engineering", "internal", "global", "current"),
        ("103", "~abc", "Cole, Ann (personal)", "internal", "personal", "current"),
        ("104", "OLD", "Old stuff", None, "global", "archived"),
        ("105", "MKT", "Marketing", None, "global", "current"),
    ]
    content = {r[0]: r[1:] for r in _rows(golden_db, "SELECT content_id, content_type, space_id, space_key, site "
                                                     "FROM content")}
    assert {k: content[k] for k in ("5001", "5003", "6001", "6100", "att6101", "6201", "6301", "6401", "6601",
                                    "6701")} == {
        "5001": ("page", "101", None, SITE),
        "5003": ("page", "103", None, SITE),           # referenced only through the gateway (cloud id)
        "6001": ("blogpost", "102", None, SITE),
        "6100": ("page", "101", None, SITE),           # a trashed page: still in its space
        "att6101": ("attachment", "101", None, SITE),  # through its page 6100, which traffic never named
        "6201": ("comment", "102", None, SITE),        # through its page 5002
        "6301": ("whiteboard", None, "HR", SITE),      # through its web UI link
        "6401": ("folder", "101", None, SITE),         # through its parent page 5001
        "6601": ("custom_content", "101", None, SITE),
        "6701": ("blogpost", "101", None, SITE),       # v1 id of unknown type: not a page, a blog post
    }
    assert all(content[i] == ("page", "102", None, SITE) for i in BULK)
    assert "7001" not in content  # beta's traffic is not acme's
    states = {r[0]: r[1:] for r in _rows(golden_db, "SELECT content_id, state, content_type FROM "
                                                    "confluence_content_state")}
    assert states == {"5999": ("missing", None), "6801": ("missing", None), "6501": ("no_space", "database")}
    assert (result.content_found, result.content_missing, result.content_no_space) == (len(content), 2, 1)


def test_fetch_asks_only_for_unknown_ids_in_batches_of_at_most_250(golden_db: Path, server: FakeConfluence,
                                                                   fake_time: FakeTime) -> None:
    with Context(golden_db) as ctx:
        ctx.load_inventory([GOLDEN / "content.csv"])  # 5001, 5002, 5003 (and beta's 7001) are known
    result = _fetch(golden_db, server, fake_time)
    targets = [c.target for c in server.calls]
    page_calls = [t for t in targets if t.startswith("/wiki/api/v2/pages?")]
    asked = Counter(i for t in page_calls for i in _ids(t))
    assert all(len(_ids(t)) <= 250 and "limit=250" in t for t in page_calls)
    assert not {"5001", "5002", "5003", "7001"} & set(asked)
    assert all(asked[i] == 1 for i in BULK)
    assert len([t for t in page_calls if set(_ids(t)) & set(BULK)]) == 2  # 300 ids + a few: two calls
    # the unknown-type id that exists nowhere went through every look-up once, then was recorded missing
    missing_id_calls = [t for t in targets if "6801" in t]
    assert len(missing_id_calls) == len(set(missing_id_calls)) == 10
    assert result.calls == len(server.calls)


def test_ids_recorded_as_missing_are_not_asked_for_again(golden_db: Path, server: FakeConfluence,
                                                         fake_time: FakeTime) -> None:
    _fetch(golden_db, server, fake_time)
    first = len(server.calls)
    again = _fetch(golden_db, server, fake_time)
    second = [c.target for c in server.calls[first:]]
    assert not again.resumed and again.content_found == again.content_missing == 0
    # a new run lists the spaces and their classifications again; no tenant info (known), no content
    assert second[:4] == [
        "/wiki/api/v2/spaces?limit=250", "/wiki/api/v2/spaces?limit=250&cursor=Mg==",
        "/wiki/api/v2/spaces?limit=250&cursor=NA==", "/wiki/api/v2/classification-levels"]
    assert sorted(second[4:]) == [f"/wiki/api/v2/spaces/{i}/classification-level/default" for i in range(101, 106)]


def test_a_site_without_classifications_is_not_an_error(golden_db: Path, fake_time: FakeTime) -> None:
    site = acme_site()
    site.levels = None
    with FakeConfluence(site, email=CREDENTIALS["ATLASSIAN_EMAIL"], token=CREDENTIALS["ATLASSIAN_API_TOKEN"]) as fake:
        result = _fetch(golden_db, fake, fake_time)
        targets = [c.target for c in fake.calls]
    assert result.classified is False and result.classifications == 0
    assert "/wiki/api/v2/classification-levels" in targets
    assert not [t for t in targets if "classification-level/default" in t]
    assert _rows(golden_db, "SELECT count(*) FROM spaces WHERE classification IS NOT NULL") == [(0,)]
    assert result.content_missing == 2  # the content is fetched all the same


def test_classification_levels_the_account_may_not_read_are_a_warning(golden_db: Path, server: FakeConfluence,
                                                                       fake_time: FakeTime) -> None:
    server.faults.append(Fault("/wiki/api/v2/classification-levels", status=403))
    result = _fetch(golden_db, server, fake_time)
    assert result.classified is False and result.content_missing == 2
    assert result.warnings == ("the account may not read the site's classification levels (403): spaces are stored "
                               "without them; classification coverage cannot be checked",)
    assert not [c for c in server.calls if "classification-level/default" in c.path]


def test_bearer_token_fetches_through_the_gateway(golden_db: Path, server: FakeConfluence,
                                                  fake_time: FakeTime) -> None:
    result = _fetch(golden_db, server, fake_time, env={"ATLASSIAN_OAUTH_TOKEN": OAUTH})
    assert result.content_missing == 2
    tenant, *api = server.calls
    assert tenant.path == "/_edge/tenant_info" and tenant.authorization is None
    assert all(c.path.startswith(f"/ex/confluence/{CLOUD_ID}/wiki/api/v2/") for c in api)
    assert {c.authorization for c in api} == {f"Bearer {OAUTH}"}


def test_progress_reports_calls_and_ids_left(golden_db: Path, server: FakeConfluence, fake_time: FakeTime) -> None:
    seen: list[FetchProgress] = []
    _fetch(golden_db, server, fake_time, progress=seen)
    assert [p.phase for p in seen][:2] == ["cloud id", "spaces"]
    content = [p for p in seen if p.phase == "content"]
    assert content[0].ids_left > 300 and content[-1].ids_left == 0
    assert [p.calls for p in seen] == sorted(p.calls for p in seen)
    assert all(p.total is None or p.done <= p.total for p in seen)


def test_concurrency_is_capped(golden_db: Path, server: FakeConfluence, fake_time: FakeTime) -> None:
    _fetch(golden_db, server, fake_time, concurrency=2)
    assert server.max_in_flight <= 2


# -- politeness within a fetch -------------------------------------------------------------------------
def test_429_and_500_during_a_fetch_are_waited_out(golden_db: Path, server: FakeConfluence,
                                                   fake_time: FakeTime) -> None:
    server.faults += [Fault("/wiki/api/v2/spaces/102/classification-level", status=429, headers={"Retry-After": "3"}),
                      Fault("/wiki/api/v2/blogposts", status=500)]
    result = _fetch(golden_db, server, fake_time)
    assert 3.0 in fake_time.sleeps
    assert result.content_missing == 2
    assert _rows(golden_db, "SELECT classification FROM spaces WHERE space_id = '102'") == [("internal",)]


@pytest.fixture(scope="module")
def clean_db(_golden_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden workspace after one uninterrupted fetch."""
    db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    shutil.copy(_golden_template, db)
    with FakeConfluence(acme_site(), email=CREDENTIALS["ATLASSIAN_EMAIL"],
                        token=CREDENTIALS["ATLASSIAN_API_TOKEN"]) as other:
        _fetch(db, other, FakeTime())
    return db


# -- interrupted and resumed ------------------------------------------------------------------------
@pytest.mark.parametrize("fault", [
    Fault("/wiki/api/v2/spaces", query="cursor=NA", drop=True, times=99),        # third page of spaces
    Fault("/wiki/api/v2/spaces/103/classification-level", drop=True, times=99),  # one space's classification
    Fault("/wiki/api/v2/pages", query="9299", drop=True, times=99),              # the second batch of pages
    Fault("/wiki/api/v2/attachments/", drop=True, times=99),                     # a single look-up
], ids=["spaces-page", "classification", "pages-batch", "attachment"])
def test_a_fetch_cut_by_a_dropped_connection_resumes_without_repeating_a_call(
        golden_db: Path, clean_db: Path, server: FakeConfluence, fake_time: FakeTime, fault: Fault) -> None:
    fault = dataclasses.replace(fault)  # a fresh copy: the parameter is shared
    server.faults.append(fault)
    with pytest.raises(RemoteError, match="connection dropped"):
        _fetch(golden_db, server, fake_time)
    first = server.answered()
    dropped = {c.target for c in server.calls if c.status is None}
    assert len(dropped) == 1
    with Context(golden_db, read_only=True) as ctx:
        assert ctx.ws.meta("decisions") != "stale: inventory fetch in progress"  # decided again after the error
    fault.times = 0
    start = len(server.calls)
    result = _fetch(golden_db, server, fake_time)
    second = [c.target for c in server.calls[start:]]
    assert result.resumed
    assert not set(first) & set(second), "a call answered before the drop was made again"
    assert dropped <= set(second)
    # the resumed fetch ends where an uninterrupted one does
    for table in ("sites", "spaces", "content", "confluence_spaces"):
        columns = "*" if table != "confluence_spaces" else "site, space_id, space_type, status"
        query = f"SELECT {columns} FROM {table} ORDER BY ALL"
        assert _rows(golden_db, query) == _rows(clean_db, query), table
    assert _decisions(golden_db) == _decisions(clean_db)


def test_a_failed_fetch_keeps_what_it_stored_and_decides_again(golden_db: Path, server: FakeConfluence,
                                                               fake_time: FakeTime) -> None:
    server.faults.append(Fault("/wiki/api/v2/attachments/", status=200, body=b"<html>proxy error</html>"))
    before = _decisions(golden_db)
    with pytest.raises(RemoteError, match="malformed JSON in the answer to GET /wiki/api/v2/attachments/att6101"):
        _fetch(golden_db, server, fake_time)
    after = _decisions(golden_db)
    assert _rows(golden_db, "SELECT count(*) > 300 FROM content") == [(True,)]
    assert before[("access.log", 13)] == "unknown_space" and after[("access.log", 13)] == "blocked"


def test_401_stores_nothing_and_changes_no_decision(golden_db: Path, server: FakeConfluence,
                                                    fake_time: FakeTime) -> None:
    with Context(golden_db) as ctx:
        ctx.load_inventory([GOLDEN / "sites.csv"])  # the cloud id is known: the first call needs credentials
    before = _decisions(golden_db)
    env = {**CREDENTIALS, "ATLASSIAN_API_TOKEN": "not-the-token"}
    with pytest.raises(RemoteError, match="refused the credentials"):
        _fetch(golden_db, server, fake_time, env=env)
    assert _rows(golden_db, "SELECT (SELECT count(*) FROM spaces) + (SELECT count(*) FROM content)") == [(0,)]
    assert _decisions(golden_db) == before


# -- decisions -------------------------------------------------------------------------------------------
def test_decisions_change_from_unknown_space_to_what_the_csv_inventory_gives(
        golden_db: Path, tmp_path: Path, server: FakeConfluence, fake_time: FakeTime) -> None:
    before = _decisions(golden_db)
    result = _fetch(golden_db, server, fake_time)
    after = _decisions(golden_db)
    # The same traffic with the hand-written golden inventory decides the golden lines the same way.
    csv_db = tmp_path / "csv.duckdb"
    shutil.copy(golden_db, csv_db)
    with Context(csv_db) as ctx:
        ctx.ws.con.execute("DELETE FROM content; DELETE FROM spaces; DELETE FROM sites")
        ctx.load_inventory([GOLDEN / "sites.csv", GOLDEN / "spaces.csv", GOLDEN / "content.csv"])
    by_csv = _decisions(csv_db)
    acme = [k for k in after if k[0] == "access.log" and k[1] not in (1, 33, 34, 35, 36)]  # beta's lines apart
    assert {k: after[k] for k in acme} == {k: by_csv[k] for k in acme}
    # ReportBot on HR page 5001 after the rule's activation (lines 13, 30) and on space id 101 (line 39):
    # unknown_space before, blocked now.
    for key in (("access.log", 13), ("access.log", 30), ("access.log", 39)):
        assert (before[key], after[key]) == ("unknown_space", "blocked"), key
    # Forge on ~abc's page 5003 through the gateway (line 25): the cloud id now maps it to acme and its rule.
    assert (before[("access.log", 25)], after[("access.log", 25)]) == ("allowed", "blocked")
    extra = {n + 1: after[("extra.log", n + 1)] for n in range(9)}
    assert extra == {1: "allowed", 2: "blocked", 3: "allowed", 4: "blocked", 5: "blocked", 6: "unknown_space",
                     7: "blocked", 8: "blocked", 9: "unknown_space"}
    # left unknown: 5999 and 6801 (missing) and the database 6501 (no space)
    assert {k for k, d in after.items() if d == "unknown_space"} == {("access.log", 21), ("extra.log", 6),
                                                                     ("extra.log", 9)}
    assert result.decisions_before == dict(Counter(before.values()))
    assert result.decisions_after == dict(Counter(after.values()))


# -- dry run and arguments -----------------------------------------------------------------------------
def test_dry_run_counts_calls_and_makes_none(golden_db: Path, server: FakeConfluence) -> None:
    with Context(golden_db) as ctx:
        ctx.load_inventory([GOLDEN / "sites.csv"])  # the cloud id is known: gateway ids count too
        plan = ctx.plan_inventory_fetch(SITE, FetchOptions(api_base=server.url), env=CREDENTIALS)
    assert server.calls == []
    steps = {r[0]: r[1:3] for r in plan.rows}
    assert steps["cloud id"] == (None, 0)
    assert steps["content: pages"] == (306, 2)  # 5001-5003, 5999, 6701, 6801 and 300 bulk ids
    for kind in ("attachment", "footer-comment", "whiteboard", "folder", "database", "custom-content"):
        assert steps[f"content: {kind}"] == (1, 1)
    assert plan.calls == sum(r[2] for r in plan.rows) and "basic auth" in plan.auth
    assert _rows(golden_db, "SELECT count(*) FROM confluence_fetches") == [(0,)]


@pytest.mark.parametrize(("given", "host"), [("https://Acme.atlassian.net/wiki/", SITE), ("acme.atlassian.net", SITE),
                                             ("acme.atlassian.net:443", SITE)])
def test_site_is_a_host_name(given: str, host: str) -> None:
    assert normalise_site(given) == host


@pytest.mark.parametrize("given", ["", "acme", "https://", "acme atlassian.net"])
def test_a_site_that_is_not_a_host_is_a_usage_error(given: str) -> None:
    with pytest.raises(UsageError, match="not a site host name"):
        normalise_site(given)

"""The Confluence client against a real HTTP server on 127.0.0.1: credentials, retries, refusals."""

from __future__ import annotations

import email.utils
import time

import pytest

from analyzer.connectors.confluence import ConfluenceClient, Credentials, Timing, credentials_from_env
from analyzer.errors import ExitCode, RemoteError, RemoteNotFoundError, UsageError
from tests.connectors.conftest import CREDENTIALS, EMAIL, OAUTH, TOKEN, FakeTime, acme_site
from tests.connectors.fake_confluence import CLOUD_ID, FakeConfluence, Fault

SPACES = "/wiki/api/v2/spaces?limit=250"


def _client(server: FakeConfluence, fake_time: FakeTime, env: dict[str, str] | None = None,
            **timing: float) -> ConfluenceClient:
    client = ConfluenceClient("acme.atlassian.net", credentials_from_env(env or CREDENTIALS), api_base=server.url,
                              concurrency=2, timing=fake_time.timing(**timing))
    client.use_cloud_id(CLOUD_ID)
    return client


# -- credentials -----------------------------------------------------------------------------
def test_basic_and_bearer_credentials_come_from_the_environment() -> None:
    basic = credentials_from_env(CREDENTIALS)
    bearer = credentials_from_env({"ATLASSIAN_OAUTH_TOKEN": OAUTH})
    assert (basic.scheme, bearer.scheme) == ("basic", "bearer")
    for creds in (basic, bearer):
        shown = repr(creds) + repr(creds.auth) + creds.source
        assert TOKEN not in shown and OAUTH not in shown


@pytest.mark.parametrize(("env", "message"), [
    ({}, "no Confluence credentials in the environment"),
    ({"ATLASSIAN_EMAIL": EMAIL}, "ATLASSIAN_API_TOKEN is not set"),
    ({"ATLASSIAN_API_TOKEN": TOKEN}, "ATLASSIAN_EMAIL is not set"),
    ({**CREDENTIALS, "ATLASSIAN_OAUTH_TOKEN": OAUTH}, "both ATLASSIAN_OAUTH_TOKEN and"),
])
def test_missing_or_ambiguous_credentials_are_a_usage_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        credentials_from_env(env)
    assert caught.value.exit_code == ExitCode.USAGE
    assert TOKEN not in str(caught.value) and OAUTH not in str(caught.value)


def test_basic_auth_goes_to_the_site_and_tenant_info_goes_without_credentials(
        server: FakeConfluence, fake_time: FakeTime) -> None:
    with _client(server, fake_time) as client:
        assert client.tenant_info() == CLOUD_ID
        body = client.get_json(SPACES)
    assert [s["key"] for s in body["results"]] == ["HR", "DEV"]
    tenant, spaces = server.calls
    assert (tenant.path, tenant.authorization) == ("/_edge/tenant_info", None)
    assert spaces.path == "/wiki/api/v2/spaces" and spaces.authorization.startswith("Basic ")


def test_bearer_tokens_go_through_the_gateway_path_of_the_cloud_id(server: FakeConfluence,
                                                                   fake_time: FakeTime) -> None:
    client = ConfluenceClient("acme.atlassian.net", credentials_from_env({"ATLASSIAN_OAUTH_TOKEN": OAUTH}),
                              api_base=server.url, timing=fake_time.timing())
    with client:
        with pytest.raises(RemoteError, match="cloud id is needed"):
            client.get_json(SPACES)
        client.use_cloud_id(client.tenant_info())
        assert len(client.get_json(SPACES)["results"]) == 2
    assert server.calls[-1].path == f"/ex/confluence/{CLOUD_ID}/wiki/api/v2/spaces"
    assert server.calls[-1].authorization == f"Bearer {OAUTH}"


def test_next_links_are_followed_on_the_api_base_only(server: FakeConfluence, fake_time: FakeTime) -> None:
    with _client(server, fake_time) as client:
        client.get_json("https://evil.example/wiki/api/v2/spaces?limit=250&cursor=Mg==")
    assert server.calls[0].target == "/wiki/api/v2/spaces?limit=250&cursor=Mg=="


# -- good manners ------------------------------------------------------------------------------
def test_429_waits_for_retry_after_then_retries(server: FakeConfluence, fake_time: FakeTime) -> None:
    server.faults.append(Fault("/wiki/api/v2/spaces", status=429, headers={"Retry-After": "7"}))
    with _client(server, fake_time) as client:
        assert len(client.get_json(SPACES)["results"]) == 2
        assert client.calls == 2
    assert fake_time.sleeps == [7.0]
    assert [c.status for c in server.calls] == [429, 200]


def test_429_with_an_http_date_and_a_wait_beyond_the_limit_stops_with_a_hint(
        server: FakeConfluence, fake_time: FakeTime) -> None:
    later = email.utils.formatdate(time.time() + 3600, usegmt=True)
    server.faults.append(Fault("/wiki/api/v2/spaces", status=429, headers={"Retry-After": later}))
    with _client(server, fake_time, max_retry_after=600) as client, pytest.raises(RemoteError) as caught:
        client.get_json(SPACES)
    assert "asks to wait" in str(caught.value) and "resumes" in str(caught.value)
    assert fake_time.sleeps == [] and len(server.calls) == 1


def test_a_500_backs_off_with_jitter_then_succeeds(server: FakeConfluence, fake_time: FakeTime) -> None:
    server.faults.append(Fault("/wiki/api/v2/spaces", status=500, times=2))
    with _client(server, fake_time, backoff=0.5) as client:
        assert len(client.get_json(SPACES)["results"]) == 2
    # the fake jitter takes the ceiling: 0.5, then doubled
    assert fake_time.sleeps == [0.5, 1.0]
    assert [c.status for c in server.calls] == [500, 500, 200]


def test_backoff_is_drawn_below_a_doubling_ceiling(server: FakeConfluence) -> None:
    drawn: list[tuple[float, float]] = []

    def jitter(low: float, high: float) -> float:
        drawn.append((low, high))
        return low

    fake = FakeTime()
    timing = Timing(sleep=fake.sleep, clock=fake.clock, jitter=jitter, backoff=1.0, backoff_cap=3.0)
    client = ConfluenceClient("acme.atlassian.net", credentials_from_env(CREDENTIALS), api_base=server.url,
                              timing=timing)
    server.faults.append(Fault("/wiki/api/v2/spaces", status=503, times=3))
    with client:
        client.get_json(SPACES)
    assert drawn == [(0.0, 1.0), (0.0, 2.0), (0.0, 3.0)]


def test_a_server_that_keeps_failing_stops_after_the_attempts(server: FakeConfluence, fake_time: FakeTime) -> None:
    server.faults.append(Fault("/wiki/api/v2/spaces", status=502, times=99))
    with _client(server, fake_time, attempts=3) as client, pytest.raises(RemoteError) as caught:
        client.get_json(SPACES)
    assert str(caught.value).startswith("Confluence kept answering HTTP 502 on GET /wiki/api/v2/spaces (3 attempts)")
    assert len(server.calls) == 3


def test_a_dropped_connection_is_retried(server: FakeConfluence, fake_time: FakeTime) -> None:
    server.faults.append(Fault("/wiki/api/v2/spaces", drop=True))
    with _client(server, fake_time) as client:
        assert len(client.get_json(SPACES)["results"]) == 2
    assert [c.status for c in server.calls] == [None, 200]
    assert len(fake_time.sleeps) == 1


def test_a_connection_that_keeps_dropping_is_one_line(server: FakeConfluence, fake_time: FakeTime) -> None:
    server.faults.append(Fault("/wiki/api/v2/spaces", drop=True, times=99))
    with _client(server, fake_time, attempts=2) as client, pytest.raises(RemoteError) as caught:
        client.get_json(SPACES)
    assert "connection dropped on GET /wiki/api/v2/spaces (2 attempts)" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_unreachable_server_is_one_line(fake_time: FakeTime) -> None:
    with FakeConfluence(acme_site()) as gone:
        url = gone.url  # nothing listens there once the server is closed
    client = ConfluenceClient("acme.atlassian.net", credentials_from_env(CREDENTIALS), api_base=url,
                              timing=fake_time.timing(attempts=2))
    with client, pytest.raises(RemoteError, match=r"cannot reach 127\.0\.0\.1"):
        client.tenant_info()


# -- refusals -----------------------------------------------------------------------------------
def test_401_names_the_variables_to_check_and_never_the_secret(server: FakeConfluence, fake_time: FakeTime) -> None:
    env = {"ATLASSIAN_EMAIL": EMAIL, "ATLASSIAN_API_TOKEN": "wrong-" + TOKEN}
    with _client(server, fake_time, env) as client, pytest.raises(RemoteError) as caught:
        client.get_json(SPACES)
    text = str(caught.value)
    assert text.startswith("Confluence refused the credentials (401 on GET /wiki/api/v2/spaces)")
    assert "ATLASSIAN_EMAIL + ATLASSIAN_API_TOKEN" in text and TOKEN not in text
    assert caught.value.exit_code == ExitCode.ERROR
    assert len(server.calls) == 1  # not retried


def test_403_says_which_oauth_scope_is_missing(server: FakeConfluence, fake_time: FakeTime) -> None:
    server.faults.append(Fault(f"/ex/confluence/{CLOUD_ID}/wiki/api/v2/attachments", status=403))
    with _client(server, fake_time, {"ATLASSIAN_OAUTH_TOKEN": OAUTH}) as client, \
            pytest.raises(RemoteError) as caught:
        client.get_json("/wiki/api/v2/attachments/att1")
    assert "permission denied (403 on GET" in str(caught.value)
    assert "read:attachment:confluence" in str(caught.value)


def test_404_on_the_site_is_a_wrong_site(server: FakeConfluence, fake_time: FakeTime) -> None:
    server.faults.append(Fault("/_edge/tenant_info", status=404))
    with _client(server, fake_time) as client, pytest.raises(RemoteNotFoundError) as caught:
        client.tenant_info()
    assert "does not look like a Confluence Cloud site" in str(caught.value)
    assert "--api-base" in str(caught.value) and caught.value.exit_code == ExitCode.NOT_FOUND


def test_404_is_an_answer_where_the_caller_allows_it(server: FakeConfluence, fake_time: FakeTime) -> None:
    with _client(server, fake_time) as client:
        assert client.get("/wiki/api/v2/whiteboards/1", missing_ok=(404,)) == (404, None)


def test_malformed_json_is_one_line(server: FakeConfluence, fake_time: FakeTime) -> None:
    server.faults.append(Fault("/wiki/api/v2/spaces", status=200, body=b'{"results": [{"id": '))
    with _client(server, fake_time) as client, pytest.raises(RemoteError) as caught:
        client.get_json(SPACES)
    assert str(caught.value).startswith("malformed JSON in the answer to GET /wiki/api/v2/spaces")


def test_a_redirect_is_not_followed(server: FakeConfluence, fake_time: FakeTime) -> None:
    server.faults.append(Fault("/wiki/api/v2/spaces", status=302,
                               headers={"Location": "https://login.example/auth?x=1"}))
    with _client(server, fake_time) as client, pytest.raises(RemoteError, match=r"redirect .* to login\.example"):
        client.get_json(SPACES)
    assert len(server.calls) == 1


def test_credentials_object_keeps_its_secret_out_of_equality_and_repr() -> None:
    creds = credentials_from_env({"ATLASSIAN_OAUTH_TOKEN": OAUTH})
    assert isinstance(creds, Credentials) and OAUTH not in repr(creds) and OAUTH not in str(vars(creds))

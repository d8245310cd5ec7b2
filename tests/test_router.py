"""The router: URL forms, precedence of literals over parameters, extracted ids, and a
property test that every catalogue template routes back to itself."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.catalog import load_catalog
from analyzer.router import Router


@pytest.fixture(scope="module")
def router() -> Router:
    r = Router()
    yield r
    r.close()


@pytest.mark.parametrize(
    ("method", "url", "expected"),
    [
        ("GET", "/wiki/rest/api/content/search?cql=type%3Dpage", "GET /wiki/rest/api/content/search"),
        ("GET", "/wiki/rest/api/content/12345", "GET /wiki/rest/api/content/{id}"),
        ("GET", "/wiki/rest/api/group/by-name?name=admins", "GET /wiki/rest/api/group/by-name"),
        ("GET", "/wiki/rest/api/group/by-id?id=1", "GET /wiki/rest/api/group/by-id"),
        ("GET", "/wiki/rest/api/group/confluence-users", "GET /wiki/rest/api/group/{groupName}"),
        ("GET", "/wiki/rest/api/content/5/child/attachment", "GET /wiki/rest/api/content/{id}/child/attachment"),
        ("GET", "/wiki/rest/api/content/5/child/page", "GET /wiki/rest/api/content/{id}/child/{type}"),
        ("GET", "/wiki/rest/api/content/5/child", "GET /wiki/rest/api/content/{id}/child"),
        ("GET", "/wiki/api/v2/pages/42", "GET /wiki/api/v2/pages/{id}"),
        ("DELETE", "/wiki/api/v2/pages/42", "DELETE /wiki/api/v2/pages/{id}"),
        ("GET", "/wiki/api/v2/spaces/77/pages", "GET /wiki/api/v2/spaces/{id}/pages"),
        ("HEAD", "/wiki/api/v2/spaces/77", "GET /wiki/api/v2/spaces/{id}"),
        ("get", "/wiki/api/v2/spaces", "GET /wiki/api/v2/spaces"),
        ("POST", "/wiki/rest/atlassian-connect/1/app/module/dynamic",
         "POST /atlassian-connect/1/app/module/dynamic"),
    ],
)
def test_precedence_and_methods(router: Router, method: str, url: str, expected: str) -> None:
    match = router.route(method, url)
    assert match.endpoint is not None, url
    assert match.endpoint.key == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.atlassian.net/wiki/api/v2/pages/42?body-format=storage",
        "https://api.atlassian.com/ex/confluence/7f1c2a9e-1b7d/wiki/api/v2/pages/42",
        "http://user:pw@acme.atlassian.net:8443/wiki/api/v2/pages/42/",
        "/wiki/api/v2/pages/42/",
        "/wiki//api/v2/pages/42",
        "//wiki/api/v2/pages/42?x=1#frag",
        "acme.atlassian.net/wiki/api/v2/pages/42",
    ],
)
def test_url_forms_route_to_the_same_endpoint(router: Router, url: str) -> None:
    match = router.route("GET", url)
    assert match.endpoint is not None and match.endpoint.key == "GET /wiki/api/v2/pages/{id}", url
    assert match.content_id == "42"


def test_gateway_gives_cloud_id_and_host(router: Router) -> None:
    match = router.route("GET", "https://api.atlassian.com/ex/confluence/7f1c2a9e/wiki/rest/api/space/HR")
    assert match.cloud_id == "7f1c2a9e"
    assert match.host == "api.atlassian.com"
    assert match.space_key == "HR"


def test_site_host_is_lower_cased_and_port_dropped(router: Router) -> None:
    match = router.route("GET", "https://ACME.atlassian.net:443/wiki/rest/api/space/HR")
    assert match.host == "acme.atlassian.net"


def test_percent_encoded_personal_space_key(router: Router) -> None:
    match = router.route("GET", "/wiki/rest/api/space/%7E5b10ac8d82e05b22cc7d4ef5/content")
    assert match.endpoint is not None
    assert match.endpoint.path == "/wiki/rest/api/space/{spaceKey}/content"
    assert match.space_key == "~5b10ac8d82e05b22cc7d4ef5"
    plain = router.route("GET", "/wiki/rest/api/space/~5b10ac8d82e05b22cc7d4ef5/content")
    assert plain.endpoint == match.endpoint and plain.space_key == match.space_key


def test_query_string_spaces(router: Router) -> None:
    match = router.route("GET", "/wiki/rest/api/search?cql=space+in+(%22HR%22%2CFIN)+and+type%3Dpage")
    assert match.query_space_keys == ("FIN", "HR")
    match = router.route("GET", "/wiki/api/v2/pages?space-id=98311,98312&limit=5")
    assert match.query_space_ids == ("98311", "98312")


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("/wiki/spaces/HR/pages/123", "not catalogued"),
        ("/wiki/rest/api/no-such-thing", "not catalogued"),
        ("/rest/api/3/issue/1", "not a Confluence REST call"),
        ("https://example.com/", "not a Confluence REST call"),
    ],
)
def test_not_catalogued(router: Router, url: str, verdict: str) -> None:
    match = router.route("GET", url)
    assert match.endpoint is None
    assert match.verdict == verdict


def test_wrong_method_is_not_catalogued(router: Router) -> None:
    assert router.route("PATCH", "/wiki/api/v2/pages/42").endpoint is None


# -- property: every template routes back to itself (or a more literal twin) ----------

ENDPOINTS = load_catalog()
# Path parameter values as a client spells them. Not '/' or '\\' (encoded, Confluence refuses them:
# tests/test_url_tricks.py), nor a bare '.' or '..' (dot segments) nor ';' unencoded (a path parameter).
_value = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00/\\"), min_size=1, max_size=12
).filter(lambda s: s not in (".", "..")).map(lambda s: quote(s, safe="~-_.!$'()*+,=:@"))
_form = st.sampled_from(["bare", "site", "gateway", "slash", "query"])


def _instantiate(path: str, values: list[str]) -> str:
    out, i = [], 0
    for segment in path.split("/"):
        if segment.startswith("{"):
            out.append(values[i % len(values)])
            i += 1
        else:
            out.append(segment)
    return "/".join(out)


def _matches(template: str, path: str) -> bool:
    t, p = template.split("/"), path.split("/")
    return len(t) == len(p) and all(a.startswith("{") or a == b for a, b in zip(t, p, strict=True))


def _specificity(template: str) -> str:
    return "".join("1" if s.startswith("{") else "0" for s in template.split("/"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_value, min_size=3, max_size=3), _form, st.data())
def test_every_template_routes_back(router: Router, values: list[str], form: str, data: st.DataObject) -> None:
    requests = []
    for endpoint in ENDPOINTS:
        path = _instantiate(endpoint.path, data.draw(st.permutations(values)) if values else values)
        if path.startswith("/atlassian-connect/"):
            path = "/wiki/rest" + path
        url = {
            "bare": path,
            "site": "https://acme.atlassian.net" + path,
            "gateway": "https://api.atlassian.com/ex/confluence/abc-123" + path,
            "slash": path + "/",
            "query": path + "?limit=10&cql=space%3DHR",
        }[form]
        requests.append((endpoint.method, url))
    for endpoint, (_, url), match in zip(ENDPOINTS, requests, router.route_many(requests), strict=True):
        assert match.endpoint is not None, (endpoint.key, url)
        routed = match.endpoint
        canonical = match.path
        assert routed.method == endpoint.method
        assert _matches(routed.path, canonical), (endpoint.key, url, routed.key)
        assert _specificity(routed.path) <= _specificity(endpoint.path), (endpoint.key, url, routed.key)

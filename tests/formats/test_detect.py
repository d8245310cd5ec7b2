"""Format detection from a file's first lines: every sample, look-alikes, and clear errors when unsure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.errors import FormatError
from analyzer.formats import DETECT_THRESHOLD, REGISTRY, detect_format
from analyzer.sources import read_head, sample_lines
from analyzer.workspace import Workspace
from tests.formats.support import SAMPLES, ingest_one

EXPECTED = {
    "apache-combined.log": "combined", "apache-common.log": "common", "nginx-vhost_combined.log": "vhost_combined",
    "squid-access.log": "squid", "alb-access.log": "alb", "envoy-istio.jsonl": "envoy",
    "cloudflare-logpush.jsonl": "cloudflare", "app-gateway.jsonl": "json", "iis-w3c.log": "w3c",
    "proxy-export.csv": "csv", "browser-export.har": "har",
}
ENVOY = {"start_time": "2026-09-30T10:00:00Z", "method": "GET", "path": "/wiki", "response_code": 200,
         "authority": "acme.atlassian.net", "upstream_host": "1.2.3.4:443"}
CLOUDFLARE = {"EdgeStartTimestamp": 1790812799, "ClientRequestHost": "acme.atlassian.net",
              "ClientRequestURI": "/wiki", "ClientRequestMethod": "GET", "EdgeResponseStatus": 200}


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_every_sample_is_recognised(name: str, expected: str) -> None:
    path = SAMPLES / name
    assert detect_format(sample_lines(read_head(path)), name).name == expected


def test_every_sample_has_an_expectation() -> None:
    logs = {p.name for p in SAMPLES.iterdir() if p.is_file() and p.suffix in (".log", ".jsonl", ".csv", ".har")}
    assert logs == set(EXPECTED) | set(EXPECTED_FRONTS)


def test_two_formats_matching_equally_is_an_error_naming_both() -> None:
    both = json.dumps({**ENVOY, **CLOUDFLARE})
    with pytest.raises(FormatError, match="envoy and cloudflare both match") as error:
        detect_format([both] * 3, "mixed.jsonl")
    assert "--input-format NAME" in str(error.value)


def test_no_format_sure_enough_names_the_candidates() -> None:
    lines = [json.dumps(ENVOY), json.dumps(CLOUDFLARE)] * 3
    with pytest.raises(FormatError, match=r"best candidates (envoy \(50%\), cloudflare|cloudflare \(50%\), envoy)"):
        detect_format(lines, "half.jsonl")


@pytest.mark.parametrize(("lines", "expected"), [
    # a minified HAR is one JSON line: HAR, not generic JSON
    ([json.dumps({"log": {"version": "1.2", "creator": {"name": "x"}, "entries": []}})], "har"),
    # W3C without #Software/#Version is still W3C
    (["#Fields: date time cs-method cs-uri-stem sc-status", "2026-09-30 10:00:00 GET /wiki 200"], "w3c"),
    # a semicolon CSV whose header uses other spellings
    (["Time;Client-IP;Verb;URI;Status", "2026-09-30 10:00:00;10.0.0.1;GET;/wiki;200"], "csv"),
    # generic JSON with nested ECS names
    ([json.dumps({"@timestamp": "2026-09-30T10:00:00Z", "url": {"original": "/wiki"},
                  "http": {"request": {"method": "GET"}}})], "json"),
])
def test_look_alikes(lines: list[str], expected: str) -> None:
    assert detect_format(lines, "x").name == expected


@pytest.mark.parametrize("lines", [
    ["name,colour,size", "apple,red,3"],  # CSV, but no log columns
    [json.dumps({"hello": "world"})],  # JSON, but no request
    ['{"log":'],  # cut
])
def test_not_a_log(lines: list[str]) -> None:
    with pytest.raises(FormatError, match="cannot detect the format"):
        detect_format(lines, "x")


def test_sample_files_are_small() -> None:
    sizes = {name: (SAMPLES / name).stat().st_size for name in EXPECTED}
    assert max(sizes.values()) < 1_000_000, sizes
    assert Path(SAMPLES / "browser-export.har").read_text(encoding="utf-8").startswith("{")


#: Reverse proxies, meshes and cloud front doors (issue 14).
EXPECTED_FRONTS = {
    "haproxy-syslog.log": "haproxy", "haproxy-stdout.log": "haproxy", "envoy-text.log": "envoy_text",
    "traefik-common.log": "traefik_common", "nginx-json.jsonl": "nginx_json", "caddy-access.jsonl": "caddy",
    "traefik-access.jsonl": "traefik_json", "apigateway-access.jsonl": "apigateway", "gcp-lb.jsonl": "gcp_lb",
    "azure-appgw-v2.jsonl": "azure_appgw", "azure-appgw-v1.jsonl": "azure_appgw",
    "azure-frontdoor.jsonl": "azure_frontdoor",
}


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED_FRONTS.items()))
def test_front_door_samples_are_ingested_as_their_format(ws: Workspace, name: str, expected: str) -> None:
    """The ingest, with auto-detection and no flag, picks the sample's own format."""
    assert ingest_one(ws, SAMPLES / name).format == expected


@pytest.mark.parametrize(("name", "expected"), sorted({**EXPECTED, **EXPECTED_FRONTS}.items()))
def test_no_other_format_claims_a_sample(name: str, expected: str) -> None:
    """Stronger than no tie: on every sample, only its own format reaches the detection threshold."""
    lines = [line for line in sample_lines(read_head(SAMPLES / name)) if line.strip()]
    claiming = {fmt.name for fmt in REGISTRY.values() if fmt.detect(lines) >= DETECT_THRESHOLD}
    assert claiming == {expected}


@pytest.mark.parametrize("name", sorted(set(EXPECTED_FRONTS.values())))
def test_front_door_format_examples_are_detected_as_themselves(name: str) -> None:
    """The example `appaccess formats` shows for each format is recognised as that format."""
    assert detect_format([REGISTRY[name].example] * 3, "example").name == name

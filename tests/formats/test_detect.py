"""Format detection from a file's first lines: every sample, look-alikes, and clear errors when unsure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.errors import FormatError
from analyzer.formats import DETECT_THRESHOLD, REGISTRY, detect_format
from analyzer.ingest import IngestOptions, ingest
from analyzer.sources import read_head, sample_lines
from analyzer.workspace import Workspace
from tests.formats.support import SAMPLES, ingest_one

EXPECTED = {
    "apache-combined.log": "combined", "apache-common.log": "common", "nginx-vhost_combined.log": "vhost_combined",
    "squid-access.log": "squid", "alb-access.log": "alb", "envoy-istio.jsonl": "envoy",
    "cloudflare-logpush.jsonl": "cloudflare", "app-gateway.jsonl": "json", "iis-w3c.log": "w3c",
    "proxy-export.csv": "csv", "browser-export.har": "har",
    # egress proxies, CloudFront, IIS Advanced Logging and FTP
    "proxysg-elff.log": "proxysg", "zscaler-nss-web.log": "zscaler", "zscaler-nss-web.jsonl": "zscaler_json",
    "squid-common.log": "squid_common", "squid-combined.log": "squid_combined", "squid-mime.log": "squid",
    "cloudfront-standard.log": "cloudfront", "iis-advanced.log": "w3c",
}
ENVOY = {"start_time": "2026-09-30T10:00:00Z", "method": "GET", "path": "/wiki", "response_code": 200,
         "authority": "acme.atlassian.net", "upstream_host": "1.2.3.4:443"}
CLOUDFLARE = {"EdgeStartTimestamp": 1790812799, "ClientRequestHost": "acme.atlassian.net",
              "ClientRequestURI": "/wiki", "ClientRequestMethod": "GET", "EdgeResponseStatus": 200}


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_every_sample_is_recognised(name: str, expected: str) -> None:
    path = SAMPLES / name
    assert detect_format(sample_lines(read_head(path)), name).name == expected


def test_ingesting_every_sample_detects_its_format(tmp_path: Path) -> None:
    """End to end: one auto-detected ingest of every sample file; each is recorded with its format."""
    with Workspace.open(tmp_path / "all.duckdb") as ws:
        ingest(ws, sorted(SAMPLES / name for name in EXPECTED), IngestOptions())
        recorded = {Path(path).name: fmt for path, fmt in ws.con.execute("SELECT path, format FROM files").fetchall()}
    assert recorded == EXPECTED


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_no_other_format_explains_a_sample_as_well(name: str, expected: str) -> None:
    """The chosen format wins clearly: any other format scoring as high is a generic one it beats."""
    lines = [line for line in sample_lines(read_head(SAMPLES / name)) if line.strip()]
    best = REGISTRY[expected].detect(lines)
    rivals = {fmt.name for fmt in REGISTRY.values() if fmt.name != expected and fmt.detect(lines) >= best - 0.05}
    if rivals:
        assert not REGISTRY[expected].generic and all(REGISTRY[r].generic for r in rivals), rivals


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
    # NCSA lines with absolute URLs but no Squid result code are not Squid's common logformat
    (['10.0.0.1 - - [30/Sep/2026:10:00:00 +0000] "GET https://acme.atlassian.net/wiki HTTP/1.1" 200 5'], "common"),
    (['10.0.0.1 - - [30/Sep/2026:10:00:00 +0000] "GET https://acme.atlassian.net/wiki HTTP/1.1" 200 5 '
      "TCP_MISS:HIER_DIRECT"], "squid_common"),
    # ELFF names in #Fields make a ProxySG log even without SGOS in #Software
    (["#Fields: date time c-ip cs-method cs-host cs-uri-path s-action x-exception-id",
      "2026-09-30 10:00:00 10.0.0.1 GET acme.atlassian.net /wiki TCP_NC_MISS -"], "proxysg"),
    # a CloudFront header, with a JSON record of a generic gateway's ISO time: Zscaler's long key names
    (["#Version: 1.0", "#Fields: date time x-edge-location c-ip cs-method cs-uri-stem sc-status x-host-header"],
     "cloudfront"),
    ([json.dumps({"sourcetype": "zscalernss-web", "event": {"datetime": "2026-09-30 10:00:00", "url": "a/wiki",
                                                            "requestmethod": "GET", "status": "200"}})],
     "zscaler_json"),
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
    """Stronger than no tie: on every sample, only its own format reaches the detection threshold
    (besides generic formats - plain JSON, CSV, W3C - which give way to a specific one)."""
    lines = [line for line in sample_lines(read_head(SAMPLES / name)) if line.strip()]
    claiming = {fmt.name for fmt in REGISTRY.values() if fmt.detect(lines) >= DETECT_THRESHOLD}
    assert expected in claiming
    assert {c for c in claiming - {expected} if not REGISTRY[c].generic} == set()


@pytest.mark.parametrize("name", sorted(set(EXPECTED_FRONTS.values())))
def test_front_door_format_examples_are_detected_as_themselves(name: str) -> None:
    """The example `appaccess formats` shows for each format is recognised as that format."""
    assert detect_format([REGISTRY[name].example] * 3, "example").name == name

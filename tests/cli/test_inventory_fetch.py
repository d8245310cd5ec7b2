"""`appaccess inventory fetch` through the real entry point, against a fake site on 127.0.0.1."""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer import Context
from tests.conftest import Cli
from tests.connectors.conftest import EMAIL, GOLDEN, OAUTH, TOKEN, acme_site
from tests.connectors.fake_confluence import CLOUD_ID, FakeConfluence, Fault

SITE = "acme.atlassian.net"
BASIC = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
SECRETS = (TOKEN, OAUTH, BASIC, EMAIL)


@pytest.fixture
def server() -> Iterator[FakeConfluence]:
    with FakeConfluence(acme_site(), email=EMAIL, token=TOKEN, oauth=OAUTH) as fake:
        yield fake


@pytest.fixture
def db(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "ATLASSIAN_EMAIL", "ATLASSIAN_API_TOKEN", "ATLASSIAN_OAUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "w.duckdb"
    for args in (("ingest", GOLDEN / "access.log"), ("apps", "load", GOLDEN / "apps.yaml"),
                 ("rules", "load", GOLDEN / "rules.yaml")):
        assert cli(*args, "--db", db).exit_code == 0
    return db


def _basic(monkeypatch: pytest.MonkeyPatch, token: str = TOKEN) -> None:
    monkeypatch.setenv("ATLASSIAN_EMAIL", EMAIL)
    monkeypatch.setenv("ATLASSIAN_API_TOKEN", token)


def _stored_text(db: Path) -> str:
    """Every text value of every table, and the raw bytes of the workspace files."""
    parts = []
    with Context(db, read_only=True) as ctx:
        con = ctx.ws.con
        for table, column in con.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' "
                "AND table_catalog = current_database() AND data_type IN ('VARCHAR', 'VARCHAR[]')").fetchall():
            parts += [r[0] for r in con.execute(f'SELECT CAST("{column}" AS VARCHAR) FROM "{table}" '
                                                f'WHERE "{column}" IS NOT NULL').fetchall()]
    for path in db.parent.glob(db.name + "*"):
        parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def _decision(db: Path, line: int) -> str:
    with Context(db, read_only=True) as ctx:
        return ctx.ws.con.execute("SELECT decision FROM decisions WHERE line_no = ?", [line]).fetchall()[0][0]


def test_fetch_stores_the_inventory_decides_again_and_never_shows_a_credential(
        cli: Cli, db: Path, server: FakeConfluence, monkeypatch: pytest.MonkeyPatch) -> None:
    _basic(monkeypatch)
    assert _decision(db, 13) == "unknown_space"
    result = cli("inventory", "fetch", f"https://{SITE}/wiki", "--api-base", server.url, "--db", db)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"fetched {SITE} (cloud id {CLOUD_ID}): 5 spaces, 5 default classification levels")
    assert "content ids: 3 resolved, 1 not found, 0 without a space" in lines[0]
    assert lines[-1].startswith("decisions refreshed: ") and "unknown_space" in lines[-1]
    assert _decision(db, 13) == "blocked"  # ReportBot on HR page 5001 once the HR rule is active
    show = cli("inventory", "show", "--db", db, "-f", "csv")
    counts = {r["kind"]: int(r["rows"]) for r in csv.DictReader(io.StringIO(show.stdout))}
    assert counts["sites"] == 1 and counts["spaces"] == 5 and counts["content"] == 3
    assert counts["content ids not found by fetch"] == 1
    text = result.stdout + result.stderr + _stored_text(db)
    for secret in SECRETS:
        assert secret not in text, secret


@pytest.mark.parametrize(("fault", "token", "code", "message"), [
    (None, "wrong", 1, "Confluence refused the credentials (401 on GET /wiki/api/v2/spaces) "
                       "(wrong or expired token: check ATLASSIAN_EMAIL + ATLASSIAN_API_TOKEN)"),
    (Fault("/wiki/api/v2/spaces", status=403), TOKEN, 1, "permission denied (403 on GET /wiki/api/v2/spaces)"),
    (Fault("/_edge/tenant_info", status=404), TOKEN, 5, "not found (404 on GET /_edge/tenant_info): "
                                                        "acme.atlassian.net does not look like a Confluence"),
    (Fault("/wiki/api/v2/spaces", status=200, body=b"{'results': []}"), TOKEN, 1,
     "malformed JSON in the answer to GET /wiki/api/v2/spaces"),
], ids=["401", "403", "404", "malformed-json"])
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_refusals_are_one_line_with_an_exit_code_and_no_secret(
        cli: Cli, db: Path, server: FakeConfluence, monkeypatch: pytest.MonkeyPatch, fault: Fault | None,
        token: str, code: int, message: str, debug: bool) -> None:
    _basic(monkeypatch, token)
    if fault is not None:
        server.faults.append(dataclasses.replace(fault))  # a fresh copy: the parameter is shared
    result = cli(*(["--debug"] if debug else []), "inventory", "fetch", SITE, "--api-base", server.url, "--db", db)
    assert result.exit_code == code
    errors = [line for line in result.stderr.splitlines() if line.startswith("appaccess: error:")]
    assert len(errors) == 1 and message in errors[0]
    if not debug:
        assert result.stderr.strip() == errors[0]
    for secret in (*SECRETS, BASIC if token == TOKEN else base64.b64encode(f"{EMAIL}:{token}".encode()).decode()):
        assert secret not in result.stderr + result.stdout, secret


def test_without_credentials_it_says_which_variables_to_set(cli: Cli, db: Path, server: FakeConfluence) -> None:
    result = cli("inventory", "fetch", SITE, "--api-base", server.url, "--db", db)
    assert result.exit_code == 2
    assert "no Confluence credentials in the environment (export ATLASSIAN_EMAIL and ATLASSIAN_API_TOKEN" \
        in result.stderr
    assert server.calls == []


def test_dry_run_prints_the_calls_it_would_make_and_makes_none(
        cli: Cli, db: Path, server: FakeConfluence, monkeypatch: pytest.MonkeyPatch) -> None:
    _basic(monkeypatch)
    result = cli("inventory", "fetch", SITE, "--api-base", server.url, "--dry-run", "--db", db, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = {r["step"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["cloud id"]["calls"] == "1" and rows["content: pages"]["items"] == "3"  # 5001, 5002, 5999
    assert result.stderr.startswith("dry run: no call made; the fetch would make at least ")
    assert server.calls == []
    with Context(db, read_only=True) as ctx:
        assert ctx.ws.con.execute("SELECT count(*) FROM sites").fetchall() == [(0,)]


def test_an_interrupted_fetch_resumes_from_the_cli(cli: Cli, db: Path, server: FakeConfluence,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _basic(monkeypatch)
    server.faults.append(Fault("/wiki/api/v2/pages", status=401, times=1))  # e.g. a token revoked mid-way
    first = cli("inventory", "fetch", SITE, "--api-base", server.url, "--db", db)
    assert first.exit_code == 1
    answered = set(server.answered()[:-1])
    second = cli("inventory", "fetch", SITE, "--api-base", server.url, "--db", db)
    assert second.exit_code == 0, second.stderr
    assert second.stderr.startswith(f"resumed and finished {SITE}")
    again = server.answered()[len(answered) + 1:]
    assert not answered & set(again)
    assert again[0].startswith("/wiki/api/v2/pages?id=")

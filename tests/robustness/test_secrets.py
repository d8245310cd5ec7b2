"""Planted credentials never reach the workspace, its exports or the reports; with
--redact-pii neither do e-mail addresses and account ids."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from analyzer import Context, IngestOptions
from analyzer.output import OutputFormat, render
from analyzer.report import Filters
from analyzer.report.html import write_html_report

SIGNATURE = "SIGNATURE9s3cr3tQ"
PASSWORD = "ATATT3xPASSW0RDs3cr3t"
BEARER = "BEARERt0kenV4lue"
COOKIE = "COOKIEs3ssionV4lue"
URL_PASSWORD = "URLpassw0rdV4lue"
QUERY_TOKEN = "QUERYt0kenV4lue"
API_KEY = "APIKEYs3cr3tV4lue"
SECRETS = (SIGNATURE, PASSWORD, BEARER, COOKIE, URL_PASSWORD, QUERY_TOKEN, API_KEY)

EMAIL = "jane.doe@acme.example"
ACCOUNT = "5b10ac8d82e05b22cc7d4ef5"


def _b64(obj: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


JWT = f"{_b64({'alg': 'HS256'})}.{_b64({'iss': 'backup-pro-connect'})}.{SIGNATURE}"
BASIC = "Basic " + base64.b64encode(f"{EMAIL}:{PASSWORD}".encode()).decode()


def _inputs(root: Path) -> list[Path]:
    vhost = root / "access.log"
    vhost.write_text("\n".join([
        f'acme.atlassian.net:443 10.0.0.1 - {EMAIL} [11/Sep/2026:10:00:00 +0000] '
        f'"GET /wiki/rest/api/space/~{ACCOUNT}/content?jwt={JWT}&access_token={QUERY_TOKEN} HTTP/1.1" 200 5 '
        f'"-" "BackupPro/2.1"',
        f'proxy:443 10.0.0.2 - - [11/Sep/2026:10:00:01 +0000] '
        f'"GET https://bot:{URL_PASSWORD}@acme.atlassian.net/wiki/api/v2/pages/1?api_key={API_KEY} HTTP/1.1" '
        f'200 5 "-" "curl/8"',
        f'garbage line carrying Authorization: {BASIC} and jwt={JWT} and Cookie: {COOKIE}',
    ]) + "\n")
    records = [
        {"ts": "2026-09-11T10:00:02Z", "method": "GET", "url": "https://acme.atlassian.net/wiki/api/v2/pages/2",
         "status": 200, "user_agent": "ReportBot/1.4", "authorization": f"Bearer {BEARER}",
         "cookie": f"JSESSIONID={COOKIE}", "x_api_key": API_KEY, "user_email": EMAIL},
        {"ts": "2026-09-11T10:00:03Z", "method": "GET", "url": "https://acme.atlassian.net/wiki/api/v2/pages/3",
         "status": 200, "user_agent": "BackupPro/2.1", "authorization": f"JWT {JWT}"},
        {"ts": "2026-09-11T10:00:04Z", "method": "GET", "url": "https://acme.atlassian.net/wiki/api/v2/pages/4",
         "status": 200, "authorization": BASIC},
    ]
    jsonl = root / "gateway.jsonl"
    # a truncated record: rejected, and its text is kept only with the credential masked
    jsonl.write_text("\n".join(json.dumps(r) for r in records) + '\n{"authorization": "' + BASIC + '", "url": "\n')
    har = root / "browser.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": [{
        "startedDateTime": "2026-09-11T10:00:05Z", "time": 12,
        "request": {"method": "GET", "url": "https://acme.atlassian.net/wiki/api/v2/pages/5?token=" + QUERY_TOKEN,
                    "headers": [{"name": "Authorization", "value": f"Bearer {BEARER}"},
                                {"name": "Cookie", "value": f"tenant.session={COOKIE}"},
                                {"name": "User-Agent", "value": "ReportBot/1.4"}],
                    "cookies": [{"name": "tenant.session", "value": COOKIE}], "queryString": []},
        "response": {"status": 200, "bodySize": 10, "headers": [{"name": "Set-Cookie", "value": COOKIE}],
                     "content": {"size": 10}}}]}}))
    return [vhost, jsonl, har]


def _all_text(ctx: Context) -> str:
    """Every text value of every table, as one string."""
    con = ctx.ws.con
    parts = []
    columns = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_catalog = current_database() "
        "AND data_type IN ('VARCHAR', 'VARCHAR[]')").fetchall()
    for table, column in columns:
        rows = con.execute(f'SELECT CAST("{column}" AS VARCHAR) FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()
        parts.extend(r[0] for r in rows)
    return "\n".join(parts)


def _outputs(ctx: Context, root: Path) -> str:
    out = []
    for name in ("d.parquet", "d.csv", "d.jsonl"):
        ctx.export(root / name)
    ctx.export(root / "raw.jsonl", what="requests")
    for frame in (ctx.report_blocked(), ctx.report_apps(), ctx.report_anomalies(), ctx.rejects()):
        for fmt in (OutputFormat.csv, OutputFormat.json, OutputFormat.table):
            target = root / f"r-{len(out)}.txt"
            render(frame, fmt, target)
            out.append(target.read_bytes().decode("utf-8", "replace"))
    write_html_report(ctx.ws, root / "report.html", Filters())
    out.append((root / "report.html").read_text())
    for name in ("d.csv", "d.jsonl", "raw.jsonl"):
        out.append((root / name).read_text())
    out.append((root / "d.parquet").read_bytes().decode("latin-1"))
    return "\n".join(out)


@pytest.mark.parametrize("redact_pii", [False, True], ids=["default", "redact-pii"])
def test_no_secret_is_stored_exported_or_reported(tmp_path: Path, redact_pii: bool) -> None:
    inputs = _inputs(tmp_path)
    db = tmp_path / "ws.duckdb"
    with Context(db) as ctx:
        result = ctx.ingest(inputs, IngestOptions(redact_pii=redact_pii))
        assert result.stored >= 6 and result.rejected >= 2
        iss = {r[0] for r in ctx.ws.con.execute("SELECT jwt_iss FROM requests").fetchall()}
        assert "backup-pro-connect" in iss  # derived identifiers survive
        stored = _all_text(ctx)
        outputs = _outputs(ctx, tmp_path)
        ctx.ws.con.execute("CHECKPOINT")
    raw = db.read_bytes().decode("latin-1") + (tmp_path / "ws.duckdb.wal").read_bytes().decode("latin-1") \
        if (tmp_path / "ws.duckdb.wal").exists() else db.read_bytes().decode("latin-1")
    for secret in SECRETS:
        assert secret not in stored, secret
        assert secret not in outputs, secret
        assert secret not in raw, secret
    for token in (JWT, BASIC.split()[1]):
        assert token not in stored and token not in outputs
    if redact_pii:
        for personal in (EMAIL, ACCOUNT):
            assert personal not in stored, personal
            assert personal not in outputs, personal
            assert personal not in raw, personal
        with Context(db, read_only=True) as ctx:
            users = {r[0] for r in ctx.ws.con.execute("SELECT remote_user FROM requests").fetchall()}
        assert any(u and u.endswith("@redacted.invalid") for u in users)
    else:
        assert EMAIL in stored  # without the flag the basic-auth user name is kept (documented)


def test_redaction_keeps_attribution_and_spaces_consistent(tmp_path: Path) -> None:
    (tmp_path / "apps.yaml").write_text(f"apps:\n  - key: ops\n    auth: api_token\n    match:\n"
                                        f"      basic_auth_user: {EMAIL}\n")
    (tmp_path / "spaces.csv").write_text(f"space_id,space_key,name,site,classification\n"
                                         f"7,~{ACCOUNT},{EMAIL},acme.atlassian.net,internal\n")
    log = tmp_path / "a.log"
    log.write_text(f'acme.atlassian.net:443 10.0.0.1 - {EMAIL} [11/Sep/2026:10:00:00 +0000] '
                   f'"GET /wiki/rest/api/space/~{ACCOUNT}/content HTTP/1.1" 200 5 "-" "x"\n')
    with Context(tmp_path / "ws.duckdb") as ctx:
        ctx.ingest([log])  # stored in the clear first ...
        ctx.load_apps(tmp_path / "apps.yaml")
        ctx.load_inventory([tmp_path / "spaces.csv"])
        ctx.ingest([log], IngestOptions(redact_pii=True))  # ... then the workspace is rewritten
        row = ctx.ws.con.execute("SELECT app, space_id, space_known FROM decisions").fetchall()
        assert row == [("ops", "7", True)]
        assert EMAIL not in _all_text(ctx) and ACCOUNT not in _all_text(ctx)

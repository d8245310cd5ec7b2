"""A corpus of secret shapes, planted in every input format's layout, never surfaces anywhere.

Each input format (every generator of analyzer.synth) gets a file whose lines carry every
shape of credential the masking policy knows - credential-named query, fragment and
;-parameters in many spellings, a JWT under a harmless name, URL userinfo, Authorization
values (Bearer, Basic, JWT), cookies and API-key headers, a referer URL with tokens, free
text holding a header - in the places the format has: the URL, the user agent, the
Authorization field, the referer, cookie and header fields, other JSON keys, CSV and W3C
columns; plus lines that are rejected while carrying the same secrets. Every planted value
contains MARK. After one ingest through the CLI, MARK (and the encoded forms of the
secrets) must be in no table, no export (decisions and requests; Parquet, CSV, JSON lines),
no report (terminal, CSV, JSON, HTML), no stdout or stderr of the CLI (errors included), and
not in the bytes of the workspace file.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from analyzer.synth import FORMATTERS, SynthRequest, header_lines
from analyzer.synth_proxy import ZSCALER_FIELDS
from analyzer.workspace import Workspace
from tests.conftest import Cli

SAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "sample_logs" / "config"

#: Every planted secret value holds this; nothing that is not a secret does.
MARK = "Zq7SEKRET"


def _b64(obj: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


JWT = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64({'iss': 'corpus-app', 'qsh': 'x'})}.SIG{MARK}sig"
BASIC_USER = "corpus-user@acme.example"
BASIC_B64 = base64.b64encode(f"{BASIC_USER}:{MARK}basic".encode()).decode()
AUTHORIZATIONS = (f"Bearer {MARK}bearer", f"Basic {BASIC_B64}", f"JWT {JWT}")
#: Credential-named parameters in the spellings logs use (issue 10's list), and ;-parameters.
QUERY = "&".join([
    f"jwt={JWT}", f"access_token={MARK}1", f"accessToken={MARK}2", f"apiToken={MARK}3", f"authToken={MARK}4",
    f"clientSecret={MARK}5", f"client_secret={MARK}6", f"os_password={MARK}7", f"refresh_token={MARK}8",
    f"id_token={MARK}9", f"sig={MARK}10", f"signature={MARK}11", f"X-Amz-Signature={MARK}12",
    f"X-Amz-Credential={MARK}13", f"oauth_signature={MARK}14", f"pass={MARK}15", f"private_token={MARK}16",
    f"access%5Ftoken={MARK}17", f"api_key={MARK}18", f"password={MARK}19", f"x={JWT}", "limit=25",
]) + f";session={MARK}20;apikey={MARK}21"
TARGET = f"/wiki/rest/api/content/98311001;jsessionid={MARK}22?{QUERY}"
ABSOLUTE_TARGET = f"https://bot:{MARK}23@acme.atlassian.net/wiki/api/v2/pages/98311002?token={MARK}24"
USER_AGENT = f"CorpusBot/1.0 (token={MARK}25; Bearer {MARK}26x)"
REFERER = f"https://acme.atlassian.net/wiki/spaces/HR?jwt={JWT}&accessToken={MARK}27#access_token={MARK}28"
COOKIE = f"JSESSIONID={MARK}29; tenant.session.token={MARK}30"
API_KEY = f"{MARK}31"
NOTE = f"Authorization: Bearer {MARK}32"
#: Also forbidden: a secret's encoded form (the Basic credentials decode to the password).
FORBIDDEN = (MARK, BASIC_B64, JWT)

JSON_EXTRA = {"referer": REFERER, "x_api_key": API_KEY, "note": NOTE, "set_cookie": COOKIE,
              "request_headers": f"X-Api-Key: {API_KEY}\r\nCookie: {COOKIE}"}
GARBAGE = f"garbage line carrying Authorization: Bearer {MARK}33 and jwt={JWT} and Cookie: s={MARK}34"


def _request(auth: str, target: str = TARGET, status: int = 200) -> SynthRequest:
    return SynthRequest(dt.datetime(2026, 9, 11, 10, 0, 0), "GET", "https://acme.atlassian.net",
                        "acme.atlassian.net", target, status, 1234, 45.0, "10.0.0.1", USER_AGENT, BASIC_USER,
                        auth, "corpus-client")


def _w3c_fields(headers: list[str]) -> list[str]:
    return next(h.split(None, 1)[1].split() for h in headers if h.startswith("#Fields:"))


def _decorated(fmt: str, line: str, headers: list[str]) -> str:
    """The line with the secrets the layout has room for: referer, cookie, headers, other keys."""
    if line.startswith("{"):
        record = json.loads(line)
        record.update(JSON_EXTRA)
        if isinstance(record.get("event"), dict):
            record["event"].update(JSON_EXTRA)
            record["event"]["ereferer"] = REFERER
        return json.dumps(record)
    if fmt in ("combined", "vhost_combined", "squid_combined", "traefik_common"):
        return line.replace('"-"', f'"{REFERER}"', 1)
    if fmt in ("w3c", "cloudfront", "proxysg", "iis_advanced"):
        fields = _w3c_fields(headers)
        separator = "\t" if "\t" in line else " "
        values = re.findall(r'"[^"]*"|[^ \t]+', line)
        for name, value in (("cs(Referer)", REFERER), ("cs(Cookie)", COOKIE.replace(" ", ""))):
            if name in fields:
                values[fields.index(name)] = value
        return separator.join(values)
    if fmt == "zscaler":
        values = next(csv.reader([line]))
        values[ZSCALER_FIELDS.index("ereferer")] = REFERER
        return ",".join('"' + v + '"' for v in values)
    if fmt == "csv":
        return line + f",{REFERER},{API_KEY},{COOKIE},{NOTE}"
    if fmt == "squid_mime":
        return line.replace("\\r\\n]", f"\\r\\nCookie: {COOKIE}\\r\\nX-Api-Key: {API_KEY}\\r\\n"
                                       f"Referer: {REFERER}\\r\\n]", 1)
    return line


def _log_text(fmt: str) -> str:
    """A file of ``fmt``: headers, a line per Authorization kind, an absolute URL with userinfo, and
    rejected lines (a status holding a secret, garbage) carrying the same secrets."""
    formatter = FORMATTERS[fmt]
    headers = header_lines(fmt)
    if fmt == "csv":
        headers = [headers[0] + ",referer,x-api-key,cookie,note"]
    lines = [_decorated(fmt, formatter(_request(auth)), headers) for auth in AUTHORIZATIONS]
    lines.append(_decorated(fmt, formatter(_request(AUTHORIZATIONS[0], ABSOLUTE_TARGET)), headers))
    bad_status = _decorated(fmt, formatter(_request(AUTHORIZATIONS[1], status=287)), headers)
    lines.append(re.sub(r"(?<![\w.])287(?![\w.])", f"token={MARK}35", bad_status, count=1))
    lines.append(GARBAGE)
    if fmt == "har":
        entries = [json.loads(line) for line in lines[:-2]]
        for entry in entries:
            entry["request"]["headers"] += [{"name": "Cookie", "value": COOKIE},
                                            {"name": "X-Api-Key", "value": API_KEY},
                                            {"name": "Referer", "value": REFERER}]
            entry["request"]["cookies"] = [{"name": "JSESSIONID", "value": f"{MARK}36"}]
            entry["response"]["headers"].append({"name": "Set-Cookie", "value": COOKIE})
        rejected = json.loads(json.dumps(entries[0]))
        del rejected["request"]["method"]  # an entry without a method: rejected, shown masked
        return json.dumps({"log": {"version": "1.2", "creator": {"name": "corpus", "version": "1"},
                                   "entries": [*entries, rejected]}})
    return "\n".join([*headers, *lines]) + "\n"


def _surfaces_of_the_workspace(db: Path) -> str:
    """Every text value of every table and view of the workspace."""
    parts = []
    with Workspace.open(db, read_only=True) as ws:
        columns = ws.con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' "
            "AND table_catalog = current_database()").fetchall()
        for table, column in columns:
            parts += [str(r[0]) for r in ws.con.execute(
                f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()]
    return "\n".join(parts)


def _leaks(text: str) -> list[str]:
    return [f for f in FORBIDDEN if f in text]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """The corpus files, ingested once through the CLI; returns (folder, workspace, CLI outputs)."""
    root = tmp_path_factory.mktemp("corpus")
    logs = root / "logs"
    logs.mkdir()
    for fmt in FORMATTERS:
        suffix = ".har" if fmt == "har" else ".csv" if fmt == "csv" else ".jsonl" if fmt in (
            "envoy", "cloudflare", "json") else ".log"
        (logs / f"{fmt.replace(':', '-')}{suffix}").write_text(_log_text(fmt), encoding="utf-8")
    db = root / "ws.duckdb"
    cli = Cli()
    outputs: dict[str, str] = {}
    result = cli("ingest", logs, "--db", db)
    outputs["ingest"] = result.stdout + result.stderr
    return root, db, outputs


def test_every_format_stored_its_lines_and_rejected_the_bad_ones(corpus: tuple[Path, Path, dict[str, str]]) -> None:
    _, db, outputs = corpus
    with Workspace.open(db, read_only=True) as ws:
        per_file = dict(ws.con.execute("SELECT path, rows_stored FROM files").fetchall())
        rejected = dict(ws.con.execute("SELECT path, rows_rejected FROM files").fetchall())
        issuers = {r[0] for r in ws.con.execute("SELECT DISTINCT jwt_iss FROM requests").fetchall()}
        users = {r[0] for r in ws.con.execute("SELECT DISTINCT remote_user FROM requests").fetchall()}
        masked_reasons = ws.con.execute("SELECT count(*) FROM rejects WHERE contains(reason, 'REDACTED')"
                                        ).fetchall()[0][0]
    assert len(per_file) == len(FORMATTERS), outputs["ingest"]
    assert all(n >= 3 for n in per_file.values()), per_file  # every format read its good lines
    assert all(n >= 1 for n in rejected.values()), rejected
    assert "corpus-app" in issuers and BASIC_USER in users  # what attribution needs is kept
    assert masked_reasons >= 5  # reasons that quote a field holding a secret are masked, not dropped


def test_no_secret_in_any_table_or_the_workspace_file(corpus: tuple[Path, Path, dict[str, str]]) -> None:
    _, db, _ = corpus
    stored = _surfaces_of_the_workspace(db)
    assert "REDACTED" in stored
    assert not _leaks(stored), [line for line in stored.splitlines() if _leaks(line)][:5]
    for path in (db, db.with_name(db.name + ".wal")):
        if path.exists():
            assert not _leaks(path.read_bytes().decode("latin-1")), path


def test_no_secret_in_exports_reports_or_cli_output(corpus: tuple[Path, Path, dict[str, str]],
                                                    tmp_path: Path) -> None:
    root, db, outputs = corpus
    cli = Cli()
    assert cli("apps", "load", SAMPLE_CONFIG / "apps.yaml", "--db", db).exit_code == 0
    assert cli("rules", "load", SAMPLE_CONFIG / "rules.yaml", "--db", db).exit_code == 0
    commands = [
        ("rejects", "-n", "1000", "-f", "csv"), ("rejects", "-n", "1000"), ("files",), ("status",),
        ("report", "blocked", "-f", "csv"), ("report", "apps", "-f", "json"), ("report", "anomalies"),
        ("report", "blocked", "-o", tmp_path / "report.html"),
        ("simulate", SAMPLE_CONFIG / "proposed-rules.yaml"),
        ("simulate", SAMPLE_CONFIG / "proposed-rules.yaml", "--rows", tmp_path / "rows.csv"),
        ("sql", "SELECT * FROM requests", "-f", "csv"), ("sql", "SELECT * FROM rejects", "-f", "json"),
        ("query", "run", "reports/blocked", "-f", "csv"),
    ]
    files = []
    for what in ("decisions", "requests"):
        for ext in ("parquet", "csv", "jsonl"):
            files.append(tmp_path / f"{what}.{ext}")
            commands.append(("export", "--what", what, "-o", files[-1]))
    for command in commands:
        result = cli(*command, "--db", db)
        assert result.exit_code in (0, 6), (command, result.stderr)
        outputs[" ".join(map(str, command))] = result.stdout + result.stderr
    # wrong files handed to the config loaders: their one-line errors quote the file, masked
    log = next((root / "logs").glob("json.jsonl"))
    for command in (("inventory", "load", log), ("apps", "load", log), ("rules", "load", log),
                    ("--debug", "inventory", "load", log), ("ingest", "--input-format", "csv", log)):
        result = cli(*command, "--db", tmp_path / "other.duckdb")
        assert result.exit_code != 0, command
        outputs[" ".join(map(str, command))] = result.stdout + result.stderr
    leaks = {name: _leaks(text) for name, text in outputs.items() if _leaks(text)}
    assert not leaks, leaks
    for path in [*files, tmp_path / "report.html", tmp_path / "rows.csv"]:
        if path.suffix == ".parquet":
            text = "\n".join(str(v) for column in pq.read_table(path).columns for v in column.to_pylist())
        else:
            text = path.read_text(encoding="utf-8")
        assert not _leaks(text), path
    requests = io.StringIO((tmp_path / "requests.csv").read_text())
    assert "REDACTED" in requests.getvalue()
    assert set(csv.DictReader(requests).fieldnames or ()) & {"query", "extra"}

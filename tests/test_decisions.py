"""Decisions: every value of the vocabulary, each coverage type and mode, time windows,
most-restrictive-wins, gateway URLs, CQL, API-token apps and inventory gaps."""

from __future__ import annotations

import base64
import json
import textwrap
from pathlib import Path

import pytest

from analyzer.apps import load_apps_file, store_apps
from analyzer.ingest import ingest
from analyzer.inventory import load_inventory
from analyzer.rules import load_rules_file, store_policies
from analyzer.workspace import Workspace

CLOUD = "c0ffee00-1111-2222-3333-444455556666"
UA = {"backup": "BackupPro/2.1", "report": "ReportBot/1.4", "forge": "Forge/1.0", "token": "python-requests/2.32",
      "nobody": "curl/8.5"}


def jwt(iss: str) -> str:
    def enc(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return f"{enc({'alg': 'HS256'})}.{enc({'iss': iss})}.c2lnbmF0dXJl"


def line(who: str, url: str, *, method: str = "GET", status: int = 200, ts: str = "12/Sep/2026:10:00:00",
         host: str = "acme.atlassian.net", user: str = "-") -> str:
    return f'{host}:443 10.0.0.9 - {user} [{ts} +0000] "{method} {url} HTTP/1.1" {status} 10 "-" "{UA[who]}"'


# line number -> (description, log line); line numbers are 1-based positions.
REQUESTS = [
    ("backup reads a page in HR", line("backup", "/wiki/api/v2/pages/5001")),
    ("report reads a page in HR", line("report", "/wiki/api/v2/pages/5001")),
    ("report reads a page in DEV", line("report", "/wiki/api/v2/pages/5002")),
    ("report reads space HR metadata (not blocked API)", line("report", "/wiki/api/v2/spaces/1001")),
    ("report searches all spaces", line("report", "/wiki/rest/api/search?cql=type%3Dpage")),
    ("report searches HR by CQL", line("report", "/wiki/rest/api/search?cql=space%3DHR+and+type%3Dpage")),
    ("token script reads HR page", line("token", "/wiki/api/v2/pages/5001", user="ops@acme.com")),
    ("unknown client reads HR page", line("nobody", "/wiki/api/v2/pages/5001")),
    ("report reads a page missing from the inventory", line("report", "/wiki/api/v2/pages/5999")),
    ("gateway call from forge to HR content", line(
        "forge", f"/ex/confluence/{CLOUD}/wiki/rest/api/content/5001", host="api.atlassian.com")),
    ("not confluence", line("report", "/status")),
    ("not catalogued", line("report", "/wiki/spaces/HR/overview")),
    ("report reads HR page before activation", line("report", "/wiki/api/v2/pages/5001", ts="01/Sep/2026:10:00:00")),
    ("report reads HR page, denied by Confluence", line("report", "/wiki/api/v2/pages/5001", status=403)),
    ("report lists pages of space FIN by id", line("report", "/wiki/api/v2/spaces/1002/pages")),
    ("report on beta site", line("report", "/wiki/api/v2/pages/9001", host="beta.atlassian.net")),
    ("jwt app identified by jwt query param", line("nobody", "/wiki/api/v2/pages/5001?jwt=" + jwt("backup-iss"))),
    ("report searches two spaces", line("report", "/wiki/rest/api/search?cql=space+in+(HR,DEV)")),
]
N = {desc: i for i, (desc, _) in enumerate(REQUESTS, start=1)}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("decisions")
    log = root / "access.log"
    log.write_text("\n".join(r for _, r in REQUESTS) + "\n")
    (root / "sites.csv").write_text(f"site,cloud_id\nacme.atlassian.net,{CLOUD}\nbeta.atlassian.net,beef\n")
    (root / "spaces.csv").write_text(textwrap.dedent("""\
        space_id,space_key,name,site,classification
        1001,HR,Human Resources,acme.atlassian.net,confidential
        1002,FIN,Finance,acme.atlassian.net,confidential
        1003,DEV,Engineering,acme.atlassian.net,internal
        2001,SBX,Sandbox,beta.atlassian.net,public
        """))
    (root / "content.csv").write_text(textwrap.dedent("""\
        content_id,content_type,space_id,space_key,site
        5001,page,1001,HR,acme.atlassian.net
        5002,page,1003,DEV,acme.atlassian.net
        9001,page,2001,SBX,beta.atlassian.net
        """))
    (root / "apps.yaml").write_text(textwrap.dedent("""\
        apps:
          - key: backup
            auth: connect
            match: {user_agent: '^BackupPro/', jwt_iss: backup-iss}
          - key: report
            auth: oauth2
            match: {user_agent: '^ReportBot/'}
          - key: forge
            auth: forge
            match: {user_agent: '^Forge/'}
          - key: token
            auth: api_token
            match: {basic_auth_user: ops@acme.com}
        """))
    ws = Workspace.open(root / "ws.duckdb")
    ingest(ws, [log])
    load_inventory(ws, [root / "sites.csv", root / "spaces.csv", root / "content.csv"])
    store_apps(ws, load_apps_file(root / "apps.yaml"))
    return ws


def decide(ws: Workspace, tmp_path: Path, rules: str) -> dict[int, tuple[str, str | None]]:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(rules))
    store_policies(ws, load_rules_file(path).policies, "test")
    rows = ws.con.execute("SELECT line_no, decision, policy FROM decided_requests('test') ORDER BY line_no").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


SPACES_ALLOWLIST = """
policies:
  - name: HR-FIN
    site: acme.atlassian.net
    active_from: 2026-09-10T00:00:00Z
    coverage: {spaces: [HR, "1002"]}
    app_access: {mode: allowlist, apps: [backup]}
"""


def test_spaces_coverage_allowlist(workspace: Workspace, tmp_path: Path) -> None:
    d = decide(workspace, tmp_path, SPACES_ALLOWLIST)
    assert d[N["backup reads a page in HR"]] == ("allowed", None)
    assert d[N["report reads a page in HR"]] == ("blocked", "HR-FIN")
    assert d[N["report reads a page in DEV"]] == ("allowed", None)
    assert d[N["report reads space HR metadata (not blocked API)"]][0] == "allowed"
    assert d[N["report searches all spaces"]] == ("filtered", "HR-FIN")
    assert d[N["report searches HR by CQL"]] == ("blocked", "HR-FIN")
    assert d[N["report searches two spaces"]] == ("filtered", "HR-FIN")
    assert d[N["token script reads HR page"]] == ("not_eligible", "HR-FIN")
    assert d[N["unknown client reads HR page"]] == ("unknown_client", "HR-FIN")
    assert d[N["report reads a page missing from the inventory"]] == ("unknown_space", "HR-FIN")
    assert d[N["gateway call from forge to HR content"]] == ("blocked", "HR-FIN")
    assert d[N["not confluence"]][0] == "not_confluence"
    assert d[N["not catalogued"]][0] == "not_catalogued"
    assert d[N["report reads HR page before activation"]] == ("allowed", None)
    assert d[N["report reads HR page, denied by Confluence"]] == ("blocked", "HR-FIN")
    assert d[N["report lists pages of space FIN by id"]] == ("blocked", "HR-FIN")
    assert d[N["report on beta site"]] == ("allowed", None)
    assert d[N["jwt app identified by jwt query param"]] == ("allowed", None)  # backup, allowlisted


def test_exempt_by_and_observed_denied(workspace: Workspace, tmp_path: Path) -> None:
    decide(workspace, tmp_path, SPACES_ALLOWLIST)
    rows = {r[0]: r[1:] for r in workspace.con.execute(
        "SELECT line_no, exempt_by, observed_denied FROM decided_requests('test')").fetchall()}
    assert rows[N["backup reads a page in HR"]] == ("HR-FIN", False)
    assert rows[N["report reads HR page, denied by Confluence"]] == (None, True)
    assert rows[N["report reads a page in HR"]] == (None, False)


def test_blocklist_only_blocks_listed_apps(workspace: Workspace, tmp_path: Path) -> None:
    d = decide(workspace, tmp_path, """
        policies:
          - name: deny-report
            coverage: {spaces: [HR]}
            app_access: {mode: blocklist, apps: [report, token]}
        """)
    assert d[N["report reads a page in HR"]] == ("blocked", "deny-report")
    assert d[N["gateway call from forge to HR content"]] == ("allowed", None)
    assert d[N["unknown client reads HR page"]] == ("allowed", None)  # cannot be on a blocklist
    assert d[N["token script reads HR page"]] == ("not_eligible", "deny-report")


def test_all_spaces_needs_no_inventory(workspace: Workspace, tmp_path: Path) -> None:
    d = decide(workspace, tmp_path, """
        policies:
          - name: everything
            site: acme.atlassian.net
            coverage: {all_spaces: true}
            app_access: {mode: block_all}
        """)
    assert d[N["report reads a page missing from the inventory"]] == ("blocked", "everything")
    assert d[N["report reads a page in DEV"]] == ("blocked", "everything")
    assert d[N["report searches all spaces"]] == ("filtered", "everything")
    assert d[N["backup reads a page in HR"]] == ("blocked", "everything")
    assert d[N["report on beta site"]] == ("allowed", None)


def test_classification_coverage(workspace: Workspace, tmp_path: Path) -> None:
    d = decide(workspace, tmp_path, """
        policies:
          - name: confidential
            coverage: {classification: [confidential]}
            app_access: {mode: block_all}
        """)
    assert d[N["report reads a page in HR"]] == ("blocked", "confidential")
    assert d[N["report reads a page in DEV"]] == ("allowed", None)
    assert d[N["report reads a page missing from the inventory"]] == ("unknown_space", "confidential")
    assert d[N["report searches all spaces"]] == ("filtered", "confidential")
    assert d[N["report on beta site"]] == ("allowed", None)  # no confidential space on beta


def test_status_and_time_window(workspace: Workspace, tmp_path: Path) -> None:
    d = decide(workspace, tmp_path, """
        policies:
          - name: draft
            status: draft
            coverage: {all_spaces: true}
            app_access: {mode: block_all}
          - name: window
            active_from: 2026-09-01T00:00:00Z
            active_until: 2026-09-02T00:00:00Z
            coverage: {spaces: [HR]}
            app_access: {mode: block_all}
        """)
    assert d[N["report reads HR page before activation"]] == ("blocked", "window")
    assert d[N["report reads a page in HR"]] == ("allowed", None)
    assert d[N["report reads a page in DEV"]] == ("allowed", None)


def test_most_restrictive_wins(workspace: Workspace, tmp_path: Path) -> None:
    d = decide(workspace, tmp_path, """
        policies:
          - name: lenient
            coverage: {spaces: [HR]}
            app_access: {mode: allowlist, apps: [report]}
          - name: strict
            coverage: {spaces: [HR]}
            app_access: {mode: block_all}
          - name: wide
            coverage: {spaces: [DEV]}
            app_access: {mode: block_all}
        """)
    assert d[N["report reads a page in HR"]] == ("blocked", "strict")
    # site-wide search: filtered by the first policy that filters
    assert d[N["report searches all spaces"]] == ("filtered", "strict")
    assert d[N["report reads a page in DEV"]] == ("blocked", "wide")


def test_decisions_view_uses_active_rules(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(SPACES_ALLOWLIST))
    store_policies(workspace, load_rules_file(path).policies)
    active = dict(workspace.con.execute("SELECT line_no, decision FROM decisions").fetchall())
    assert active[N["report reads a page in HR"]] == "blocked"
    store_policies(workspace, [])
    active = dict(workspace.con.execute("SELECT line_no, decision FROM decisions").fetchall())
    assert active[N["report reads a page in HR"]] == "allowed"


def test_attribution_strength_and_file_order(workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "apps.yaml").write_text(textwrap.dedent("""\
        apps:
          - key: by-ip
            match: {client_ip: 10.0.0.0/24}
          - key: by-ua
            match: {user_agent: '^ReportBot/'}
          - key: by-ua-too
            match: {user_agent: 'Bot'}
        """))
    store_apps(workspace, load_apps_file(tmp_path / "apps.yaml"))
    apps = dict(workspace.con.execute("SELECT line_no, app FROM decisions").fetchall())
    assert apps[N["report reads a page in HR"]] == "by-ua"  # user_agent beats client_ip, file order among UAs
    assert apps[N["backup reads a page in HR"]] == "by-ip"
    # restore the module's apps for other tests
    store_apps(workspace, [])

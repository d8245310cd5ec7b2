"""What-if: each change class checked against a hand-computed expectation, both modes,
the per-request output, and suggestions (ranking, allowlist YAML, the 20-app warning)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb
import pytest
import yaml

from analyzer import Context
from analyzer.errors import UsageError
from analyzer.rules import load_rules_file
from analyzer.whatif import Window

UA = {"report": "ReportBot/1.4", "backup": "BackupPro/2.1", "token": "python-requests/2", "nobody": "curl/8"}


def line(who: str, url: str, day: int = 20, user: str = "-") -> str:
    return (f'acme.atlassian.net:443 10.0.0.9 - {user} [{day:02d}/Sep/2026:10:00:00 +0000] "GET {url} HTTP/1.1" '
            f'200 10 "-" "{UA[who]}"')


# line -> expected change under the proposal, by hand:
#   active:   HR blocked for everyone but backup (allowlist), from Sep 11
#   proposal: DEV and FIN blocked for everyone (block_all), HR no longer covered
LINES = [
    (line("report", "/wiki/api/v2/pages/5001"), "unblocked"),             # HR page: blocked -> allowed
    (line("report", "/wiki/api/v2/pages/5002"), "newly_blocked"),         # DEV page: allowed -> blocked
    (line("backup", "/wiki/api/v2/pages/5002"), "newly_blocked"),         # backup loses its exemption in DEV
    (line("report", "/wiki/rest/api/search?cql=type%3Dpage"), "unchanged"),  # filtered before and after
    (line("report", "/wiki/api/v2/spaces/1003"), "unchanged"),            # space metadata: not blocked API
    (line("nobody", "/wiki/api/v2/pages/5002"), "undeterminable"),        # unknown client in DEV
    (line("report", "/wiki/api/v2/pages/5999"), "unchanged"),             # unknown space under both
    (line("token", "/wiki/api/v2/pages/5002", user="ops@acme.com"), "other"),  # allowed -> not_eligible
    (line("report", "/wiki/api/v2/pages/5001", day=5), "unchanged"),      # before activation: allowed
    (line("report", "/wiki/rest/api/space/FIN/content", day=5), "newly_blocked"),  # proposal has no window
    (line("backup", "/wiki/api/v2/pages/5001"), "unchanged"),             # exempt before, uncovered after
    (line("backup", "/wiki/api/v2/pages/5999"), "undeterminable"),        # exempt before, unknown space now
]

ACTIVE = """
policies:
  - name: HR
    active_from: 2026-09-11T00:00:00Z
    coverage: {spaces: [HR]}
    app_access: {mode: allowlist, apps: [backup]}
"""
PROPOSED = """
policies:
  - name: Engineering and finance
    coverage: {spaces: [DEV, FIN]}
    app_access: {mode: block_all}
"""


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    (tmp_path / "a.log").write_text("\n".join(text for text, _ in LINES) + "\n")
    (tmp_path / "spaces.csv").write_text("space_id,space_key,name,site,classification\n"
                                         "1001,HR,HR,acme.atlassian.net,\n1002,FIN,Finance,acme.atlassian.net,\n"
                                         "1003,DEV,Dev,acme.atlassian.net,\n")
    (tmp_path / "content.csv").write_text("content_id,content_type,space_id,space_key,site\n"
                                          "5001,page,1001,HR,acme.atlassian.net\n5002,page,1003,DEV,acme.atlassian.net\n")
    (tmp_path / "apps.yaml").write_text(textwrap.dedent("""\
        apps:
          - {key: report, auth: oauth2, match: {user_agent: '^ReportBot/'}}
          - {key: backup, auth: connect, match: {user_agent: '^BackupPro/'}}
          - {key: token, auth: api_token, match: {basic_auth_user: ops@acme.com}}
        """))
    (tmp_path / "rules.yaml").write_text(ACTIVE)
    (tmp_path / "proposed.yaml").write_text(PROPOSED)
    context = Context(tmp_path / "ws.duckdb")
    context.ingest([tmp_path / "a.log"])
    context.load_inventory([tmp_path / "spaces.csv", tmp_path / "content.csv"])
    context.load_apps(tmp_path / "apps.yaml")
    context.load_rules(tmp_path / "rules.yaml")
    yield context
    context.close()


def test_every_change_class_matches_the_hand_computation(ctx: Context, tmp_path: Path) -> None:
    out = tmp_path / "changes.csv"
    sim = ctx.simulate(tmp_path / "proposed.yaml", out=out)
    rows = duckdb.connect().execute(f"SELECT line_no, change FROM '{out}' ORDER BY line_no").fetchall()
    assert rows == [(i, expected) for i, (_, expected) in enumerate(LINES, start=1)]
    expected = {c: sum(1 for _, e in LINES if e == c) for c in
                ("unchanged", "newly_blocked", "newly_filtered", "unblocked", "undeterminable", "other")}
    assert {k: sim.summary[k] for k in expected} == expected
    assert sim.summary["evaluated"] == len(LINES)
    assert sim.summary["days_covered"] == 2
    assert sim.requests_written == len(LINES)
    # the workspace is untouched: only the active policy set exists
    assert ctx.ws.con.execute("SELECT DISTINCT policy_set FROM policies").fetchall() == [("active",)]


def test_newly_filtered_and_add_mode(ctx: Context, tmp_path: Path) -> None:
    (tmp_path / "wide.yaml").write_text(textwrap.dedent("""\
        policies:
          - name: Everything on acme
            site: acme.atlassian.net
            coverage: {all_spaces: true}
            app_access: {mode: allowlist, apps: [backup]}
        """))
    replace = ctx.simulate(tmp_path / "wide.yaml")
    added = ctx.simulate(tmp_path / "wide.yaml", mode="add")
    # the day-5 search is not in the log; the day-20 search was already filtered by HR
    assert replace.summary["newly_filtered"] == 0
    assert added.summary["unblocked"] == 0  # adding can only restrict
    assert replace.summary["unblocked"] == 0  # HR lines stay blocked: everything is covered
    by = {(r["app"], r["space"], r["change"]): r["requests"] for r in added.by_app_space.records()}
    assert by[("report", "DEV", "newly_blocked")] == 1
    assert by[("report", "FIN", "newly_blocked")] == 1
    early = ctx.simulate(tmp_path / "wide.yaml", window=Window(until=load_day(6)))
    assert early.summary["evaluated"] == 2


def load_day(day: int):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime(2026, 9, day)


def test_add_mode_refuses_name_clashes(ctx: Context, tmp_path: Path) -> None:
    (tmp_path / "clash.yaml").write_text(ACTIVE)
    with pytest.raises(UsageError, match="also active"):
        ctx.simulate(tmp_path / "clash.yaml", mode="add")


def test_suggest_ranks_breaking_apps_and_writes_an_allowlist(ctx: Context, tmp_path: Path) -> None:
    suggestion = ctx.suggest(coverage="spaces=DEV,FIN")
    ranked = [(r["app"], r["action"]) for r in suggestion.apps.records()]
    assert ranked[0] == ("report", "allowlist")  # two requests would break (DEV page, FIN content)
    assert ("backup", "allowlist") in ranked and ("token", "not_eligible") in ranked
    assert ("(unknown)", "identify") in ranked
    doc = yaml.safe_load(suggestion.yaml)
    policy = doc["policies"][0]
    assert policy["coverage"] == {"spaces": ["DEV", "FIN"]}
    assert policy["app_access"] == {"mode": "allowlist", "apps": ["report", "backup"]}
    assert any("identify them" in w for w in suggestion.warnings)
    path = tmp_path / "suggested.yaml"
    path.write_text(suggestion.yaml)
    assert load_rules_file(path).policies[0].apps == ("report", "backup")  # it loads as it is


def test_suggest_warns_beyond_twenty_apps(ctx: Context, tmp_path: Path) -> None:
    lines = [line("report", f"/wiki/api/v2/pages/5002?n={i}").replace("ReportBot/1.4", f"Bot{i}/1")
             for i in range(22)]
    (tmp_path / "bots.log").write_text("\n".join(lines) + "\n")
    (tmp_path / "bots.yaml").write_text("apps:\n" + "\n".join(
        f"  - {{key: bot{i}, auth: oauth2, match: {{user_agent: '^Bot{i}/'}}}}" for i in range(22)) + "\n")
    ctx.ingest([tmp_path / "bots.log"])
    ctx.load_apps(tmp_path / "bots.yaml")
    suggestion = ctx.suggest(coverage="spaces=DEV")
    assert any("Atlassian allows 20" in w for w in suggestion.warnings)
    assert len(yaml.safe_load(suggestion.yaml)["policies"][0]["app_access"]["apps"]) == 20

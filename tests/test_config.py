"""apps.yaml, rules.yaml and inventory files: valid input loads, every mistake names file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analyzer.apps import load_apps_file
from analyzer.errors import ConfigError
from analyzer.inventory import read_inventory_file
from analyzer.rules import load_rules_file


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_apps_load_all_identifier_kinds(tmp_path: Path) -> None:
    apps = load_apps_file(write(tmp_path, "apps.yaml", """\
        apps:
          - key: a
            name: A
            auth: connect
            match:
              user_agent: ['^A/', 'A-bot']
              jwt_iss: a-iss
              client_id: cid
              client_ip: [10.0.0.0/8, "2001:db8::/32"]
              basic_auth_user: bot@x.com
              field: {x-app: a, tenant: [t1, t2]}
        """))
    kinds = sorted((i.kind, i.value) for i in apps[0].identifiers)
    assert ("field", "t2") in kinds and ("client_ip", "2001:db8::/32") in kinds
    assert len(apps[0].identifiers) == 10
    assert apps[0].eligible


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("apps:\n  - key: a\n  - key: a\n", "appears twice", 3),
        ("apps:\n  - key: a\n    auth: password\n", "auth 'password'", 3),
        ("apps:\n  - key: a\n    match:\n      user_agent: '(?=x)'\n", "not a valid RE2 regex", 4),
        ("apps:\n  - key: a\n    match:\n      client_ip: 10.0.0.300\n", "not an IP address", 4),
        ("apps:\n  - key: a\n    match:\n      colour: red\n", "unknown match key", 4),
        ("apps:\n  - name: no key\n", "without a `key`", 2),
        ("apps: [\n", "invalid YAML", 2),
        ("nothing: here\n", "top-level `apps:`", 1),
    ],
)
def test_apps_errors_name_the_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = write(tmp_path, "apps.yaml", text)
    with pytest.raises(ConfigError) as error:
        load_apps_file(path)
    assert message in str(error.value)
    assert str(error.value).startswith(f"{path}:{line}:")


RULE = """\
policies:
  - name: P
    coverage: {spaces: [HR]}
    app_access: {mode: allowlist, apps: [a]}
"""


def test_rules_load(tmp_path: Path) -> None:
    ruleset = load_rules_file(write(tmp_path, "rules.yaml", RULE), known_apps=["a"])
    assert ruleset.policies[0].spaces == ("HR",) and ruleset.policies[0].status == "active"
    assert ruleset.warnings == ()
    ruleset = load_rules_file(write(tmp_path, "rules.yaml", RULE), known_apps=["b"])
    assert "not in apps.yaml: a" in ruleset.warnings[0]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (RULE + "  - name: P\n    coverage: {all_spaces: true}\n    app_access: {mode: block_all}\n",
         "duplicate policy name", 5),
        ("policies:\n  - name: P\n    coverage: {spaces: [HR], all_spaces: true}\n    app_access: {mode: block_all}\n",
         "exactly one of", 3),
        ("policies:\n  - name: P\n    coverage: {teams: [x]}\n    app_access: {mode: block_all}\n",
         "unknown coverage key 'teams'", 3),
        ("policies:\n  - name: P\n    coverage: {all_spaces: true}\n    app_access:\n      mode: allowlist\n"
         "      apps: [" + ", ".join(f"a{i}" for i in range(21)) + "]\n", "at most 20", 6),
        ("policies:\n  - name: P\n    coverage: {all_spaces: true}\n    app_access: {mode: deny}\n",
         "mode 'deny'", 4),
        ("policies:\n  - name: P\n    status: on\n    coverage: {all_spaces: true}\n"
         "    app_access: {mode: block_all}\n",
         "status", 3),
        ("policies:\n  - name: P\n    active_from: yesterday\n    coverage: {all_spaces: true}\n"
         "    app_access: {mode: block_all}\n", "not an ISO-8601", 3),
    ],
)
def test_rules_errors_name_the_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = write(tmp_path, "rules.yaml", text)
    with pytest.raises(ConfigError) as error:
        load_rules_file(path)
    assert message in str(error.value)
    assert str(error.value).startswith(f"{path}:{line}:")


def test_rules_warn_about_atlassian_limits(tmp_path: Path) -> None:
    spaces = ", ".join(f"S{i}" for i in range(16))
    ruleset = load_rules_file(write(tmp_path, "r.yaml", f"""\
        policies:
          - name: many
            coverage: {{spaces: [{spaces}]}}
            app_access: {{mode: block_all}}
        """))
    assert "allows 15" in ruleset.warnings[0]


def test_inventory_kinds_by_header(tmp_path: Path) -> None:
    assert read_inventory_file(write(tmp_path, "a.csv", "site,cloud_id\nhttps://ACME.atlassian.net/wiki,c1\n")) == (
        "sites", [{"site": "acme.atlassian.net", "cloud_id": "c1"}])
    kind, rows = read_inventory_file(write(tmp_path, "b.csv", "content_id,content_type,space_id,space_key,site\n"
                                                             "1,page,2,,acme.atlassian.net\n"))
    assert kind == "content" and rows[0]["space_id"] == "2"
    with pytest.raises(ConfigError, match="unrecognised inventory header"):
        read_inventory_file(write(tmp_path, "c.csv", "foo,bar\n1,2\n"))
    with pytest.raises(ConfigError, match=r"c\.csv:2: content needs its space_id"):
        read_inventory_file(write(tmp_path, "c.csv", "content_id,content_type,space_id,space_key,site\n1,page,,,\n"))


def test_inventory_api_json(tmp_path: Path) -> None:
    spaces = write(tmp_path, "spaces.json", """\
        {"results": [{"id": "98311", "key": "HR", "name": "Human Resources", "type": "global"}],
         "_links": {"base": "https://acme.atlassian.net/wiki"}}
        """)
    assert read_inventory_file(spaces) == ("spaces", [{"space_id": "98311", "space_key": "HR",
                                                       "name": "Human Resources", "site": "acme.atlassian.net",
                                                       "classification": ""}])
    pages = write(tmp_path, "pages.json", """\
        {"results": [{"id": "5001", "spaceId": "98311", "title": "x"}], "_links": {"base": "https://acme.atlassian.net/wiki"}}
        """)
    kind, rows = read_inventory_file(pages)
    assert kind == "content" and rows[0]["content_id"] == "5001" and rows[0]["site"] == "acme.atlassian.net"

"""Fuzzing the hand-written inputs: YAML loaders, inventory files and the CQL space parser.

Whatever the bytes, a loader either returns values or raises ConfigError (a one-line
message naming the file); the CQL macros return lists and never raise.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer import sql
from analyzer.apps import load_apps_file
from analyzer.errors import ConfigError
from analyzer.inventory import read_inventory_file
from analyzer.rules import load_rules_file

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])

_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12),
                    st.sampled_from(["HR", "10.0.0.0/8", "^Bot/", "(?=x)", "allowlist", "block_all", "spaces",
                                     "all_spaces", "2026-09-11T00:00:00Z", "active", "connect", "api_token"]))
_keys = st.sampled_from(["apps", "policies", "key", "name", "auth", "match", "user_agent", "jwt_iss", "client_ip",
                         "field", "coverage", "spaces", "classification", "all_spaces", "app_access", "mode",
                         "status", "site", "active_from", "active_until", "colour"])
_tree = st.recursive(_scalar, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(_keys, children, max_size=5)), max_leaves=25)


def _load(loader, path: Path) -> None:  # type: ignore[no-untyped-def]
    try:
        loader(path)
    except ConfigError as error:
        text = str(error)
        assert text.startswith(str(path)) and "\n" not in text.strip()


@FUZZ
@given(st.binary(max_size=300))
def test_yaml_loaders_survive_arbitrary_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(data)
    _load(load_apps_file, path)
    _load(load_rules_file, path)


@FUZZ
@given(_tree, st.sampled_from(["apps", "policies"]))
def test_yaml_loaders_survive_plausible_structures(tmp_path: Path, tree: object, top: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump({top: tree}))
    _load(load_apps_file, path)
    _load(load_rules_file, path)


@FUZZ
@given(st.text(max_size=200), st.sampled_from(["x.csv", "x.json"]))
def test_inventory_reader_survives_garbage(tmp_path: Path, text: str, name: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    try:
        read_inventory_file(path)
    except ConfigError as error:
        assert str(error).startswith(str(path))


@pytest.fixture(scope="module")
def macros() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    sql.run_script(con, "macros")
    return con


_cqlish = st.lists(st.sampled_from(["space", "space.key", "space.id", "=", " in ", "(", ")", ",", '"', "'", "HR",
                                    "~abc", "42", " and ", " or ", "type", "page", "%3D", "%22", "+", "&", "cql=",
                                    "spaceKey=", "space-id=", "cqlcontext=", "%7B", "}"]), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), _cqlish))
def test_query_space_parsers_never_fail(macros: duckdb.DuckDBPyConnection, query: str) -> None:
    keys, ids = macros.execute("SELECT aa_query_space_keys(?), aa_query_space_ids(?)", [query, query]).fetchall()[0]
    assert isinstance(keys, list) and isinstance(ids, list)
    assert all(k for k in keys) and all(i for i in ids)
    cql_keys = macros.execute("SELECT aa_cql_space_keys(?)", [query]).fetchall()[0][0]
    assert isinstance(cql_keys, list)


@pytest.mark.parametrize(
    ("query", "keys", "ids"),
    [
        ("cql=space%20%3D%20%22HR%22", ["HR"], []),
        ("cql=space.key+in+(HR,+%22FIN%22)+and+type=page", ["FIN", "HR"], []),
        ("cql=space.id%3D98311+or+space.id+in+(1,2)", [], ["1", "2", "98311"]),
        ("cql=myspace%3DX+and+notspace%3DY", [], []),
        ("spaceKey=HR&spaceKey=HR", ["HR"], []),
        ("cql=SPACE%3DDEV", ["DEV"], []),
    ],
)
def test_cql_examples(macros: duckdb.DuckDBPyConnection, query: str, keys: list[str], ids: list[str]) -> None:
    assert macros.execute("SELECT aa_query_space_keys(?), aa_query_space_ids(?)",
                          [query, query]).fetchall()[0] == (keys, ids)

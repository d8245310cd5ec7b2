"""Counting requests per key and day (the fact_days rollup) gives the same numbers as deciding
every request one by one, whatever the policy windows and report windows cut.

Reports read request_counts()/key_day_counts() (queries/schema/views.sql): whole days from the
rollup, the days a policy boundary or a --since/--until edge cuts from the facts. The per-request
views (`decisions`, decided_requests) join each request with its decision by interval instead;
these tests make the two paths meet on random windows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer import Context, IngestOptions
from analyzer.synth import write_log
from analyzer.whatif import Window

CONFIG = Path(__file__).resolve().parents[1] / "sample_logs" / "config"
START = dt.datetime(2026, 9, 1)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    tmp = tmp_path_factory.mktemp("rollup")
    logs = [write_log(tmp / "a.log", 4000, "vhost_combined", seed=5), write_log(tmp / "b.jsonl", 1500, "json", seed=6)]
    context = Context(tmp / "ws.duckdb")
    context.ingest(logs, IngestOptions())
    context.load_apps(CONFIG / "apps.yaml")
    context.load_inventory([CONFIG / "sites.csv", CONFIG / "spaces.csv", CONFIG / "content.csv"])
    yield context
    context.close()


moments = st.integers(0, 30 * 24 * 60).map(lambda minutes: START + dt.timedelta(minutes=minutes))


def _rules(path: Path, windows: list[tuple[dt.datetime | None, dt.datetime | None]]) -> Path:
    lines = ["policies:"]
    coverages = ["spaces: [HR, FIN]", "all_spaces: true", "classification: [internal]"]
    for i, (start, end) in enumerate(windows):
        lines += [f"  - name: p{i}", "    site: acme.atlassian.net", f"    coverage: {{{coverages[i % 3]}}}",
                  "    app_access: {mode: allowlist, apps: [com.acme.backup]}"]
        if start is not None:
            lines.append(f"    active_from: {start.isoformat()}Z")
        if end is not None:
            lines.append(f"    active_until: {end.isoformat()}Z")
    path.write_text("\n".join(lines) + "\n")
    return path


def _window(pair: tuple[dt.datetime, dt.datetime]) -> tuple[dt.datetime | None, dt.datetime | None]:
    a, b = sorted(pair)
    return (a, b) if a < b else (a, None)


windows = st.lists(st.tuples(moments, moments).map(_window), min_size=1, max_size=3)
report_window = st.one_of(st.just((None, None)), st.tuples(moments, moments).map(lambda p: tuple(sorted(p))))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(policy_windows=windows, since_until=report_window)
def test_counts_per_decision_row_equal_deciding_each_request(ctx: Context, tmp_path_factory: pytest.TempPathFactory,
                                                             policy_windows: list, since_until: tuple) -> None:
    ctx.load_rules(_rules(tmp_path_factory.mktemp("r") / "rules.yaml", policy_windows))
    since, until = since_until
    con = ctx.ws.con
    keyed = con.execute(
        "SELECT k.decision, k.policy, k.app, c.day, c.status, sum(c.n)::BIGINT, min(c.first_seen), "
        "max(c.last_seen) FROM request_counts($since, $until) AS c JOIN key_decisions AS k ON k.kd_id = c.kd_id "
        "GROUP BY ALL ORDER BY ALL", {"since": since, "until": until}).fetchall()
    per_request = con.execute(
        "SELECT decision, policy, app, CAST(ts AS DATE), status, count(*), min(ts), max(ts) FROM decisions "
        "WHERE ($since IS NULL OR ts >= $since) AND ($until IS NULL OR ts < $until) GROUP BY ALL ORDER BY ALL",
        {"since": since, "until": until}).fetchall()
    assert keyed == per_request
    assert sum(r[5] for r in per_request) > 0 or since is not None


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(active=windows, proposed=windows, since_until=report_window)
def test_simulation_counts_equal_its_per_request_rows(ctx: Context, tmp_path_factory: pytest.TempPathFactory,
                                                      active: list, proposed: list, since_until: tuple) -> None:
    folder = tmp_path_factory.mktemp("s")
    ctx.load_rules(_rules(folder / "active.yaml", active))
    rows = folder / "rows.parquet"
    sim = ctx.simulate(_rules(folder / "proposed.yaml", proposed), window=Window(*since_until), out=rows)
    per_request = dict(ctx.ws.con.execute(
        f"SELECT change, count(*) FROM read_parquet('{rows}') GROUP BY 1").fetchall())
    for change in ("unchanged", "newly_blocked", "newly_filtered", "unblocked", "undeterminable", "other"):
        assert sim.summary[change] == per_request.get(change, 0), change
    assert sim.summary["evaluated"] == sum(per_request.values())

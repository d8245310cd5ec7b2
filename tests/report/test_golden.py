"""Golden files for every report in every text format, from a small hand-written nasty fixture.

tests/fixtures/golden/access.log is 40 lines written by hand (see the comments
in the rules files): two sites, gateway URLs with cloud ids (one unknown), a
percent-encoded personal space key, CQL ``space in (...)``, an API-token
script, unknown clients (one with a user agent full of quotes, markup, commas
and unicode), content missing from the inventory, denials and successes after
activation, one unparsable line. Each output is compared with
tests/golden/<report>.<format>; ``pytest --update-goldens`` rewrites them.

Goldens are only as good as the first review, so the numbers that matter are
also asserted here, computed by hand from the log.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from analyzer import Context
from analyzer.output import Frame, write_csv, write_json
from analyzer.report.terminal import (
    anomalies_renderable,
    apps_renderable,
    blocked_renderable,
    simulation_renderable,
    suggest_renderable,
)
from tests.report.conftest import GOLDEN_DIR, Golden

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
NASTY_UA = 'Nasty/1.0 (x, y; "q") <b>&amp;</b> [/] é ünï 日本'


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    with Context(tmp_path_factory.mktemp("golden") / "golden.duckdb") as context:
        result = context.ingest([FIXTURE / "access.log"])
        assert (result.stored, result.rejected) == (39, 1)
        context.load_apps(FIXTURE / "apps.yaml")
        context.load_inventory([FIXTURE / "sites.csv", FIXTURE / "spaces.csv", FIXTURE / "content.csv"])
        context.load_rules(FIXTURE / "rules.yaml")
        yield context


def _portable(frame: Frame) -> Frame:
    """File paths relative to the fixture directory, so goldens do not depend on the checkout."""
    prefix = str(FIXTURE) + "/"
    rows = tuple(tuple(v.replace(prefix, "") if isinstance(v, str) else v for v in row) for row in frame.rows)
    return Frame(frame.columns, rows, frame.title, frame.caption)


def _csv(frame: Frame) -> str:
    buffer = io.StringIO()
    write_csv(frame, buffer)
    return buffer.getvalue()


def _json(frame: Frame) -> str:
    buffer = io.StringIO()
    write_json(frame, buffer)
    return buffer.getvalue()


WIDTH = 160


def _console(renderable: Any) -> str:
    """What the terminal shows, on a fixed 160-column console without colour."""
    buffer = io.StringIO()
    Console(file=buffer, width=WIDTH, no_color=True, color_system=None, force_terminal=False, emoji=False,
            highlight=False, legacy_windows=False).print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


@pytest.fixture(scope="module")
def outputs(ctx: Context) -> dict[str, str]:
    """Every golden output by file name."""
    out: dict[str, str] = {}

    def formats(name: str, frame: Frame, table: Callable[[Frame, int], Any] | None = None) -> None:
        frame = _portable(frame)
        out[f"{name}.csv"] = _csv(frame)
        out[f"{name}.jsonl"] = _json(frame)
        if table is not None:
            out[f"{name}.txt"] = _console(table(frame, WIDTH))

    formats("blocked", ctx.report_blocked(), lambda frame, width: blocked_renderable(frame, None, width))
    formats("apps", ctx.report_apps(), apps_renderable)
    formats("anomalies", ctx.report_anomalies(), anomalies_renderable)
    sim = ctx.simulate(FIXTURE / "proposed.yaml")
    formats("simulation_summary", Frame.from_records([sim.summary], title="summary"), None)
    formats("simulation_by_app_space", sim.by_app_space, None)
    out["simulation.txt"] = _console(simulation_renderable(
        sim.summary, sim.by_app_space, f"What-if: proposed.yaml ({sim.mode} mode, 1 policy)", WIDTH))
    suggestion = ctx.suggest(coverage="spaces=HR,DEV", site="acme.atlassian.net")
    formats("suggest_apps", suggestion.apps, suggest_renderable)
    out["suggest.yaml"] = suggestion.yaml
    return out


GOLDEN_NAMES = sorted(
    [f"{r}.{f}" for r in ("blocked", "apps", "anomalies", "suggest_apps") for f in ("csv", "jsonl", "txt")]
    + [f"{r}.{f}" for r in ("simulation_summary", "simulation_by_app_space") for f in ("csv", "jsonl")]
    + ["simulation.txt", "suggest.yaml"])


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_output_matches_golden(outputs: dict[str, str], golden: Golden, name: str) -> None:
    golden(name, outputs[name])


def test_every_golden_file_is_checked(outputs: dict[str, str]) -> None:
    assert sorted(outputs) == GOLDEN_NAMES
    orphans = sorted(p.name for p in GOLDEN_DIR.iterdir() if p.is_file()) if GOLDEN_DIR.exists() else []
    assert [n for n in orphans if n not in outputs] == []


def test_outputs_are_deterministic_and_portable(outputs: dict[str, str]) -> None:
    text = "".join(outputs.values())
    assert str(FIXTURE) not in text and "/tmp" not in text
    assert "access.log:23" in outputs["anomalies.csv"]  # example lines stay clickable, relative to the fixture


# -- numbers checked by hand against access.log (line numbers in comments) ------------------

def _rows(frame: Frame, **where: Any) -> list[dict[str, Any]]:
    return [r for r in frame.records() if all(r[k] == v for k, v in where.items())]


def test_decision_counts_by_hand(ctx: Context) -> None:
    counts = dict(ctx.sql("SELECT decision, count(*) FROM decisions GROUP BY 1").rows)
    # blocked: 13 14 17 20 25 30 31 39 40 (acme) + 33 34 (beta)
    assert counts["blocked"] == 11
    assert counts["filtered"] == 3  # 18 29 (acme, site-wide), 35 (beta gateway search)
    assert counts["unknown_client"] == 2  # 22 curl, 23 nasty user agent
    assert counts["unknown_space"] == 1  # 21 page 5999 is not in content.csv
    assert counts["not_eligible"] == 2  # 24 36 API-token script
    exempt = ctx.sql("SELECT count(*) FROM decisions WHERE exempt_by IS NOT NULL").rows[0][0]
    assert exempt == 3  # 15 16 Backup Pro by user agent, 32 by the JWT issuer in ?jwt=


def test_blocked_report_by_hand(ctx: Context) -> None:
    frame = ctx.report_blocked()
    page = {"app": "io.reportbot", "site": "acme.atlassian.net", "space": "HR", "method": "GET",
            "endpoint": "/wiki/api/v2/pages/{id}"}
    (blocked,) = _rows(frame, **page, decision="blocked")
    assert (blocked["requests"], blocked["days"], blocked["statuses"]) == (2, 2, "403:2")  # 13, 31
    (before,) = _rows(frame, **page, decision="allowed")
    assert (before["requests"], before["days"]) == (2, 2)  # 3, 12: before the rule's active_from
    # ~abc from %7E and %7e alike (5 before activation, 17 after), plus the CQL space.key search (40)
    personal = _rows(frame, app="io.reportbot", space="~abc")
    assert sorted((r["endpoint"], r["decision"], r["requests"]) for r in personal) == [
        ("/wiki/rest/api/search", "blocked", 1),
        ("/wiki/rest/api/space/{spaceKey}/content", "allowed", 1),
        ("/wiki/rest/api/space/{spaceKey}/content", "blocked", 1)]
    (gateway,) = _rows(frame, app="ari:forge:diagrams", space="~abc", decision="blocked")
    assert gateway["site"] == "acme.atlassian.net" and gateway["requests"] == 1  # 25, site from the cloud id
    site_wide = _rows(frame, scope="site")
    assert sum(r["requests"] for r in site_wide) == 5  # 6 18 (CQL over two spaces), 26, 29, 35
    assert sorted(r["requests"] for r in _rows(frame, scope="site", decision="filtered")) == [1, 1, 1]
    exempt = _rows(frame, app="com.acme.backup", exempt=True)
    assert {r["policy"] for r in exempt} == {"Restricted HR"} and sum(r["requests"] for r in exempt) == 3


def test_apps_report_by_hand(ctx: Context) -> None:
    (bot,) = _rows(ctx.report_apps(), app="io.reportbot")
    assert bot["blocked_by_rules"] == 11  # blocked 13 14 17 20 30 31 33 39 40, filtered 18 29
    assert bot["space_list"] == "DEV, HR, OPS, ~abc"
    (token,) = _rows(ctx.report_apps(), app="ops-scripts")
    assert (token["requests"], token["blocked_by_rules"]) == (3, 0)  # 11 24 36: API tokens act as users


def test_anomalies_by_hand(ctx: Context) -> None:
    frame = ctx.report_anomalies()
    kinds: dict[str, int] = {}
    for r in frame.records():
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + r["requests"]
    assert kinds == {"enforcement_gap": 3,  # 14 labels, 30 PUT (acme), 34 Backup Pro on beta (block_all)
                     "unexpected_denial": 1,  # 38: 403 on DEV, which no rule covers
                     "unknown_client": 2, "unknown_space": 1, "unknown_site": 1}  # 22 23, 21, 26
    (nasty,) = [r for r in frame.records() if r["kind"] == "unknown_client" and "Nasty" in r["subject"]]
    assert nasty["subject"] == f'user agent "{NASTY_UA}", address 198.51.100.7'
    assert nasty["example"].endswith("access.log:23")


def test_simulation_by_hand(ctx: Context) -> None:
    sim = ctx.simulate(FIXTURE / "proposed.yaml")
    s = sim.summary
    # 38 = 39 stored minus /status (not Confluence)
    assert s["evaluated"] == 38
    # DEV 4 19 28 37 38, HR before activation 3 12, ~abc before activation 5 (ReportBot) and 10 (Forge)
    assert s["newly_blocked"] == 9
    assert s["newly_filtered"] == 1  # 6: the search over HR and ~abc before activation
    assert s["unblocked"] == 3  # 33 34 35: the beta lockdown is not part of the proposal
    assert s["apps_affected"] == 2
    (dev,) = _rows(sim.by_app_space, app="io.reportbot", space="DEV", change="newly_blocked")
    assert (dev["requests"], dev["days_with_attempts"]) == (5, 4)


def test_suggest_by_hand(ctx: Context) -> None:
    suggestion = ctx.suggest(coverage="spaces=HR,DEV", site="acme.atlassian.net")
    rows = {r["app"]: r for r in suggestion.apps.records()}
    # Counted against the active rules: ReportBot's 13 calls in HR/DEV minus the 6 already blocked
    assert (rows["io.reportbot"]["would_block"], rows["io.reportbot"]["would_filter"]) == (7, 1)
    assert rows["com.acme.backup"]["would_block"] == 3  # 2 15 32 (allowlisted today)
    assert rows["ops-scripts"]["action"] == "not_eligible"
    assert "apps:\n        - io.reportbot" in suggestion.yaml


def test_csv_and_json_agree(outputs: dict[str, str]) -> None:
    """The two machine formats carry the same rows (guards the golden pair against drifting apart)."""
    for name in ("blocked", "apps", "anomalies"):
        from_csv = list(csv.DictReader(io.StringIO(outputs[f"{name}.csv"])))
        from_json = [json.loads(line) for line in outputs[f"{name}.jsonl"].splitlines()]
        assert len(from_csv) == len(from_json)
        assert [r["requests"] for r in from_csv] == [str(r["requests"]) for r in from_json]

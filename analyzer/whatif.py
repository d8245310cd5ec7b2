"""What-if: replay stored traffic against proposed policies, and suggest allowlists.

``simulate`` loads the proposed policies into a scratch policy set inside a
transaction that is rolled back, so the workspace never changes; the SQL in
``queries/simulate/`` decides every request key under the scratch set and
compares it with the stored decisions, then counts the requests per change.
``suggest`` replays a block-all version of the proposed coverage to see every
app it would break, then writes the allowlist that keeps them working.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from analyzer import sql
from analyzer.errors import UsageError
from analyzer.output import Frame
from analyzer.rules import ACTIVE, MAX_APPS, Policy, RuleSet, load_rules_file, read_policies, store_policies
from analyzer.workspace import Workspace, epoch_macro

SCRATCH = "__simulation__"
MODES = ("replace", "add")


@dataclass(frozen=True)
class Window:
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True)
class Simulation:
    summary: dict[str, Any]
    by_app_space: Frame
    policies: tuple[Policy, ...]
    mode: str
    warnings: tuple[str, ...]
    requests_written: int | None = None
    #: changed requests per endpoint and change class (simulate/by_endpoint), busiest first
    by_endpoint: Frame | None = None


def _known_apps(ws: Workspace) -> list[str]:
    return [r[0] for r in ws.con.execute("SELECT app_key FROM apps").fetchall()]


def _proposed_set(ws: Workspace, proposed: Sequence[Policy], mode: str) -> list[Policy]:
    if mode not in MODES:
        raise UsageError(f"--mode {mode!r} is not replace or add")
    if mode == "replace":
        return list(proposed)
    active = read_policies(ws, ACTIVE)
    clash = sorted({p.name for p in active} & {p.name for p in proposed})
    if clash:
        raise UsageError(f"proposed policy name(s) also active: {', '.join(clash)}",
                         hint="rename them, or use --mode replace")
    return [*active, *proposed]


def proposal(ws: Workspace, proposed_path: str | Path, mode: str) -> tuple[RuleSet, list[Policy]]:
    """The proposed rules file and the policy set a simulation replays (``mode`` replace or add).

    A proposal is simulated as if activated: drafts count, disabled policies do not.
    """
    ruleset: RuleSet = load_rules_file(proposed_path, _known_apps(ws))
    proposed = [replace(p, status="active") if p.status == "draft" else p for p in ruleset.policies]
    return ruleset, _proposed_set(ws, proposed, mode)


def _replay(ws: Workspace, policies: Sequence[Policy], window: Window) -> None:
    """Decide every request key under ``policies`` (temp table sim_key_changes) and count the replayed
    requests per change row (temp table sim_change_counts); both small whatever the traffic. The
    caller holds the (rolled back) transaction."""
    store_policies(ws, policies, SCRATCH)
    epoch_macro(ws.con, "aa_sim", (ACTIVE, SCRATCH), temporary=True)
    keyed = sql.load_query("simulate/key_changes")
    ws.con.execute("CREATE OR REPLACE TEMP TABLE sim_key_changes AS " + keyed.text,
                   sql.bind(keyed, {"proposed": SCRATCH}))
    counted = sql.load_query("simulate/change_counts")
    ws.con.execute("CREATE OR REPLACE TEMP TABLE sim_change_counts AS " + counted.text,
                   sql.bind(counted, {"since": window.since, "until": window.until}))


def simulate(ws: Workspace, proposed_path: str | Path, *, mode: str = "replace", window: Window = Window(),
             out: Path | None = None) -> Simulation:
    """Compare the active rules with the proposed ones over the stored traffic."""
    ruleset, policies = proposal(ws, proposed_path, mode)
    written = None
    with _scratch(ws):
        _replay(ws, policies, window)
        summary_frame = Frame.from_arrow(ws.con.sql(sql.load_query("simulate/summary").text).to_arrow_table())
        by_app = Frame.from_arrow(ws.con.sql(sql.load_query("simulate/by_app_space").text).to_arrow_table(),
                                  title="Changes by app and space")
        by_endpoint = Frame.from_arrow(ws.con.sql(sql.load_query("simulate/by_endpoint").text).to_arrow_table(),
                                       title="Changes by endpoint")
        if out is not None:
            written = _write_requests(ws, out, window)
    summary = summary_frame.records()[0]
    return Simulation(summary, by_app, tuple(policies), mode, ruleset.warnings, written, by_endpoint)


def _write_requests(ws: Workspace, out: Path, window: Window) -> int:
    suffix = out.suffix.lower()
    fmt = {".parquet": "parquet", ".csv": "csv", ".jsonl": "json", ".json": "json"}.get(suffix)
    if fmt is None:
        raise UsageError(f"cannot tell the format of {out.name!r}", hint="use .parquet, .csv or .jsonl")
    query = sql.load_query("simulate/requests")
    target = str(out).replace("'", "''")
    header = ", HEADER" if fmt == "csv" else ""
    ws.con.execute(f"COPY ({query.text}) TO '{target}' (FORMAT {fmt}{header})",
                   sql.bind(query, {"since": window.since, "until": window.until}))
    return ws.con.execute("SELECT coalesce(sum(n), 0) FROM sim_change_counts").fetchall()[0][0]


def _scratch(ws: Workspace) -> Any:
    """A transaction that is always rolled back: simulations leave no trace."""
    return ws.transaction(rollback=True)


# -- suggest ------------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    apps: Frame  # ranked apps the coverage would break
    policies: tuple[Policy, ...]  # ready-to-use policies with allowlists
    yaml: str
    warnings: tuple[str, ...]


def coverage_policy(coverage: str, site: str | None = None, name: str | None = None) -> Policy:
    """A block-all policy from ``--coverage all_spaces | spaces=HR,FIN | classification=confidential``."""
    kind, _, values = coverage.partition("=")
    kind = kind.strip()
    items = tuple(v.strip() for v in values.split(",") if v.strip())
    if kind == "all_spaces" and not items:
        spaces, classes = (), ()
    elif kind == "spaces" and items:
        spaces, classes = items, ()
    elif kind == "classification" and items:
        spaces, classes = (), items
    else:
        raise UsageError(f"--coverage {coverage!r} is not understood",
                         hint="use all_spaces, spaces=KEY,KEY or classification=LEVEL,LEVEL")
    label = name or {"all_spaces": "All spaces", "spaces": "Spaces " + ", ".join(spaces),
                     "classification": "Classification " + ", ".join(classes)}[kind]
    return Policy(label, site, "active", None, None, kind, spaces, classes, "block_all", ())


def suggest(ws: Workspace, *, coverage: str | None = None, proposed_path: str | Path | None = None,
            site: str | None = None, window: Window = Window()) -> Suggestion:
    """Which apps a proposed coverage would break, and the allowlist that keeps them working."""
    if (coverage is None) == (proposed_path is None):
        raise UsageError("give either --coverage or a PROPOSED.yaml")
    if coverage is not None:
        targets = [coverage_policy(coverage, site)]
        warnings: list[str] = []
    else:
        ruleset = load_rules_file(proposed_path, _known_apps(ws))  # type: ignore[arg-type]
        targets = [replace(p, status="active") for p in ruleset.policies]
        warnings = list(ruleset.warnings)
    frames: list[Frame] = []
    suggested: list[Policy] = []
    active = read_policies(ws, ACTIVE)
    for target in targets:
        probe = replace(target, mode="block_all", apps=(), name=f"{target.name} (probe)")
        with _scratch(ws):
            _replay(ws, [*[p for p in active if p.name != target.name], probe], window)
            frame = Frame.from_arrow(ws.con.sql(sql.load_query("suggest/breaking_apps").text).to_arrow_table(),
                                     title=f"Apps that '{target.name}' would break")
        frames.append(frame)
        allow = [r["app"] for r in frame.records() if r["action"] == "allowlist"]
        keep = tuple(dict.fromkeys([*target.apps, *allow])) if target.mode == "allowlist" else tuple(allow)
        if len(keep) > MAX_APPS:
            warnings.append(f"'{target.name}': {len(keep)} apps would need the allowlist; Atlassian allows "
                            f"{MAX_APPS}: split the coverage over several policies or accept breakage")
        unknown = sum(r["unidentified_requests"] for r in frame.records())
        if unknown:
            warnings.append(f"'{target.name}': {unknown:,} requests come from clients no app in apps.yaml "
                            "matches; identify them before relying on this allowlist")
        mode = "allowlist" if keep else "block_all"
        suggested.append(replace(target, mode=mode, apps=keep[:MAX_APPS] if keep else (), status="draft"))
    merged = frames[0] if len(frames) == 1 else Frame(
        ("policy", *frames[0].columns),
        tuple((t.name, *row) for t, f in zip(targets, frames, strict=True) for row in f.rows),
        title="Apps the proposed policies would break")
    return Suggestion(merged, tuple(suggested), policies_yaml(suggested, frames), tuple(warnings))


def policies_yaml(policies: Sequence[Policy], frames: Sequence[Frame] = ()) -> str:
    """rules.yaml text for ``policies``, with the evidence for each allowlisted app as comments."""
    evidence: dict[tuple[str, str], str] = {}
    for policy, frame in zip(policies, frames, strict=False):
        for r in frame.records():
            evidence[(policy.name, r["app"])] = (f"would block {r['would_block']:,}, filter {r['would_filter']:,} "
                                                 f"requests on {r['days']} days")
    lines = ["# Suggested by `appaccess suggest`: review, then load with `appaccess rules load`.",
             "# Status is draft: simulate it first (`appaccess simulate THIS.yaml`), then set active.",
             "policies:"]
    for p in policies:
        body: dict[str, Any] = {"name": p.name}
        if p.site:
            body["site"] = p.site
        body["status"] = p.status
        body["coverage"] = {"all_spaces": True} if p.coverage == "all_spaces" else (
            {"spaces": list(p.spaces)} if p.coverage == "spaces" else {"classification": list(p.classifications)})
        text = yaml.safe_dump([body], sort_keys=False, default_flow_style=None, allow_unicode=True)
        lines.extend("  " + line for line in text.rstrip().splitlines())
        lines.append("    app_access:")
        lines.append(f"      mode: {p.mode}")
        if p.apps:
            lines.append("      apps:")
            for app in p.apps:
                note = evidence.get((p.name, app))
                lines.append(f"        - {yaml.safe_dump(app).strip().removesuffix('...').strip()}"
                             + (f"  # {note}" if note else ""))
    return "\n".join(lines) + "\n"

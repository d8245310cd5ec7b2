"""One object that the CLI, notebooks and tests share: a workspace plus its operations.

``Context`` opens the workspace lazily (read-only when asked, so several
readers can work at once) and exposes each user-facing operation as a method
that returns plain values or :class:`~analyzer.output.Frame` objects. Nothing
here prints: rendering belongs to the caller.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import duckdb

from analyzer import apps as apps_module
from analyzer import inventory as inventory_module
from analyzer import namecheck, report, whatif
from analyzer import rules as rules_module
from analyzer import sql as sql_module
from analyzer.connectors import fetch as fetch_module
from analyzer.connectors import plan as plan_module
from analyzer.errors import ConfigError, EmptyWorkspaceError, UsageError
from analyzer.export import ExportResult, export
from analyzer.ingest import IngestOptions, IngestResult, Progress, ingest
from analyzer.ingest import files as ingest_files
from analyzer.lake import LakeScope, open_lake
from analyzer.output import Frame, plural
from analyzer.sources import STDIN, spool_stdin
from analyzer.workspace import DEFAULT_PATH, Workspace
from analyzer.yamlio import load_yaml


class Context:
    """A workspace and everything you can do with it.

    ``Context(lake="DIR")`` opens a lake instead (analyzer/lake/: written by ``appaccess spark
    ingest`` or ``export -o DIR``): reports, what-if, suggest and SQL work on it as on a
    workspace; it cannot be changed. ``scope`` says which days (and site) the calls will ask
    about, so that only those partitions are read.
    """

    def __init__(self, db: str | Path | None = None, *, read_only: bool = False, wait: float = 0.0,
                 lake: str | Path | None = None, scope: LakeScope = LakeScope()) -> None:
        self.lake = str(lake) if lake is not None else None
        self.db = Path(self.lake) if self.lake is not None else Path(db) if db is not None else DEFAULT_PATH
        self.read_only = read_only
        self.wait = wait
        self.scope = scope
        self._ws: Workspace | None = None

    @classmethod
    def over(cls, ws: Workspace, *, lake: str | Path | None = None) -> Context:
        """A Context on a workspace already open (an engine's, e.g. a lake opened for keys only)."""
        ctx = cls(ws.path, lake=lake)
        ctx._ws = ws
        return ctx

    @property
    def ws(self) -> Workspace:
        if self._ws is None:
            self._ws = (open_lake(self.lake, self.scope) if self.lake is not None
                        else Workspace.open(self.db, read_only=self.read_only, wait=self.wait))
        return self._ws

    def _writable(self, what: str) -> None:
        if self.lake is not None:
            raise UsageError(f"a lake cannot be changed: cannot {what} {self.lake}",
                             hint="lakes are written whole by `appaccess spark ingest` or `appaccess export -o DIR`")

    # -- ingest --------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], options: IngestOptions | None = None,
               progress: Progress | None = None, *, stdin: BinaryIO | None = None) -> IngestResult:
        """Ingest files, directories and globs; ``-`` reads standard input (or ``stdin``).

        Files that are not logs (an nginx error.log, a PNG), empty or damaged are
        skipped, each with its reason in ``result.skipped_files``; the rest are read.
        Standard input is spooled to a hidden file next to the workspace for the
        duration (see analyzer.sources.spool_stdin) and recognised again by content.
        """
        self._writable("ingest into")
        paths = list(paths)
        if not any(str(p) == STDIN for p in paths):
            return ingest(self.ws, paths, options, progress)
        ws = self.ws
        directory = ws.path.resolve().parent if str(ws.path) != ":memory:" else Path.cwd()
        with spool_stdin(directory, stdin if stdin is not None else sys.stdin.buffer) as spooled:
            return ingest(ws, [spooled if str(p) == STDIN else p for p in paths], options, progress)

    # -- workspace overview ----------------------------------------------------
    def files(self) -> Frame:
        table = self.ws.con.sql(
            "SELECT file_id, path, format, compression, lines_read, rows_stored, rows_rejected, rows_skipped, "
            "bytes_ingested, last_ingested FROM files ORDER BY file_id").to_arrow_table()
        return Frame.from_arrow(table, title="Ingested files")

    def forget_file(self, path: str | Path) -> list[tuple[str, int, int]]:
        """Drop what was loaded from the file recorded at ``path`` (and the records of its copies), so
        the next ingest reads it as new: (path, rows stored, rows rejected) per record dropped."""
        return ingest_files.forget(self.ws, path)

    def status(self) -> Frame:
        """What the workspace holds: files, requests, rejects, configuration, decisions.

        Requests, Confluence requests and the first and last request come from
        ``reports/overview``, the query behind the HTML report's cards: one definition.
        """
        con = self.ws.con
        overview = self.overview()
        counts = con.execute(
            "SELECT (SELECT count(*) FROM rejects), (SELECT count(*) FROM apps), "
            "(SELECT count(*) FROM sites), (SELECT count(*) FROM spaces), (SELECT count(*) FROM content), "
            "(SELECT count(*) FROM policies WHERE policy_set = 'active')").fetchall()[0]
        rows = [("files", overview["files"]), ("requests", overview["requests"]),
                ("Confluence requests", overview["confluence_requests"]), ("rejected lines", counts[0]),
                ("first request", overview["first_seen"]), ("last request", overview["last_seen"]),
                ("apps", counts[1]), ("sites", counts[2]), ("spaces", counts[3]), ("content", counts[4]),
                ("policies", counts[5]), ("active policies", overview["active_policies"])]
        rows += [(f"decision: {d}", n) for d, n in con.execute(
            "SELECT k.decision, sum(c.n)::BIGINT AS n FROM request_counts(NULL, NULL) AS c "
            "JOIN key_decisions AS k ON k.kd_id = c.kd_id GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()]
        rows.append(("workspace", str(self.db)))
        rows.append(("PII redaction", "on" if self.ws.meta("pii_salt") else "off"))
        return Frame(("item", "value"), tuple(rows), title="Workspace")

    def rejects(self, limit: int = 100, file: str | None = None) -> Frame:
        table = self.ws.con.sql(
            "SELECT f.path AS file, r.line_no, r.reason, r.raw FROM rejects r JOIN files f USING (file_id) "
            "WHERE $file IS NULL OR f.path = $file OR f.path LIKE '%' || $file "
            "ORDER BY r.file_id, r.line_no LIMIT $limit", params={"file": file, "limit": limit}
        ).to_arrow_table()
        return Frame.from_arrow(table, title="Rejected lines")

    # -- configuration: apps, inventory, rules -------------------------------------
    def load_apps(self, path: str | Path) -> list[apps_module.App]:
        self._writable("load apps into")
        apps = apps_module.load_apps_file(path)
        apps_module.store_apps(self.ws, apps)
        return apps

    def apps(self) -> Frame:
        table = self.ws.con.sql(
            "SELECT a.app_key, a.name, a.auth, "
            "string_agg(i.kind || coalesce('.' || i.field, '') || '=' || i.value, '; ' ORDER BY i.strength) "
            "AS identifiers FROM apps a LEFT JOIN app_identifiers i USING (app_key) GROUP BY ALL ORDER BY a.ord"
        ).to_arrow_table()
        return Frame.from_arrow(table, title="Apps")

    def load_inventory(self, paths: Iterable[str | Path]) -> list[inventory_module.InventoryLoad]:
        self._writable("load an inventory into")
        return inventory_module.load_inventory(self.ws, list(paths))

    def inventory(self) -> Frame:
        text = ("SELECT 'sites' AS kind, count(*) AS rows FROM sites UNION ALL "
                "SELECT 'spaces', count(*) FROM spaces UNION ALL SELECT 'content', count(*) FROM content")
        has_fetch_tables = self.ws.con.execute(
            "SELECT count(*) = 2 FROM duckdb_tables() WHERE table_name IN "
            "('confluence_content_state', 'data_policy_spaces')").fetchall()[0][0]
        if has_fetch_tables:  # (absent from a workspace not opened for writing since this appaccess)
            text += (" UNION ALL SELECT 'content ids not found by fetch', count(*) FROM confluence_content_state "
                     "WHERE state = 'missing' UNION ALL SELECT 'content ids without a space', count(*) "
                     "FROM confluence_content_state WHERE state = 'no_space' UNION ALL "
                     "SELECT 'data-policy spaces', count(*) FROM data_policy_spaces")
        return Frame.from_arrow(self.ws.con.sql(text).to_arrow_table(), title="Inventory")

    def fetch_inventory(self, site: str, options: fetch_module.FetchOptions = fetch_module.FetchOptions(), *,
                        env: Mapping[str, str] | None = None,
                        progress: fetch_module.ProgressFn | None = None) -> fetch_module.FetchResult:
        """Fetch (or resume fetching) a site's inventory from the Confluence Cloud REST API."""
        self._writable("fetch an inventory into")
        return fetch_module.fetch(self.ws, site, options, env=env, progress=progress)

    def plan_inventory_fetch(self, site: str, options: fetch_module.FetchOptions = fetch_module.FetchOptions(), *,
                             env: Mapping[str, str] | None = None) -> plan_module.FetchPlan:
        """The calls :meth:`fetch_inventory` would make now (no network)."""
        return plan_module.plan(self.ws, site, options, env=env)

    def load_rules(self, path: str | Path, policy_set: str = rules_module.ACTIVE, *,
                   strict: bool = False) -> rules_module.RuleSet:
        """Replace the policies of ``policy_set`` with those of a rules.yaml.

        Sites, spaces and classifications the workspace does not know (a typo protects
        nothing) are warnings in ``ruleset.warnings``; with ``strict`` they are an error
        and nothing is loaded.
        """
        doc = load_yaml(path)  # parsed (and an alias bomb refused) before the workspace is opened
        self._writable("load rules into")
        ruleset = self.check_rules(rules_module.parse_rules(doc, self._app_keys()), strict=strict)
        rules_module.store_policies(self.ws, ruleset.policies, policy_set)
        return ruleset

    def _app_keys(self) -> list[str]:
        return [r[0] for r in self.ws.con.execute("SELECT app_key FROM apps").fetchall()]

    def check_rules(self, ruleset: rules_module.RuleSet, *, strict: bool = False) -> rules_module.RuleSet:
        """``ruleset`` with a warning for each name it uses that matches nothing known (see analyzer.namecheck)."""
        findings = namecheck.check_rules(ruleset, namecheck.known_names(self.ws))
        typos = [f for f in findings if f.typo]
        if strict and typos:
            first = typos[0]
            more = f" (and {plural(len(typos) - 1, 'more name')})" if len(typos) > 1 else ""
            raise ConfigError(f"{first}{more}", hint="--strict refuses names the workspace does not know")
        return dataclasses.replace(ruleset, warnings=(*ruleset.warnings, *map(str, findings)))

    def check_filters(self, filters: report.Filters, *, strict: bool = False) -> list[str]:
        """Warnings for --site/--app/--space values that match nothing known; errors with ``strict``."""
        named = (("--site", "site", filters.site), ("--app", "app", filters.app), ("--space", "space", filters.space))
        if all(value is None for _, _, value in named):
            return []
        findings = namecheck.check_filters(named, namecheck.known_names(self.ws))
        if strict and findings:
            raise UsageError(str(findings[0]), hint="--strict refuses filters that match nothing known")
        return [str(f) for f in findings]

    def require_requests(self, since: dt.datetime | None = None, until: dt.datetime | None = None) -> int:
        """The number of stored requests in the window; none is an error saying so (a report of
        nothing would look clean, a policy suggested from nothing would look safe)."""
        total, first, last, inside = self.ws.con.execute(
            "SELECT count(*), min(ts), max(ts), count(*) FILTER (WHERE ($since IS NULL OR ts >= $since) "
            "AND ($until IS NULL OR ts < $until)) FROM facts", {"since": since, "until": until}).fetchall()[0]
        kind = "lake" if self.lake is not None else "workspace"
        if not total:
            raise EmptyWorkspaceError(
                f"the {kind} {self.db} holds no requests" + (" in the days asked for" if self.scope.since
                                                             or self.scope.until else ""),
                hint="check the lake's manifest.json" if self.lake is not None
                else f"ingest logs first: appaccess ingest LOGS... --db {self.db}")
        if not inside:
            raise EmptyWorkspaceError(
                f"no stored request is in the window asked for ({_window(since, until)}); the {kind} holds "
                f"{first:%Y-%m-%d %H:%M} .. {last:%Y-%m-%d %H:%M}", hint="check --since and --until")
        return int(inside)

    def policies(self, policy_set: str = rules_module.ACTIVE) -> Frame:
        rows = [(p.name, p.status, p.site, p.active_from, p.active_until, p.coverage,
                 ", ".join(p.spaces or p.classifications), p.mode, ", ".join(p.apps))
                for p in rules_module.read_policies(self.ws, policy_set)]
        return Frame(("name", "status", "site", "active_from", "active_until", "coverage", "covers", "mode",
                      "apps"), tuple(rows), title=f"Policies ({policy_set})")

    # -- data out -----------------------------------------------------------------
    def export(self, out: str | Path, *, what: str = "decisions", since: dt.datetime | None = None,
               until: dt.datetime | None = None, partition_by: tuple[str, ...] = ()) -> ExportResult:
        return export(self.ws, Path(out), what=what, since=since, until=until, partition_by=partition_by)

    def sql(self, text: str, limit: int | None = None) -> Frame:
        """Run a user's SQL (read-only workspaces refuse writes)."""
        if not text.strip():
            raise UsageError("empty SQL",
                             hint='e.g. appaccess sql "SELECT decision, count(*) FROM decisions GROUP BY 1"')
        # The user's SQL sees the workspace only: no files, no network, on this connection.
        self.ws.con.execute("SET enable_external_access = false")
        try:
            relation = self.ws.con.sql(text)
        except duckdb.Error as error:
            raise UsageError(f"SQL error: {str(error).strip().splitlines()[0]}",
                             hint="tables: requests, rejects, files, endpoints, apps, sites, spaces, content, "
                                  "policies; views: decisions, request_facts, attributed_requests") from None
        if relation is None:
            return Frame(("result",), (("ok",),))
        if limit is not None:
            relation = relation.limit(limit)
        return Frame.from_arrow(relation.to_arrow_table())

    # -- reports and what-if ---------------------------------------------------------
    def overview(self, filters: report.Filters = report.Filters()) -> dict[str, Any]:
        """Totals: requests, Confluence requests, requests to blocked APIs, blocked by rules, apps, window."""
        return report.run(self.ws, "reports/overview", filters.params()).records()[0]

    def report_blocked(self, filters: report.Filters = report.Filters()) -> Frame:
        return report.blocked(self.ws, filters)

    def report_apps(self, filters: report.Filters = report.Filters()) -> Frame:
        return report.apps(self.ws, filters)

    def report_anomalies(self, filters: report.Filters = report.Filters()) -> Frame:
        return report.anomalies(self.ws, filters)

    def simulate(self, proposed: str | Path, *, mode: str = "replace", window: whatif.Window = whatif.Window(),
                 out: str | Path | None = None, strict: bool = False,
                 require_requests: bool = False) -> whatif.Simulation:
        """Replay the stored traffic against the proposed rules (nothing is changed).

        Names in the proposal that match nothing known are warnings (errors with ``strict``).
        ``require_requests``: a window without requests is an error (see :meth:`require_requests`).
        The proposal is parsed before the workspace is opened, so a bad one never holds it.
        """
        doc = load_yaml(proposed)
        if require_requests:
            self.require_requests(window.since, window.until)
        checked = self.check_rules(rules_module.parse_rules(doc, self._app_keys()), strict=strict)
        sim = whatif.simulate(self.ws, proposed, mode=mode, window=window,
                              out=Path(out) if out is not None else None)
        extra = tuple(w for w in checked.warnings if w not in sim.warnings)
        return dataclasses.replace(sim, warnings=(*sim.warnings, *extra))

    def suggest(self, *, coverage: str | None = None, proposed: str | Path | None = None, site: str | None = None,
                window: whatif.Window = whatif.Window(), strict: bool = False) -> whatif.Suggestion:
        """The apps a coverage would break and the allowlist that keeps them working.

        Refuses a workspace (or window) without requests: a policy suggested from no
        traffic would allowlist nothing and look safe.
        """
        doc = load_yaml(proposed) if proposed is not None else None  # parsed before the workspace is opened
        self.require_requests(window.since, window.until)
        warnings: list[str] = []
        if doc is not None:
            checked = self.check_rules(rules_module.parse_rules(doc), strict=strict)
            warnings = [w for w in checked.warnings]
        elif coverage is not None:
            warnings = self._check_coverage(coverage, site, strict)
        result = whatif.suggest(self.ws, coverage=coverage, proposed_path=proposed, site=site, window=window)
        extra = tuple(w for w in warnings if w not in result.warnings)
        return dataclasses.replace(result, warnings=(*extra, *result.warnings))

    def _check_coverage(self, coverage: str, site: str | None, strict: bool) -> list[str]:
        policy = whatif.coverage_policy(coverage, site)
        names = [rules_module.NameRef("space", s, policy.name, site, "--coverage", None) for s in policy.spaces]
        names += [rules_module.NameRef("classification", c, policy.name, site, "--coverage", None)
                  for c in policy.classifications]
        if site:
            names.append(rules_module.NameRef("site", site, policy.name, None, "--site", None))
        checked = self.check_rules(rules_module.RuleSet((policy,), (), tuple(names)), strict=strict)
        return list(checked.warnings)

    # -- charts and the HTML report ----------------------------------------------------
    def charts(self, filters: report.Filters = report.Filters(),
               simulation: whatif.Simulation | None = None) -> dict[str, Any]:
        """The HTML report's Plotly figures by name (heatmap, timeline, endpoints; whatif with a
        simulation): display them in a notebook, or ``fig.write_html(...)``."""
        from analyzer.report import charts

        return charts.figures(self.ws, filters, simulation)

    def write_html_report(self, out: str | Path, filters: report.Filters = report.Filters(), *,
                          simulation: whatif.Simulation | None = None, focus: str = "blocked") -> Path:
        """Write the self-contained HTML report (``focus``: blocked, apps or anomalies) to ``out``."""
        from analyzer.report.html import write_html_report

        return write_html_report(self.ws, Path(out), filters, simulation=simulation, focus=focus)

    def query(self, name: str, params: dict[str, object] | None = None) -> Frame:
        """Run a named query of ``queries/`` users may run (``appaccess query list``: reports/*, export/*,
        config/*); the internal steps of appaccess are refused."""
        runnable = {q.name: q for q in sql_module.user_queries()}
        if name not in runnable:
            known = ", ".join(runnable)
            internal = "/" in name and (sql_module.QUERIES_DIR / f"{name}.sql").is_file()
            raise UsageError(f"query {name!r} is internal to appaccess (it needs what its caller builds)"
                             if internal else f"no query named {name!r}", hint=f"queries you can run: {known}")
        query = runnable[name]
        unknown = sorted(set(params or {}) - set(query.params))
        if unknown:
            raise UsageError(f"query {name!r} has no parameter {', '.join(unknown)}",
                             hint=f"its parameters: {', '.join(query.params) or 'none'}")
        return report.run(self.ws, name, dict(params or {}))

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _window(since: dt.datetime | None, until: dt.datetime | None) -> str:
    return f"{f'{since:%Y-%m-%d %H:%M}' if since else '…'} .. {f'{until:%Y-%m-%d %H:%M}' if until else '…'}"

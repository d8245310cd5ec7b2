"""rules.yaml: data security policies with an app access rule, in Atlassian's model.

A policy has a coverage (all spaces, listed spaces, or classification levels),
a status and optional activity window, and an app access mode (block all,
allowlist, blocklist; at most 20 listed apps). Policies are additive and the
most restrictive wins. The same file format describes *proposed* policies for
``appaccess simulate``; each load goes into a named policy set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from analyzer import pii
from analyzer.workspace import Workspace, registered
from analyzer.yamlio import Located, load_yaml

ACTIVE = "active"
STATUSES = ("active", "draft", "disabled")
MODES = ("block_all", "allowlist", "blocklist")
COVERAGES = ("all_spaces", "spaces", "classification")
MAX_APPS = 20  # Atlassian's limit for allowlists and blocklists
MAX_SPACES_PER_SITE = 15  # Atlassian's documented limit per policy and instance
MAX_POLICIES = 50


@dataclass(frozen=True)
class Policy:
    name: str
    site: str | None
    status: str
    active_from: dt.datetime | None
    active_until: dt.datetime | None
    coverage: str  # all_spaces | spaces | classification
    spaces: tuple[str, ...]
    classifications: tuple[str, ...]
    mode: str  # block_all | allowlist | blocklist
    apps: tuple[str, ...]


@dataclass(frozen=True)
class NameRef:
    """A site, space or classification a policy names, and where: for catching typos."""

    kind: str  # site | space | classification
    name: str
    policy: str
    site: str | None  # the policy's site, None for every site
    path: str
    line: int | None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else self.path


@dataclass(frozen=True)
class RuleSet:
    policies: tuple[Policy, ...]
    warnings: tuple[str, ...]
    names: tuple[NameRef, ...] = ()  # every site, space and classification named, with its line


def _timestamp(doc: Located, value: Any, *key: str | int) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip().replace("Z", "+00:00")
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise doc.error(f"{value!r} is not an ISO-8601 timestamp", *key,
                            hint="e.g. 2026-09-11T00:00:00Z") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _names(doc: Located, value: Any, what: str, *key: str | int) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise doc.error(f"`{what}` must be a non-empty list", *key)
    out = []
    for index, item in enumerate(value):
        if item is None or isinstance(item, (dict, list, bool)) or not str(item).strip():
            raise doc.error(f"invalid entry {item!r} in `{what}`", *key, index)
        out.append(str(item).strip())
    if len(set(out)) != len(out):
        raise doc.error(f"`{what}` lists the same entry twice", *key)
    return tuple(out)


def parse_rules(doc: Located, known_apps: Sequence[str] = ()) -> RuleSet:
    data = doc.data
    if not isinstance(data, dict) or "policies" not in data:
        raise doc.error("expected a top-level `policies:` list", hint="see `appaccess rules load --help`")
    extra = sorted(set(data) - {"policies"})
    if extra:
        raise doc.error(f"unknown top-level key(s): {', '.join(extra)}", extra[0])
    items = data["policies"]
    if not isinstance(items, list):
        raise doc.error("`policies` must be a list", "policies")
    policies: list[Policy] = []
    warnings: list[str] = []
    names: list[NameRef] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        where = ("policies", index)
        if not isinstance(item, dict):
            raise doc.error("each policy must be a mapping", *where)
        unknown = sorted(set(item) - {"name", "site", "status", "active_from", "active_until", "coverage",
                                      "app_access", "description"})
        if unknown:
            raise doc.error(f"unknown policy field(s): {', '.join(unknown)}", *where, unknown[0],
                            hint="fields: name, site, status, active_from, active_until, coverage, app_access")
        name = str(item.get("name") or "").strip()
        if not name:
            raise doc.error("policy without a `name`", *where)
        if name in seen:
            raise doc.error(f"duplicate policy name {name!r} (first on line {seen[name]})", *where, "name",
                            hint="policy names must be unique")
        seen[name] = doc.line(*where, "name") or 0
        status = str(item.get("status") or "active")
        if status not in STATUSES:
            raise doc.error(f"status {status!r} is not one of {', '.join(STATUSES)}", *where, "status")
        site = item.get("site")
        site = str(site).strip().lower() if site else None
        active_from = _timestamp(doc, item.get("active_from"), *where, "active_from")
        active_until = _timestamp(doc, item.get("active_until"), *where, "active_until")
        if active_from and active_until and active_until <= active_from:
            raise doc.error("active_until must be after active_from", *where, "active_until")

        coverage = item.get("coverage")
        if not isinstance(coverage, dict):
            raise doc.error("`coverage` must be a mapping with exactly one of all_spaces, spaces, classification",
                            *where, "coverage")
        bad = sorted(set(coverage) - set(COVERAGES))
        if bad:
            raise doc.error(f"unknown coverage key {bad[0]!r}", *where, "coverage", bad[0],
                            hint="use exactly one of all_spaces: true, spaces: [...], classification: [...]")
        if len(coverage) != 1:
            raise doc.error("coverage needs exactly one of all_spaces, spaces, classification", *where, "coverage")
        kind = next(iter(coverage))
        spaces: tuple[str, ...] = ()
        classifications: tuple[str, ...] = ()
        if kind == "all_spaces":
            if coverage[kind] is not True:
                raise doc.error("all_spaces must be `true`", *where, "coverage", kind)
        elif kind == "spaces":
            spaces = _names(doc, coverage[kind], "spaces", *where, "coverage", kind)
            if len(spaces) > MAX_SPACES_PER_SITE:
                warnings.append(f"{doc.path}:{doc.line(*where, 'coverage', kind)}: policy {name!r} lists "
                                f"{len(spaces)} spaces; Atlassian allows {MAX_SPACES_PER_SITE} per instance")
        else:
            classifications = _names(doc, coverage[kind], "classification", *where, "coverage", kind)

        access = item.get("app_access")
        if not isinstance(access, dict):
            raise doc.error("`app_access` must be a mapping with a `mode`", *where, "app_access")
        bad = sorted(set(access) - {"mode", "apps"})
        if bad:
            raise doc.error(f"unknown app_access key {bad[0]!r}", *where, "app_access", bad[0])
        mode = access.get("mode")
        if mode not in MODES:
            raise doc.error(f"mode {mode!r} is not one of {', '.join(MODES)}", *where, "app_access", "mode")
        apps: tuple[str, ...] = ()
        if mode == "block_all":
            if access.get("apps"):
                raise doc.error("block_all takes no `apps` list", *where, "app_access", "apps",
                                hint="use mode: allowlist to keep some apps working")
        else:
            apps = _names(doc, access.get("apps"), "apps", *where, "app_access", "apps")
            if len(apps) > MAX_APPS:
                raise doc.error(f"{mode} lists {len(apps)} apps; Atlassian allows at most {MAX_APPS}",
                                *where, "app_access", "apps",
                                hint="split the apps over policies or use block_all / the other mode")
            if known_apps:
                missing = [a for a in apps if a not in known_apps]
                if missing:
                    warnings.append(f"{doc.path}:{doc.line(*where, 'app_access', 'apps')}: policy {name!r} "
                                    f"names app(s) not in apps.yaml: {', '.join(missing)}")
        policies.append(Policy(name, site, status, active_from, active_until, kind, spaces, classifications,
                               mode, apps))
        if site:
            names.append(NameRef("site", site, name, None, doc.path, doc.line(*where, "site")))
        for index, value in enumerate(spaces):
            names.append(NameRef("space", value, name, site, doc.path, doc.line(*where, "coverage", kind, index)))
        for index, value in enumerate(classifications):
            names.append(NameRef("classification", value, name, site, doc.path,
                                 doc.line(*where, "coverage", kind, index)))
    if len(policies) > MAX_POLICIES:
        warnings.append(f"{doc.path}: {len(policies)} policies; Atlassian allows {MAX_POLICIES} per organization")
    return RuleSet(tuple(policies), tuple(warnings), tuple(names))


def load_rules_file(path: str | Path, known_apps: Sequence[str] = ()) -> RuleSet:
    return parse_rules(load_yaml(path), known_apps)


def store_policies(ws: Workspace, policies: Sequence[Policy], policy_set: str = ACTIVE) -> None:
    """Replace the policies of ``policy_set`` (one transaction)."""
    main = pa.table({
        "name": pa.array([p.name for p in policies], pa.string()),
        "site": pa.array([p.site for p in policies], pa.string()),
        "status": pa.array([p.status for p in policies], pa.string()),
        "active_from": pa.array([p.active_from for p in policies], pa.timestamp("us")),
        "active_until": pa.array([p.active_until for p in policies], pa.timestamp("us")),
        "coverage": pa.array([p.coverage for p in policies], pa.string()),
        "mode": pa.array([p.mode for p in policies], pa.string()),
        "ord": pa.array(range(1, len(policies) + 1), pa.int32()),
    })

    def pairs(attr: str) -> pa.Table:
        rows = [(p.name, value) for p in policies for value in getattr(p, attr)]
        return pa.table({"name": pa.array([r[0] for r in rows], pa.string()),
                         "value": pa.array([r[1] for r in rows], pa.string())})

    with ws.transaction() as con, registered(con, "_pol", main), registered(con, "_sp", pairs("spaces")), \
            registered(con, "_cl", pairs("classifications")), registered(con, "_ap", pairs("apps")):
        for table in ("policies", "policy_spaces", "policy_classifications", "policy_apps"):
            con.execute(f"DELETE FROM {table} WHERE policy_set = ?", [policy_set])
        con.execute("INSERT INTO policies SELECT ?, name, site, status, active_from, active_until, coverage, "
                    "mode, ord FROM _pol", [policy_set])
        con.execute("INSERT INTO policy_spaces SELECT $set, name, "
                    "CASE WHEN $salt IS NULL THEN value ELSE aa_redact_pii(value, $salt) END FROM _sp",
                    {"set": policy_set, "salt": pii.salt(ws)})
        con.execute("INSERT INTO policy_classifications SELECT ?, name, value FROM _cl", [policy_set])
        con.execute("INSERT INTO policy_apps SELECT ?, name, value FROM _ap", [policy_set])
        if policy_set == ACTIVE:
            ws.refresh_decisions()


def read_policies(ws: Workspace, policy_set: str = ACTIVE) -> list[Policy]:
    rows = ws.con.execute(
        "SELECT p.name, p.site, p.status, p.active_from, p.active_until, p.coverage, p.mode, "
        "(SELECT list(space ORDER BY rowid) FROM policy_spaces s WHERE s.policy_set = p.policy_set "
        " AND s.name = p.name), "
        "(SELECT list(classification ORDER BY rowid) FROM policy_classifications c "
        " WHERE c.policy_set = p.policy_set AND c.name = p.name), "
        "(SELECT list(app_key ORDER BY rowid) FROM policy_apps a WHERE a.policy_set = p.policy_set "
        " AND a.name = p.name) "
        "FROM policies p WHERE p.policy_set = ? ORDER BY p.ord", [policy_set]).fetchall()
    return [Policy(r[0], r[1], r[2], r[3], r[4], r[5], tuple(r[7] or ()), tuple(r[8] or ()), r[6], tuple(r[9] or ()))
            for r in rows]

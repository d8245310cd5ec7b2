"""Catch typos that would make a rule or a filter silently match nothing.

``site: acme.atlasian.net`` or ``spaces: [HR, FNI]`` load fine and turn
thousands of blocked requests into none; a report filtered on a misspelled
``--space`` prints a clean, empty table. Both look like good news. Each name a
rule or a filter uses is looked up among the names the workspace knows (the
inventory, the apps and the traffic: ``queries/config/known_names.sql``); a
name found nowhere is reported with where it was written and the closest known
name ("did you mean FIN?").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from analyzer import sql
from analyzer.rules import NameRef, RuleSet
from analyzer.workspace import Workspace

KINDS = ("site", "space", "classification", "app")
_WHAT = {"site": "site", "space": "space", "classification": "classification", "app": "app"}


@dataclass(frozen=True)
class KnownNames:
    """Names by kind, each with the sites it was seen on (None: seen without a site)."""

    names: dict[str, dict[str, frozenset[str | None]]] = field(default_factory=dict)

    def of(self, kind: str) -> dict[str, frozenset[str | None]]:
        return self.names.get(kind, {})

    def knows(self, kind: str, name: str, site: str | None = None) -> bool:
        sites = self.of(kind).get(name)
        if sites is None:
            return False
        return site is None or None in sites or site in sites

    def closest(self, kind: str, name: str) -> str | None:
        """The known name a typo most likely meant: same letters in another case, else the most similar."""
        candidates = list(self.of(kind))
        folded = [c for c in candidates if c.casefold() == name.casefold()]
        if folded:
            return folded[0]
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
        if not close:
            by_case = {c.casefold(): c for c in candidates}
            close = [by_case[c] for c in difflib.get_close_matches(name.casefold(), list(by_case), n=1, cutoff=0.6)]
        return close[0] if close else None


def known_names(ws: Workspace) -> KnownNames:
    rows = sql.execute(ws.con, "config/known_names").fetchall()
    collected: dict[str, dict[str, set[str | None]]] = {}
    for kind, name, site, _source in rows:
        collected.setdefault(kind, {}).setdefault(name, set()).add(site)
    return KnownNames({k: {n: frozenset(s) for n, s in v.items()} for k, v in collected.items()})


@dataclass(frozen=True)
class Finding:
    """A name that matches nothing known: where it was written, and a hint."""

    where: str | None  # file:line, or the option (--space) for filters
    message: str
    typo: bool = True  # False: a note that names could not be checked (--strict lets it pass)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def _suggestion(known: KnownNames, kind: str, name: str) -> str:
    guess = known.closest(kind, name)
    return f"; did you mean {guess}?" if guess is not None and guess != name else ""


def check_rules(ruleset: RuleSet, known: KnownNames) -> list[Finding]:
    """Every site, space and classification ``ruleset`` names that the workspace does not know.

    A kind the workspace knows nothing of (no sites anywhere, no classification
    in the inventory) is reported once per rule file instead: nothing can be
    checked, and for classifications nothing can match either.
    """
    findings: list[Finding] = []
    blind: set[str] = set()
    for ref in ruleset.names:
        if not known.of(ref.kind):
            blind.add(ref.kind)
            continue
        if known.knows(ref.kind, ref.name, ref.site if ref.kind != "site" else None):
            continue
        findings.append(Finding(ref.where, _message(ref, known)))
    path = ruleset.names[0].path if ruleset.names else None
    for kind in sorted(blind):
        if kind == "classification":
            findings.append(Finding(path, "the inventory has no space classification, so classification coverage "
                                          "matches nothing; load spaces.csv with a classification column"))
        else:
            findings.append(Finding(path, f"the workspace knows no {kind} yet (no inventory, no traffic): "
                                          f"the {kind} names of this file were not checked", typo=False))
    return findings


def _message(ref: NameRef, known: KnownNames) -> str:
    what = f"{_WHAT[ref.kind]} {ref.name!r} (policy {ref.policy!r})"
    if known.knows(ref.kind, ref.name):  # known, but not on the policy's site
        sites = sorted(s for s in known.of(ref.kind)[ref.name] if s is not None)
        return f"{what} is not known on {ref.site}, only on {', '.join(sites)}"
    return f"{what} is in neither the inventory nor the traffic{_suggestion(known, ref.kind, ref.name)}"


def check_filter(option: str, kind: str, value: str | None, known: KnownNames,
                 extra: Iterable[str] = ()) -> Finding | None:
    """A --site/--app/--space value that matches nothing known, or None."""
    if value is None or value in extra or not known.of(kind) or known.knows(kind, value):
        return None
    return Finding(option, f"{value!r} matches no {_WHAT[kind]} in the inventory or the traffic"
                           f"{_suggestion(known, kind, value)}")


def check_filters(filters: Sequence[tuple[str, str, str | None]], known: KnownNames) -> list[Finding]:
    """``(option, kind, value)`` triples checked with :func:`check_filter`."""
    found = [check_filter(option, kind, value, known, ("(unknown)",) if kind == "app" else ())
             for option, kind, value in filters]
    return [f for f in found if f is not None]

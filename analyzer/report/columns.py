"""The columns each report shows people: short human headers, and which to leave out first.

One place for the terminal (:mod:`analyzer.report.terminal`) and the HTML report
(:mod:`analyzer.report.html`), so both say "requests to blocked APIs" for
``blocked_api_requests``. CSV, JSON and Parquet keep the query's column names:
those are for programs.
"""

from __future__ import annotations

from analyzer.tablefit import ALWAYS, Column

#: Human headers for query columns (any report); a column not named here shows its name with spaces.
HEADERS: dict[str, str] = {
    "app": "app", "app_name": "app name", "auth": "auth", "site": "site", "space": "space", "api": "API",
    "endpoint_name": "operation", "decision": "decision", "policy": "policy", "requests": "requests",
    "days": "days", "first_seen": "first seen", "last_seen": "last seen", "statuses": "statuses",
    "blocked_api_requests": "to blocked APIs", "blocked_apis": "blocked APIs", "spaces": "spaces",
    "space_list": "spaces touched", "site_wide_requests": "site-wide", "deprecated_v1_apis": "v1 deprecated",
    "blocked_by_rules": "blocked by rules", "blocked_share_pct": "% blocked", "exempt_requests": "exempt",
    "kind": "kind", "subject": "subject", "apps": "apps", "sites": "sites", "policies": "policies",
    "example": "example", "change": "change", "transition": "from → to", "days_with_attempts": "days",
    "last_attempt": "last attempt", "endpoints": "endpoints", "proposed_policy": "policy",
    "would_block": "would block", "would_filter": "would filter", "api_token_requests": "API token",
    "unidentified_requests": "unidentified", "action": "action", "scope": "scope", "method": "method",
    "endpoint": "endpoint", "exempt": "exempt", "endpoint_requests": "requests",
}


def header(key: str) -> str:
    return HEADERS.get(key, key.replace("_", " "))


def col(key: str, keep: int = 5, min_width: int = 8, **kw: object) -> Column:
    return Column(key, header(key), keep, min_width, **kw)  # type: ignore[arg-type]


# report blocked, one table per site (so no site column); method and path in one column `api`.
BLOCKED = (col("app", ALWAYS + 2, 15), col("space", ALWAYS, 6), col("api", ALWAYS + 1, 24),
           col("decision", ALWAYS + 2, 14),
           col("policy", 3, 10), col("requests", ALWAYS), col("days", 6), col("first_seen", 4),
           col("last_seen", 7), col("statuses", 2, 8))
BLOCKED_SITE_WIDE = tuple(c for c in BLOCKED if c.key != "space")

APPS = (col("app", ALWAYS + 1, 16), col("auth", 7, 9), col("requests", ALWAYS), col("blocked_api_requests", 9),
        col("blocked_apis", 4), col("spaces", 5), col("site_wide_requests", 3), col("deprecated_v1_apis", 2),
        col("blocked_by_rules", 8), col("blocked_share_pct", 8), col("exempt_requests", 4), col("last_seen", 3))

ANOMALIES = (col("kind", ALWAYS + 1, 17), col("subject", ALWAYS, 30), col("requests", ALWAYS), col("apps", 3, 12),
             col("last_seen", 5), col("example", 4, 16, cut="left"))

SIMULATION = (col("app", ALWAYS + 1, 15), col("site", 3, 12), col("space", ALWAYS, 11),
              col("change", ALWAYS + 1, 14),
              col("transition", 2, 16), col("requests", ALWAYS), col("days_with_attempts", 6),
              col("last_attempt", 7), col("endpoints", 4), col("proposed_policy", 1, 10))

SUGGEST = (col("app", ALWAYS + 1, 15), col("app_name", 2, 10), col("auth", 3, 6), col("would_block", ALWAYS),
           col("would_filter", 9), col("api_token_requests", 5), col("unidentified_requests", 6), col("days", 4),
           col("last_attempt", 3), col("spaces", 5, 8), col("endpoints", 2), col("action", ALWAYS, 12))

"""--redact-pii: keep e-mail addresses and Atlassian account ids out of a workspace.

The choice belongs to the workspace, not to one command: once made, every
later ingest and every apps, inventory or rules load hashes the same values
the same way (with the workspace's own random salt), so attribution, space
lookups and grouping keep working on tokens. Turning it on for a workspace
that already holds data rewrites what is there.
"""

from __future__ import annotations

import secrets

from analyzer.workspace import Workspace

META_KEY = "pii_salt"

# (table, columns) holding text that may carry e-mail addresses or account ids
_STORED = (
    ("facts", ("query", "extra")),
    ("targets", ("path", "path_space_key")),
    ("identities", ("remote_user", "user_agent")),
    ("rejects", ("raw", "reason")),
    ("spaces", ("space_key", "name")),
    ("content", ("space_key",)),
    ("app_identifiers", ("value",)),
    ("policy_spaces", ("space",)),
    ("data_policy_spaces", ("space_key", "name")),
)


def salt(ws: Workspace) -> str | None:
    """The workspace's salt when PII redaction is on, else None."""
    return ws.meta(META_KEY)


def enable(ws: Workspace) -> str:
    """Turn redaction on (idempotent) and rewrite anything already stored."""
    current = salt(ws)
    if current is not None:
        return current
    value = secrets.token_hex(16)
    with ws.transaction() as con:
        for table, columns in _STORED:
            assignments = ", ".join(f"{c} = aa_redact_pii({c}, $salt)" for c in columns)
            con.execute(f"UPDATE {table} SET {assignments}", {"salt": value})
        con.execute("UPDATE query_refs SET query_space_keys = "
                    "list_transform(query_space_keys, lambda k: aa_redact_pii(k, $salt))", {"salt": value})
        ws.set_meta(META_KEY, value)
        ws.refresh_decisions()
    return value


def redact_text(ws: Workspace, text: str | None) -> str | None:
    """One value from a config file (an apps.yaml identifier, a space key), redacted likewise."""
    value = salt(ws)
    if value is None or text is None:
        return text
    return ws.con.execute("SELECT aa_redact_pii(?, ?)", [text, value]).fetchall()[0][0]

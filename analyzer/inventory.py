"""Inventory: which sites, spaces and content exist, so requests can be tied to spaces.

Accepted inputs, recognised by their content:

* CSV ``site, cloud_id`` — sites (the cloud id resolves gateway URLs to a site);
* CSV ``space_id, space_key, name, site, classification`` — spaces;
* CSV ``content_id, content_type, space_id, space_key, site[, classification]`` — content;
* JSON responses of ``GET /wiki/api/v2/spaces`` and ``GET /wiki/api/v2/pages`` (or
  ``/blogposts``), as saved from the API (``results`` list; the site comes from
  ``_links.base``);
* JSON responses of ``GET /wiki/api/v2/data-policies/spaces`` (spaces with
  ``dataPolicy.anyContentBlocked``): Confluence's own view of which spaces block apps, as
  the app that called it sees them, kept apart in ``data_policy_spaces`` for
  ``report anomalies`` to compare with the loaded rules.

Loading upserts: a row replaces the row with the same key (site; site + space
id; content id), so exports can be loaded again as they change.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pyarrow as pa

from analyzer import pii
from analyzer.errors import ConfigError
from analyzer.workspace import Workspace, registered

KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required columns, optional columns)
    "sites": (("site", "cloud_id"), ()),
    "spaces": (("space_id", "space_key", "name", "site", "classification"), ()),
    "content": (("content_id", "content_type", "space_id", "space_key", "site"), ("classification",)),
}
# Kinds that only JSON responses give: (columns, ())
JSON_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "data_policies": (("space_id", "space_key", "name", "site", "any_content_blocked", "source"), ()),
}


@dataclass(frozen=True)
class InventoryLoad:
    """What one inventory file contributed."""

    path: str
    kind: str
    rows: int


def _site_host(value: str) -> str:
    value = value.strip().lower()
    if "://" in value:
        value = urlparse(value).hostname or value
    return value.split("/")[0].split(":")[0]


def _read_csv(path: Path, text: str) -> tuple[str, list[dict[str, str]]]:
    """Rows of an inventory CSV. Line numbers are physical lines of the file; a quote that is
    opened and not closed where its value ends (it would swallow the rows after it) is an error
    saying where, never a silently merged row."""
    reader = csv.reader(io.StringIO(text), strict=True)
    records = _csv_records(path, reader)
    first = next(records, None)
    header = [h.strip().lower() for h in (first[1] if first else [])]
    kind = next((k for k, (required, optional) in KINDS.items()
                 if set(required) <= set(header) <= set(required) | set(optional)), None)
    if kind is None:
        expected = "; ".join(f"{k}: {', '.join(r + o)}" for k, (r, o) in KINDS.items())
        shown = ", ".join(header)
        shown = shown if len(shown) <= 160 else shown[:160] + "..."  # a wrong file's first line, cut short
        raise ConfigError(f"unrecognised inventory header: {shown or '(none)'}",
                          path=str(path), line=1, hint=f"expected one of: {expected}")
    rows = []
    for line_no, values in records:
        if not any(v.strip() for v in values):
            continue  # a blank line
        if len(values) > len(header):
            raise ConfigError("more values than header columns", path=str(path), line=line_no)
        row = {name: value.strip() for name, value in zip(header, values, strict=False)}
        row.update({name: "" for name in header[len(values):]})
        rows.append(_validated(kind, row, path, line_no))
    return kind, rows


def _csv_records(path: Path, reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, values) of each CSV record."""
    start = 1
    try:
        for values in reader:
            end = reader.line_num
            if end > start and any("\n" in v or "\r" in v for v in values):
                raise ConfigError(f"a quoted value runs over lines {start} to {end} (a stray quote?): "
                                  "the rows after it would be read as part of it", path=str(path), line=start,
                                  hint="close the quote, double a quote inside a quoted value (\"\"), or "
                                       "remove the stray one")
            yield start, values
            start = end + 1
    except csv.Error as error:
        problem = "a quote is never closed" if "end of data" in str(error) else f"bad quoting ({error})"
        raise ConfigError(f"{problem} in the CSV row starting here", path=str(path), line=start,
                          hint="close the quote, double a quote inside a quoted value (\"\"), or remove "
                               "the stray one") from None


def _validated(kind: str, row: dict[str, str], path: Path, line: int) -> dict[str, str]:
    if kind == "sites":
        if not row["site"]:
            raise ConfigError("empty site", path=str(path), line=line)
        row["site"] = _site_host(row["site"])
    elif kind == "spaces":
        if not row["space_id"] and not row["space_key"]:
            raise ConfigError("a space needs a space_id or a space_key", path=str(path), line=line)
        row["site"] = _site_host(row["site"]) if row["site"] else ""
    else:
        if not row["content_id"]:
            raise ConfigError("empty content_id", path=str(path), line=line)
        if not row["space_id"] and not row["space_key"]:
            raise ConfigError("content needs its space_id or space_key", path=str(path), line=line)
        row["site"] = _site_host(row["site"]) if row["site"] else ""
    return row


def _read_json(path: Path, text: str) -> tuple[str, list[dict[str, str]]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"invalid JSON: {error.msg}", path=str(path), line=error.lineno) from None
    except RecursionError:
        raise ConfigError("JSON nested too deeply to be read", path=str(path),
                          hint="an inventory is a Confluence API list response or a CSV file") from None
    results = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(results, list):
        raise ConfigError("JSON inventory must be a Confluence API list response with `results`",
                          path=str(path), hint="save GET /wiki/api/v2/spaces or /wiki/api/v2/pages")
    base = ((doc.get("_links") or {}).get("base") or "") if isinstance(doc, dict) else ""
    site = _site_host(base) if base else ""
    if not results:
        return "spaces", []
    first: dict[str, Any] = results[0]
    if isinstance(first, dict) and "dataPolicy" in first:
        return "data_policies", [_data_policy_row(r, site, path) for r in results if isinstance(r, dict)]
    if "key" in first and "spaceId" not in first:
        rows = [{"space_id": str(r.get("id") or ""), "space_key": str(r.get("key") or ""),
                 "name": str(r.get("name") or ""), "site": site,
                 "classification": str((r.get("classificationLevel") or {}).get("name") or "")
                 if isinstance(r.get("classificationLevel"), dict) else ""}
                for r in results if isinstance(r, dict)]
        return "spaces", rows
    if "spaceId" in first:
        content_type = "blogpost" if "/blogposts" in str((doc.get("_links") or {}).get("next") or "") else "page"
        rows = [{"content_id": str(r.get("id") or ""), "content_type": str(r.get("type") or content_type),
                 "space_id": str(r.get("spaceId") or ""), "space_key": "", "site": site, "classification": ""}
                for r in results if isinstance(r, dict)]
        return "content", rows
    raise ConfigError("JSON results are neither spaces (id, key) nor pages (id, spaceId)", path=str(path))


def _data_policy_row(result: dict[str, Any], site: str, path: Path) -> dict[str, str]:
    policy = result.get("dataPolicy")
    blocked = policy.get("anyContentBlocked") if isinstance(policy, dict) else None
    if not isinstance(blocked, bool):
        raise ConfigError(f"space {result.get('key') or result.get('id') or '?'} has no boolean "
                          "dataPolicy.anyContentBlocked", path=str(path),
                          hint="save the answer of GET /wiki/api/v2/data-policies/spaces as it is")
    if not result.get("id") and not result.get("key"):
        raise ConfigError("a data-policy space needs an id or a key", path=str(path))
    return {"space_id": str(result.get("id") or ""), "space_key": str(result.get("key") or ""),
            "name": str(result.get("name") or ""), "site": site, "any_content_blocked": str(blocked).lower(),
            "source": str(path)}


def read_inventory_file(path: str | Path) -> tuple[str, list[dict[str, str]]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("no such file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read: {error}", path=str(path)) from None
    if text.lstrip().startswith("{"):
        return _read_json(path, text)
    return _read_csv(path, text)


def store_inventory(ws: Workspace, kind: str, rows: list[dict[str, str]]) -> None:
    """Upsert ``rows`` of one kind into the workspace."""
    if not rows:
        return
    columns = (KINDS | JSON_KINDS)[kind][0] + (KINDS | JSON_KINDS)[kind][1]
    table = pa.table({c: pa.array([r.get(c) or None for r in rows], pa.string()) for c in columns})
    salt = pii.salt(ws)
    with ws.transaction() as con, registered(con, "_inv_raw", table):
        # With --redact-pii, personal space keys (~accountId) are stored as the requests store them.
        redacted = [f"aa_redact_pii({c}, $salt) AS {c}" if c in ("space_key", "name") and salt else c
                    for c in columns]
        con.execute(f"CREATE OR REPLACE TEMP TABLE _inv AS SELECT {', '.join(redacted)} FROM _inv_raw",
                    {"salt": salt} if salt else None)
        if kind == "sites":
            con.execute("DELETE FROM sites WHERE site IN (SELECT site FROM _inv)")
            con.execute("INSERT INTO sites SELECT DISTINCT ON (site) site, cloud_id FROM _inv")
        elif kind == "spaces":
            con.execute("DELETE FROM spaces s USING _inv i WHERE coalesce(s.site, '') = coalesce(i.site, '') "
                        "AND (s.space_id = i.space_id OR s.space_key = i.space_key)")
            con.execute("INSERT INTO spaces SELECT space_id, space_key, name, site, classification FROM _inv")
        elif kind == "data_policies":
            con.execute("DELETE FROM data_policy_spaces d USING _inv i WHERE coalesce(d.site, '') = coalesce(i.site, "
                        "'') AND (d.space_id = i.space_id OR d.space_key = i.space_key)")
            con.execute("INSERT INTO data_policy_spaces SELECT site, space_id, space_key, name, "
                        "any_content_blocked::BOOLEAN, source, now()::TIMESTAMP FROM _inv")
        else:
            con.execute("DELETE FROM content WHERE content_id IN (SELECT content_id FROM _inv)")
            con.execute("INSERT INTO content SELECT content_id, content_type, space_id, space_key, site, "
                        "classification FROM _inv")


def load_inventory(ws: Workspace, paths: list[str | Path]) -> list[InventoryLoad]:
    """Validate every file first, then store them all."""
    parsed = [(str(p), *read_inventory_file(p)) for p in paths]
    with ws.transaction():
        for _, kind, rows in parsed:
            store_inventory(ws, kind, rows)
        ws.refresh_decisions()
    return [InventoryLoad(path, kind, len(rows)) for path, kind, rows in parsed]

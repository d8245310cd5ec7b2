"""Custom line layouts declared with ``--log-format``: GoAccess-style or a regex.

Both compile to one RE2 pattern applied by ``queries/formats/custom.sql`` with
``regexp_extract`` (a slow path - one regex per line - which is fine for the
odd in-house layout; the built-in formats avoid regex on their common path).

* GoAccess style (``%h %^[%x] "%r" %s %b "%R" "%u"``): each specifier reads up
  to the next literal character of the layout (to the end of the line when it
  is last), as GoAccess does. Supported: %h client, %^ ignored, %x date and
  time in one field (NCSA ``10/Oct/2026:13:55:36 -0700``, ISO-8601 or epoch),
  %d date + %t time (``10/Oct/2026`` or ``2026-10-10``, then ``13:55:36``;
  taken as UTC), %r request line, %m method, %U URL or path, %q query, %H
  protocol (ignored), %s status, %b bytes, %R referer (kept in ``extra``),
  %u user agent, %v virtual host, %e remote user, %T seconds, %D microseconds,
  %L milliseconds (duration), %% a literal %.
* Regex (``regex:`` prefix, or any pattern with a named group): named groups
  whose names are canonical fields (``ts``, ``method``, ``url``, ``path``,
  ``query``, ``host``, ``status``, ``bytes``, ``duration_ms``, ``client_ip``,
  ``user_agent``, ``remote_user``, ``authorization``, ``jwt_iss``,
  ``client_id``, ``app_key``) or ``request`` ("METHOD URL PROTO"), ``date``
  and ``time``; other named groups are kept in ``extra`` under their names.

A layout must give a timestamp (ts, %x or %d), a method and a URL (method and
url/path, or request).
Custom formats are made per ingest, never registered globally; the layout is
recorded with each file so a grown file is read with the same one.
"""

from __future__ import annotations

import json
import re
from functools import cache

import duckdb

from analyzer.errors import UsageError
from analyzer.formats.base import CANONICAL_FIELDS, LogFormat

CUSTOM_NAME = "custom"

#: Groups custom.sql reads, always present (missing ones are appended empty).
SQL_GROUPS: tuple[str, ...] = (
    "ts", "date", "time", "request", "method", "url", "path", "query", "host", "status", "bytes",
    "duration_ms", "duration_s", "duration_us", "client_ip", "user_agent", "remote_user", "authorization",
    "jwt_iss", "client_id", "app_key",
)
_NAMED = frozenset((*CANONICAL_FIELDS, "request", "date", "time"))

#: GoAccess specifier -> group name (None: matched but not kept).
_SPECIFIERS: dict[str, str | None] = {
    "h": "client_ip", "^": None, "x": "ts", "d": "date", "t": "time", "r": "request", "m": "method",
    "U": "url", "q": "query", "H": None, "s": "status", "b": "bytes", "R": "referer", "u": "user_agent",
    "v": "host", "e": "remote_user", "T": "duration_s", "D": "duration_us", "L": "duration_ms",
}


def _goaccess(layout: str) -> tuple[str, list[str]]:
    """A GoAccess layout as an RE2 pattern and the names of its groups, in order."""
    tokens: list[tuple[str, str]] = []  # ("spec", letter) | ("lit", char)
    i = 0
    while i < len(layout):
        ch = layout[i]
        if ch != "%":
            tokens.append(("lit", ch))
            i += 1
            continue
        letter = layout[i + 1:i + 2]
        if letter == "%":
            tokens.append(("lit", "%"))
        elif letter not in _SPECIFIERS:
            known = " ".join("%" + k for k in _SPECIFIERS)
            shown = f"%{letter}" if letter else "a lone % at the end"
            raise UsageError(f"--log-format: unsupported specifier {shown} at position {i + 1}",
                             hint=f"supported: {known} and %% (or pass a regex with named groups)")
        else:
            tokens.append(("spec", letter))
        i += 2
    pattern = ["^"]
    names: list[str] = []
    for index, (kind, value) in enumerate(tokens):
        if kind == "lit":
            pattern.append(re.escape(value))
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and following[0] == "spec":
            raise UsageError(f"--log-format: %{value} is followed directly by %{following[1]}",
                             hint="GoAccess reads a field up to the next literal character: put a separator "
                                  "between them")
        body = ".*" if following is None else "[^" + re.escape(following[1]) + "]*"
        name = _SPECIFIERS[value]
        if name is None:
            pattern.append(body)
            continue
        if name in names:
            raise UsageError(f"--log-format: %{value} appears twice", hint="each field may be read once")
        names.append(name)
        pattern.append(f"({body})")
    return "".join(pattern), names


def _regex(text: str) -> tuple[str, list[str]]:
    """A user regex (Python/RE2 named groups) and its group names by position."""
    text = re.sub(r"\(\?<(?![=!])", "(?P<", text)  # RE2 also spells named groups (?<name>...)
    try:
        compiled = re.compile(text)
    except re.error as error:
        raise UsageError(f"--log-format regex does not compile: {error}",
                         hint="named groups look like (?P<method>[A-Z]+)") from None
    by_index = {index: name for name, index in compiled.groupindex.items()}
    names = [by_index.get(i, f"_{i}") for i in range(1, compiled.groups + 1)]
    return text, names


def _compile(spec: str) -> tuple[str, list[str], str]:
    """(pattern, group names, kind) of a --log-format value."""
    if not spec.strip():
        raise UsageError("--log-format is empty", hint='e.g. --log-format \'%h %^[%x] "%r" %s %b\'')
    if spec.startswith("regex:"):
        return (*_regex(spec[len("regex:"):]), "regex")
    if spec.startswith("goaccess:"):
        return (*_goaccess(spec[len("goaccess:"):]), "goaccess")
    if re.search(r"\(\?P?<[A-Za-z_]", spec):
        return (*_regex(spec), "regex")
    if "%" in spec:
        return (*_goaccess(spec), "goaccess")
    raise UsageError("--log-format is neither a GoAccess-style layout (%h %r ...) nor a regex with named groups",
                     hint="prefix it with regex: or goaccess: to say which")


@cache
def custom_format(spec: str) -> LogFormat:
    """The LogFormat for a --log-format value; UsageError naming the problem if it is unusable."""
    pattern, names, kind = _compile(spec)
    missing = []
    if not {"ts", "date"} & set(names):
        missing.append("a timestamp (%x, or %d with %t; a regex group ts, or date and time)")
    if not {"url", "path", "request"} & set(names):
        missing.append("a URL (%r or %U; a regex group request, url or path)")
    if not {"method", "request"} & set(names):
        missing.append("a method (%r or %m; a regex group request or method)")
    if missing:
        raise UsageError(f"--log-format lacks {' and '.join(missing)}",
                         hint="every stored request needs a time, a method and a URL")
    for name in names:
        if names.count(name) > 1:
            raise UsageError(f"--log-format: group {name!r} appears twice")
    extra_names = [n for n in names if not n.startswith("_") and n not in _NAMED and n not in SQL_GROUPS]
    # Group 1 is the whole match (empty only when the line does not match), then the
    # layout's groups, then empty groups for the names the SQL reads but the layout lacks.
    absent = [g for g in SQL_GROUPS if g not in names]
    full = f"((?:{pattern}))" + "()" * len(absent)
    groups = ["_match", *names, *absent]
    try:  # RE2 is stricter than Python's re: ask it now rather than fail in the middle of an ingest
        with duckdb.connect() as probe:
            probe.execute("SELECT regexp_extract('', $p, $g)", {"p": full, "g": groups}).fetchall()
    except duckdb.Error as error:
        reason = str(error).splitlines()[0]
        raise UsageError(f"--log-format pattern is not usable by DuckDB (RE2): {reason}",
                         hint="RE2 has no look-around and no back-references") from None
    drop = {name: None for name in groups if name not in extra_names}
    return LogFormat(
        name=CUSTOM_NAME,
        summary=f"custom {kind} layout: {spec}",
        detect=lambda sample: 0.0,
        query="formats/custom",
        params={"pattern": full, "groups": groups, "has_extra": bool(extra_names),
                "drop": json.dumps(drop), "spec": spec, "format_name": "custom --log-format"},
        example=spec,
    )

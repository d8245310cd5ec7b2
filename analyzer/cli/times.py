"""Parse --since / --until values: ISO dates or timestamps, UTC unless they say otherwise."""

from __future__ import annotations

import datetime as dt

from analyzer.errors import UsageError


def parse_time(value: str | None, option: str) -> dt.datetime | None:
    if value is None:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date or timestamp",
                         hint="e.g. 2026-09-11 or 2026-09-11T08:00:00Z") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def parse_window(since: str | None, until: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """--since and --until, refused when the window is empty (since at or after until)."""
    start, end = parse_time(since, "--since"), parse_time(until, "--until")
    if start is not None and end is not None and start >= end:
        raise UsageError(f"--since {since} is not before --until {until}: the window is empty",
                         hint="--since is the first moment included, --until the first one left out")
    return start, end

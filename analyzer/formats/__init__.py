"""Log formats: the registry, and auto-detection from a file's first lines.

Lowest layer of the pipeline: it reads bytes and describes how to turn them
into canonical rows; it never touches the workspace.
"""

from __future__ import annotations

from analyzer.errors import FormatError
from analyzer.formats.alb import FORMATS as _ALB
from analyzer.formats.base import CANONICAL_FIELDS, PARSED_COLUMNS, LogFormat
from analyzer.formats.clf import FORMATS as _CLF
from analyzer.formats.csvfmt import FORMATS as _CSV
from analyzer.formats.haproxy import FORMATS as _HAPROXY
from analyzer.formats.har import FORMATS as _HAR
from analyzer.formats.jsonl import FORMATS as _JSONL
from analyzer.formats.proxysg import FORMATS as _PROXYSG
from analyzer.formats.proxytext import FORMATS as _PROXYTEXT
from analyzer.formats.squid import FORMATS as _SQUID
from analyzer.formats.w3c import FORMATS as _W3C
from analyzer.formats.zscaler import FORMATS as _ZSCALER

#: Every built-in format. Custom layouts (--log-format) are made per ingest by
#: analyzer.formats.custom and never registered here.
REGISTRY: dict[str, LogFormat] = {
    f.name: f for f in (*_CLF, *_SQUID, *_ALB, *_HAPROXY, *_PROXYTEXT, *_JSONL, *_W3C, *_PROXYSG, *_ZSCALER, *_CSV,
                        *_HAR)
}

#: A format must match at least this share of the sample lines to be chosen.
DETECT_THRESHOLD = 0.6


def get_format(name: str) -> LogFormat:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise FormatError(f"unknown format {name!r}", hint=f"choose one of: auto, {known}") from None


def detect_format(sample: list[str], source: str = "input") -> LogFormat:
    """The one format that best explains ``sample``, or a FormatError naming the candidates."""
    lines = [line for line in sample if line.strip()]
    if not lines:
        raise FormatError(f"cannot detect the format of {source}: it has no non-empty line",
                          hint="pass --input-format NAME")
    scored = sorted(((fmt.detect(lines), fmt.name) for fmt in REGISTRY.values()), reverse=True)
    best_score = scored[0][0]
    if best_score < DETECT_THRESHOLD:
        near = ", ".join(f"{name} ({score:.0%})" for score, name in scored[:3] if score > 0)
        raise FormatError(
            f"cannot detect the format of {source}"
            + (f": best candidates {near}" if near else ": no known format matches its first lines"),
            hint="pass --input-format NAME (see `appaccess formats`) or --log-format for a custom layout",
        )
    # Formats within a whisker of the best explain the file equally well; a generic one
    # (plain JSON, CSV, W3C) gives way to a specific one of its family.
    close = [name for score, name in scored if score >= best_score - 0.05]
    candidates = [name for name in close if not REGISTRY[name].generic] or close
    best, ties = candidates[0], candidates[1:]
    if ties:
        raise FormatError(
            f"cannot tell the format of {source}: {best} and {', '.join(ties)} both match",
            hint="pass --input-format NAME",
        )
    return REGISTRY[best]


__all__ = ["CANONICAL_FIELDS", "PARSED_COLUMNS", "REGISTRY", "LogFormat", "detect_format", "get_format"]

"""`make demo`: build a workspace from sample_logs/ and show what appaccess finds.

Ingests every bundled log (one file per supported format; the IIS Advanced
Logging one first, in its server's time zone), loads the sample
apps, inventory and active rules, prints the apps and blocked reports and the
what-if of the proposed rule, and writes demo-report.html. Each step is the
CLI command a user would type, printed before it runs. Everything fits an
80-column terminal (tests/test_demo.py checks it).

APPACCESS_DEMO_DIR puts the workspace and the report elsewhere (the test
uses a temporary directory); by default they go to the repository root.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(os.environ.get("APPACCESS_DEMO_DIR", ROOT)).resolve()
DB = OUT / "demo-workspace.duckdb"
REPORT = OUT / "demo-report.html"
CONFIG = "sample_logs/config"
WIDTH = 80


def _relative(arg: str | Path) -> str:
    """A path as typed in the repository root (relative when inside it)."""
    return str(arg.relative_to(ROOT)) if isinstance(arg, Path) and arg.is_relative_to(ROOT) else str(arg)


def _shown(arg: str | Path) -> str:
    return shlex.quote(_relative(arg))


def run(*args: str | Path) -> None:
    """Print the command (wrapped with shell continuations at 80 columns), then run it."""
    words = ["appaccess", *map(_shown, args)]
    lines = textwrap.wrap(" ".join(words), WIDTH - 4, break_long_words=False, break_on_hyphens=False)
    print("\n$ " + " \\\n    ".join(lines), flush=True)
    subprocess.run([sys.executable, "-m", "analyzer", *map(_relative, args)], check=True, cwd=ROOT)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in (DB, DB.with_name(DB.name + ".wal"), REPORT):
        stale.unlink(missing_ok=True)
    run("catalog", "lookup", "GET", "https://acme.atlassian.net/wiki/api/v2/pages/98311001?body-format=storage")
    # IIS Advanced Logging writes the server's local time: that sample is read in its zone first
    run("ingest", "sample_logs/iis-advanced.log", "--timezone", "Europe/Berlin", "--db", DB)
    run("ingest", "sample_logs/*.*", "--db", DB)
    run("apps", "load", f"{CONFIG}/apps.yaml", "--db", DB)
    run("inventory", "load", f"{CONFIG}/sites.csv", f"{CONFIG}/spaces.csv", f"{CONFIG}/content.csv", "--db", DB)
    run("rules", "load", f"{CONFIG}/rules.yaml", "--db", DB)
    run("status", "--db", DB)
    run("report", "apps", "--db", DB)
    run("report", "blocked", "--db", DB, "--site", "acme.atlassian.net", "--space", "HR", "-n", "10")
    run("simulate", f"{CONFIG}/proposed-rules.yaml", "--db", DB, "-o", REPORT)
    run("simulate", f"{CONFIG}/proposed-rules.yaml", "--db", DB)
    print()
    print(textwrap.fill(
        f"Open {_shown(REPORT)} in a browser: the what-if, the charts and sortable tables. The workspace is "
        f"{_shown(DB)}; try appaccess sql --db {_shown(DB)} "
        "\"SELECT decision, count(*) FROM decisions GROUP BY 1\"", WIDTH, break_long_words=False,
        break_on_hyphens=False))


if __name__ == "__main__":
    main()

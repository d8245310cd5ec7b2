"""`make demo`: build a workspace from sample_logs/ and show what appaccess finds.

Ingests every bundled log (one file per supported format; the IIS Advanced
Logging one with its server's time zone), loads the sample
apps, inventory and active rules, prints the blocked report and the what-if
summary for the proposed rule, and writes demo-report.html. Each step is the
CLI command a user would type, printed before it runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_logs"
CONFIG = SAMPLES / "config"
DB = ROOT / "demo-workspace.duckdb"
REPORT = ROOT / "demo-report.html"


def run(*args: str | Path) -> None:
    shown = " ".join(str(a.relative_to(ROOT)) if isinstance(a, Path) and a.is_relative_to(ROOT) else str(a)
                     for a in args)
    print(f"\n$ appaccess {shown}", flush=True)
    subprocess.run([sys.executable, "-m", "analyzer", *map(str, args)], check=True, cwd=ROOT,
                   env={**os.environ, "COLUMNS": os.environ.get("COLUMNS", "160")})


def main() -> None:
    for stale in (DB, DB.with_name(DB.name + ".wal"), REPORT):
        stale.unlink(missing_ok=True)
    # IIS Advanced Logging writes the server's local time: that sample is read in its zone
    local_time = SAMPLES / "iis-advanced.log"
    logs = sorted(p for p in SAMPLES.iterdir() if p.is_file() and not p.name.startswith(".") and p != local_time)
    run("catalog", "lookup", "GET",
        "https://api.atlassian.com/ex/confluence/7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11/wiki/api/v2/pages/98311001")
    run("ingest", "--db", DB, *logs)
    run("ingest", "--db", DB, "--timezone", "Europe/Berlin", local_time)
    run("apps", "load", CONFIG / "apps.yaml", "--db", DB)
    run("inventory", "load", CONFIG / "sites.csv", CONFIG / "spaces.csv", CONFIG / "content.csv", "--db", DB)
    run("rules", "load", CONFIG / "rules.yaml", "--db", DB)
    run("status", "--db", DB)
    run("report", "apps", "--db", DB)
    run("report", "blocked", "--db", DB, "--site", "acme.atlassian.net", "--space", "HR")
    run("simulate", CONFIG / "proposed-rules.yaml", "--db", DB)
    run("report", "blocked", "--db", DB, "--format", "html", "--out", REPORT)
    print(f"\nOpen {REPORT.relative_to(ROOT)} in a browser for the charts; the workspace is "
          f"{DB.relative_to(ROOT)} (try `appaccess sql --db {DB.relative_to(ROOT)} \"SELECT decision, count(*) "
          f"FROM decisions GROUP BY 1\"`).")


if __name__ == "__main__":
    main()

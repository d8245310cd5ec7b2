"""`make demo`: build a workspace from sample_logs/ and show what appaccess finds.

Grows with the project; today it ingests the bundled logs and shows catalogue
look-ups and the ingest summary.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = ROOT / "demo-workspace.duckdb"


def run(*args: str) -> None:
    print(f"\n$ appaccess {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "-m", "analyzer", *args], check=True, cwd=ROOT)


def main() -> None:
    for stale in (DB, DB.with_name(DB.name + ".wal")):
        stale.unlink(missing_ok=True)
    run("catalog", "lookup", "GET", "https://acme.atlassian.net/wiki/rest/api/content/123?expand=body.storage")
    run("catalog", "lookup", "GET",
        "https://api.atlassian.com/ex/confluence/7f1c2a9e-1b7d-4c1a-9a53-2f0d6e8b1c11/wiki/api/v2/spaces/98311")
    run("catalog", "diff")
    run("ingest", "--db", str(DB), str(ROOT / "sample_logs"))
    run("files", "--db", str(DB))


if __name__ == "__main__":
    main()

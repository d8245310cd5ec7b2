"""`make demo` runs the whole flow on the samples and fits an 80-column terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_demo_fits_80_columns(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "80", "APPACCESS_DEMO_DIR": str(tmp_path), "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "scripts/demo.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    # In the repository the demo's files are named relative to it; here they live in tmp_path.
    wide = [line for line in output.splitlines() if len(line.replace(f"{tmp_path}/", "")) > 80]
    assert wide == [], "lines wider than 80 columns:\n" + "\n".join(wide)
    for expected in ("$ appaccess ingest 'sample_logs/*.*'", "App dependency profiles", "Per space on",
                     "What-if: proposed-rules.yaml (replace mode, 1 policy)", "loaded 2 policies"):
        assert expected in output
    assert (tmp_path / "demo-report.html").read_text().startswith("<!DOCTYPE html>")
    assert not (ROOT / "appaccess-report.html").exists()

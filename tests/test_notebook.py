"""notebooks/explore.ipynb runs top to bottom on the samples, on this interpreter, without errors.

The notebook is stored without outputs; this test executes it with nbclient
through a kernelspec written at run time that points at ``sys.executable``
(first on JUPYTER_PATH), so a stale user-level "python3" kernel cannot run it
with another Python.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def _text(cell: nbformat.NotebookNode) -> str:
    """Everything a code cell showed: streams, results and rich outputs."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.extend(v if isinstance(v, str) else json.dumps(v) for v in output.data.values())
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
    return "\n".join(parts)


def _cell(nb: nbformat.NotebookNode, snippet: str) -> nbformat.NotebookNode:
    matches = [c for c in nb.cells if c.cell_type == "code" and snippet in c.source]
    assert len(matches) == 1, f"expected one code cell containing {snippet!r}"
    return matches[0]


def test_notebook_is_stored_clean() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    dirty = [c.id for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert dirty == [], "store the notebook without outputs (it is executed by this test)"


def test_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "appaccess test kernel", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)", id="which-python"))
    client = NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError, with the traceback, on the first failing cell

    errors = [c.id for c in nb.cells if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)]
    assert errors == []
    assert _text(nb.cells[-1]).strip() == sys.executable, "the notebook ran on another interpreter"
    assert "3,000 requests stored" in _text(_cell(nb, "ctx.ingest("))
    assert "allowed" in _text(_cell(nb, "FROM decisions GROUP BY decision"))
    summary = _text(_cell(nb, "sim = ctx.simulate("))
    assert "newly_blocked" in summary and "evaluated" in summary
    for snippet in ("charts.heatmap_figure(", "charts.timeline_figure(", "charts.top_endpoints_figure("):
        outputs = _cell(nb, snippet).outputs
        assert any("application/vnd.plotly.v1+json" in o.get("data", {}) or "text/html" in o.get("data", {})
                   for o in outputs), f"{snippet} displayed no figure"
    assert "report.html" in _text(_cell(nb, "write_html_report("))

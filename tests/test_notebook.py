"""notebooks/explore.ipynb runs top to bottom on this interpreter: on the samples when there is no
workspace, and on an existing workspace when its parameter points at one.

The notebook is stored without outputs; these tests execute it with nbclient
through a kernelspec written at run time that points at ``sys.executable``
(first on JUPYTER_PATH), so a stale user-level "python3" kernel cannot run it
with another Python. Its parameters come from the environment (APPACCESS_DB,
APPACCESS_NOTEBOOK_OUT), which the kernel inherits.
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


def _execute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workspace: Path, output: Path
             ) -> nbformat.NotebookNode:
    """Run the notebook with its parameters from the environment (as a user's shell would set them)."""
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True, exist_ok=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "appaccess test kernel", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("APPACCESS_DB", str(workspace))
    monkeypatch.setenv("APPACCESS_NOTEBOOK_OUT", str(output))

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)", id="which-python"))
    client = NotebookClient(nb, kernel_name="python3", timeout=180, allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError, with the traceback, on the first failing cell
    errors = [c.id for c in nb.cells if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)]
    assert errors == []
    assert _text(nb.cells[-1]).strip() == sys.executable, "the notebook ran on another interpreter"
    return nb


def test_notebook_uses_only_the_public_api() -> None:
    source = "\n".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code")
    assert "ctx.ws" not in source and ".ws." not in source
    assert "analyzer.report" not in source and "from analyzer." not in source, "import from `analyzer` only"
    assert "rmtree" not in source and "unlink" not in source, "the notebook must not delete what it wrote"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    (parameters,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert "WORKSPACE" in parameters.source and "OUTPUT" in parameters.source


def test_notebook_builds_the_sample_when_there_is_no_workspace(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "out"
    nb = _execute(tmp_path, monkeypatch, tmp_path / "missing.duckdb", output)
    assert "built the sample workspace" in _text(_cell(nb, "workspace.exists()"))
    assert "3,000 requests" in _text(_cell(nb, "workspace.exists()"))
    assert "allowed" in _text(_cell(nb, "FROM decisions GROUP BY decision"))
    summary = _text(_cell(nb, "writer.simulate("))
    assert "newly_blocked" in summary and "evaluated" in summary
    init = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if "plotly.js v" in o.get("data", {}).get("text/html", "")]
    assert len(init) == 1, "plotly.js is embedded once, for nbconvert HTML"
    for name in ("heatmap", "timeline", "endpoints", "whatif"):
        outputs = _cell(nb, f'"{name}"]' if name != "whatif" else 'figures.get("whatif")').outputs
        bundles = [o.get("data", {}) for o in outputs]
        assert any("application/vnd.plotly.v1+json" in b and "Plotly.newPlot" in b.get("text/html", "")
                   for b in bundles), f"the {name} chart has no Jupyter/VS Code and HTML rendering"
    assert "report.html" in _text(_cell(nb, "write_html_report("))
    # nothing deleted: the sample workspace and the report are still there
    assert (output / "sample.duckdb").is_file() and (output / "report.html").is_file()


def test_notebook_explores_an_existing_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analyzer import Context

    workspace = tmp_path / "mine.duckdb"
    with Context(workspace) as ctx:
        ctx.ingest([ROOT / "sample_logs" / "apache-combined.log"])
    nb = _execute(tmp_path, monkeypatch, workspace, tmp_path / "out")
    opened = _text(_cell(nb, "workspace.exists()"))
    assert f"exploring your workspace {workspace}" in opened and "500 requests" in opened
    assert "set PROPOSED" in _text(_cell(nb, "writer.simulate("))
    assert not (tmp_path / "out" / "sample.duckdb").exists()

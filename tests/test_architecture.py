"""The pipeline's one direction of data, enforced: lower layers never import higher ones.

formats -> catalog -> workspace -> ingest/router/config loaders/lakes -> what-if -> report -> context
-> engines at the edge (Spark) -> cli
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "analyzer"

# Lower number = lower layer. A module may import modules of its own or lower layers.
LAYERS: dict[str, float] = {
    "analyzer.errors": 0,
    "analyzer.masking": 0,
    "analyzer.version": 0,
    "analyzer.environment": 0,
    "analyzer.output": 0,
    "analyzer.tablefit": 0,
    "analyzer.yamlio": 0,
    "analyzer.formats": 1,
    "analyzer.sources": 1,
    "analyzer.catalog": 2,
    "analyzer.sql": 2,
    "analyzer.pipeline": 3,
    "analyzer.workspace": 3,
    "analyzer.synth": 3,
    "analyzer.synthfront": 3,
    "analyzer.synth_proxy": 3,
    "analyzer.pii": 4,
    "analyzer.ingest": 4,
    "analyzer.router": 4,
    "analyzer.apps": 4,
    "analyzer.inventory": 4,
    "analyzer.rules": 4,
    "analyzer.background": 0,
    "analyzer.export": 4,
    "analyzer.rows": 4,
    "analyzer.lake": 4,  # a lake (Parquet) written from or read as a workspace
    "analyzer.connectors": 4,
    "analyzer.namecheck": 4,
    "analyzer.whatif": 5,
    "analyzer.report": 6,
    "analyzer.context": 7,
    "analyzer.spark": 7.5,  # the Spark engine: drives Context-level operations over a cluster
    "analyzer.cli": 8,
    "analyzer": 9,  # the public API in __init__ re-exports everything
    "analyzer.__main__": 9,
    "analyzer.spark.submit": 9,  # spark-submit's entry script: runs the CLI, like __main__
}


def _layer(module: str) -> float:
    best = None
    for prefix, level in LAYERS.items():
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, level)
    assert best is not None, f"{module} is not assigned a layer in tests/test_architecture.py"
    return best[1]


@cache
def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def test_every_module_has_a_docstring() -> None:
    missing = [name for name, path in _modules().items()
               if path.read_text().strip() and ast.get_docstring(ast.parse(path.read_text())) is None
               and not name.endswith("__main__")]
    assert not missing, f"modules without a docstring saying why they exist: {missing}"


def test_lower_layers_do_not_import_higher_ones() -> None:
    violations = []
    for name, path in _modules().items():
        own = _layer(name)
        for node in ast.walk(ast.parse(path.read_text())):
            modules = _modules()
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from analyzer import sql` imports the module analyzer.sql, not the package's __init__.
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                           for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for module in targets:
                if module.startswith("analyzer") and module in modules and _layer(module) > own:
                    violations.append(f"{name} (layer {own}) imports {module} (layer {_layer(module)})")
    assert not violations, "\n".join(violations)


def test_core_does_not_depend_on_the_interface() -> None:
    """Headless core: nothing below the CLI imports typer or rich.progress."""
    offenders = []
    for name, path in _modules().items():
        if name.startswith("analyzer.cli") or name in ("analyzer.__main__",):
            continue
        text = path.read_text()
        if "import typer" in text or "from typer" in text:
            offenders.append(name)
    assert not offenders, f"core modules importing typer: {offenders}"

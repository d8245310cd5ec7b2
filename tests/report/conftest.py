"""Golden-file comparison for report outputs: ``golden(name, text)`` compares with tests/golden/NAME.

``pytest --update-goldens`` rewrites the files instead (the option is declared in
tests/conftest.py); review the diff like code before committing it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"

Golden = Callable[[str, str], None]


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    update = bool(request.config.getoption("--update-goldens"))

    def check(name: str, actual: str) -> None:
        path = GOLDEN_DIR / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8", newline="")
            return
        if not path.exists():
            pytest.fail(f"no golden file {path}: run `pytest --update-goldens` and review it", pytrace=False)
        expected = path.read_text(encoding="utf-8")
        if actual != expected:
            diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                                f"golden/{name}", f"actual/{name}"))
            pytest.fail(f"{name} differs from its golden file (accept with `pytest --update-goldens`):\n{diff}",
                        pytrace=False)

    return check

"""Shared fixtures: temporary workspaces and a CLI runner that separates stdout and stderr."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.workspace import Workspace

os.environ.setdefault("NO_COLOR", "1")
os.environ["COLUMNS"] = "200"


def pytest_addoption(parser: pytest.Parser) -> None:
    # Used by tests/report/conftest.py. Declared here because pytest reads options only from the
    # conftests it loads before collection, and tests/report/ is not one of them on a bare `pytest`.
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite tests/golden/* from the current outputs instead of comparing")


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path / "ws.duckdb")
    yield workspace
    workspace.close()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> CliResult:
        result = self.runner.invoke(app, [str(a) for a in args], input=input)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli() -> Cli:
    return Cli()

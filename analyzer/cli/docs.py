"""Generate the CLI reference (docs/cli.md) from the commands' own --help.

A test regenerates it and compares with the committed file, so the docs and
``--help`` can never drift apart (a sqlite-utils habit).
"""

from __future__ import annotations

from collections.abc import Iterator

from typer.main import get_command
from typer.testing import CliRunner

from analyzer.cli import app

HEADER = """# appaccess command reference

Generated from `appaccess ... --help` by `python -m analyzer.cli.docs > docs/cli.md`;
`tests/cli/test_docs.py` fails when this file and the help texts disagree.
"""


def _paths(command: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    commands = getattr(command, "commands", None) or {}
    for name in commands:
        yield from _paths(commands[name], (*prefix, name))


def render() -> str:
    runner = CliRunner()
    parts = [HEADER]
    for path in _paths(get_command(app)):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"},
                               prog_name="appaccess")
        title = "appaccess " + " ".join(path) if path else "appaccess"
        parts.append(f"\n## `{title.strip()}`\n\n```text\n{result.stdout.rstrip()}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")

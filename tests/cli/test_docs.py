"""docs/cli.md is generated from --help; it must not drift from the commands."""

from __future__ import annotations

from pathlib import Path

from analyzer.cli.docs import render

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_matches_help() -> None:
    expected = render()
    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale: run `.venv/bin/python -m analyzer.cli.docs > docs/cli.md`")


def test_every_command_has_help_text() -> None:
    text = render()
    sections = text.split("\n## ")[1:]
    assert len(sections) > 20
    for section in sections:
        body = section.split("```text", 1)[1]
        assert "Usage: appaccess" in body, section.splitlines()[0]
        assert len(body.strip().splitlines()) > 3, section.splitlines()[0]


def _sections() -> list[tuple[str, str]]:
    sections = render().split("\n## ")[1:]
    return [(s.splitlines()[0].strip("`"), s.split("```text", 1)[1]) for s in sections]


def test_every_leaf_command_has_an_example() -> None:
    leaves = [(title, body) for title, body in _sections() if "\nCommands:" not in body]
    assert len(leaves) > 20
    missing = [title for title, body in leaves if "Example" not in body]
    assert missing == [], f"--help without an example: {missing}"


def test_no_typer_internals_in_help() -> None:
    for title, body in _sections():
        usage = next(line for line in body.splitlines() if line.startswith("Usage:"))
        assert not any(c in usage for c in "{}<>"), usage
        for internal in ("<list[", "range>", "<str>", "<int>", "<float", "<path>", "<file>", "<text>"):
            assert internal not in body, (title, internal)

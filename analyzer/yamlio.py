"""Read YAML config files keeping line numbers, so errors can say ``file:line: what``.

apps.yaml and rules.yaml are written by people; a message that names the line
of the mistake is worth this small module.

Config files are untrusted too: YAML aliases let a 400-byte file expand to
billions of nodes (an "alias bomb"). A document may use at most
:data:`MAX_ALIASES` aliases and expand to at most :data:`MAX_NODES` nodes;
beyond that it is refused before anything is built from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analyzer.errors import ConfigError

Key = tuple[str | int, ...]

#: Aliases (``*name``) a config document may use; anchors are harmless without them.
MAX_ALIASES = 100
#: Nodes a config document may expand to, aliases followed (real files have a few thousand).
MAX_NODES = 100_000
#: Levels of nesting a config document may have (real files have under ten).
MAX_DEPTH = 100


@dataclass(frozen=True)
class Located:
    """A parsed YAML document plus the line (1-based) of every mapping key / list item."""

    data: Any
    lines: dict[Key, int]
    path: str

    def line(self, *key: str | int) -> int | None:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)

    def error(self, message: str, *key: str | int, hint: str | None = None) -> ConfigError:
        return ConfigError(message, path=self.path, line=self.line(*key), hint=hint)


class _DuplicateKey(Exception):
    def __init__(self, name: str, line: int) -> None:
        super().__init__(name)
        self.name = name
        self.line = line


def _walk(node: yaml.Node, key: Key, lines: dict[Key, int]) -> Any:
    lines[key] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            name = yaml.safe_load(yaml.serialize(key_node)) if not isinstance(key_node, yaml.ScalarNode) \
                else key_node.value
            child = (*key, str(name))
            lines[child] = key_node.start_mark.line + 1
            if str(name) in out:
                raise _DuplicateKey(str(name), key_node.start_mark.line + 1)
            out[str(name)] = _walk(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*key, index), lines) for index, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def _check_events(text: str, path: str) -> None:
    """Refuse a document with more than MAX_ALIASES aliases, or nested deeper than MAX_DEPTH (seen as
    parser events: nothing built yet; PyYAML's scanner slows down with every open flow level, so a
    few hundred kilobytes of brackets would take minutes to refuse later)."""
    aliases = depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(f"YAML nested too deeply to be read (over {MAX_DEPTH} levels)", path=path,
                                  line=event.start_mark.line + 1 if event.start_mark else None,
                                  hint="apps and rules files are a few levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise ConfigError(f"more than {MAX_ALIASES} YAML aliases (*name): refused, an alias bomb "
                                  "expands to billions of nodes", path=path,
                                  line=event.start_mark.line + 1 if event.start_mark else None,
                                  hint="write the values out instead of repeating them with aliases")


def _check_expansion(root: yaml.Node, path: str) -> None:
    """Refuse a document that expands to more than MAX_NODES nodes once aliases are followed.

    Aliases make the node graph a DAG: each node's expanded size is computed once
    (iteratively, so depth costs no recursion), shared nodes counted every time they are used.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if done:
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > MAX_NODES:
                raise ConfigError(f"the document expands to more than {MAX_NODES:,} values once its YAML "
                                  "aliases are followed: refused (an alias bomb?)", path=path,
                                  line=node.start_mark.line + 1,
                                  hint="write the values out instead of repeating them with aliases")
            sizes[id(node)] = total
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_yaml(path: str | Path) -> Located:
    """Parse ``path``; YAML syntax errors become ConfigError with the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("no such file", path=str(path), hint="check the path") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read: {error}", path=str(path)) from None
    try:
        _check_events(text, str(path))  # aliases and depth: nothing below recurses past MAX_DEPTH
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"invalid YAML: {problem}", path=str(path),
                          line=mark.line + 1 if mark is not None else None) from None
    if node is None:
        raise ConfigError("the file is empty", path=str(path))
    _check_expansion(node, str(path))
    lines: dict[Key, int] = {}
    try:
        data = _walk(node, (), lines)
    except _DuplicateKey as error:
        raise ConfigError(f"duplicate key {error.name!r}", path=str(path), line=error.line) from None
    except yaml.YAMLError as error:
        raise ConfigError(f"invalid YAML: {error}", path=str(path)) from None
    return Located(data, lines, str(path))

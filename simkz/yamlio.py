"""Reading YAML safely.

Scenario and topology files come from users, so the reader refuses what can
hurt: anchors and aliases (the "billion laughs" YAML bomb), duplicate keys
(silently dropped by plain YAML readers), deep nesting and oversized files.
Timestamps stay text: simkz parses times itself so that a missing UTC offset
is an error instead of a silent guess.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simkz.errors import InputError

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "read_yaml"]

#: Largest input file accepted, in bytes.
MAX_FILE_BYTES = 8 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 40


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader without aliases, duplicate keys, timestamp resolution or deep nesting."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _RefusedError(
                "anchors and aliases (*name) are not allowed",
                event.start_mark,
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise _RefusedError("anchors (&name) are not allowed", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _RefusedError(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _RefusedError(f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Times stay text; simkz parses them itself.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _RefusedError(Exception):
    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.mark = mark


def read_yaml(path: Path) -> Any:
    """Read one YAML document from ``path``; raise :class:`InputError` on anything unsafe or malformed."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(path, (), "file not found") from None
    except OSError as exc:
        raise InputError(path, (), f"cannot read the file: {exc.strerror}") from None
    if not path.is_file():
        raise InputError(path, (), "not a file")
    if size > MAX_FILE_BYTES:
        raise InputError(path, (), f"file too large ({size} bytes)", allowed=f"at most {MAX_FILE_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(path, (), "not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except _RefusedError as exc:
        line = exc.mark.line + 1 if exc.mark is not None else "?"
        raise InputError(
            path, (f"line {line}",), exc.problem, allowed="plain YAML mappings, lists and scalars"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = f"YAML syntax error: {exc.problem or exc.context}"
        raise InputError(path, (line,), problem, allowed="valid YAML") from None
    except yaml.YAMLError as exc:
        raise InputError(path, (), f"YAML error: {exc}") from None
    except RecursionError:
        raise InputError(path, (), "nesting too deep", allowed=f"at most {MAX_DEPTH} levels") from None

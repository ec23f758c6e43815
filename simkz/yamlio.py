"""Reading YAML safely.

Scenario and topology files come from users, so the reader refuses what can
hurt: anchors and aliases (the "billion laughs" YAML bomb), duplicate keys
(silently dropped by plain YAML readers), deep nesting and oversized files,
keys that are not text (``1:``, ``yes:``, a list or a mapping used as a key),
numbers written with more than :data:`MAX_NUMBER_CHARS` characters (Python
refuses to convert integers of more than 4,300 digits), explicit tags other
than the plain scalar ones, and text holding a NUL byte, another control
character or a lone surrogate (``"\\0"``, ``"\\ud800"``): such text cannot
be written to a file or used in a path. Timestamps stay text: simkz parses
times itself so that a missing UTC offset is an error instead of a silent guess.

The document is built from the parser's event stream in one loop, without
recursion, so that depth is checked before anything deep is built, and with
the libyaml parser when PyYAML has it (a file of 100,000 actions, 4.7 MB,
reads in about a second instead of twenty-five).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

from simkz.collector import collector_paused
from simkz.errors import InputError

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NUMBER_CHARS", "bad_text", "load_text", "read_capped_text", "read_yaml"]

#: Largest input file accepted, in bytes.
MAX_FILE_BYTES = 8 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 40
#: Longest number accepted, in characters (signs, digits, points and underscores included).
MAX_NUMBER_CHARS = 100

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_TAG + k for k in ("str", "null", "bool", "int", "float"))
_MERGE, _VALUE = _TAG + "merge", _TAG + "value"
#: Explicit tags a file may write: the plain scalar ones (``!!str 007``), and the default collections.
_SCALAR_TAGS = frozenset({_STR, _NULL, _BOOL, _INT, _FLOAT, "!"})
_COLLECTION_TAGS = frozenset({None, "!", _TAG + "map", _TAG + "seq"})
_ALLOWED_TAGS = "no tag, or one of !!str, !!int, !!float, !!bool, !!null"

# Plain scalars resolve as in PyYAML's safe loader (YAML 1.1), except that timestamps stay text.
_RESOLVERS: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TAG + "timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CONSTRUCTOR = SafeConstructor()

#: Characters no text in an input file may hold: C0 controls but tab, line feed and carriage return; DEL; lone
#: surrogates. YAML refuses them written raw; these are the ones a double-quoted escape can still produce.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def bad_text(text: str) -> str | None:
    """What is wrong with ``text`` as a name, label or description, or ``None`` if nothing is.

    Refused: a NUL byte, other control characters (tab and line breaks aside) and lone surrogates,
    none of which can be written to a UTF-8 file or used in a path.
    """
    found = _BAD_TEXT.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "text holds a NUL byte (\\0)"
    if "\ud800" <= char <= "\udfff":
        return f"text holds a lone surrogate ({char.encode('unicode_escape', 'backslashreplace').decode()})"
    return f"text holds a control character ({char.encode('unicode_escape').decode()})"


_END_EVENTS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _RefusedError(Exception):
    def __init__(self, problem: str, mark: Any, value: Any = InputError._MISSING, allowed: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.mark = mark
        self.value = value
        self.allowed = allowed


def _event_loader() -> type[Any]:
    """The libyaml-backed safe loader when PyYAML was built with it, else the pure-Python one."""
    return yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


class _Builder:
    """Builds one document from parser events, checking every rule on the way."""

    _NO_KEY = object()

    def __init__(self) -> None:
        self.stack: list[list[Any]] = []  # frames: [container, pending key or _NO_KEY, start mark]
        self.root: Any = None
        self.plain: dict[str, Any] = {}  # plain scalars already resolved (names repeat)

    def build(self, parser: Any) -> Any:
        """Consume every event of ``parser`` (a PyYAML loader) and return the document."""
        documents = 0
        scalar, start, end = yaml.ScalarEvent, (yaml.MappingStartEvent, yaml.SequenceStartEvent), _END_EVENTS
        add = self._add
        while (event := parser.get_event()) is not None:
            kind = type(event)
            if kind is scalar:
                if event.anchor is not None:
                    self._refuse_anchor(event)
                add(self._scalar(event), event.start_mark)
            elif kind in end:
                container, _, mark = self.stack.pop()
                add(container, mark)
            elif kind in start:
                self._start(event)
            elif kind is yaml.AliasEvent:
                raise _RefusedError("anchors and aliases (*name) are not allowed", event.start_mark)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _RefusedError("more than one YAML document (---) in the file", event.start_mark)
        return self.root

    def _start(self, event: Any) -> None:
        self._refuse_anchor(event)
        mapping = isinstance(event, yaml.MappingStartEvent)
        if event.tag not in _COLLECTION_TAGS:
            raise _RefusedError("this tag is not allowed", event.start_mark, event.tag, _ALLOWED_TAGS)
        if self._key_position():
            raise _RefusedError(
                f"a {'mapping' if mapping else 'list'} cannot be a key; keys are names", event.start_mark
            )
        if len(self.stack) >= MAX_DEPTH:
            raise _RefusedError(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
        self.stack.append([{} if mapping else [], self._NO_KEY, event.start_mark])

    @staticmethod
    def _refuse_anchor(event: Any) -> None:
        if event.anchor is not None:
            raise _RefusedError("anchors (&name) are not allowed", event.start_mark)

    def path(self) -> tuple[str | int, ...]:
        """The key path of the value being read (for a bad key: of the mapping that holds it)."""
        out: list[str | int] = []
        for container, key, _ in self.stack:
            if isinstance(container, list):
                out.append(len(container))
            elif key is not self._NO_KEY:
                out.append(key)
        return tuple(out)

    def _key_position(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1][0], dict) and self.stack[-1][1] is self._NO_KEY

    def _add(self, value: Any, mark: Any) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
        elif frame[1] is self._NO_KEY:
            if not isinstance(value, str):
                raise _RefusedError("a key must be a name (text); quote it", mark, value, "a quoted name, e.g. '1'")
            if value in container:
                raise _RefusedError(f"duplicate key {value!r}", mark, allowed="each key once per mapping")
            frame[1] = value
        else:
            container[frame[1]] = value
            frame[1] = self._NO_KEY

    def _scalar(self, event: Any) -> Any:
        value: str = event.value
        tag = event.tag
        if tag is None and event.implicit[0]:
            if value not in self.plain:
                self.plain[value] = self._construct(_resolve(value), value, event.start_mark)
            return self.plain[value]
        if tag is None or tag == "!":
            tag = _STR
        if tag not in _SCALAR_TAGS:
            raise _RefusedError("this tag is not allowed", event.start_mark, tag, _ALLOWED_TAGS)
        return self._construct(tag, value, event.start_mark)

    @staticmethod
    def _construct(tag: str, value: str, mark: Any) -> Any:
        if tag in (_STR, _VALUE):
            problem = bad_text(value)
            if problem is not None:
                raise _RefusedError(problem, mark, value, "printable text (tabs and line breaks allowed)")
            return value
        if tag == _MERGE:
            raise _RefusedError("merge keys (<<) are not allowed", mark)
        if tag in (_INT, _FLOAT) and len(value) > MAX_NUMBER_CHARS:
            raise _RefusedError(
                f"a number written with {len(value)} characters",
                mark,
                allowed=f"numbers of at most {MAX_NUMBER_CHARS} characters",
            )
        node = ScalarNode(tag, value)
        try:
            if tag == _NULL:
                return _CONSTRUCTOR.construct_yaml_null(node)
            if tag == _BOOL:
                return _CONSTRUCTOR.construct_yaml_bool(node)
            if tag == _INT:
                return _CONSTRUCTOR.construct_yaml_int(node)
            return _CONSTRUCTOR.construct_yaml_float(node)
        except (ValueError, KeyError, IndexError):
            raise _RefusedError(f"not a valid {tag[len(_TAG) :]}", mark, value) from None


def _resolve(value: str) -> str:
    """The tag of a plain scalar, as PyYAML's resolver gives it (timestamps aside)."""
    for tag, regexp in _RESOLVERS.get(value[:1], []) + _RESOLVERS.get(None, []):
        if regexp.match(value):
            return tag
    return _STR


def load_text(text: str, source: Path | str | None = None) -> Any:
    """Parse one YAML document from ``text`` under the rules of this module.

    ``source`` names the file in errors. Raises :class:`InputError` on anything refused or malformed.
    """
    builder = _Builder()
    parser = _event_loader()(text)
    try:
        with collector_paused():  # the document holds no cycles; collections while it grows only cost time
            return builder.build(parser)
    except _RefusedError as exc:
        line = f" (line {exc.mark.line + 1})" if exc.mark is not None else ""
        path = builder.path()
        raise InputError(
            source,
            path if len(path) <= 10 else (*path[:10], "..."),
            exc.problem + line,
            value=exc.value,
            allowed=exc.allowed or "plain YAML mappings, lists and scalars",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = f"YAML syntax error: {exc.problem or exc.context}"
        raise InputError(source, (line,), problem, allowed="valid YAML") from None
    except yaml.YAMLError as exc:
        raise InputError(source, (), f"YAML error: {exc}", allowed="valid YAML") from None
    finally:
        parser.dispose()


def read_yaml(path: Path) -> Any:
    """Read one YAML document from ``path``; raise :class:`InputError` on anything unsafe or malformed."""
    return load_text(read_capped_text(path, MAX_FILE_BYTES), path)


def read_capped_text(path: Path, limit: int) -> str:
    """The UTF-8 text of the regular file ``path`` of at most ``limit`` bytes, or :class:`InputError` (missing,
    not a file, unreadable, too large, not UTF-8). The size is checked before reading and again on what is read."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(path, (), "file not found") from None
    except (OSError, ValueError) as exc:
        raise InputError(path, (), f"cannot read the file: {getattr(exc, 'strerror', None) or exc}") from None
    if not path.is_file():
        raise InputError(path, (), "not a file")
    if size > limit:
        raise InputError(path, (), f"file too large ({size} bytes)", allowed=f"at most {limit} bytes")
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise InputError(path, (), f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(path, (), "file too large", allowed=f"at most {limit} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, (f"byte {exc.start}",), "not UTF-8 text", allowed="a UTF-8 text file") from None

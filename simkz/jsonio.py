"""Reading JSON input files as strictly as :mod:`simkz.yamlio` reads YAML.

A topology (or any input file) may be written as JSON (``.json``): the fast path for large
graphs, since the standard library's C parser reads tens of megabytes a second where even the
libyaml reader builds a document far slower. The same rules hold as for YAML, each error naming
the file and the key path:

* duplicate keys in one object are refused (plain JSON readers keep the last silently);
* ``NaN``, ``Infinity`` and ``-Infinity`` are refused, and so is a number that overflows to
  infinity (``1e999``), a fraction written with more than :data:`~simkz.yamlio.MAX_NUMBER_CHARS`
  characters and an integer longer than Python converts (4,300 digits; the schemas bound the rest);
* nesting deeper than :data:`~simkz.yamlio.MAX_DEPTH` objects and arrays is refused;
* text holding a NUL byte, another control character or a lone surrogate (possible in JSON only as
  ``\\u`` escapes) is refused, as :func:`~simkz.yamlio.bad_text` says;
* files larger than :data:`MAX_JSON_BYTES` are refused before they are read (JSON gets a larger cap
  than YAML's 8 MiB because it is the format for whole-internet graphs: a topology of 75,000 ASes and
  500,000 links is about 70 MB).

The depth is counted on the bytes before parsing (numpy, in chunks). Everything a hook of
:func:`json.loads` finds wrong is put in the document as a marker, and the document is walked for
the first marker (to name its key path) only when there is one, so a good file costs one scan and
one parse: a 77 MB topology of 75,000 nodes and 500,000 links reads in about 1.4 s of CPU, against
1.0 s for a bare ``json.loads`` and 9.6 s for the same document as YAML (:mod:`simkz.yamlio`).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simkz.collector import collector_paused
from simkz.errors import InputError
from simkz.yamlio import MAX_DEPTH, MAX_NUMBER_CHARS, bad_text, read_capped_text

__all__ = ["MAX_JSON_BYTES", "load_json_text", "read_json"]

#: Largest JSON input file accepted, in bytes (256 MiB).
MAX_JSON_BYTES = 256 * 1024 * 1024

_ALLOWED = "plain JSON objects, arrays, strings, finite numbers, true, false and null"
#: ``\\u`` escapes that may give a control character or a surrogate (a ``\\\\u`` pair matches too: the walk decides).
_SUSPECT_ESCAPE = re.compile(r"\\u(?:00[01][0-9a-fA-F]|007[fF]|[dD][89a-fA-F][0-9a-fA-F]{2})")


class _Refused:
    """What a parse hook found wrong, left in the document where the value was."""

    __slots__ = ("allowed", "problem", "value")

    def __init__(self, problem: str, value: Any = InputError._MISSING, allowed: str | None = None) -> None:
        self.problem = problem
        self.value = value
        self.allowed = allowed


class _DuplicateKeys(dict[str, Any]):
    """An object that repeated a key (the marker is the object itself; ``key`` is the first repeated)."""

    key: str = ""


class _Hooks:
    """The parse hooks; ``refused`` counts the markers left in the document."""

    def __init__(self) -> None:
        self.refused = 0

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) == len(pairs):
            return out
        marked = _DuplicateKeys(out)
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                marked.key = key
                break
            seen.add(key)
        self.refused += 1
        return marked

    def constant(self, name: str) -> _Refused:
        self.refused += 1
        return _Refused(f"{name} is not a number simkz accepts", name, "a finite number")

    def number(self, text: str) -> float | _Refused:
        if len(text) > MAX_NUMBER_CHARS:
            self.refused += 1
            return _Refused(
                f"a number written with {len(text)} characters",
                allowed=f"numbers of at most {MAX_NUMBER_CHARS} characters",
            )
        value = float(text)
        if math.isfinite(value):
            return value
        self.refused += 1
        return _Refused("the number overflows to infinity", text, "a finite number")


def load_json_text(text: str, source: Path | str | None = None) -> Any:
    """Parse one JSON document from ``text`` under the rules of this module.

    ``source`` names the file in errors. Raises :class:`InputError` on anything refused or malformed.
    """
    raw = text.encode("utf-8", "surrogatepass")
    _check_depth(raw, source)
    hooks = _Hooks()
    try:
        with collector_paused():  # the document holds no cycles; collections while it grows only cost time
            data = json.loads(
                text, object_pairs_hook=hooks.pairs, parse_constant=hooks.constant, parse_float=hooks.number
            )
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InputError(source, (where,), f"JSON syntax error: {exc.msg}", allowed="valid JSON") from None
    except ValueError:  # an integer of more digits than Python converts
        raise InputError(
            source, (), "an integer with more digits than Python reads (4,300)", allowed=_ALLOWED
        ) from None
    except RecursionError:
        raise InputError(source, (), f"nesting deeper than {MAX_DEPTH} levels", allowed=_ALLOWED) from None
    texts = _SUSPECT_ESCAPE.search(text) is not None
    if hooks.refused or texts:
        _find_refused(data, source, texts=texts)
    return data


#: +1 for an opening bracket or brace, -1 for a closing one, 0 for any other byte.
_NESTING = np.zeros(256, dtype=np.int8)
_NESTING[[ord("{"), ord("[")]] = 1
_NESTING[[ord("}"), ord("]")]] = -1
_QUOTE = ord('"')
_CHUNK = 1 << 22


def _check_depth(raw: bytes, source: Path | str | None) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` before parsing, from the bytes: brackets outside strings
    (a quote not escaped by an odd run of backslashes opens or closes a string), counted with numpy in
    chunks (a quarter of a second for 75 MB)."""
    escaped = _escaped_quotes(raw)
    data = np.frombuffer(raw, dtype=np.uint8)
    in_string, depth = 0, 0
    for start in range(0, data.shape[0], _CHUNK):
        chunk = data[start : start + _CHUNK]
        quotes = (chunk == _QUOTE).view(np.uint8)
        if escaped.size:
            inside = escaped[(escaped >= start) & (escaped < start + chunk.shape[0])] - start
            quotes[inside] = 0
        parity = np.bitwise_xor.accumulate(quotes) ^ in_string
        brackets = np.flatnonzero(_NESTING[chunk])
        brackets = brackets[parity[brackets] == 0]
        levels = np.cumsum(_NESTING[chunk[brackets]], dtype=np.int64) + depth
        if levels.size:
            deepest = int(np.argmax(levels))
            if levels[deepest] > MAX_DEPTH:
                _too_deep(raw, start + int(brackets[np.argmax(levels > MAX_DEPTH)]), source)
            depth = int(levels[-1])
        in_string = int(parity[-1])


def _escaped_quotes(raw: bytes) -> NDArray[np.int64]:
    """Offsets of the quotes escaped by a backslash (an odd run of them just before)."""
    if b"\\" not in raw:
        return np.zeros(0, dtype=np.int64)
    ends = [m.end() - 1 for m in re.finditer(rb'\\+"', raw) if (m.end() - m.start() - 1) % 2 == 1]
    return np.array(ends, dtype=np.int64)


def _too_deep(raw: bytes, offset: int, source: Path | str | None) -> None:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    raise InputError(
        source, (f"line {line}, column {column}",), f"nesting deeper than {MAX_DEPTH} levels", allowed=_ALLOWED
    )


def _find_refused(data: Any, source: Path | str | None, *, texts: bool) -> None:
    """Walk the document depth first, in file order, and raise the first thing refused: a marker a hook left,
    or (if ``texts``: the file has escapes that may make one) a text :func:`~simkz.yamlio.bad_text` refuses."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())] if isinstance(data, dict | list) else []
    while stack:
        node, path = stack.pop()
        if isinstance(node, _DuplicateKeys):
            raise InputError(
                source, _short((*path, node.key)), f"duplicate key {node.key!r}", allowed="each key once per object"
            )
        items: list[tuple[str | int, Any]] = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        children = []
        for key, value in items:
            if texts and isinstance(key, str):
                _check_text(key, source, path)
            if isinstance(value, dict | list):
                children.append((value, (*path, key)))
            elif isinstance(value, _Refused):
                raise InputError(source, _short((*path, key)), value.problem, value=value.value, allowed=value.allowed)
            elif texts and isinstance(value, str):
                _check_text(value, source, (*path, key))
        stack.extend(reversed(children))


def _check_text(text: str, source: Path | str | None, path: tuple[str | int, ...]) -> None:
    problem = bad_text(text)
    if problem is not None:
        raise InputError(
            source, _short(path), problem, value=text, allowed="printable text (tabs and line breaks allowed)"
        )


def _short(path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    return path if len(path) <= 10 else (*path[:10], "...")


def read_json(path: Path) -> Any:
    """Read one JSON document from ``path``; raise :class:`InputError` on anything unsafe or malformed."""
    return load_json_text(read_capped_text(path, MAX_JSON_BYTES), path)

"""Key paths and overrides: what ``--set PATH=V1,V2`` and a scenario's ``sweep:`` block change.

A key path names one value of a scenario file the way errors print it: keys joined by dots, list
indices in brackets (``parameters.vpn_adoption_per_day``, ``actions[3].degrade.pass``). An override
sets that value in the scenario's document (its ``extends:`` chain merged) before the document is
validated, so an overridden scenario is checked exactly as a file would be. A missing key of a
mapping is added (the schema then says whether it may be there); a list index must exist.

Wherever the file (or another value of the same key path) has a distribution, a plain number is set as
``{dist: fixed, value: ...}``, so that every point draws the same random numbers for its other uncertain
fields (common random numbers; see :func:`as_fixed`).

Values on the command line are YAML, one per comma: ``0.02,0.05`` are numbers, ``true`` a boolean,
``north`` text; commas inside brackets or quotes do not split (``[north],[north, south]``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simkz.errors import InputError
from simkz.yamlio import load_text

__all__ = [
    "FORBIDDEN_KEYS",
    "Axis",
    "KeyPath",
    "Override",
    "apply_overrides",
    "as_fixed",
    "format_value",
    "parse_key_path",
    "parse_set",
    "run_values",
]

#: A key path as keys and list indices: ``("actions", 3, "degrade", "pass")``.
KeyPath = tuple[str | int, ...]
#: One override: the key path as written, and the value it sets.
Override = tuple[str, Any]

#: Top-level keys no override may set, and why.
FORBIDDEN_KEYS: dict[str, str] = {
    "seed": "replications take their seeds from --seed (numpy.random.SeedSequence(seed).spawn(N))",
    "sweep": "the sweep block is what is being swept",
    "extends": "the base is merged in before overrides apply",
}

_SEPARATORS = frozenset(".[]=")
_QUOTES = frozenset("\"'")
_OPENERS = {"[": "]", "{": "}"}


@dataclass(frozen=True)
class Axis:
    """One swept key path with its values, and where it was given (``--set`` or a file's ``sweep:``)."""

    text: str  #: the key path as written, e.g. ``actions[3].degrade.pass``
    path: KeyPath
    values: tuple[Any, ...]
    origin: str  #: ``--set`` or ``FILE: sweep``, for messages


def parse_key_path(text: str, origin: str = "--set") -> KeyPath:
    """``"actions[3].degrade.pass"`` -> ``("actions", 3, "degrade", "pass")``; a malformed path is an
    :class:`InputError` naming ``origin``."""
    parts: list[str | int] = []
    i, n = 0, len(text)
    expect_name = True
    while i < n:
        if expect_name:
            j = i
            while j < n and text[j] not in _SEPARATORS and not text[j].isspace():
                j += 1
            if j == i:
                break
            parts.append(text[i:j])
            i, expect_name = j, False
        elif text[i] == "." and i + 1 < n:
            i, expect_name = i + 1, True
        elif text[i] == "[":
            close = text.find("]", i)
            digits = text[i + 1 : close] if close > 0 else ""
            if not digits.isdigit() or not digits.isascii():
                break
            parts.append(int(digits))
            i = close + 1
        else:
            break
    if i != n or expect_name or not parts or not isinstance(parts[0], str):
        raise InputError(
            origin,
            (),
            "not a key path",
            value=text,
            allowed="keys joined by dots, list indices in brackets, e.g. parameters.vpn_adoption_per_day or "
            "actions[3].degrade.pass",
        )
    return tuple(parts)


def _split_values(text: str) -> list[str]:
    """Split at the commas that are outside brackets, braces and quotes."""
    out, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in _QUOTES:
            quote = char
        elif char in _OPENERS:
            depth += 1
        elif char in _OPENERS.values():
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def parse_set(text: str) -> Axis:
    """One ``--set PATH=V1,V2,...``: the key path and its values (YAML, each given once)."""
    origin = f"--set {text}"
    path_text, equals, values_text = text.partition("=")
    path_text = path_text.strip()
    if not equals:
        raise InputError(origin, (), "a --set is PATH=V1,V2,...", value=text, allowed="e.g. parameters.x=0.1,0.2")
    path = parse_key_path(path_text, origin)
    check_path(path, origin)
    values = []
    for k, token in enumerate(_split_values(values_text)):
        if not token.strip():
            raise InputError(origin, (path_text, k), "empty value", allowed="a YAML value between the commas")
        values.append(load_text(token.strip(), source=origin))
    check_values(values, origin, path_text)
    return Axis(path_text, path, tuple(values), "--set")


def check_path(path: KeyPath, origin: str) -> None:
    """Refuse a key path no override may set (:data:`FORBIDDEN_KEYS`)."""
    reason = FORBIDDEN_KEYS.get(str(path[0]))
    if reason is not None:
        raise InputError(origin, path, "cannot be swept or overridden", allowed=f"another key ({reason})")


def check_values(values: Sequence[Any], origin: str, path_text: str) -> None:
    """Refuse an empty list of values, or one that gives a value twice."""
    if not values:
        raise InputError(origin, (path_text,), "no values", allowed="one or more values, comma-separated")
    seen: list[str] = []
    for k, value in enumerate(values):
        shown = format_value(value)
        if shown in seen:
            raise InputError(origin, (path_text, k), "value given twice", value=value, allowed="each value once")
        seen.append(shown)


def format_value(value: Any) -> str:
    """A value as ``points.csv`` shows it: numbers as simkz writes them, text as is, the rest as flow YAML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def apply_overrides(data: Mapping[str, Any], overrides: Sequence[Override], origin: str = "--set") -> dict[str, Any]:
    """A copy of the document ``data`` with each override set; the input is left untouched.

    Raises :class:`InputError` naming ``origin`` and the override when a key path leads nowhere: an index
    past the end of a list, or a key under a value that is not a mapping.
    """
    out = copy.deepcopy(dict(data))
    for text, value in overrides:
        path = parse_key_path(text, origin)
        check_path(path, origin)
        _assign(out, path, copy.deepcopy(value), f"{origin} {text}={format_value(value)}")
    return out


def _assign(node: Any, path: KeyPath, value: Any, origin: str) -> None:
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        here = path[:depth]
        if isinstance(part, int):
            if not isinstance(node, list):
                raise InputError(origin, here, f"is {_kind(node)}, not a list", allowed=_what_exists(node))
            if part >= len(node):
                raise InputError(origin, path[: depth + 1], "no such list entry", allowed=_what_exists(node))
            if last:
                node[part] = value
            node = node[part]
            continue
        if not isinstance(node, dict):
            raise InputError(origin, here, f"is {_kind(node)}, not a mapping", allowed=_what_exists(node))
        if last:
            node[part] = as_fixed(value) if is_distribution_value(node.get(part)) else value
        else:
            node = node.setdefault(part, {} if isinstance(path[depth + 1], str) else [])


def is_distribution_value(value: Any) -> bool:
    """Whether a document value is a distribution (a mapping with ``dist``)."""
    return isinstance(value, Mapping) and "dist" in value


def as_fixed(value: Any) -> Any:
    """A plain number as ``{dist: fixed, value: ...}``, anything else as is.

    A fixed distribution takes its random number and ignores it, so a point of a sweep that sets a number where
    other points (or the file) have a distribution draws the same random numbers for every other field as they do
    (common random numbers); a plain number would take none and shift the draws of the fields after it.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    return value


def run_values(axis: Axis) -> tuple[Any, ...]:
    """The values an axis's runs set: its values, with plain numbers made fixed distributions when any value is a
    distribution (see :func:`as_fixed`)."""
    if any(is_distribution_value(v) for v in axis.values):
        return tuple(as_fixed(v) for v in axis.values)
    return axis.values


def _kind(node: Any) -> str:
    if isinstance(node, dict):
        return "a mapping"
    if isinstance(node, list):
        return f"a list of {len(node)}"
    if node is None:
        return "null"
    return f"{type(node).__name__} {format_value(node)!r}"


def _what_exists(node: Any) -> str:
    """What a key path may continue with at ``node``: its keys or its indices."""
    if isinstance(node, dict):
        return "its keys: " + (", ".join(str(k) for k in node) or "(none)")
    if isinstance(node, list):
        return f"indices 0 to {len(node) - 1}" if node else "(the list is empty)"
    return "a key path that ends here"

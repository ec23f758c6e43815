"""One exception hierarchy for simkz, rooted at :class:`SimkzError`.

Input errors carry where the bad value is (file and key path), the value and
what is allowed, so that the command line can print them on one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "InputError",
    "LifecycleError",
    "SimkzError",
    "format_path",
]


class SimkzError(Exception):
    """Base class of every error simkz raises on purpose."""


class LifecycleError(SimkzError):
    """A method was called in the wrong phase (e.g. running a simulation twice)."""


def format_path(loc: Sequence[str | int]) -> str:
    """Format a key path the way a reader writes it: ``actions[2].shutdown.operators[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class InputError(SimkzError):
    """A file (scenario, topology, baseline, tolerances) holds something simkz cannot accept.

    Parameters
    ----------
    file:
        The file the bad value is in (``None`` for values given on the command line).
    path:
        Key path inside the file, as a sequence of keys and list indices.
    problem:
        What is wrong, in a few words.
    value:
        The offending value, if there is one to show.
    allowed:
        What would have been accepted: a list of names, or a sentence.
    """

    _MISSING = object()

    def __init__(
        self,
        file: str | Path | None,
        path: Sequence[str | int],
        problem: str,
        *,
        value: Any = _MISSING,
        allowed: str | Iterable[str] | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.path = tuple(path)
        self.problem = problem
        self.value = value
        if allowed is not None and not isinstance(allowed, str):
            names = sorted(str(a) for a in allowed)
            shown = ", ".join(names[:25]) + (f", ... ({len(names)} in all)" if len(names) > 25 else "")
            allowed = shown or "(none)"
        self.allowed = allowed
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The whole error on one line: file, key path, problem, value, what is allowed."""
        where = self.file or "<input>"
        text = f"{where}: {format_path(self.path)}: {self.problem}"
        if self.value is not InputError._MISSING:
            text += f" (got {_short(self.value)})"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        return text.replace("\n", " ")

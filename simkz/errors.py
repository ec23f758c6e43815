"""One exception hierarchy for simkz, rooted at :class:`SimkzError`, and the stop signals.

Input errors carry where the bad value is (file and key path), the value and
what is allowed, so that the command line can print them on one line.
Environment faults (:class:`EnvironmentFault`: a full disk, a read-only
folder, a path under a file) name the path and the system's reason; they are
neither bad input nor bugs. :class:`Interrupted` is what the command line
raises in place of SIGINT and SIGTERM, so that cleanup code runs.
"""

from __future__ import annotations

import errno
import signal
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "ENVIRONMENT_ERRNOS",
    "EnvironmentFault",
    "InputError",
    "Interrupted",
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


#: ``errno`` values that mean the machine, not simkz nor its input, refused an operation on a path.
ENVIRONMENT_ERRNOS = frozenset(
    code
    for code in (
        errno.ENOSPC,  # no space left on device
        getattr(errno, "EDQUOT", errno.ENOSPC),  # disk quota exceeded
        errno.EROFS,  # read-only file system
        errno.EACCES,  # permission denied
        errno.EPERM,  # operation not permitted
        errno.ENOTDIR,  # a component of the path is a file
        errno.EEXIST,  # a file stands where a folder is needed
        errno.EISDIR,  # a folder stands where a file is needed
        errno.EIO,  # input/output error of the device
        errno.EMFILE,  # too many open files (this process)
        errno.ENFILE,  # too many open files (the system)
        errno.ENAMETOOLONG,  # the path is too long for the file system
        errno.ELOOP,  # too many symbolic links
        errno.EBUSY,  # the path is in use (a mount point)
        errno.EXDEV,  # the folder spans two file systems
    )
)


class EnvironmentFault(SimkzError):  # noqa: N818 - a fault of the machine, not an error of simkz or its input
    """The machine refused an operation on a path: a full disk, a read-only folder, no permission, a path
    under a file. Not bad input and not a bug; the command line prints one line and exits 4.

    Parameters
    ----------
    path:
        The path the operation was on.
    reason:
        The operating system's reason, in words (``No space left on device``).
    code:
        The symbolic ``errno`` name (``ENOSPC``), if known.
    action:
        What simkz was doing, in a few words (default ``cannot write``).
    """

    def __init__(self, path: str | Path, reason: str, *, code: str | None = None, action: str = "cannot write") -> None:
        self.path = str(path)
        self.reason = reason
        self.code = code
        self.action = action
        super().__init__(self.one_line())

    @classmethod
    def from_os_error(cls, exc: OSError, path: str | Path, *, action: str = "cannot write") -> EnvironmentFault:
        """The fault an :class:`OSError` describes; ``path`` is used when the error names no file."""
        where = exc.filename if exc.filename is not None else path
        code = errno.errorcode.get(exc.errno) if exc.errno is not None else None
        return cls(str(where), exc.strerror or str(exc), code=code, action=action)

    def one_line(self) -> str:
        """The fault on one line: path, what failed, the system's reason and its code."""
        text = f"{self.path}: {self.action}: {self.reason}"
        if self.code:
            text += f" ({self.code})"
        return text.replace("\n", " ")


class Interrupted(BaseException):
    """A signal (SIGINT, SIGTERM) asked the command to stop.

    The command line raises it from its signal handlers instead of letting the signal kill the process, so
    that ``finally`` blocks and the removal of staging folders run. It derives from :class:`BaseException`
    so that ``except Exception`` does not swallow it.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        try:
            self.signal_name = signal.Signals(signum).name
        except ValueError:
            self.signal_name = f"signal {signum}"
        super().__init__(self.signal_name)

    @property
    def exit_status(self) -> int:
        """The shell's convention: 128 plus the signal number (130 for SIGINT, 143 for SIGTERM)."""
        return 128 + self.signum

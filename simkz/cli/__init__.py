"""The ``simkz`` command line.

:func:`main` is the console entry point. Before it imports anything heavy (numpy, matplotlib, the
model) it turns SIGINT and SIGTERM into :class:`~simkz.errors.Interrupted`, so that a stop at any
moment, even while Python is still importing, runs the cleanup code (staging folders are removed)
and ends with one line on stderr and status 130 (SIGINT) or 143 (SIGTERM), never a traceback.
Importing this package stays cheap for that reason: the commands live in :mod:`simkz.cli.main`.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import warnings
from collections.abc import Callable
from types import FrameType

from simkz.errors import Interrupted

__all__ = ["main"]

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_MESSAGES: dict[int, str] = {
    signal.SIGINT: "simkz: interrupted (SIGINT); no folder was left half-written",
    signal.SIGTERM: "simkz: terminated (SIGTERM); no folder was left half-written",
}


#: Stop signals received, in order (a stop raised inside a C extension's import may be swallowed).
_received: list[int] = []


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise Interrupted(signum)


def _ignore_stops() -> None:
    """Ignore further stop signals: the outcome is decided, and an ignored signal stays ignored while
    Python shuts down (a handler of Python's would be reset to the default action, which kills)."""
    while True:  # a signal between two of these calls raises once more: try again
        try:
            for signum in _STOP_SIGNALS:
                if signal.getsignal(signum) is not signal.SIG_IGN:
                    signal.signal(signum, signal.SIG_IGN)
            return
        except Interrupted:
            continue


def main() -> None:
    """Entry point of the ``simkz`` console script (and ``python -m simkz``)."""
    for signum in _STOP_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:  # a signal ignored by the caller (nohup, &) stays so
            signal.signal(signum, _raise_interrupted)
    try:
        run_cli = _import_commands()
        run_cli()
    except Interrupted as stop:
        _stopped(stop.signum)
    except SystemExit:
        if _received:  # the stop was caught and dropped on the way: report it all the same
            _stopped(_received[0])
        _ignore_stops()
        raise


def _import_commands() -> Callable[[], None]:
    """Import the commands (numpy, matplotlib, the model: most of a second) and return their entry point.

    A stop during these imports may be caught by a library (matplotlib wraps an optional import in
    ``except Exception``, and Python 3.11 turns an exception in ``__set_name__`` into a RuntimeError):
    it is raised again here, and the warnings the caught stop caused are dropped.
    """
    with warnings.catch_warnings(record=True) as caught:
        from simkz.cli.main import main as run_cli  # heavy imports come after the handlers

    globals()["main"] = _MAIN  # importing the submodule `main` rebound this package's `main` to it
    if _received:
        raise Interrupted(_received[0])
    for w in caught:
        warnings.showwarning(w.message, w.category, w.filename, w.lineno, w.file, w.line)
    return run_cli


def _stopped(signum: int) -> None:
    """Report a stop on one line and exit with 128 + the signal number."""
    _ignore_stops()
    message = _MESSAGES.get(signum, f"simkz: stopped by signal {signum}")
    with contextlib.suppress(OSError):  # stderr is gone: the exit status still tells
        print(message, file=sys.stderr, flush=True)
    sys.exit(128 + signum)


_MAIN = main

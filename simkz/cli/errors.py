"""How the command line reports errors: one line on stderr and an exit status; a traceback only with --debug.

Exit status: 0 success, 1 a check or score beyond tolerance, 2 bad input, 3 an internal error (a bug),
4 the system refused an operation (disk full, read-only folder, no permission, a path under a file),
130 interrupted (SIGINT), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from simkz.errors import ENVIRONMENT_ERRNOS, EnvironmentFault, SimkzError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_ENVIRONMENT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "debug_option",
    "reports_errors",
]

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_ENVIRONMENT = 4
EXIT_INTERRUPTED = 130

F = TypeVar("F", bound=Callable[..., Any])


def debug_option(func: F) -> F:
    """Add ``--debug`` (show tracebacks) to a command."""
    return click.option("--debug", is_flag=True, help="Show the full traceback on errors.")(func)


def reports_errors(func: F) -> F:
    """Print a :class:`SimkzError` as one line on stderr and exit 2, or 4 for an :class:`EnvironmentFault` or an
    :class:`OSError` of the system (unless ``--debug``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(kwargs.get("debug")) or bool((click.get_current_context().find_root().params or {}).get("debug"))
        try:
            return func(*args, **kwargs)
        except EnvironmentFault as exc:
            if debug:
                raise
            click.echo(f"simkz: error: {exc}", err=True)
            sys.exit(EXIT_ENVIRONMENT)
        except SimkzError as exc:
            if debug:
                raise
            click.echo(f"simkz: error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except BrokenPipeError:
            # the reader went away (e.g. `simkz list | head`): stop quietly, as other tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("simkz: interrupted (SIGINT); no folder was left half-written", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            if debug:
                raise
            if isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS:
                fault = EnvironmentFault.from_os_error(exc, exc.filename or "(unknown path)", action="failed")
                click.echo(f"simkz: error: {fault}", err=True)
                sys.exit(EXIT_ENVIRONMENT)
            click.echo(
                f"simkz: internal error: {type(exc).__name__}: {exc} (run again with --debug for the traceback)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]

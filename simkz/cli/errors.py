"""How the command line reports errors: one line and exit 2 for bad input; a traceback only with --debug."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from simkz.errors import SimkzError

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "debug_option", "reports_errors"]

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3

F = TypeVar("F", bound=Callable[..., Any])


def debug_option(func: F) -> F:
    """Add ``--debug`` (show tracebacks) to a command."""
    return click.option("--debug", is_flag=True, help="Show the full traceback on errors.")(func)


def reports_errors(func: F) -> F:
    """Print a :class:`SimkzError` as one line on stderr and exit 2 (unless ``--debug``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(kwargs.get("debug")) or bool((click.get_current_context().find_root().params or {}).get("debug"))
        try:
            return func(*args, **kwargs)
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
            click.echo("simkz: interrupted; nothing was written", err=True)
            sys.exit(130)
        except Exception as exc:
            if debug:
                raise
            click.echo(
                f"simkz: internal error: {type(exc).__name__}: {exc} (run again with --debug for the traceback)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]

"""The ``simkz`` command line."""

from simkz.cli.main import main

__all__ = ["main"]

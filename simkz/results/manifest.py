"""Provenance of a run: versions, input files with their SHA-256, seed, command, wall time."""

from __future__ import annotations

import functools
import platform
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from simkz._version import __version__

__all__ = ["PACKAGES", "make_manifest", "package_versions"]

#: Packages whose versions are written into every manifest.
PACKAGES = ("networkx", "simpy", "numpy", "matplotlib", "click", "pydantic", "PyYAML", "tzdata")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


@functools.cache
def package_versions() -> tuple[tuple[str, str], ...]:
    """(package, version) of every package in :data:`PACKAGES`, looked up once per process (the lookup reads
    each package's metadata from disk: a few milliseconds a run otherwise)."""
    return tuple((name, _version(name)) for name in PACKAGES)


def make_manifest(
    *,
    files: tuple[tuple[Path, str], ...],
    seed: int | dict[str, Any],
    engine: Mapping[str, Any],
    command: list[str] | None = None,
    wall_time_s: float | None = None,
) -> dict[str, Any]:
    """A manifest dict; ``files`` are (path, sha256) of the scenario, its bases and the topology."""
    return {
        "simkz_version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": dict(package_versions()),
        "inputs": [{"path": str(p), "sha256": digest} for p, digest in files],
        "seed": seed,
        "command": command if command is not None else list(sys.argv),
        "wall_time_s": None if wall_time_s is None else round(wall_time_s, 4),
        "engine": dict(engine),
    }

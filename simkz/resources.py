"""Where the shipped scenarios and topologies are, in a checkout or in an installed wheel."""

from __future__ import annotations

from pathlib import Path

from simkz.errors import InputError

__all__ = [
    "DEFAULT_SCENARIO",
    "find_base",
    "find_scenario",
    "find_shipped",
    "find_topology",
    "require_scenario",
    "shipped_dir",
]

#: The scenario `simkz run` runs when given none.
DEFAULT_SCENARIO = "kz-jan-2022"

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(kind: str) -> Path:
    """The folder of shipped ``scenarios`` or ``topologies``."""
    bundled = _PACKAGE / "_bundled" / kind
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / kind


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a name the system cannot hold (too long, a NUL byte) is none."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def find_shipped(kind: str, ref: str) -> Path | None:
    """The shipped ``scenarios`` or ``topologies`` file named ``ref`` (``toy`` or ``toy.yaml``), if any."""
    if not ref or "/" in ref or "\\" in ref or "\0" in ref:
        return None
    stem = ref[: -len(".yaml")] if ref.endswith(".yaml") else ref
    if stem in ("", ".", ".."):
        return None
    shipped = shipped_dir(kind) / f"{stem}.yaml"
    return shipped if _is_file(shipped) else None


def _find(kind: str, ref: str, relative_to: Path | None) -> Path | None:
    candidate = Path(ref)
    bases = [relative_to] if relative_to is not None else []
    bases.append(Path.cwd())
    for base in bases:
        path = candidate if candidate.is_absolute() else base / candidate
        if _is_file(path):
            return path
    return find_shipped(kind, ref)


def find_base(ref: str, relative_to: Path) -> Path | list[Path] | None:
    """The file an ``extends:`` names: a path relative to ``relative_to``, else a shipped scenario or
    topology by name. A name shipped as both is ambiguous: both files are returned, as a list."""
    path = Path(ref) if Path(ref).is_absolute() else relative_to / ref
    if _is_file(path):
        return path
    found = [p for p in (find_shipped("scenarios", ref), find_shipped("topologies", ref)) if p is not None]
    if len(found) > 1:
        return found
    return found[0] if found else None


def find_topology(ref: str, relative_to: Path | None = None) -> Path | None:
    """A topology file by path (relative to ``relative_to``) or by shipped name (``toy``)."""
    return _find("topologies", ref, relative_to)


def find_scenario(ref: str) -> Path | None:
    """A scenario file by path or by shipped name (``toy-total-shutdown``)."""
    return _find("scenarios", ref, None)


def require_scenario(ref: str | Path) -> Path:
    """Like :func:`find_scenario`, but a missing scenario is an :class:`InputError`."""
    path = find_scenario(str(ref))
    if path is None:
        raise InputError(
            str(ref), (), "scenario not found", allowed="a scenario file path, or a shipped name (see `simkz list`)"
        )
    return path

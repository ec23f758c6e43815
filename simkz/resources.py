"""Where the shipped scenarios and topologies are, in a checkout or in an installed wheel."""

from __future__ import annotations

from pathlib import Path

from simkz.errors import InputError

__all__ = ["DEFAULT_SCENARIO", "find_scenario", "find_topology", "require_scenario", "shipped_dir"]

#: The scenario `simkz run` runs when given none.
DEFAULT_SCENARIO = "kz-jan-2022"

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(kind: str) -> Path:
    """The folder of shipped ``scenarios`` or ``topologies``."""
    bundled = _PACKAGE / "_bundled" / kind
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / kind


def _find(kind: str, ref: str, relative_to: Path | None) -> Path | None:
    candidate = Path(ref)
    bases = [relative_to] if relative_to is not None else []
    bases.append(Path.cwd())
    for base in bases:
        path = candidate if candidate.is_absolute() else base / candidate
        if path.is_file():
            return path
    if "/" not in ref and "\\" not in ref:
        stem = ref[: -len(".yaml")] if ref.endswith(".yaml") else ref
        shipped = shipped_dir(kind) / f"{stem}.yaml"
        if shipped.is_file():
            return shipped
    return None


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

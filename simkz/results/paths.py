"""Where simkz writes: folder names, confinement under a chosen root, and which folders it may replace.

Every folder simkz writes is either ``ROOT/NAME`` (``results/<scenario name>``, a baseline's
``DIR/<scenario name>``), built by :func:`output_folder`, or a folder the user named (``--out``),
checked by :func:`check_target`. Both refuse what would write elsewhere: a name that is not a plain
file name, a symbolic link at the target, a parent that leads out of the root.

An existing folder is replaced only if simkz wrote it (:func:`check_replaceable`): a results folder
holds a ``manifest.json`` of simkz; a baseline (saved without a manifest) holds ``summary.json`` and
only file names simkz writes. Anything else needs ``force``.

Saves stage their files in a hidden sibling folder whose name carries the writer's process id
(:func:`staging_path`); :func:`remove_stale` removes those of processes that no longer run (a
``kill -9`` leaves them behind).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Collection
from pathlib import Path

from simkz.errors import InputError

__all__ = [
    "NAME_PATTERN",
    "NAME_RULE",
    "check_confined",
    "check_name",
    "check_replaceable",
    "check_target",
    "output_folder",
    "remove_stale",
    "staging_path",
    "written_by_simkz",
]

#: Scenario names, which name output folders (the same pattern is on ``ScenarioFile.name``).
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
#: :data:`NAME_PATTERN` in words, for error messages.
NAME_RULE = "1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit"

_NAME = re.compile(NAME_PATTERN.removeprefix("^").removesuffix("$"))
_STAGING_KINDS = ("partial", "old")
#: Largest manifest.json read when deciding whether simkz wrote a folder, bytes.
_MANIFEST_LIMIT = 1 << 20


def check_name(name: object, file: str | Path | None = None) -> str:
    """Return ``name`` if it may name an output folder (:data:`NAME_PATTERN`); else raise :class:`InputError`."""
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise InputError(file, ("name",), "not a valid scenario name", value=name, allowed=NAME_RULE)
    return name


def output_folder(root: str | Path, name: str, *, file: str | Path | None = None) -> Path:
    """The folder ``root/name`` that a run named ``name`` writes, checked to stay inside ``root``.

    ``file`` is the scenario file the name comes from (for the error message).
    """
    folder = Path(root) / check_name(name, file)
    check_confined(root, folder)
    return folder


def check_target(folder: str | Path, root: str | Path | None = None) -> Path:
    """Check a folder about to be written: it names a folder (not ``.``, ``..`` or a root), is not a
    symbolic link, and lies inside ``root`` (default: its own parent, which keeps links out of the target)."""
    folder = Path(folder)
    if folder.name in ("", ".", ".."):
        raise InputError(folder, (), "names no folder simkz can write", allowed="a path ending in a folder name")
    check_confined(folder.parent if root is None else root, folder)
    return folder


def check_confined(root: str | Path, path: str | Path) -> None:
    """Raise :class:`InputError` unless ``path``, followed through every symbolic link, lies inside ``root``.

    ``path`` itself must not be a symbolic link: simkz replaces folders, and would replace the link.
    """
    path = Path(path)
    if path.is_symlink():
        raise InputError(path, (), "is a symbolic link; simkz writes only real folders", value=os.readlink(path))
    real_root = Path(root).resolve()
    real = path.resolve()
    if real == real_root or not real.is_relative_to(real_root):
        raise InputError(path, (), f"leads outside {root}", value=str(real), allowed=f"a folder inside {root}")


def written_by_simkz(folder: Path, file_names: Collection[str]) -> bool:
    """Whether replacing ``folder`` loses nothing simkz did not write.

    True for an empty folder, a folder with simkz's ``manifest.json`` (a results folder), and a folder
    holding ``summary.json`` and only regular files named in ``file_names`` (a baseline).
    """
    entries = list(folder.iterdir())
    if not entries or _has_simkz_manifest(folder / "manifest.json"):
        return True
    return (folder / "summary.json").is_file() and all(
        e.name in file_names and e.is_file() and not e.is_symlink() for e in entries
    )


def _has_simkz_manifest(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            data = json.loads(fh.read(_MANIFEST_LIMIT))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "simkz_version" in data


def check_replaceable(folder: Path, file_names: Collection[str], *, force: bool = False) -> None:
    """Raise :class:`InputError` if ``folder`` exists and may not be replaced.

    Without ``force`` only folders simkz wrote (:func:`written_by_simkz`) are replaced. Even with
    ``force``, simkz never replaces a file, the current folder or one of its parents, or the home folder.
    """
    if not folder.exists():
        return
    if not folder.is_dir():
        raise InputError(folder, (), "exists and is not a folder", allowed="a new folder, or a folder simkz wrote")
    real = folder.resolve()
    if real in _never_replaced():
        raise InputError(
            folder, (), "is the current folder, one of its parents or the home folder; simkz never replaces it"
        )
    if force or written_by_simkz(folder, file_names):
        return
    raise InputError(
        folder,
        (),
        "exists, is not empty and was not written by simkz; nothing was replaced",
        allowed="a new or empty folder, a folder simkz wrote, or `simkz run --force` to replace it",
    )


def _never_replaced() -> set[Path]:
    """The current folder, its parents and the home folder."""
    cwd = Path.cwd().resolve()
    protected = {cwd, *cwd.parents}
    with contextlib.suppress(RuntimeError):  # no home folder can be determined
        protected.add(Path.home().resolve())
    return protected


def staging_path(target: Path, kind: str = "partial") -> Path:
    """A new hidden sibling of ``target`` named after this process: ``.NAME.partial-PID-TOKEN``.

    ``kind`` is ``partial`` (files being written) or ``old`` (the folder being replaced).
    """
    assert kind in _STAGING_KINDS
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def remove_stale(target: Path) -> list[Path]:
    """Remove the staging folders beside ``target`` left by processes that no longer run; return them.

    An ``old`` folder of a writer killed between its two renames is the previous ``target``: it is put
    back when ``target`` is missing. Call it with the parent folder locked.
    """
    pattern = re.compile(rf"\.{re.escape(target.name)}\.({'|'.join(_STAGING_KINDS)})-(\d+)-[0-9a-f]{{8}}")
    removed = []
    for entry in sorted(target.parent.iterdir()) if target.parent.is_dir() else []:
        match = pattern.fullmatch(entry.name)
        if match is None or _alive(int(match.group(2))):
            continue
        try:
            if match.group(1) == "old" and not os.path.lexists(target):
                os.replace(entry, target)
            elif entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:
            continue  # not ours to remove (another user's): it does not stop this save
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie does not); unknown is alive."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # no safe probe: os.kill would terminate the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by another user
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]

"""The folder of a replication set or a sweep, built beside its target and swapped into place when complete.

While it runs, the folder is built in a hidden sibling of the target, ``.NAME.work`` (the target, if it
exists, stays as it was). Each run is written there as soon as it finishes, atomically: its files go to
a hidden ``.ID.partial-...`` folder renamed to its own (``replications/r0003``, or
``points/p002/replications/r0003`` in a sweep) only when complete, so a run folder that exists is whole,
even after ``kill -9``. When every run is there, the bands are written and the work folder takes the
target's place in one step (as :meth:`simkz.results.run.RunResult.save` does); the old target is removed.

The work folder is locked (``flock``) while a command uses it: a second command on the same target is
refused. ``--resume`` keeps the finished runs of an earlier command with the same plan (same inputs,
seed, overrides and versions: its ``manifest.json``), or of the finished target itself; without it the
work folder is emptied first.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from simkz.errors import EnvironmentFault, InputError
from simkz.results.paths import check_replaceable, check_target, remove_stale, staging_path
from simkz.results.run import (
    FILE_NAMES,
    HeldSignals,  # the save protocol of results folders: held signals, parent lock, atomic swap
    dump_json,
    locked_parent,
    replace_folder,
)
from simkz.sweep.run import RunRecord

try:
    import fcntl
except ImportError:  # Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]

__all__ = ["SERIES_FILE", "SUMMARY_FILE", "WorkFolder", "run_path", "work_path"]

#: A run's files in its folder.
SUMMARY_FILE = "summary.json"
SERIES_FILE = "series.npz"
#: Keys of ``manifest.json`` that may differ between a command and the one it resumes.
RESUMABLE_CHANGES = frozenset({"replications", "quantiles"})
#: Where run folders are, in a replication set and in a sweep.
_RUN_PATTERNS = ("replications/*", "points/*/replications/*")


def work_path(target: Path) -> Path:
    """Where the folder of ``target`` is built: the hidden sibling ``.NAME.work``."""
    return target.parent / f".{target.name}.work"


def run_path(run_id: str) -> Path:
    """The folder of a run in a results folder: ``r0003`` -> ``replications/r0003``,
    ``p002/r0003`` -> ``points/p002/replications/r0003``."""
    point, _, replication = run_id.rpartition("/")
    return Path("points", point, "replications", replication) if point else Path("replications", replication)


def _plan(manifest: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in manifest.items() if k not in RESUMABLE_CHANGES}


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _valid_run(folder: Path) -> bool:
    """Whether a run folder holds a readable summary and series (a folder renamed into place is whole; this also
    catches a file damaged since)."""
    try:
        summary = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
        with zipfile.ZipFile(folder / SERIES_FILE) as zf:
            members = zf.namelist()
    except (OSError, ValueError, zipfile.BadZipFile):
        return False
    return isinstance(summary, dict) and "national" in summary and bool(members)


class WorkFolder:
    """The work folder of one target; use as a context manager (:meth:`open` ... :meth:`commit`)."""

    def __init__(self, target: Path | str, *, root: Path | str | None = None, force: bool = False) -> None:
        self.target = check_target(target, root)
        self.root = root
        self.force = force
        self.path = work_path(self.target)
        self._fd: int | None = None

    def __enter__(self) -> WorkFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self, manifest: Mapping[str, Any], *, resume: bool) -> int:
        """Lock the work folder and make it hold the plan's ``manifest`` and, with ``resume``, the runs an earlier
        command of the same plan left (see :meth:`finished`). Returns how many runs of an earlier command were
        discarded (without ``resume``).

        Raises :class:`InputError` if the target may not be written, another command holds the folder, or ``resume``
        meets runs of another plan.
        """
        check_replaceable(self.target, FILE_NAMES, force=self.force)
        try:
            with HeldSignals() as held:
                self.target.parent.mkdir(parents=True, exist_ok=True)
                with locked_parent(self.target.parent, held):
                    remove_stale(self.target)
                    self._lock()
            old = _read_manifest(self.path)
            discarded = 0
            if not (resume and old is not None and self._same_plan(old, manifest)):
                discarded = sum(1 for f in self._run_folders() if not f.name.startswith("."))
                self._empty()
                if resume:
                    self._adopt(manifest)
            (self.path / "manifest.json").write_text(dump_json(dict(manifest)), encoding="utf-8")
        except OSError as exc:
            raise EnvironmentFault.from_os_error(exc, self.path) from None
        return discarded

    def _lock(self) -> None:
        if self.path.is_symlink() or (self.path.exists() and not self.path.is_dir()):
            raise InputError(self.path, (), "is in the way of the work folder", allowed="remove it")
        self.path.mkdir(exist_ok=True)
        self._fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        if fcntl is None:
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.close()
            raise InputError(
                self.target, (), "another simkz command is writing this folder", allowed="wait until it ends"
            ) from None
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP):
                raise

    def _same_plan(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
        if _plan(old) == _plan(new):
            return True
        changed = sorted(k for k in {*old, *new} - RESUMABLE_CHANGES if old.get(k) != new.get(k))
        raise InputError(
            self.target,
            (),
            f"--resume: the unfinished runs were made with other {', '.join(changed)}",
            allowed="the same scenario, inputs, seed and sweep, or no --resume to start over",
        )

    def _adopt(self, manifest: Mapping[str, Any]) -> None:
        """Take the runs of a finished target of the same plan (hard links where possible): a finished set can be
        extended, or given other quantiles, without running again what it holds. Only run folders are taken: the
        files written later (bands) are written anew, never through a link into the target."""
        old = _read_manifest(self.target) if self.target.is_dir() else None
        if old is None or _plan(old) != _plan(manifest):
            return
        for pattern in _RUN_PATTERNS:
            for folder in sorted(self.target.glob(pattern)):
                if folder.is_dir() and not folder.is_symlink() and not folder.name.startswith("."):
                    shutil.copytree(folder, self.path / folder.relative_to(self.target), copy_function=_link_or_copy)

    def _empty(self) -> None:
        for entry in sorted(self.path.iterdir()):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def _run_folders(self) -> Iterator[Path]:
        for pattern in _RUN_PATTERNS:
            yield from sorted(self.path.glob(pattern))

    def finished(self, run_ids: Iterable[str]) -> set[str]:
        """The runs of ``run_ids`` already here and whole; everything else under the run folders is removed (half
        written runs of a killed command, runs a smaller plan does not hold)."""
        wanted = {str(run_path(r)): r for r in run_ids}
        done = set()
        for folder in self._run_folders():
            rel = str(folder.relative_to(self.path))
            if rel in wanted and _valid_run(folder):
                done.add(wanted[rel])
            elif folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder)
            else:
                folder.unlink()
        return done

    def write_run(self, record: RunRecord) -> None:
        """Write one run's folder atomically (a hidden folder renamed into place)."""
        final = self.path / run_path(record.run_id)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = staging_path(final)
            try:
                tmp.mkdir()
                (tmp / SUMMARY_FILE).write_text(record.summary_json, encoding="utf-8")
                (tmp / SERIES_FILE).write_bytes(record.series)
                for name, text in record.files:  # the run's network files (phases, map, states)
                    (tmp / name).write_text(text, encoding="utf-8")
                if final.exists():
                    shutil.rmtree(final)
                os.rename(tmp, final)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        except OSError as exc:
            raise EnvironmentFault.from_os_error(exc, final) from None

    def commit(self) -> Path:
        """Put the complete work folder in the target's place (the old target is removed) and release it."""
        try:
            with HeldSignals() as held:
                with locked_parent(self.target.parent, held):
                    check_replaceable(self.target, FILE_NAMES, force=self.force)
                    replace_folder(self.path, self.target)
                self.close()
                if self.path.exists():  # the old target, swapped here
                    shutil.rmtree(self.path, ignore_errors=True)
        except OSError as exc:
            raise EnvironmentFault.from_os_error(exc, self.target) from None
        return self.target

    def close(self) -> None:
        """Release the lock (the work folder stays, for ``--resume``)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)

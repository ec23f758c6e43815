"""The result of one run, and its folder format.

A results folder holds:

* ``national.csv``, ``by_region.csv``, ``by_operator.csv``, ``by_technology.csv``,
  ``by_region_technology.csv``, ``by_service.csv``: tidy time series (one row per instant and group);
* ``failures.csv``, for a run with random failures: one row per failure (an event table, not a time
  series; left out of baselines, which hold only what is compared);
* ``phases.csv``, ``network.json``, ``network_states.csv``: the phases of the run, its network and the
  states of its nodes and links over time (:mod:`simkz.results.network`; written whatever tables are
  chosen, left out of baselines);
* ``columns.json``: unit and meaning of every column;
* ``summary.json``: the headline figures;
* ``manifest.json``: versions, input hashes, seed, command, wall time;
* figures, when asked for.

Folders are written atomically: everything goes to a hidden sibling folder
(``.NAME.partial-PID-TOKEN``) that is swapped into place only when complete, under
an exclusive lock on the parent folder, so two writers of one folder never mix
files. SIGINT and SIGTERM are held while a folder is saved and take effect at the
next step, after the staging folder is removed: an interrupted save leaves the old
folder or the new one, whole. A folder simkz did not write is not replaced
(:func:`simkz.results.paths.check_replaceable`), and a failure of the system
(disk full, read-only folder) is an :class:`~simkz.errors.EnvironmentFault`.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from simkz.errors import EnvironmentFault, InputError
from simkz.results.columns import COLUMNS
from simkz.results.network import (
    NETWORK_FILES,
    PHASE_COLUMNS,
    STATE_COLUMNS,
    NetworkRecord,
    read_network_record,
    write_network_files,
)
from simkz.results.paths import check_replaceable, check_target, remove_stale, staging_path
from simkz.results.table import Table

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; saves are still atomic
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "EVENT_TABLES",
    "FILE_NAMES",
    "TABLES",
    "HeldSignals",
    "RunResult",
    "check_output",
    "dump_json",
    "locked_parent",
    "read_json_object",
    "replace_folder",
    "write_bytes_atomic",
    "write_text_atomic",
]

#: Tables of a run, in the order they are written.
TABLES = ("national", "by_region", "by_operator", "by_technology", "by_region_technology", "by_service")
#: Tables of events (not time series), written with a results folder when the run has them.
EVENT_TABLES = ("failures",)
#: Every file name simkz writes into a results or baseline folder (``overview`` is ``simkz.plots.FIGURE_NAME``).
FILE_NAMES = frozenset(
    {
        *(f"{t}.csv" for t in (*TABLES, *EVENT_TABLES)),
        *NETWORK_FILES,
        "summary.json",
        "columns.json",
        "manifest.json",
        "overview.png",
        "overview.svg",
    }
)


def dump_json(data: Any) -> str:
    """JSON with stable layout (2-space indent, keys in insertion order, newline at the end)."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@dataclass
class RunResult:
    """Tables, summary and manifest of one run, and the record of its network (phases, map, states; None for a
    folder of an older version)."""

    name: str
    tables: dict[str, Table]
    summary: dict[str, Any]
    manifest: dict[str, Any] = field(default_factory=dict)
    network: NetworkRecord | None = None

    def save(
        self,
        folder: Path | str,
        *,
        extras: Sequence[Callable[[Path], None]] = (),
        tables: Sequence[str] = TABLES,
        provenance: bool = True,
        root: Path | str | None = None,
        force: bool = False,
    ) -> Path:
        """Write the folder atomically; ``extras`` write more files (figures) into it first.

        ``tables`` chooses the time series written (the network's files are written whatever it says);
        ``provenance=False`` leaves out ``manifest.json``, ``columns.json`` and the network's files (a baseline
        holds only what is compared).
        ``root``: the folder must lie inside it, links followed (default: its own parent, so the
        folder itself may not be a link). An existing folder is replaced only once the new one is
        complete, and only if simkz wrote it, unless ``force``.

        Raises :class:`InputError` for a folder it may not write or replace, and
        :class:`EnvironmentFault` when the system refuses a write (disk full, read-only, no permission).
        """
        unknown = [t for t in tables if t not in TABLES]
        if unknown:
            raise InputError(None, ("tables",), "unknown table", value=unknown[0], allowed=TABLES)
        folder = check_target(folder, root)
        with HeldSignals() as held:
            try:
                folder.parent.mkdir(parents=True, exist_ok=True)
                with locked_parent(folder.parent, held):
                    remove_stale(folder)
                    check_replaceable(folder, FILE_NAMES, force=force)
                tmp = staging_path(folder)
                try:
                    tmp.mkdir()
                    self._write(tmp, tables, provenance, held.check)
                    for extra in extras:
                        extra(tmp)
                        held.check()
                    with locked_parent(folder.parent, held):
                        check_replaceable(folder, FILE_NAMES, force=force)
                        replace_folder(tmp, folder)
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)  # the staging folder, or the old folder swapped into it
            except OSError as exc:
                raise _fault(exc, folder) from None
        return folder

    def _write(self, folder: Path, tables: Sequence[str], provenance: bool, step: Callable[[], None]) -> None:
        used: dict[str, dict[str, str]] = {}
        events = [t for t in EVENT_TABLES if t in self.tables] if provenance else []
        for name in (*tables, *events):
            table = self.tables[name]
            table.write_csv(folder / f"{name}.csv")
            step()
            for col in table.names:
                used.setdefault(col, {"unit": COLUMNS[col].unit, "description": COLUMNS[col].description})
        if provenance and self.network is not None:
            write_network_files(folder, self.network)
            for col in (*PHASE_COLUMNS, *STATE_COLUMNS):
                used.setdefault(col, {"unit": COLUMNS[col].unit, "description": COLUMNS[col].description})
            step()
        (folder / "summary.json").write_text(dump_json(self.summary), encoding="utf-8")
        if provenance:
            (folder / "columns.json").write_text(dump_json(dict(sorted(used.items()))), encoding="utf-8")
            (folder / "manifest.json").write_text(dump_json(self.manifest), encoding="utf-8")
        step()

    def to_pandas(self) -> dict[str, Any]:
        """Every table as a tidy :class:`pandas.DataFrame`, by table name (needs the ``pandas`` extra)."""
        from simkz.results.frames import table_frame

        return {name: table_frame(table) for name, table in self.tables.items()}

    @classmethod
    def load(cls, folder: Path | str) -> RunResult:
        """Read a results folder written by :meth:`save` (``national.csv`` and ``summary.json`` are required; the
        other tables, and the network's files, are read where present)."""
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError(folder, (), "results folder not found", allowed="a folder written by `simkz run`")
        summary = read_json_object(folder / "summary.json")
        manifest = read_json_object(folder / "manifest.json") if (folder / "manifest.json").exists() else {}
        national = folder / "national.csv"
        if not national.is_file():
            raise InputError(
                national, (), "missing table in results folder", allowed=", ".join(f"{t}.csv" for t in TABLES)
            )
        # folders of older versions may lack a newer table: read the ones present
        tables = {
            name: Table.read_csv(folder / f"{name}.csv")
            for name in (*TABLES, *EVENT_TABLES)
            if (folder / f"{name}.csv").is_file()
        }
        name = str(summary.get("scenario", {}).get("name", folder.name))
        network = read_network_record(folder)
        return cls(name=name, tables=tables, summary=summary, manifest=manifest, network=network)


def check_output(folder: Path | str, *, root: Path | str | None = None, force: bool = False) -> Path:
    """Check, before any work, that :meth:`RunResult.save` would write ``folder`` (same ``root`` and ``force``).

    Raises :class:`InputError` as the save would; the save checks again (the folder may change meanwhile).
    """
    folder = check_target(folder, root)
    check_replaceable(folder, FILE_NAMES, force=force)
    return folder


def read_json_object(path: Path) -> dict[str, Any]:
    """Read a JSON object from ``path``; raise :class:`InputError` if it is missing or malformed."""
    if not path.is_file():
        raise InputError(path, (), "file not found", allowed="a results folder written by `simkz run`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(path, (f"line {exc.lineno}",), f"invalid JSON: {exc.msg}") from None
    if not isinstance(data, Mapping):
        raise InputError(path, (), "expected a JSON object", value=type(data).__name__)
    return dict(data)


def _fault(exc: OSError, folder: Path) -> EnvironmentFault:
    """The fault of a failed save, naming the file of ``folder`` rather than the hidden staging folder."""
    fault = EnvironmentFault.from_os_error(exc, folder)
    staging = Path(fault.path)
    for parent in (staging, *staging.parents):
        if parent.parent == folder.parent and parent.name.startswith(f".{folder.name}.partial-"):
            fault = EnvironmentFault(folder / staging.relative_to(parent), fault.reason, code=fault.code)
            break
    return fault


def _read_umask() -> int:
    """The process's file-creation mask (read by setting it, then put back at once: done once, at import)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Mode of the files written here: what ``open()`` would give (mkstemp alone gives 0600).
_FILE_MODE = 0o666 & ~_read_umask()


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, as :func:`write_bytes_atomic` writes bytes."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, then a rename, so a
    reader never sees half a file and a failure leaves the old file (if any) as it was.

    Raises :class:`EnvironmentFault` when the system refuses the write."""
    with HeldSignals():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.partial-{os.getpid()}-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.chmod(tmp, _FILE_MODE)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise EnvironmentFault.from_os_error(exc, path) from None


def replace_folder(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target``; an old ``target`` ends up at ``new`` (for the caller to remove).

    On Linux the two are swapped in one step (``renameat2`` with ``RENAME_EXCHANGE``), so ``target`` is
    always whole, even under ``kill -9``; elsewhere the old folder is first moved to a hidden ``.old-``
    sibling, which :func:`~simkz.results.paths.remove_stale` puts back if the process dies in between.
    """
    if not os.path.lexists(target):
        os.replace(new, target)
        return
    if _exchange(new, target):
        return
    old = staging_path(target, "old")
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)
        raise
    os.replace(old, new)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` atomically; False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM):
        return False  # an old kernel or a file system without the exchange: fall back to two renames
    raise OSError(err, os.strerror(err), str(b))


@functools.cache
def _renameat2() -> Any:
    """The C library's ``renameat2`` (Linux, glibc 2.28 or later), or None."""
    if sys.platform != "linux":
        return None
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


@contextmanager
def locked_parent(folder: Path, held: HeldSignals) -> Iterator[None]:
    """Hold an exclusive advisory lock (``flock``) on ``folder`` while the block runs.

    Every simkz save takes it around its checks and its rename, so concurrent writers of one folder take
    turns; a held signal is acted on while waiting. Where the file system has no locks, runs unlocked.
    """
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                held.check()
                time.sleep(0.01)
            except OSError as exc:
                if exc.errno in (errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF):
                    break  # no locks on this file system
                raise
        yield
    finally:
        os.close(fd)  # releases the lock


class _Stop(BaseException):
    """A held signal whose action is the system default: it is re-sent once the save has cleaned up."""


class HeldSignals:
    """Hold SIGINT and SIGTERM while a folder is saved (main thread only; other threads cannot set handlers).

    A signal that comes is noted; :meth:`check` acts on it at the next step of the save, where cleanup
    can follow; on leaving, the original handlers come back and a signal still noted is acted on then.
    Acting means calling the original handler (Python's raises :class:`KeyboardInterrupt`, simkz's
    command line raises :class:`~simkz.errors.Interrupted`) or, for the system default, re-sending it.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.pending: int | None = None
        self.original: dict[int, Any] = {}

    def __enter__(self) -> HeldSignals:
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                if signal.getsignal(signum) not in (signal.SIG_IGN, None):
                    self.original[signum] = signal.signal(signum, self._note)
        return self

    def _note(self, signum: int, frame: FrameType | None) -> None:
        if self.pending is None:
            self.pending = signum

    def check(self) -> None:
        """Act on a held signal now, if one came."""
        if self.pending is None:
            return
        signum = self.pending
        handler = self.original[signum]
        if not callable(handler):
            raise _Stop(signum)
        self.pending = None
        handler(signum, None)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        for signum, handler in self.original.items():
            signal.signal(signum, handler)
        if self.pending is not None:
            signum, self.pending = self.pending, None
            handler = self.original[signum]
            if callable(handler):
                handler(signum, None)
            else:
                signal.raise_signal(signum)

"""The result of one run, and its folder format.

A results folder holds:

* ``national.csv``, ``by_region.csv``, ``by_operator.csv``, ``by_technology.csv``,
  ``by_region_technology.csv``, ``by_service.csv``: tidy time series (one row per instant and group);
* ``columns.json``: unit and meaning of every column;
* ``summary.json``: the headline figures;
* ``manifest.json``: versions, input hashes, seed, command, wall time;
* figures, when asked for.

Folders are written atomically: everything goes to a hidden sibling folder that
is renamed into place only when complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simkz.errors import InputError
from simkz.results.columns import COLUMNS
from simkz.results.table import Table

__all__ = ["TABLES", "RunResult", "dump_json", "read_json_object", "write_text_atomic"]

#: Tables of a run, in the order they are written.
TABLES = ("national", "by_region", "by_operator", "by_technology", "by_region_technology", "by_service")


def dump_json(data: Any) -> str:
    """JSON with stable layout (2-space indent, keys in insertion order, newline at the end)."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@dataclass
class RunResult:
    """Tables, summary and manifest of one run."""

    name: str
    tables: dict[str, Table]
    summary: dict[str, Any]
    manifest: dict[str, Any] = field(default_factory=dict)

    def save(
        self,
        folder: Path | str,
        *,
        extras: Sequence[Callable[[Path], None]] = (),
        tables: Sequence[str] = TABLES,
        provenance: bool = True,
    ) -> Path:
        """Write the folder atomically; ``extras`` write more files (figures) into it first.

        ``tables`` chooses the time series written; ``provenance=False`` leaves out
        ``manifest.json`` and ``columns.json`` (a baseline holds only what is compared).
        An existing folder of the same name is replaced only once the new one is complete.
        """
        folder = Path(folder)
        unknown = [t for t in tables if t not in TABLES]
        if unknown:
            raise InputError(None, ("tables",), "unknown table", value=unknown[0], allowed=TABLES)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))
        try:
            self._write(tmp, tables, provenance)
            for extra in extras:
                extra(tmp)
            _replace_dir(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return folder

    def _write(self, folder: Path, tables: Sequence[str], provenance: bool) -> None:
        used: dict[str, dict[str, str]] = {}
        for name in tables:
            table = self.tables[name]
            table.write_csv(folder / f"{name}.csv")
            for col in table.names:
                used.setdefault(col, {"unit": COLUMNS[col].unit, "description": COLUMNS[col].description})
        (folder / "summary.json").write_text(dump_json(self.summary), encoding="utf-8")
        if provenance:
            (folder / "columns.json").write_text(dump_json(dict(sorted(used.items()))), encoding="utf-8")
            (folder / "manifest.json").write_text(dump_json(self.manifest), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path | str) -> RunResult:
        """Read a results folder written by :meth:`save` (``national.csv`` and ``summary.json`` are required; the
        other tables are read where present)."""
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
        tables = {name: Table.read_csv(folder / f"{name}.csv") for name in TABLES if (folder / f"{name}.csv").is_file()}
        name = str(summary.get("scenario", {}).get("name", folder.name))
        return cls(name=name, tables=tables, summary=summary, manifest=manifest)


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


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: a temporary file in the same folder, then a rename, so a
    reader never sees half a file and a failure leaves the old file (if any) as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.partial-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _replace_dir(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``; an old ``target`` is removed only after the move."""
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / "x")
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)
    os.chmod(target, 0o755)

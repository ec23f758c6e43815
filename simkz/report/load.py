"""What the report reads from one results folder: the summary, the column meanings, the manifest, and the
phases, network and states the run recorded (when the folder has them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simkz.errors import InputError
from simkz.results.run import read_json_object

__all__ = ["RunData", "load_run"]

#: What a folder must hold to be reported on.
_ALLOWED = "a results folder written by `simkz run` (summary.json and national.csv)"


@dataclass(frozen=True)
class RunData:
    """One results folder, as the report uses it.

    ``summary`` is ``summary.json`` as read; ``columns`` maps a column name to its description (``columns.json``,
    empty when the folder has none); ``manifest`` is ``manifest.json`` (empty when absent).
    """

    folder: Path
    summary: dict[str, Any]
    columns: dict[str, str]
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        """The scenario's name."""
        return str(self.summary["scenario"]["name"])

    @property
    def scenario(self) -> dict[str, Any]:
        """``summary.json``'s ``scenario`` block: name, description, topology, start, end, duration, seed."""
        return dict(self.summary["scenario"])


def load_run(folder: Path | str) -> RunData:
    """Read what the report needs from ``folder``; raise :class:`InputError` (one line) when it is not the
    results folder of one run."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, (), "results folder not found", allowed=_ALLOWED)
    if not (folder / "summary.json").is_file() or not (folder / "national.csv").is_file():
        raise InputError(folder, (), "not the results folder of one run", allowed=_ALLOWED)
    summary = read_json_object(folder / "summary.json")
    for block in ("scenario", "national"):
        if not isinstance(summary.get(block), Mapping):
            raise InputError(folder / "summary.json", (block,), "missing or not an object", allowed=_ALLOWED)
    columns_file = folder / "columns.json"
    columns = read_json_object(columns_file) if columns_file.is_file() else {}
    manifest_file = folder / "manifest.json"
    manifest = read_json_object(manifest_file) if manifest_file.is_file() else {}
    return RunData(
        folder=folder,
        summary=summary,
        columns={k: str(v.get("description", "")) for k, v in columns.items() if isinstance(v, Mapping)},
        manifest=manifest,
    )

"""The results folder of `simkz analyze`, written atomically as `simkz run` writes its folder.

One topology: the tables (:data:`~simkz.analysis.structure.tables.TABLE_NAMES`, CSV), ``analysis.json`` (the
summary), ``manifest.json`` (versions, input hashes, command, wall time) and the figure
(``analysis.png``, ``analysis.svg``). Several topologies: ``comparison.csv`` (a column per topology),
``manifest.json``, and one such folder per topology, named after it.

Everything is written into a hidden staging folder beside the target, swapped into place under a lock
of the parent folder when complete, with SIGINT and SIGTERM held (the protocol of
:meth:`simkz.results.run.RunResult.save`): an interrupted save leaves the old folder or the new one, whole.
An existing folder is replaced only if simkz wrote it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from simkz.analysis.structure.analysis import StructureAnalysis
from simkz.analysis.structure.figure import FIGURE_NAME, write_figure
from simkz.analysis.structure.report import comparison_table
from simkz.analysis.structure.summary import summary
from simkz.analysis.structure.tables import TABLE_NAMES, CsvTable, analysis_tables, write_table
from simkz.errors import EnvironmentFault, InputError
from simkz.results.manifest import make_manifest
from simkz.results.paths import NAME_PATTERN, NAME_RULE, check_replaceable, check_target, remove_stale, staging_path
from simkz.results.run import HeldSignals, dump_json, locked_parent, replace_folder
from simkz.topology.network import Topology

__all__ = ["ANALYSIS_FILES", "check_analysis_output", "folder_names", "save_analyses"]

#: Every file name `simkz analyze` writes at the top of its folder.
ANALYSIS_FILES = frozenset(
    {*(f"{t}.csv" for t in TABLE_NAMES), "analysis.json", "manifest.json", "comparison.csv"}
    | {f"{FIGURE_NAME}.{fmt}" for fmt in ("png", "svg")}
)
_NAME = re.compile(NAME_PATTERN)


def check_analysis_output(folder: Path) -> Path:
    """Check, before any work, that the folder may be written (as the save checks again)."""
    folder = check_target(folder)
    check_replaceable(folder, ANALYSIS_FILES)
    return folder


def folder_names(topologies: Sequence[Topology]) -> list[str]:
    """The folder name of each topology (its name), checked to be a plain name and distinct."""
    names: list[str] = []
    for topology in topologies:
        name = topology.name
        if _NAME.fullmatch(name) is None:
            raise InputError(topology.path, ("name",), "cannot name a results folder", value=name, allowed=NAME_RULE)
        if name in names:
            raise InputError(
                topology.path,
                ("name",),
                "two topologies of the comparison have this name",
                value=name,
                allowed="topologies with distinct names",
            )
        names.append(name)
    return names


def save_analyses(
    folder: Path, analyses: Sequence[StructureAnalysis], *, top: int, command: list[str], wall_time_s: float
) -> Path:
    """Write the folder of one analysis, or of several side by side; return it."""
    files = tuple(f for a in analyses for f in a.topology.files)
    manifest = make_manifest(
        files=tuple(dict.fromkeys(files)),
        seed=analyses[0].options.seed,
        engine={
            "analysis": "structure",
            "exact_pairs_max_elements": analyses[0].options.max_exact,
            "pairs_sample": analyses[0].options.pairs_sample,
        },
        command=command,
        wall_time_s=wall_time_s,
    )

    def write(tmp: Path, check: Callable[[], None]) -> None:
        if len(analyses) == 1:
            _write_one(tmp, analyses[0], top, manifest, check)
            return
        names = folder_names([a.topology for a in analyses])
        (tmp / "manifest.json").write_text(dump_json(manifest), encoding="utf-8")
        write_table(tmp / "comparison.csv", _comparison(analyses))
        for name, a in zip(names, analyses, strict=True):
            (tmp / name).mkdir()
            _write_one(tmp / name, a, top, manifest, check)

    return _save(folder, write)


def _write_one(
    folder: Path, a: StructureAnalysis, top: int, manifest: dict[str, Any], check: Callable[[], None]
) -> None:
    for name, table in analysis_tables(a).items():
        write_table(folder / f"{name}.csv", table)
        check()
    (folder / "analysis.json").write_text(dump_json(summary(a, top)), encoding="utf-8")
    (folder / "manifest.json").write_text(dump_json(manifest), encoding="utf-8")
    write_figure(folder, a, top)
    check()


def _comparison(analyses: Sequence[StructureAnalysis]) -> CsvTable:
    names, table = comparison_table(analyses)
    return CsvTable(("metric", "unit", *names), [(metric, unit, *values) for metric, unit, values in table])


def _save(folder: Path, write: Callable[[Path, Callable[[], None]], None]) -> Path:
    """Stage the files with ``write(staging folder, check)`` and swap them into ``folder`` (see the module)."""
    folder = check_target(folder)
    with HeldSignals() as held:
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            with locked_parent(folder.parent, held):
                remove_stale(folder)
                check_replaceable(folder, ANALYSIS_FILES)
            tmp = staging_path(folder)
            try:
                tmp.mkdir()
                write(tmp, held.check)
                with locked_parent(folder.parent, held):
                    check_replaceable(folder, ANALYSIS_FILES)
                    replace_folder(tmp, folder)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)  # the staging folder, or the old folder swapped into it
        except OSError as exc:
            raise EnvironmentFault.from_os_error(exc, folder) from None
    return folder

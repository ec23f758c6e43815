"""Run a scenario and compare its results with a baseline folder (what the pytest fixture does)."""

from __future__ import annotations

from pathlib import Path

from simkz.engine.simulation import Simulation
from simkz.errors import InputError
from simkz.resources import require_scenario
from simkz.results.compare import Mismatch, compare_folders, load_tolerances
from simkz.results.paths import output_folder
from simkz.results.run import TABLES, RunResult, check_output
from simkz.scenario.load import load_scenario

__all__ = ["run_and_compare"]


def run_and_compare(
    scenario: str | Path,
    baseline_dir: str | Path,
    work_dir: str | Path,
    *,
    update: bool = False,
    rtol: float | None = None,
    atol: float | None = None,
    tolerances: str | Path | None = None,
) -> tuple[RunResult, list[Mismatch], Path]:
    """Run ``scenario``; compare it with ``baseline_dir/<scenario name>`` (or rewrite that with ``update``).

    Returns the result, the mismatches (empty when it matches or was updated) and the baseline folder.
    Raises :class:`InputError` when the baseline does not exist (and ``update`` is off), or when the folder
    to write is not inside ``baseline_dir`` (``work_dir``) or holds files simkz did not write, and
    :class:`~simkz.errors.EnvironmentFault` when the system refuses a write.
    """
    loaded = load_scenario(require_scenario(scenario))
    folder = output_folder(baseline_dir, loaded.name, file=loaded.path)
    work = output_folder(work_dir, loaded.name, file=loaded.path)
    if update:
        check_output(folder, root=baseline_dir)  # refuse before running
    elif not (folder / "summary.json").is_file():
        raise InputError(
            folder,
            (),
            "no baseline here",
            allowed="a folder written by `simkz baseline update` (or pytest --simkz-update-baselines)",
        )
    result = Simulation(loaded).run().result
    if update:
        kept = tuple(t for t in TABLES if (folder / f"{t}.csv").is_file()) or TABLES
        result.save(folder, tables=kept, provenance=False, root=baseline_dir)
        return result, [], folder
    tables = tuple(t for t in TABLES if (folder / f"{t}.csv").is_file())
    new = result.save(work, tables=tables, provenance=False, root=work_dir)
    tol = load_tolerances(Path(tolerances) if tolerances is not None else None, rtol, atol)
    return result, compare_folders(new, folder, tol), folder

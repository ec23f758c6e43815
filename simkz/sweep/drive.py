"""Run a replication set or a sweep into its results folder: plan, execute, store each run, bands, swap into place.

The folder's content depends only on the plan (scenario and its inputs, seed, replications, sweep,
quantiles) and on the versions of simkz and numpy, never on the executor, the number of workers, the
order in which runs complete, the host or the time: runs are aggregated in run id order, and the
manifest holds no wall time, worker count or host name. An interrupted command keeps its finished
runs for ``--resume`` (:mod:`simkz.sweep.store`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from simkz._version import __version__
from simkz.errors import SimkzError
from simkz.results.manifest import PACKAGES
from simkz.scenario.load import Scenario
from simkz.sweep.aggregate import FigureBands, summary_bands, table_bands, table_tasks, write_sweep_tables
from simkz.sweep.bands import is_headline
from simkz.sweep.executors import check_scheduler, execute
from simkz.sweep.overrides import Axis, Override
from simkz.sweep.plan import EVERY_TABLE, Output, RunSpec, grid, point_id, replication_specs, sweep_specs
from simkz.sweep.run import RunRecord, run_one, worker_versions
from simkz.sweep.store import WorkFolder

__all__ = ["Job", "Outcome", "replication_job", "run_job", "sweep_job"]

#: Fewest runs whose bands are computed in several processes (below, starting them costs more than it saves).
PARALLEL_BANDS = 200
#: How the seeds of the runs are made, for the manifest.
SEEDS = "numpy.random.SeedSequence(seed).spawn(replications): replication i uses child i (spawn key (i,))"


@dataclass(frozen=True)
class Job:
    """What one command runs: the scenario as loaded from the path given, the runs, and the bands asked for."""

    kind: Literal["replications", "sweep"]
    scenario: Scenario
    seed: int
    replications: int
    quantiles: tuple[float, ...]
    specs: tuple[RunSpec, ...]
    axes: tuple[Axis, ...] = ()
    points: tuple[tuple[Override, ...], ...] = ((),)
    output: Output = EVERY_TABLE


@dataclass(frozen=True)
class Outcome:
    """A finished job: its folder, the summary figures of each point (one for a replication set), and how many
    runs an earlier command had left (``--resume``)."""

    folder: Path
    figures: list[FigureBands]
    resumed: int
    ran: int = 0
    discarded: int = 0  #: runs an earlier command left, thrown away for want of ``--resume``


def replication_job(
    scenario: Scenario, *, seed: int, replications: int, quantiles: tuple[float, ...], output: Output = EVERY_TABLE
) -> Job:
    """``replications`` runs of ``scenario`` (loaded from its file) from ``SeedSequence(seed).spawn(replications)``."""
    assert scenario.path is not None
    specs = replication_specs(scenario.path, seed, replications, output)
    return Job("replications", scenario, seed, replications, quantiles, tuple(specs), output=output)


def sweep_job(
    scenario: Scenario,
    axes: Sequence[Axis],
    *,
    seed: int,
    replications: int,
    quantiles: tuple[float, ...],
    output: Output = EVERY_TABLE,
) -> Job:
    """The grid of ``axes`` over ``scenario``, each point replicated with the same seed sequences."""
    assert scenario.path is not None
    specs = sweep_specs(scenario.path, axes, replications, seed=seed, output=output)
    points = tuple(grid(axes))
    return Job("sweep", scenario, seed, replications, quantiles, tuple(specs), tuple(axes), points, output)


def manifest(job: Job) -> dict[str, Any]:
    """The job's ``manifest.json``: what made the folder, and nothing that depends on how or where it ran."""
    data: dict[str, Any] = {
        "simkz_version": __version__,
        "python": sys.version.split()[0],
        "packages": {name: _version(name) for name in PACKAGES},
        "kind": job.kind,
        "scenario": job.scenario.name,
        "inputs": [{"path": str(p), "sha256": digest} for p, digest in job.scenario.files],
        "seed": job.seed,
        "seeds": SEEDS,
        "replications": job.replications,
        "quantiles": list(job.quantiles),
        "tables": list(job.output.tables),
        "output_step": job.output.step,
    }
    if job.kind == "sweep":
        data["sweep"] = {axis.text: list(axis.values) for axis in job.axes}  # YAML values: JSON values too
        data["points"] = len(job.points)
    return data


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def run_job(
    job: Job,
    folder: Path,
    *,
    root: Path | None = None,
    force: bool = False,
    resume: bool = False,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Run ``job`` into ``folder`` (see the module's docstring); ``progress(k)`` is told of every ``k`` runs done."""
    tick = progress or (lambda k: None)
    if scheduler is not None:
        check_scheduler(scheduler)  # before anything is written
    with WorkFolder(folder, root=root, force=force) as work:
        discarded = work.open(manifest(job), resume=resume)
        done = work.finished(s.run_id for s in job.specs)
        todo = [s for s in job.specs if s.run_id not in done]
        tick(len(done))
        expected = worker_versions()
        for record in execute(run_one, todo, workers=workers, scheduler=scheduler):
            _check_versions(record, expected)
            work.write_run(record)
            tick(1)
        figures = _aggregate(job, work.path, workers)
        work.commit()
    return Outcome(folder, figures, resumed=len(done), ran=len(todo), discarded=discarded)


def _check_versions(record: RunRecord, expected: tuple[str, ...]) -> None:
    if record.versions != expected:
        raise SimkzError(
            f"run {record.run_id} ran with {', '.join(record.versions)}, this command with {', '.join(expected)}: "
            "its numbers may differ; install the same versions on every worker"
        )


def _aggregate(job: Job, path: Path, workers: int) -> list[FigureBands]:
    """The bands: the summary figures here, the tables (most of the work: every value of every run) on ``workers``
    local processes. Each table's file is written by the process that computes it, the same bytes in any."""
    if job.kind == "replications":
        sets = [path]
    else:
        sets = [path / "points" / point_id(p, len(job.points)) for p in range(len(job.points))]
    figures = [summary_bands(folder, job.replications, job.quantiles) for folder in sets]
    tasks = [task for folder in sets for task in table_tasks(folder, job.replications, job.quantiles, within=path)]
    for _ in execute(table_bands, tasks, workers=workers if _large(job) else 1):
        pass
    if job.kind == "replications":
        return figures
    figures = [f.only(is_headline) for f in figures]  # a large sweep keeps only what its tables need
    write_sweep_tables(path, job.axes, job.points, figures, job.replications, job.quantiles)
    return figures


def _large(job: Job) -> bool:
    """Whether the bands are worth other processes: more than :data:`PARALLEL_BANDS` runs' series to read."""
    return len(job.specs) > PARALLEL_BANDS

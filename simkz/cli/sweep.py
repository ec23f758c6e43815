"""``simkz sweep`` and ``simkz run --replications``: many runs, their bands, a progress bar, ``--resume``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from simkz.cli.errors import debug_option, reports_errors
from simkz.cli.regression import table_names
from simkz.cli.summary import format_figure
from simkz.errors import InputError
from simkz.impact.tables import with_output_step
from simkz.resources import require_scenario
from simkz.results.paths import check_name, check_target
from simkz.scenario.load import Scenario, load_scenario
from simkz.sweep.aggregate import FigureBands
from simkz.sweep.bands import DEFAULT_QUANTILES, parse_quantiles, quantile_columns
from simkz.sweep.drive import Job, Outcome, replication_job, run_job, sweep_job
from simkz.sweep.overrides import format_value, parse_set
from simkz.sweep.plan import Output, check_grid, file_axes, merge_axes, point_id, validate_points

__all__ = [
    "many_run_options",
    "note_sweep_block",
    "run_replications",
    "run_replications_from",
    "single_run_checks",
    "sweep",
]

#: Where results go when not given --out (as `simkz run`).
RESULTS_ROOT = Path("results")
#: Figures `simkz sweep` prints for each point.
POINT_FIGURES = ("min_connectivity_index_pct", "peak_cut_off_persons", "user_hours_lost")

F = TypeVar("F", bound=Callable[..., Any])


def many_run_options(func: F) -> F:
    """The options of commands that run many times: --workers, --scheduler, --quantiles, --resume."""
    options = [
        click.option(
            "--workers",
            type=click.IntRange(min=1, max=4096),
            help="Local worker processes [default: the number of cores]; 1 runs in this process.",
        ),
        click.option(
            "--scheduler",
            metavar="ADDRESS",
            help="Run on this Dask cluster (e.g. tcp://127.0.0.1:8786) instead of local processes "
            "(needs the dask extra).",
        ),
        click.option(
            "--quantiles",
            metavar="P,P,...",
            help="Quantiles of the bands, in percent, increasing [default: 5,50,95].",
        ),
        click.option(
            "--resume",
            is_flag=True,
            help="Keep the runs an interrupted (or finished) command with the same plan left; run only the rest.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def single_run_checks(workers: int | None, scheduler: str | None, quantiles: str | None, resume: bool) -> None:
    """Refuse the options of many runs on a single `simkz run` (they need --replications)."""
    given = [
        name
        for name, value in (("--workers", workers), ("--scheduler", scheduler), ("--quantiles", quantiles))
        if value is not None
    ] + (["--resume"] if resume else [])
    if given:
        raise InputError(None, (given[0],), "applies to many runs", allowed="add --replications N")


def note_sweep_block(scenario: Scenario) -> None:
    """Say that `simkz run` leaves a file's sweep block aside."""
    if scenario.spec.sweep:
        keys = ", ".join(scenario.spec.sweep)
        click.echo(
            f"note: {scenario.path}: the sweep block ({keys}) is not run by `simkz run`, which runs the scenario "
            f"as written; `simkz sweep {scenario.path}` runs the grid",
            err=True,
        )


def _output(scenario: Scenario, tables: str, output_step: str | None) -> Output:
    """The tables and step asked for (``--tables``, ``--output-step``), checked against the scenario."""
    with_output_step(scenario, output_step)
    return Output(table_names(tables), output_step)


@contextmanager
def _progress(total: int, label: str, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, shown only on a terminal and without --quiet."""
    if quiet or total <= 1 or not sys.stderr.isatty():
        yield lambda k: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True, show_eta=True) as bar:
        yield bar.update


def _folder(out: Path | None, name: str, file: Path | None, suffix: str = "") -> tuple[Path, Path | None]:
    if out is not None:
        return check_target(out), None
    folder = RESULTS_ROOT / check_name(name + suffix, file)
    return folder, RESULTS_ROOT


def _execute(job: Job, out: Path | None, *, suffix: str, quiet: bool, force: bool, **how: Any) -> Outcome:
    folder, root = _folder(out, job.scenario.name, job.scenario.path, suffix)
    workers = how.pop("workers") or _cores()
    unit = "runs" if job.kind == "sweep" else "replications"
    with _progress(len(job.specs), f"{job.scenario.name}: {unit}", quiet) as tick:
        outcome = run_job(job, folder, root=root, force=force, workers=workers, progress=tick, **how)
    if outcome.discarded:
        click.echo(
            f"note: the runs an interrupted command had left ({outcome.discarded}) were run again; --resume keeps them",
            err=True,
        )
    return outcome


def run_replications(
    scenario: str,
    *,
    out: Path | None,
    seed: int | None,
    replications: int,
    quiet: bool,
    force: bool,
    workers: int | None,
    scheduler: str | None,
    quantiles: str | None,
    resume: bool,
    tables: str = "all",
    output_step: str | None = None,
) -> None:
    """`simkz run SCENARIO --replications N`: N runs, their bands, each figure printed as mean [band]."""
    loaded = load_scenario(require_scenario(scenario))
    note_sweep_block(loaded)
    qs = parse_quantiles(quantiles) if quantiles is not None else DEFAULT_QUANTILES
    output = _output(loaded, tables, output_step)
    root_seed = loaded.seed if seed is None else seed
    job = replication_job(loaded, seed=root_seed, replications=replications, quantiles=qs, output=output)
    outcome = _execute(
        job, out, suffix="", quiet=quiet, force=force, workers=workers, scheduler=scheduler, resume=resume
    )
    if quiet:
        click.echo(str(outcome.folder))
        return
    _print_header(job, outcome)
    band_of = _band_text(outcome.figures[0], qs)
    for name in outcome.figures[0].names:
        if name.startswith("national."):
            click.echo(f"  {name.removeprefix('national.'):<36} {band_of(name)}")
    click.echo(f"results: {outcome.folder}")


def run_replications_from(params: Mapping[str, Any]) -> None:
    """`simkz run --replications N`, from the parameters of the `run` command (those of a single run only, such as
    --figures, left aside)."""
    run_replications(
        params["scenario"],
        out=params["out"],
        seed=params["seed"],
        replications=params["replications"],
        quiet=params["quiet"],
        force=params["force"],
        workers=params["workers"],
        scheduler=params["scheduler"],
        quantiles=params["quantiles"],
        resume=params["resume"],
        tables=params.get("tables", "all"),
        output_step=params.get("output_step"),
    )


@click.command()
@click.argument("scenario")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=V1,V2,...",
    help="Sweep a value of the scenario file (a key path such as parameters.vpn_adoption_per_day or "
    "actions[3].degrade.pass) over these YAML values; repeat for a grid. Adds to the file's sweep block.",
)
@click.option("--replications", type=click.IntRange(min=1), default=1, show_default=True, help="Runs per point.")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed of the replications [default: the scenario's].")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Results folder [default: results/<name>-sweep]."
)
@click.option("--quiet", is_flag=True, help="Print only the results folder.")
@click.option("--force", is_flag=True, help="Replace the results folder even if simkz did not write it.")
@click.option(
    "--tables",
    default="all",
    show_default=True,
    help="Tables whose bands are written, comma-separated (national, by_region, by_operator, by_technology, "
    "by_region_technology, by_service) or all.",
)
@click.option(
    "--output-step",
    "output_step",
    metavar="DURATION",
    help="Sample the tables every DURATION (e.g. 1h), a multiple of the scenario's step [default: the step].",
)
@many_run_options
@debug_option
@reports_errors
def sweep(
    scenario: str,
    sets: tuple[str, ...],
    replications: int,
    seed: int | None,
    out: Path | None,
    quiet: bool,
    force: bool,
    tables: str,
    output_step: str | None,
    workers: int | None,
    scheduler: str | None,
    quantiles: str | None,
    resume: bool,
    debug: bool,
) -> None:
    """Run SCENARIO over the grid of its sweep block and every --set, each point --replications times with the
    same seeds (common random numbers), and write the bands of every point."""
    loaded = load_scenario(require_scenario(scenario))
    qs = parse_quantiles(quantiles) if quantiles is not None else DEFAULT_QUANTILES
    axes = merge_axes(file_axes(loaded), [parse_set(text) for text in sets])
    output = _output(loaded, tables, output_step)
    assert loaded.path is not None
    check_grid(axes, replications)
    validate_points(loaded.path, axes, output_step)
    root_seed = loaded.seed if seed is None else seed
    job = sweep_job(loaded, axes, seed=root_seed, replications=replications, quantiles=qs, output=output)
    outcome = _execute(
        job, out, suffix="-sweep", quiet=quiet, force=force, workers=workers, scheduler=scheduler, resume=resume
    )
    if quiet:
        click.echo(str(outcome.folder))
        return
    _print_header(job, outcome)
    for p, (overrides, figures) in enumerate(zip(job.points, outcome.figures, strict=True)):
        values = ", ".join(f"{text}={format_value(v)}" for text, v in overrides)
        click.echo(f"  {point_id(p, len(job.points))}  {values}")
        band_of = _band_text(figures, qs)
        for name in POINT_FIGURES:
            if f"national.{name}" in figures.names:
                click.echo(f"        {name:<32} {band_of(f'national.{name}')}")
    click.echo(f"results: {outcome.folder}")


def _print_header(job: Job, outcome: Outcome) -> None:
    sc = job.scenario
    hours = sc.duration_s / 3600.0
    click.echo(f"{sc.name} on {sc.topology.name}: {sc.start.isoformat()} for {hours:g} h")
    kept = f"; {outcome.resumed} kept from an earlier command" if outcome.resumed else ""
    points = f"{len(job.points)} points x " if job.kind == "sweep" else ""
    lo, hi = quantile_columns((job.quantiles[0], job.quantiles[-1]))
    click.echo(
        f"  {points}{job.replications} replications, seeds SeedSequence({job.seed}).spawn({job.replications}){kept};"
        f" figures as mean [{lo}, {hi}]"
    )


def _band_text(figures: FigureBands, quantiles: tuple[float, ...]) -> Callable[[str], str]:
    index = {name: k for k, name in enumerate(figures.names)}

    def text(name: str) -> str:
        k = index[name]
        low, high = figures.quantiles[0, k], figures.quantiles[-1, k]
        return f"{format_figure(figures.mean[k])} [{format_figure(low)}, {format_figure(high)}]"

    return text

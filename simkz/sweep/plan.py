"""What a replication set or a sweep runs: one :class:`RunSpec` per run, seeds from ``SeedSequence.spawn``.

Replication ``i`` of a set with seed ``s`` draws from ``numpy.random.SeedSequence(s).spawn(N)[i]``: its
seed sequence has entropy ``s`` and spawn key ``(i,)``, both kept in the spec so that any process can
rebuild it, and replication ``i`` is the same run whatever ``N`` (a set can be extended). A sweep is
the grid of every swept key path's values (the first key path varies slowest); every point runs the
same ``N`` seed sequences, so points differ only by their values (common random numbers).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from simkz.errors import InputError, format_path
from simkz.impact.tables import with_output_step
from simkz.inputs import read_document
from simkz.results.run import TABLES
from simkz.scenario.load import Scenario
from simkz.sweep.cache import load_point
from simkz.sweep.overrides import (
    Axis,
    Override,
    apply_overrides,
    check_path,
    check_values,
    format_value,
    parse_key_path,
    run_values,
)

__all__ = [
    "CHECKED_POINTS",
    "EVERY_TABLE",
    "MAX_POINTS",
    "MAX_RUNS",
    "Output",
    "RunSpec",
    "check_grid",
    "file_axes",
    "grid",
    "merge_axes",
    "point_id",
    "replication_id",
    "replication_specs",
    "sweep_specs",
    "validate_points",
]

#: Most points of a sweep.
MAX_POINTS = 100_000
#: Most runs of one command (points x replications).
MAX_RUNS = 1_000_000
#: Largest grid whose every point is loaded before the runs (each value is, whatever the grid).
CHECKED_POINTS = 256


@dataclass(frozen=True)
class Output:
    """What each run keeps of its tables: which ones, and at which step (None: the scenario's)."""

    tables: tuple[str, ...] = TABLES
    step: str | None = None


#: Every table, at the scenario's step.
EVERY_TABLE = Output()


@dataclass(frozen=True)
class RunSpec:
    """One run: which scenario, with which overrides, from which seed sequence. Picklable, and cheap to send."""

    run_id: str  #: ``r0003`` in a replication set, ``p002/r0003`` in a sweep; sorts in run order
    scenario: str  #: the scenario file (an absolute path, so that any worker finds it)
    overrides: tuple[Override, ...] = ()
    seed: int = 0  #: the entropy of the root seed sequence
    spawn_key: tuple[int, ...] = ()
    point: int = 0
    replication: int = 0
    tables: tuple[str, ...] = TABLES  #: the tables whose series the run keeps
    output_step: str | None = None  #: the step of the tables (a duration, e.g. ``1h``); None: the scenario's

    def seed_sequence(self) -> np.random.SeedSequence:
        """The run's seed sequence, rebuilt: equal to ``SeedSequence(seed).spawn(N)[replication]``."""
        return np.random.SeedSequence(self.seed, spawn_key=self.spawn_key)


def _width(count: int, least: int) -> int:
    return max(least, len(str(max(0, count - 1))))


def replication_id(index: int, count: int) -> str:
    """``r0003``: zero-padded (4 digits, more for 10,000 or more replications) so names sort in order."""
    return f"r{index:0{_width(count, 4)}d}"


def point_id(index: int, count: int) -> str:
    """``p002``: zero-padded (3 digits, more for 1,000 or more points)."""
    return f"p{index:0{_width(count, 3)}d}"


def check_grid(axes: Sequence[Axis], n: int) -> None:
    """Refuse a grid of more than :data:`MAX_POINTS` points, or of more than :data:`MAX_RUNS` runs with ``n``
    replications each, before anything is built."""
    _check_count(n, math.prod(len(axis.values) for axis in axes))


def _check_count(n: int, points: int = 1) -> None:
    if n < 1:
        raise InputError(None, ("--replications",), "at least one replication", value=n, allowed="1 or more")
    if points > MAX_POINTS:
        raise InputError(None, ("--set",), f"the grid has {points:,} points", allowed=f"at most {MAX_POINTS:,}")
    if n * points > MAX_RUNS:
        raise InputError(
            None,
            ("--replications",),
            f"{points:,} points x {n:,} replications is {n * points:,} runs",
            allowed=f"at most {MAX_RUNS:,} runs",
        )


def _specs(
    path: Path | str, seed: int, n: int, points: Sequence[tuple[Override, ...]], sweep: bool, output: Output
) -> list[RunSpec]:
    _check_count(n, len(points))
    scenario = str(Path(path).resolve())
    children = np.random.SeedSequence(seed).spawn(n)
    specs = []
    for p, overrides in enumerate(points):
        for r, child in enumerate(children):
            rid = replication_id(r, n)
            specs.append(
                RunSpec(
                    run_id=f"{point_id(p, len(points))}/{rid}" if sweep else rid,
                    scenario=scenario,
                    overrides=overrides,
                    seed=int(child.entropy),  # type: ignore[arg-type]  # an int: SeedSequence(seed) with seed an int
                    spawn_key=tuple(int(k) for k in child.spawn_key),
                    point=p,
                    replication=r,
                    tables=output.tables,
                    output_step=output.step,
                )
            )
    return specs


def replication_specs(scenario_path: Path | str, seed: int, n: int, output: Output | None = None) -> list[RunSpec]:
    """``n`` replications of a scenario: seeds from ``numpy.random.SeedSequence(seed).spawn(n)``."""
    return _specs(scenario_path, seed, n, [()], sweep=False, output=output or EVERY_TABLE)


def grid(axes: Sequence[Axis]) -> list[tuple[Override, ...]]:
    """Every combination of the axes' values, the first axis varying slowest."""
    return [
        tuple((axis.text, value) for axis, value in zip(axes, values, strict=True))
        for values in itertools.product(*(axis.values for axis in axes))
    ]


def sweep_specs(
    scenario_path: Path | str, sets: Sequence[Axis], n: int, *, seed: int, output: Output | None = None
) -> list[RunSpec]:
    """The grid of ``sets``, each point replicated ``n`` times with the same seed sequences (common random
    numbers): ``SeedSequence(seed).spawn(n)``. Plain numbers of an axis that also has distributions are run as
    fixed distributions (:func:`~simkz.sweep.overrides.run_values`)."""
    if not sets:
        raise InputError(None, ("--set",), "nothing to sweep", allowed="--set PATH=V1,V2,... or a sweep: block")
    check_grid(sets, n)
    points = grid([replace(axis, values=run_values(axis)) for axis in sets])
    return _specs(scenario_path, seed, n, points, sweep=True, output=output or EVERY_TABLE)


def file_axes(scenario: Scenario) -> list[Axis]:
    """The axes of a scenario's ``sweep:`` block, checked (key paths, values given once)."""
    axes = []
    for text, values in (scenario.spec.sweep or {}).items():
        try:
            path = parse_key_path(text)
            check_path(path, "sweep")
            check_values(values, "sweep", text)
        except InputError as exc:
            raise InputError(
                scenario.path, ("sweep", text), exc.problem, value=exc.value, allowed=exc.allowed
            ) from None
        axes.append(Axis(text, path, tuple(values), f"{scenario.path}: sweep"))
    return axes


def merge_axes(file: Sequence[Axis], sets: Sequence[Axis]) -> list[Axis]:
    """The file's axes with ``--set`` ones over them: a ``--set`` of a key path the file sweeps replaces its values;
    the others are added after the file's, in order. A key path given twice by ``--set`` is an error."""
    out = list(file)
    given: set[tuple[str | int, ...]] = set()
    for axis in sets:
        if axis.path in given:
            raise InputError(f"--set {axis.text}", (), "the key path is given twice", allowed="one --set per key path")
        given.add(axis.path)
        same = [i for i, a in enumerate(out) if a.path == axis.path]
        if same:
            out[same[0]] = axis
        else:
            out.append(axis)
    return out


def validate_points(scenario_path: Path | str, axes: Sequence[Axis], output_step: str | None = None) -> None:
    """Load the points of the grid, so that a bad value fails here (one line naming it) and not in a worker.

    Each axis's key path is first followed in the document (an index past the end of a list, a key under a
    number); then each value is loaded on its own, and, for a grid of at most :data:`CHECKED_POINTS` points,
    every point whole (a larger grid would take as long to check as to run once: a value that is bad only with
    another one then fails in its run, naming the run).
    """
    data = read_document(Path(scenario_path)).data
    for axis in axes:
        for value in axis.values:
            apply_overrides(data, [(axis.text, value)], axis.origin)
    runs = [replace(axis, values=run_values(axis)) for axis in axes]
    for axis, run in zip(axes, runs, strict=True):
        _check_points(scenario_path, [axis], [run], output_step)
    if len(axes) > 1 and math.prod(len(axis.values) for axis in axes) <= CHECKED_POINTS:
        _check_points(scenario_path, axes, runs, output_step)


def _check_points(path: Path | str, axes: Sequence[Axis], runs: Sequence[Axis], output_step: str | None) -> None:
    for shown, overrides in zip(grid(axes), grid(runs), strict=True):
        try:
            scenario = load_point(path, overrides)
        except InputError as exc:
            raise _blame(exc, axes, shown) from None
        try:
            with_output_step(scenario, output_step)
        except InputError as exc:
            raise _blame(exc, axes, shown) from None


def _blame(exc: InputError, axes: Sequence[Axis], overrides: Sequence[Override]) -> InputError:
    """The error of one point, naming its overrides: the one value checked alone, or every value of a point whose
    values are good alone and bad together. A value of a file's sweep block is named by the file and its key."""
    if exc.file is not None and exc.file.startswith("--set "):
        return exc  # a key path that leads nowhere: the override is named already
    named = list(zip(axes, (v for _, v in overrides), strict=True))
    if len(named) == 1 and named[0][0].origin != "--set":
        axis, value = named[0]
        return InputError(
            axis.origin.removesuffix(": sweep"),
            ("sweep", axis.text),
            f"the value {format_value(value)} makes {format_path(exc.path)} invalid: {exc.problem}",
            value=exc.value,
            allowed=exc.allowed,
        )
    where = " ".join(
        f"--set {axis.text}={format_value(value)}"
        if axis.origin == "--set"
        else f"sweep {axis.text}={format_value(value)}"
        for axis, value in named
    )
    return InputError(where, exc.path, exc.problem, value=exc.value, allowed=exc.allowed)

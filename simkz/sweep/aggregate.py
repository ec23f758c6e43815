"""Bands of a replication set, and the tables of a sweep, from the run folders (read in run order).

For a replication set folder (a results folder, or one point of a sweep):

* ``<table>_bands.csv`` for every table of a run: the key columns (``time``, ``elapsed_h``, the group
  columns), ``metric``, ``mean`` and one column per quantile; one row per row of the run's table and metric;
* ``summary_bands.csv``: ``metric`` (a summary figure's key path), ``mean`` and the quantiles.

A sweep adds ``points.csv``, ``sweep.csv`` (every headline figure of every run) and ``sweep_bands.csv``.
The time series are read a few columns at a time, at most :data:`MEMORY_BUDGET` bytes of them at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simkz.errors import InputError
from simkz.results.table import format_number
from simkz.sweep.bands import band, flatten_figures, is_headline, quantile_columns, write_csv
from simkz.sweep.overrides import Axis, Override, format_value
from simkz.sweep.plan import point_id, replication_id
from simkz.sweep.series import SeriesFile
from simkz.sweep.store import SERIES_FILE, SUMMARY_FILE

__all__ = [
    "MEMORY_BUDGET",
    "FigureBands",
    "TableTask",
    "summary_bands",
    "table_bands",
    "table_tasks",
    "write_set_bands",
    "write_sweep_tables",
]

#: Most bytes of time series held at once while computing bands.
MEMORY_BUDGET = 256 * 1024 * 1024


@dataclass(frozen=True)
class FigureBands:
    """The summary figures of a replication set: ``values[r, k]`` is figure ``names[k]`` of replication ``r``."""

    names: list[str]
    values: NDArray[np.float64]
    mean: NDArray[np.float64]
    quantiles: NDArray[np.float64]  #: one row per quantile

    def only(self, keep: Callable[[str], bool]) -> FigureBands:
        """The figures whose name ``keep`` accepts."""
        ks = [k for k, name in enumerate(self.names) if keep(name)]
        return FigureBands([self.names[k] for k in ks], self.values[:, ks], self.mean[ks], self.quantiles[:, ks])


def _figures(runs: Sequence[Path], quantiles: Sequence[float]) -> FigureBands:
    """Every figure present in each replication's summary, in the first one's order."""
    flat = []
    for run in runs:
        try:
            flat.append(flatten_figures(json.loads((run / SUMMARY_FILE).read_text(encoding="utf-8"))))
        except (OSError, ValueError) as exc:
            raise InputError(run / SUMMARY_FILE, (), f"cannot read the run's summary: {exc}") from None
    names = [k for k in flat[0] if all(k in f for f in flat[1:])]
    values = np.array([[f[k] for k in names] for f in flat], dtype=np.float64).reshape(len(runs), len(names))
    mean, qs = band(np.ascontiguousarray(values.T), quantiles)
    return FigureBands(names, values, mean, qs)


@dataclass(frozen=True)
class TableTask:
    """The bands of one table of one replication set: a task for :func:`~simkz.sweep.executors.execute`."""

    run_id: str  #: names the task in errors: ``national_bands.csv``, ``points/p002/national_bands.csv``
    folder: str
    table: str
    replications: int
    quantiles: tuple[float, ...]


def summary_bands(folder: Path, n: int, quantiles: Sequence[float]) -> FigureBands:
    """Write ``summary_bands.csv`` of the ``n`` replications under ``folder/replications``; return the figures."""
    figures = _figures(_runs(folder, n), quantiles)
    write_csv(
        folder / "summary_bands.csv",
        ["metric", "mean", *quantile_columns(quantiles)],
        ([name, figures.mean[k], *figures.quantiles[:, k]] for k, name in enumerate(figures.names)),
    )
    return figures


def table_tasks(folder: Path, n: int, quantiles: Sequence[float], *, within: Path) -> list[TableTask]:
    """One task per table of the set's runs (those of the first run's series file)."""
    tables = SeriesFile(_runs(folder, n)[0] / SERIES_FILE).tables()
    where = folder.relative_to(within)
    home = str(folder.resolve())  # absolute: a pool worker may have another working folder
    return [TableTask(str(where / f"{t}_bands.csv"), home, t, n, tuple(quantiles)) for t in tables]


def table_bands(task: TableTask) -> str:
    """Write the ``<table>_bands.csv`` of ``task`` (in whatever process runs it); return its id."""
    folder = Path(task.folder)
    series = [SeriesFile(run / SERIES_FILE) for run in _runs(folder, task.replications)]
    _table_bands(folder / f"{task.table}_bands.csv", task.table, series, task.quantiles)
    return task.run_id


def write_set_bands(folder: Path, n: int, quantiles: Sequence[float]) -> FigureBands:
    """Write every band file of the ``n`` replications under ``folder/replications``, in this process; return the
    summary figures."""
    figures = summary_bands(folder, n, quantiles)
    for task in table_tasks(folder, n, quantiles, within=folder):
        table_bands(task)
    return figures


def _runs(folder: Path, n: int) -> list[Path]:
    return [folder / "replications" / replication_id(i, n) for i in range(n)]


def _table_bands(path: Path, table: str, series: Sequence[SeriesFile], quantiles: Sequence[float]) -> None:
    """The bands of one table over the replications, a group of metrics at a time (:data:`MEMORY_BUDGET`)."""
    metrics = series[0].metrics(table)
    keys = series[0].keys(table)
    rows = len(next(iter(keys.values())))
    mean = np.empty((rows, len(metrics)))
    qs = np.empty((len(quantiles), rows, len(metrics)))
    group = max(1, MEMORY_BUDGET // max(1, len(series) * rows * 8))
    for start in range(0, len(metrics), group):
        names = metrics[start : start + group]
        stop = start + len(names)
        stack = np.empty((rows, len(names), len(series)))  # replications last: each series contiguous
        for r, s in enumerate(series):
            values = s.read(table, names)
            if values.shape != (rows, len(names)) or (r and s.metrics(table) != metrics):
                raise InputError(s.path, (table,), "the run's series differ from the first run's in shape or metrics")
            stack[:, :, r] = values
        mean[:, start:stop], qs[:, :, start:stop] = band(stack, quantiles)
    _write_long(path, keys, metrics, mean, qs, quantiles)


def _write_long(
    path: Path,
    keys: dict[str, NDArray[Any]],
    metrics: list[str],
    mean: NDArray[np.float64],
    qs: NDArray[np.float64],
    quantiles: Sequence[float],
) -> None:
    """One row per row of the table and metric: keys, metric, mean, quantiles (numbers as
    :func:`~simkz.results.table.format_number` writes them; built as text directly, the tables are large)."""
    key_text = [[_cell(v if isinstance(v, str) else format_number(v)) for v in a.tolist()] for a in keys.values()]
    prefixes = [",".join(parts) + "," if parts else "" for parts in zip(*key_text, strict=True)] or [""] * len(mean)
    names = [_cell(m) + "," for m in metrics]
    columns = [_texts(mean), *(_texts(q) for q in qs)]
    header = ",".join(_cell(c) for c in [*keys, "metric", "mean", *quantile_columns(quantiles)])
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        for i, prefix in enumerate(prefixes):
            rows = zip(*(c[i] for c in columns), strict=True)
            fh.write("".join(f"{prefix}{name}{','.join(row)}\n" for name, row in zip(names, rows, strict=True)))


def _texts(values: NDArray[np.float64]) -> list[list[str]]:
    """Every number of a (rows, metrics) array as text, 10 significant digits (``-0`` written ``0``)."""
    return [[format(v, ".10g") for v in row] for row in (values + 0.0).tolist()]  # + 0.0 turns -0.0 into 0.0


def _cell(text: str) -> str:
    """A CSV cell as the csv module writes it: quoted only if it holds a comma, a quote or a line break."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_sweep_tables(
    folder: Path,
    axes: Sequence[Axis],
    points: Sequence[Sequence[Override]],
    bands: Sequence[FigureBands],
    n: int,
    quantiles: Sequence[float],
) -> None:
    """``points.csv``, ``sweep.csv`` (every headline figure of every run) and ``sweep_bands.csv`` (their bands)."""
    columns = [axis.text for axis in axes]
    ids = [point_id(p, len(points)) for p in range(len(points))]
    values = [[format_value(v) for _, v in overrides] for overrides in points]
    write_csv(folder / "points.csv", ["point", *columns], ([pid, *vals] for pid, vals in zip(ids, values, strict=True)))

    def runs() -> Any:
        for pid, vals, fb in zip(ids, values, bands, strict=True):
            heads = [k for k, name in enumerate(fb.names) if is_headline(name)]
            for r in range(n):
                rid = replication_id(r, n)
                for k in heads:
                    yield [pid, *vals, rid, fb.names[k], float(fb.values[r, k])]

    write_csv(folder / "sweep.csv", ["point", *columns, "replication", "metric", "value"], runs())

    def summary() -> Any:
        for pid, vals, fb in zip(ids, values, bands, strict=True):
            for k, name in enumerate(fb.names):
                if is_headline(name):
                    yield [pid, *vals, name, float(fb.mean[k]), *(float(q) for q in fb.quantiles[:, k])]

    header = ["point", *columns, "metric", "mean", *quantile_columns(quantiles)]
    write_csv(folder / "sweep_bands.csv", header, summary())

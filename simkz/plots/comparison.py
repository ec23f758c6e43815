"""The comparison figure: two or more runs, or replication bands, on shared axes.

Each folder is a results folder of ``simkz run`` (its national series), a folder of ``simkz run
--replications`` (``national_bands.csv``: the mean as a line, the band between the lowest and highest
quantile shaded), or a folder of ``simkz compare`` (its two sides, ``a/`` and ``b/``, as two banded runs).
Two panels share the time axis and each its y scale for every run: the connectivity index (%), and the
persons affected (solid) and cut off entirely (dashed), in millions.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from simkz.errors import InputError
from simkz.plots.axes import time_axis
from simkz.plots.data import ResultsFolder, load_results
from simkz.plots.style import PALETTE, legend_outside, new_figure, styled
from simkz.results.run import read_json_object

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["BANDS_FILE", "FIGURE_NAME", "Series", "load_series", "plot_comparison"]

FIGURE_NAME = "comparison"
BANDS_FILE = "national_bands.csv"
#: The metrics drawn: column of the national table, panel (0: index, 1: persons), line style, scale.
_METRICS = (
    ("connectivity_index_pct", 0, "-", 1.0),
    ("affected_persons", 1, "-", 1e-6),
    ("cut_off_persons", 1, "--", 1e-6),
)
_INDEX = "connectivity_index_pct"
#: What each metric adds to a run's name in the legend.
_WHAT = {"connectivity_index_pct": "", "affected_persons": ": affected", "cut_off_persons": ": cut off"}


@dataclass(frozen=True)
class Band:
    """A metric over time: the mean (or a single run's value) and, for replications, the lowest and highest
    quantile asked for (None for a single run)."""

    mean: NDArray[np.float64]
    low: NDArray[np.float64] | None = None
    high: NDArray[np.float64] | None = None
    quantiles: tuple[str, str] | None = None  #: the low and high columns, e.g. ("q05", "q95")


@dataclass(frozen=True)
class Series:
    """One run (or set of replications) as the comparison draws it."""

    name: str
    start: datetime
    hours: NDArray[np.float64]
    metrics: dict[str, Band]
    zone: tzinfo
    zone_label: str
    replications: int | None = None

    def label(self) -> str:
        return self.name if self.replications is None else f"{self.name} ({self.replications} replications)"


def load_series(folder: ResultsFolder | Path | str) -> list[Series]:
    """The series a folder holds: one for a run or a set of replications, two for a paired comparison."""
    if isinstance(folder, ResultsFolder):
        return [_run_series(folder)]
    path = Path(folder)
    if not path.is_dir():
        raise InputError(path, (), "results folder not found", allowed="a folder of `simkz run` or `simkz compare`")
    if (path / "national.csv").is_file():
        return [_run_series(load_results(path))]
    if (path / BANDS_FILE).is_file():
        return [_band_series(path)]
    if (path / "a" / BANDS_FILE).is_file() and (path / "b" / BANDS_FILE).is_file():
        return [_band_series(path / "a"), _band_series(path / "b")]
    raise InputError(
        path,
        (),
        "not a results folder: no national.csv or national_bands.csv",
        allowed="a folder of `simkz run` (with or without --replications) or of `simkz compare`",
    )


def _run_series(data: ResultsFolder) -> Series:
    national = data.table("national")
    metrics = {c: Band(np.asarray(national[c], dtype=np.float64)) for c, *_ in _METRICS if c in national.names}
    hours = np.asarray(national["elapsed_h"], dtype=np.float64)
    return Series(data.name, data.start, hours, metrics, data.zone, data.zone_label)


def _band_series(folder: Path) -> Series:
    manifest = read_json_object(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
    path = folder / BANDS_FILE
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, (), f"cannot read the file: {exc}") from None
    columns = list(rows[0]) if rows else []
    qs = [c for c in columns if c.startswith("q")]
    if not rows or not {"time", "elapsed_h", "metric", "mean"} <= set(columns):
        raise InputError(path, ("line 1",), "not a bands table", allowed="time, elapsed_h, metric, mean, q05, ...")
    by_metric: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_metric.setdefault(row["metric"], []).append(row)
    metrics: dict[str, Band] = {}
    hours: NDArray[np.float64] = np.zeros(0)
    try:
        for column, *_ in _METRICS:
            picked = by_metric.get(column)
            if not picked:
                continue
            hours = np.array([float(r["elapsed_h"]) for r in picked])
            mean = np.array([float(r["mean"]) for r in picked])
            if qs:
                low = np.array([float(r[qs[0]]) for r in picked])
                high = np.array([float(r[qs[-1]]) for r in picked])
                metrics[column] = Band(mean, low, high, (qs[0], qs[-1]))
            else:
                metrics[column] = Band(mean)
        start = datetime.fromisoformat(rows[0]["time"])
    except (KeyError, ValueError) as exc:
        raise InputError(path, (), f"malformed bands table: {exc}") from None
    n = manifest.get("replications")
    name = str(manifest.get("scenario") or folder.name)
    zone = start.tzinfo
    assert zone is not None  # fromisoformat keeps the offset the table writes
    return Series(name, start, hours, metrics, zone, _zone_label(start), replications=int(n) if n else None)


def _zone_label(start: datetime) -> str:
    offset = start.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


@styled
def plot_comparison(folders: Sequence[ResultsFolder | Path | str], *, title: str | None = None) -> Figure:
    """Runs (or replication bands) on shared axes: connectivity index (%) on top, persons affected and cut off
    (million persons) below, every run on the same y scales. Runs that start at the same instant share a time
    axis; otherwise the x axis is hours since each run's start."""
    runs = [s for f in folders for s in load_series(f)]
    if not runs:
        raise InputError(None, ("folders",), "nothing to compare", allowed="one or more results folders")
    same_start = len({s.start for s in runs}) == 1
    fig = new_figure(16, 9)
    names = " vs ".join(dict.fromkeys(s.name for s in runs))
    fig.suptitle(title or f"{names}: compared on the same scales")
    ax_index, ax_persons = fig.subplots(2, 1, sharex=True)
    for i, run in enumerate(runs):
        x = run.start.timestamp() / 86400.0 + run.hours / 24.0 if same_start else run.hours
        _draw_run((ax_index, ax_persons), run, x, i)
    ax_index.set_ylim(0, 105)
    ax_index.set_ylabel("connectivity index, %")
    ax_index.set_title("connectivity (% of ordinary level)", loc="left")
    persons = [b.high if b.high is not None else b.mean for s in runs for c, b in s.metrics.items() if c != _INDEX]
    top = max((float(np.max(v)) for v in persons if len(v)), default=0.0)
    ax_persons.set_ylim(0, max(top * 1.05e-6, 0.1))
    ax_persons.set_ylabel("million persons")
    ax_persons.set_title("people affected (solid) and cut off entirely (dashed)", loc="left")
    for ax in (ax_index, ax_persons):
        legend_outside(ax)
    _x_axis(ax_persons, runs, same_start)
    return fig


def _draw_run(axes: tuple[Axes, Axes], run: Series, x: NDArray[np.float64], i: int) -> None:
    """The ``i``-th run's lines (and bands) on the index and persons panels."""
    colour = PALETTE[i % len(PALETTE)]
    for column, panel, style, scale in _METRICS:
        band = run.metrics.get(column)
        if band is None:
            continue
        ax = axes[panel]
        what = _WHAT[column]
        ax.step(
            x, band.mean * scale, where="post", color=colour, ls=style, lw=3.0 - 0.6 * (i % 3), label=run.label() + what
        )
        if band.low is not None and band.high is not None:
            low, high = band.quantiles or ("", "")
            label = f"{run.name}{what}: {low}-{high} band"
            ax.fill_between(
                x, band.low * scale, band.high * scale, step="post", color=colour, alpha=0.2, lw=0, label=label
            )


def _x_axis(ax: Axes, runs: Sequence[Series], same_start: bool) -> None:
    longest = max(float(s.hours[-1]) if len(s.hours) else 0.0 for s in runs)
    if same_start:
        start = runs[0].start
        ax.set_xlim(start.timestamp() / 86400.0, start.timestamp() / 86400.0 + longest / 24.0)
        time_axis(ax, runs[0].zone, runs[0].zone_label, longest)
    else:
        from matplotlib.ticker import MultipleLocator

        ax.set_xlim(0, longest)
        ax.xaxis.set_major_locator(MultipleLocator(24 if longest > 48 else 6))
        ax.set_xlabel("hours since each run's start")

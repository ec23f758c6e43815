"""Parts several figures share: the time axis with its zone, phases shaded behind the data, step lines."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from simkz.plots.data import ResultsFolder
from simkz.plots.style import ACTION_COLOURS, GREY
from simkz.results.network import Phase

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

__all__ = ["millions", "regimes", "separate", "series", "shade_phases", "time_axis", "time_label"]


def time_label(zone_label: str) -> str:
    """The x-axis label of a time axis: ``time (Asia/Almaty, UTC+06:00)``."""
    return f"time ({zone_label})"


#: Spacings of time ticks tried, hours: the first that gives at most the ticks asked for is taken.
_TICK_HOURS = (1, 2, 3, 6, 12, 24, 48, 72, 168, 336)


def time_axis(
    ax: Axes, zone: tzinfo, zone_label: str, span_h: float, *, label: bool = True, maxticks: int = 10
) -> None:
    """Ticks on whole hours or days of ``zone`` for a run of ``span_h`` hours (at most ``maxticks``), labelled
    concisely (the day at midnight, else the hour) and, if ``label``, the axis label with the zone."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import Locator

    step = next((h for h in _TICK_HOURS if span_h / h <= maxticks), None)
    locator: Locator
    if step is None:
        locator = mdates.AutoDateLocator(tz=zone, minticks=2, maxticks=maxticks)  # type: ignore[no-untyped-call]
    elif step < 24:
        locator = mdates.HourLocator(byhour=range(0, 24, step), tz=zone)  # type: ignore[no-untyped-call]
    else:
        locator = mdates.DayLocator(interval=step // 24, tz=zone)  # type: ignore[no-untyped-call]
    formatter = mdates.ConciseDateFormatter(locator, tz=zone, show_offset=False)  # type: ignore[no-untyped-call]
    formatter.formats = ["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"]
    formatter.zero_formats = ["", "%Y", "%d %b", "%d %b", "%H:%M", "%H:%M"]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.tick_params(axis="x", pad=8)  # clear of the lowest y tick label at the corner
    if label:
        ax.set_xlabel(time_label(zone_label))


def regimes(phases: Sequence[Phase]) -> list[tuple[float, float, Phase]]:
    """Time cut at every phase's start and end, each piece with the phase in force that started last (ties: the
    later action): ``(start_h, end_h, phase)``, pieces without a phase left out. The latest action is the one
    that sets what happens, so the pieces read as the run's regimes, one colour at a time."""
    cuts = sorted({h for p in phases for h in (p.start_elapsed_h, p.end_elapsed_h)})
    out: list[tuple[float, float, Phase]] = []
    for a, b in itertools.pairwise(cuts):
        live = [p for p in phases if p.start_elapsed_h <= a < p.end_elapsed_h]
        if live:
            top = max(live, key=lambda p: (p.start_elapsed_h, p.action))
            if out and out[-1][2] == top and out[-1][1] == a:
                out[-1] = (out[-1][0], b, top)
            else:
                out.append((a, b, top))
    return out


def shade_phases(ax: Axes, folder: ResultsFolder, alpha: float = 0.13) -> None:
    """The run's regimes (:func:`regimes`) as bands of their kind's colour behind the data, one at a time."""
    for a, b, phase in regimes(folder.phases):
        x0, x1 = folder.date_numbers([a, b])
        ax.axvspan(x0, x1, color=ACTION_COLOURS.get(phase.kind, GREY), alpha=alpha, lw=0, zorder=0)


def series(folder: ResultsFolder, table: str, column: str, **where: str) -> tuple[NDArray[np.float64], NDArray[Any]]:
    """``(x, y)`` of one column of a table (rows where each ``where`` column equals its value): x as date numbers."""
    t = folder.table(table)
    for key, value in where.items():
        t = t.where(key, value)
    return folder.date_numbers(np.asarray(t["elapsed_h"], dtype=np.float64)), np.asarray(t[column], dtype=np.float64)


def millions(values: NDArray[Any]) -> NDArray[np.float64]:
    """Persons as millions of persons."""
    return np.asarray(values, dtype=np.float64) / 1e6


def separate(fig: Figure, ax: Axes, texts: Sequence[Text], rounds: int = 200) -> None:
    """Move labels (in data coordinates of ``ax``) down until no two overlap, the lower of an overlapping pair at a
    time, by the overlap and a pixel; the figure is laid out first, as it will be saved."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
    fig.draw_without_rendering()
    for _ in range(rounds):
        boxes = [t.get_window_extent(renderer) for t in texts]
        pair = next(
            ((i, j) for i, j in itertools.combinations(range(len(texts)), 2) if boxes[i].overlaps(boxes[j])), None
        )
        if pair is None:
            return
        upper, lower = sorted(pair, key=lambda k: (-boxes[k].y0, k))
        shift = boxes[lower].y1 - boxes[upper].y0 + 1.0
        x, y = ax.transData.transform(texts[lower].get_position())
        texts[lower].set_position(tuple(ax.transData.inverted().transform((x, y - shift))))

"""The overview figure: what was done (the phases), what monitors would see, and who was affected.

Three panels on one time axis: the actions in force, one lane per label of ``phases.csv`` with its label
written in the lane; the connectivity index with the probing and BGP signals (and observations, when
given) over the phases shaded by kind; the persons affected and cut off, in millions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simkz.analysis.observations import Observations
from simkz.plots.axes import millions, series, shade_phases, time_axis
from simkz.plots.data import ResultsFolder, load_results
from simkz.plots.style import (
    ACTION_COLOURS,
    BLACK,
    BLUE,
    GREEN,
    GREY,
    INK,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    legend_outside,
    new_figure,
    styled,
)
from simkz.results.network import Phase

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["FIGURE_NAME", "PERSONS", "SIGNALS", "lanes", "persons_ylim", "plot_overview"]

FIGURE_NAME = "overview"
#: The signals of the index panel: column, label, colour, line style, width (wider first: none hides another).
SIGNALS = (
    ("connectivity_index_pct", "traffic (Cloudflare/NetBlocks-like)", BLUE, "-", 3.2),
    ("probing_responsive_pct", "active probing (IODA-like)", GREEN, "--", 2.2),
    ("bgp_visible_pct", "BGP visibility", PURPLE, ":", 2.2),
)
#: The persons panel: column, label, colour, line style, width.
PERSONS = (
    ("affected_persons", "affected (lose any traffic)", VERMILLION, "-", 5.2),
    ("user_equivalents_lost_persons", "user equivalents of the traffic lost", ORANGE, "-.", 2.6),
    ("cut_off_abroad_persons", "cut off from abroad", SKY, "-", 3.0),
    ("cut_off_persons", "cut off entirely", BLACK, "--", 1.4),
)
#: Observed series drawn over the index panel: signal -> (marker, colour).
_OBSERVED = {"traffic": ("o", BLUE), "probing": ("s", GREEN), "bgp": ("^", PURPLE)}
#: Height of one lane of the phases panel, inches.
_LANE_IN = 0.27


def lanes(phases: Sequence[Phase]) -> list[tuple[str, str, list[Phase]]]:
    """The phases by label, in order of first start: ``(label, kind, windows)``."""
    out: dict[str, tuple[str, str, list[Phase]]] = {}
    for p in phases:
        out.setdefault(p.label, (p.label, p.kind, []))[2].append(p)
    return list(out.values())


def persons_ylim(folders: Sequence[ResultsFolder]) -> float:
    """A common top of the persons panel (millions) for ``folders``: the largest value any of them draws, plus 5%."""
    top = 0.0
    for f in folders:
        national = f.table("national")
        for column, *_ in PERSONS:
            if column in national.names and len(national):
                top = max(top, float(np.max(national[column])) / 1e6)
    return top * 1.05 if top > 0 else 1.0


@styled
def plot_overview(
    folder: ResultsFolder | Path | str,
    *,
    observed: Observations | None = None,
    shared_ylim: float | None = None,
) -> Figure:
    """The overview of a run: phases (labelled lanes), connectivity index (%) with probing, BGP and observations,
    persons affected and cut off (millions of persons; ``shared_ylim`` fixes the top, e.g. from
    :func:`persons_ylim` of runs to compare)."""
    data = folder if isinstance(folder, ResultsFolder) else load_results(folder)
    national = data.table("national")
    rows = lanes(data.phases)
    lane_h = _LANE_IN * len(rows) + 0.7 if rows else 0.0
    fig = new_figure(16, lane_h + 7.4)
    fig.suptitle(f"{data.name}: what was done, what monitors would see, who was affected")
    heights = [lane_h, 3.9, 3.1] if rows else [3.9, 3.1]
    axes = fig.subplots(len(heights), 1, sharex=True, height_ratios=heights)
    ax_lanes, ax_index, ax_persons = axes if rows else (None, *axes)
    x0, x1 = data.date_numbers([0.0, data.duration_h])

    shade_phases(ax_index, data)
    for column, label, colour, style, width in SIGNALS:
        if column in national.names:
            x, y = series(data, "national", column)
            ax_index.step(x, y, where="post", color=colour, ls=style, lw=width, label=label)
    if observed is not None:
        _observations(ax_index, observed)
    ax_index.axhline(100, color=GREY, lw=0.8, ls="--", zorder=1)
    ax_index.set_ylim(0, 105)
    ax_index.set_ylabel("% of ordinary level")
    ax_index.set_title("connectivity: what monitors would see", loc="left")
    legend_outside(ax_index)

    shade_phases(ax_persons, data)
    for column, label, colour, style, width in PERSONS:
        if column in national.names:
            x, y = series(data, "national", column)
            ax_persons.step(x, millions(y), where="post", color=colour, ls=style, lw=width, label=label)
    top = shared_ylim if shared_ylim is not None else persons_ylim([data])
    ax_persons.set_ylim(0, top)
    ax_persons.set_ylabel("million persons")
    ax_persons.set_title("people affected and cut off", loc="left")
    legend_outside(ax_persons)

    for ax in (ax_index, ax_persons):
        ax.set_xlim(x0, x1)
    time_axis(ax_persons, data.zone, data.zone_label, data.duration_h)
    if ax_lanes is not None:
        _draw_lanes(fig, ax_lanes, data, rows)
    return fig


def _observations(ax: Axes, observed: Observations) -> None:
    """The national observed series as points (series of a region, technology or operator are not national)."""
    for s in observed.series:
        if s.group.keys:
            continue
        marker, colour = _OBSERVED.get(s.signal, ("D", INK))
        xs = np.array([p.at.timestamp() / 86400.0 for p in s.points])
        ys = np.array([p.value for p in s.points])
        label = f"observed {s.signal} ({observed.name})"
        ax.scatter(xs, ys, marker=marker, s=70, facecolor=colour, edgecolor=BLACK, lw=1.2, zorder=5, label=label)


def _draw_lanes(fig: Figure, ax: Axes, data: ResultsFolder, rows: list[tuple[str, str, list[Phase]]]) -> None:
    """One lane per label, its windows as bars of its kind's colour and its label written in the lane, where
    it fits: from the first window's start, or ending at the right edge."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.patches import Patch
    from matplotlib.transforms import blended_transform_factory

    for i, (_, kind, windows) in enumerate(rows):
        ends = [data.date_numbers([p.start_elapsed_h, p.end_elapsed_h]) for p in windows]
        spans = [(float(a), float(b - a)) for a, b in ends]
        ax.broken_barh(spans, (i - 0.42, 0.84), facecolor=ACTION_COLOURS.get(kind, GREY), alpha=0.35, lw=0)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_yticks([])
    ax.grid(False, axis="y")
    ax.tick_params(labelbottom=False)
    ax.set_title("actions in force (the scenario's labels), coloured by kind", loc="left")
    kinds = list(dict.fromkeys(kind for _, kind, _ in rows))
    ax.legend(
        [Patch(facecolor=ACTION_COLOURS.get(k, GREY), alpha=0.5) for k in kinds],
        kinds,
        title="kind of action",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
    )
    # place the labels once the layout is known: measure each against the lane's free width
    canvas = FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    box = ax.get_window_extent(renderer)
    pad = 6.0  # pixels
    edge = blended_transform_factory(ax.transAxes, ax.transData)
    for i, (label, _, windows) in enumerate(rows):
        start = data.date_numbers([windows[0].start_elapsed_h])[0]
        text = ax.text(start, i, label, va="center", ha="left", fontsize=12, color=INK, clip_on=False)
        text.set_in_layout(False)
        width = text.get_window_extent(renderer).width
        left = max(ax.transData.transform((start, i))[0], box.x0) + pad
        if left + width > box.x1 - pad:
            text.set_transform(edge)
            text.set_position((1.0 - pad / box.width, i))
            text.set_horizontalalignment("right")
        else:
            text.set_x(ax.transData.inverted().transform((left, 0))[0])

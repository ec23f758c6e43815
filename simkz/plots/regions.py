"""The regions figure: small multiples of the connectivity index, one panel per region, a line per technology.

Drawn from ``by_region_technology.csv`` (or ``by_region.csv``, one line, when a run kept only that); the
country's index is the thin grey line of every panel. Every panel has the same axes: 0-100 % and the run.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from simkz.plots.axes import series, time_axis, time_label
from simkz.plots.data import ResultsFolder, load_results
from simkz.plots.style import BLUE, GREEN, GREY, ORANGE, PURPLE, VERMILLION, new_figure, styled

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["FIGURE_NAME", "plot_regions", "region_names"]

FIGURE_NAME = "regions"
#: Line of each technology: colour, style, width.
_TECH = {"fixed": (BLUE, "-", 2.8), "mobile": (VERMILLION, "--", 2.2)}
_MORE = ((GREEN, "-.", 2.0), (ORANGE, ":", 2.0), (PURPLE, "-", 1.6))


def region_names(data: ResultsFolder) -> dict[str, str]:
    """Region key -> display name (``network.json``'s name, else the key), ordered by name."""
    table = data.table("by_region_technology") if data.has("by_region_technology") else data.table("by_region")
    keys = dict.fromkeys(str(r) for r in table["region"])
    network = data.network
    names = {k: (network.regions[k].name if network is not None and k in network.regions else k) for k in keys}
    return dict(sorted(names.items(), key=lambda kv: (kv[1].lower(), kv[0])))


@styled
def plot_regions(folder: ResultsFolder | Path | str) -> Figure:
    """One panel per region (titled with its name): the connectivity index (%) of each access technology."""
    data = folder if isinstance(folder, ResultsFolder) else load_results(folder)
    names = region_names(data)
    by_tech = data.has("by_region_technology")
    table = data.table("by_region_technology" if by_tech else "by_region")
    techs = list(dict.fromkeys(str(t) for t in table["technology"])) if by_tech else []
    n = max(len(names), 1)
    cols = min(n, max(1, math.ceil(math.sqrt(n * 4 / 3))))
    rows = math.ceil(n / cols)
    fig = new_figure(16, 1.6 + 2.5 * rows)
    fig.suptitle(f"{data.name}: connectivity index by region and technology")
    grid = fig.add_gridspec(rows, cols)
    first: Axes | None = None
    styles = dict(_TECH)
    for i, t in enumerate(k for k in techs if k not in styles):
        styles[t] = _MORE[i % len(_MORE)]
    national = data.has("national")
    for i, (key, name) in enumerate(names.items()):
        r, c = divmod(i, cols)
        ax = fig.add_subplot(grid[r, c], sharex=first, sharey=first)
        first = first or ax
        if national:
            x, y = series(data, "national", "connectivity_index_pct")
            ax.step(x, y, where="post", color=GREY, lw=1.2, label="country")
        if by_tech:
            for tech in techs:
                colour, style, width = styles[tech]
                x, y = series(data, "by_region_technology", "connectivity_index_pct", region=key, technology=tech)
                if len(x):
                    ax.step(x, y, where="post", color=colour, ls=style, lw=width, label=tech)
        else:
            x, y = series(data, "by_region", "connectivity_index_pct", region=key)
            ax.step(x, y, where="post", color=BLUE, lw=2.6, label="all users")
        ax.set_title(name.removesuffix(" Region"), loc="left", fontsize=14)
        time_axis(ax, data.zone, data.zone_label, data.duration_h, label=False, maxticks=3)
        last_row = i + cols >= n
        ax.tick_params(labelbottom=last_row, labelleft=c == 0)
        if c == 0:
            ax.set_ylabel("index, %")
    if first is not None:
        first.set_ylim(0, 105)
        first.set_yticks([0, 50, 100])
        first.set_xlim(*data.date_numbers([0.0, data.duration_h]))
        handles, labels = first.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside right upper")
    fig.supxlabel(time_label(data.zone_label), fontsize=13)
    return fig

"""Figures drawn from results folders: each a function of a folder that returns a matplotlib Figure.

``plot_overview`` (phases, connectivity, people affected), ``plot_services`` (users who lose each service),
``plot_disruptions`` (Gantt chart of service disruptions and their recovery tails), ``plot_regions``
(the index by region and technology), ``plot_network`` (the topology coloured by state at a time, with
:data:`STATE_COLOURS`) and ``plot_comparison`` (runs, or replication bands, on shared axes). Figures are
drawn with the object API (never pyplot) and never shown; :func:`write_figure` writes them.

Names are imported on first use: importing this package does not import matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simkz.plots.animate import write_animation
    from simkz.plots.comparison import plot_comparison
    from simkz.plots.data import ResultsFolder, load_results
    from simkz.plots.disruptions import plot_disruptions
    from simkz.plots.files import figure_writer, write_figure
    from simkz.plots.network import plot_network
    from simkz.plots.overview import FIGURE_NAME, persons_ylim, plot_overview
    from simkz.plots.regions import plot_regions
    from simkz.plots.services import plot_services
    from simkz.plots.style import STATE_COLOURS

__all__ = [
    "FIGURE_NAME",
    "STATE_COLOURS",
    "ResultsFolder",
    "figure_writer",
    "load_results",
    "persons_ylim",
    "plot_comparison",
    "plot_disruptions",
    "plot_network",
    "plot_overview",
    "plot_regions",
    "plot_services",
    "write_animation",
    "write_figure",
]

#: Where each name lives.
_HOMES = {
    "FIGURE_NAME": "overview",
    "STATE_COLOURS": "style",
    "ResultsFolder": "data",
    "figure_writer": "files",
    "load_results": "data",
    "persons_ylim": "overview",
    "plot_comparison": "comparison",
    "plot_disruptions": "disruptions",
    "plot_network": "network",
    "plot_overview": "overview",
    "plot_regions": "regions",
    "plot_services": "services",
    "write_animation": "animate",
    "write_figure": "files",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)

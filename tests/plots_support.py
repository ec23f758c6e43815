"""Results folders for the figure tests: real runs in process, saved as `simkz run` saves them."""

from __future__ import annotations

from pathlib import Path

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text

from simkz import Simulation, load_scenario
from tests.conftest import SCENARIOS


def run_folder(scenario: str, folder: Path) -> Path:
    """Run the shipped ``scenario`` in process and save its results folder (no figures) at ``folder``."""
    Simulation(load_scenario(SCENARIOS / f"{scenario}.yaml")).run().result.save(folder)
    return folder


def texts(fig: Figure) -> list[str]:
    """Every piece of text the figure shows (titles, labels, ticks, legends, annotations)."""
    fig.draw_without_rendering()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def by_gid(fig: Figure, prefix: str) -> dict[str, Artist]:
    """The figure's artists whose gid starts with ``prefix``, by the rest of the gid."""
    out = {}
    for artist in fig.findobj(lambda a: (a.get_gid() or "").startswith(prefix)):
        out[str(artist.get_gid())[len(prefix) :]] = artist
    return out


def drawn_texts(fig: Figure) -> list[Text]:
    """The texts a saved figure shows: laid out as saved, tick labels outside the view left out."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    hidden |= {id(tick.label1), id(tick.label2)}
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]

"""The look every figure shares: sizes for a projector, a colour-blind-safe palette, the colour of each state.

Colours are the Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008,
https://jfly.uni-koeln.de/color/), told apart by people with any common colour-vision deficiency;
lines that can coincide also differ in style and width, so none hides another. Fonts are at least
12 pt at the size figures are saved (they are saved at :data:`DPI`).

matplotlib is imported when a figure is drawn, not with this module.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "ACTION_COLOURS",
    "DPI",
    "INK",
    "PALETTE",
    "STATE_COLOURS",
    "STATE_LABELS",
    "STYLE",
    "legend_outside",
    "new_figure",
    "styled",
]

#: Okabe-Ito: black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = (
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
)
#: The order lines take their colours in (black last: it is the colour of text and observations).
PALETTE = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, YELLOW, BLACK)
#: Text and neutral lines.
INK = "#222222"
GREY = "#8C8C8C"

#: The colour of every state an element of ``network_states.csv`` can be in (nodes: up, down, partial,
#: filtered, withdrawn; links: up, down, throttled). The network figure, its animation and the HTML report's
#: time slider all colour by this one mapping. The ordinary state is grey, so that colour marks what happened.
STATE_COLOURS: Mapping[str, str] = {
    "up": "#A6A6A6",
    "down": VERMILLION,
    "partial": ORANGE,
    "filtered": PURPLE,
    "throttled": SKY,
    "withdrawn": BLACK,
}
#: What each state means, for legends.
STATE_LABELS: Mapping[str, str] = {
    "up": "up (ordinary)",
    "down": "down (shut or failed)",
    "partial": "partly shut (some users cut)",
    "filtered": "filtering (block, whitelist, degrade)",
    "throttled": "throttled (capacity cut)",
    "withdrawn": "routes withdrawn",
}
#: The colour of each kind of action (phases), the same hue as the state it puts elements in.
ACTION_COLOURS: Mapping[str, str] = {
    "shutdown": VERMILLION,
    "block": PURPLE,
    "whitelist": BLUE,
    "degrade": ORANGE,
    "throttle": SKY,
    "withdraw": BLACK,
    "restore": GREEN,
}

#: Saved resolution, dots per inch: a 16-inch figure is 1600 pixels wide.
DPI = 100
#: rcParams of every figure: 12 pt and more at the saved size; SVG text kept as text, fixed SVG ids.
STYLE: dict[Any, Any] = {
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.title_fontsize": 12,
    "figure.titlesize": 16,
    "figure.titleweight": "bold",
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "svg.hashsalt": "simkz",
    "svg.fonttype": "none",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
}

P = ParamSpec("P")
R = TypeVar("R")


def styled(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` (which draws a figure) under :data:`STYLE`."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        import matplotlib

        with matplotlib.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` x ``height`` inches, laid out by constrained layout (object API, no pyplot)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def legend_outside(ax: Axes, **kwargs: Any) -> Any:
    """A legend to the right of ``ax``, outside the data (None if ``ax`` has nothing labelled)."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    return ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)

"""The report's figures, drawn by :mod:`simkz.plots` from the results folders and put in the page as inline SVG."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simkz.plots.data import ResultsFolder
from simkz.report.formats import esc
from simkz.report.svg import svg_markup

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "COMPARISON_CAPTION",
    "FIGURES",
    "NETWORK_CAPTION",
    "FigureSpec",
    "comparison_figure",
    "figure_block",
    "network_figure",
    "run_figures",
    "state_colours",
    "state_labels",
]


@dataclass(frozen=True)
class FigureSpec:
    """A figure of one run: its name (the :mod:`simkz.plots` function is ``plot_<name>``), its caption, and
    whether it shows only disrupted services (then a run without any gets a sentence in its place)."""

    name: str
    caption: str
    disruptions_only: bool = False


#: The figures of each run, in the page's order.
FIGURES = (
    FigureSpec(
        "overview",
        "The connectivity index (traffic as a percentage of an ordinary day at the same hour: what monitors such as "
        "NetBlocks, IODA or Cloudflare Radar see), with the phases of the scenario shaded and labelled; below, "
        "the people affected and cut off.",
    ),
    FigureSpec(
        "services",
        "Users who lose each service over time, in millions, by kind of service (messengers, government, "
        "payments and banking, news, other).",
    ),
    FigureSpec(
        "disruptions",
        "When each service was disrupted (dark bars) and how long its backlog of failed requests took to drain "
        "once the network returned (light bars).",
        disruptions_only=True,
    ),
    FigureSpec("regions", "The connectivity index in each region, one line per access technology (fixed, mobile)."),
)

NETWORK_CAPTION = (
    "The network: regions, operators and the international gateways with who controls them, each node and link "
    "coloured by its state at the time chosen with the slider."
)
COMPARISON_CAPTION = "The runs on shared axes: connectivity index, and people affected, on the same scales."


def _plot(name: str) -> Callable[..., Figure]:
    """The figure function ``name`` of :mod:`simkz.plots` (which imports its figures on first use)."""
    import simkz.plots

    return getattr(simkz.plots, name)  # type: ignore[no-any-return]


def _style() -> Any:
    """The figures' rcParams (:data:`simkz.plots.style.STYLE`; ``Any``: matplotlib types their keys as literals)."""
    from simkz.plots.style import STYLE

    return dict(STYLE)


def figure_block(fig: Figure, prefix: str, caption: str) -> str:
    """A ``<figure>`` holding ``fig`` as inline SVG (ids prefixed with ``prefix``) and its caption."""
    return f"<figure>{svg_markup(fig, prefix, caption, _style())}<figcaption>{esc(caption)}</figcaption></figure>"


def run_figures(data: ResultsFolder, prefix: str) -> list[str]:
    """The figures of one run, :data:`FIGURES` in order, each a ``<figure>``; the
    disruption chart of a run in which no service was disrupted is a sentence saying so."""
    out = []
    for spec in FIGURES:
        if spec.disruptions_only and not data.summary.get("services_disrupted"):
            threshold = data.summary.get("scenario", {}).get("parameters", {}).get("disruption_threshold")
            level = f"{threshold:.0%} of" if isinstance(threshold, int | float) else "enough of"
            out.append(
                f'<p class="note">No service was disrupted: throughout the run, at least {esc(level)} the requests '
                "to every service kept working (the run&rsquo;s disruption threshold), so there is no disruption "
                "chart.</p>"
            )
            continue
        out.append(figure_block(_plot(f"plot_{spec.name}")(data), f"{prefix}{spec.name}-", spec.caption))
    return out


def network_figure(data: ResultsFolder, at_hours: float, prefix: str) -> str:
    """The network drawing of one run at ``at_hours`` after its start. The page's slider recolours it and shows
    the time and phases beside it, so the drawing's own title and caption, which name one time, are replaced by
    a title without one."""
    import matplotlib

    fig = _plot("plot_network")(data, at=at_hours)
    for text in fig.texts:  # the caption naming the phases of one time (and the title naming it)
        text.set_text("")
    with matplotlib.rc_context(_style()):  # the figures' title size and weight
        fig.suptitle(f"{data.name}: the network, coloured by the state at the time shown above")
    return figure_block(fig, prefix, NETWORK_CAPTION)


def comparison_figure(data: Sequence[ResultsFolder], prefix: str) -> str:
    """The runs on shared axes."""
    return figure_block(_plot("plot_comparison")(list(data)), prefix, COMPARISON_CAPTION)


def state_labels() -> dict[str, str]:
    """What each element state means, as the network drawing's legend says it."""
    from simkz.plots.style import STATE_LABELS

    return dict(STATE_LABELS)


def state_colours() -> dict[str, str]:
    """The colour of each element state, as the network drawing uses them (:data:`simkz.plots.STATE_COLOURS`)."""
    from simkz.plots.style import STATE_COLOURS

    return dict(STATE_COLOURS)

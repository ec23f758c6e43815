"""The services figure: how many users lose each service over time, one panel per group of services.

A service's line is its ``affected_persons`` in ``by_service.csv`` (users times the share of their demand
for it not served), in millions of persons: a messenger block shows the WhatsApp users who lose WhatsApp,
not the traffic it carried. Panels share both axes, so services compare across panels.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simkz.plots.axes import millions, series, shade_phases, time_axis
from simkz.plots.data import ResultsFolder, load_results
from simkz.plots.style import PALETTE, legend_outside, new_figure, styled

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURE_NAME", "GROUPS", "group_of", "plot_services", "service_groups"]

FIGURE_NAME = "services"
#: The panels, in order: title and the service kinds (``services.<key>.kind`` of summary.json) they hold;
#: every other kind goes to "other services".
GROUPS = (
    ("messengers", ("messenger",)),
    ("government services", ("government", "identity")),
    ("payments and banking", ("payments", "banking")),
    ("news", ("news",)),
)
OTHER = "other services"
#: Line styles and widths taken in turn within a panel: lines that coincide still show (wide under narrow).
#: A group of services is drawn when one of them reaches this share of the largest peak.
_SMALL = 0.01
_STYLES = (("-", 4.0), ("--", 3.0), ("-.", 2.4), (":", 2.4), ("-", 1.6), ("--", 1.4))


def group_of(kind: str) -> str:
    """The panel of a service of ``kind``."""
    for title, kinds in GROUPS:
        if kind in kinds:
            return title
    return OTHER


def service_groups(data: ResultsFolder) -> dict[str, list[str]]:
    """The services of the run by panel, each panel's services by peak affected (largest first)."""
    services = data.summary.get("services", {})
    table = data.table("by_service")
    keys = list(dict.fromkeys(str(s) for s in table["service"]))
    peaks = {k: float(np.max(table.where("service", k)["affected_persons"], initial=0.0)) for k in keys}
    order = [title for title, _ in GROUPS] + [OTHER]
    groups: dict[str, list[str]] = {title: [] for title in order}
    for key in sorted(keys, key=lambda k: (-peaks[k], k)):
        groups[group_of(str(services.get(key, {}).get("kind", "")))].append(key)
    return {title: members for title, members in groups.items() if members}


@styled
def plot_services(folder: ResultsFolder | Path | str) -> Figure:
    """Users who lose each service (million persons) over time, one panel per group of services; a group whose
    services all stay below 1% of the largest peak is named in a note instead of drawn."""
    import textwrap

    data = folder if isinstance(folder, ResultsFolder) else load_results(folder)
    lines = {key: series(data, "by_service", "affected_persons", service=key) for key in _keys(data)}
    peaks = {key: float(np.max(y, initial=0.0)) for key, (_, y) in lines.items()}
    top = max(peaks.values(), default=0.0)
    groups = service_groups(data)
    drawn = {t: m for t, m in groups.items() if max(peaks[k] for k in m) >= _SMALL * top} or groups
    quiet = [k for t, m in groups.items() if t not in drawn for k in m]
    heights = [max(2.6, 0.3 * len(members) + 0.6) for members in drawn.values()]
    fig = new_figure(16, 1.4 + sum(heights) + (0.5 if quiet else 0.0))
    fig.suptitle(f"{data.name}: users who lose each service")
    axes = fig.subplots(len(heights), 1, sharex=True, sharey=True, squeeze=False, height_ratios=heights)[:, 0]
    for ax, (title, members) in zip(axes, drawn.items(), strict=True):
        shade_phases(ax, data)
        for i, key in enumerate(members):
            x, y = lines[key]
            style, width = _STYLES[i % len(_STYLES)]
            label = f"{key} (peak {peaks[key] / 1e6:.1f} M)"
            ax.step(x, millions(y), where="post", color=PALETTE[i % len(PALETTE)], ls=style, lw=width, label=label)
        ax.set_title(title, loc="left")
        ax.set_ylabel("million persons")
        legend_outside(ax)
    axes[0].set_ylim(0, max(top / 1e6 * 1.08, 0.1))
    axes[0].set_xlim(*data.date_numbers([0.0, data.duration_h]))
    time_axis(axes[-1], data.zone, data.zone_label, data.duration_h)
    if quiet:
        note = f"not drawn, below 1% of the largest peak ({top * _SMALL / 1e6:.2f} M) all along: " + ", ".join(quiet)
        fig.supxlabel(textwrap.fill(note, 170), x=0.01, ha="left", fontsize=12)
    return fig


def _keys(data: ResultsFolder) -> list[str]:
    return list(dict.fromkeys(str(s) for s in data.table("by_service")["service"]))

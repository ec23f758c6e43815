"""Figures from results. Plots take a :class:`RunResult` and return a Figure; they never show it.

matplotlib is imported when the first figure is drawn, not with this module: a command that draws
none (``--figures none``) does not pay for it (about 0.3 s).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from simkz.results.run import RunResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURE_NAME", "figure_writer", "plot_overview"]

FIGURE_NAME = "overview"
# Stable output: no creation date in the files, fixed ids in SVG.
_METADATA_PNG = {"Software": None}
_METADATA_SVG = {"Date": None, "Creator": None}
#: The observatory signals of the top panel: column, label, colour, line style.
_SIGNALS = (
    ("connectivity_index_pct", "traffic (Cloudflare/NetBlocks-like)", "#1f77b4", "-"),
    ("probing_responsive_pct", "active probing (IODA-like)", "#2ca02c", "--"),
    ("bgp_visible_pct", "BGP visibility", "#9467bd", ":"),
)


def plot_overview(result: RunResult) -> Figure:
    """The observatory signals (top: traffic, probing, BGP, % of ordinary levels) and the people affected,
    losing traffic and cut off (bottom, million persons) over time."""
    import matplotlib.dates as mdates

    plt = _pyplot()
    national = result.tables["national"]

    def millions(column: str) -> NDArray[np.float64]:
        return np.asarray(national[column], dtype=np.float64) / 1e6

    times = [datetime.fromisoformat(str(t)) for t in national["time"]]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6), sharex=True, constrained_layout=True)
    for column, label, color, style in _SIGNALS:
        if column in national.names:
            ax1.step(times, national[column], where="post", color=color, ls=style, label=label)
    ax1.set_ylabel("% of ordinary levels")
    ax1.set_ylim(0, 105)
    ax1.axhline(100, color="0.7", lw=0.8, ls="--")
    ax1.legend(loc="lower left", fontsize="small")
    ax1.set_title(f"{result.name}: what monitors would see, and people affected")
    ax2.step(times, millions("affected_persons"), where="post", label="affected (lose any traffic)", color="#d62728")
    if "user_equivalents_lost_persons" in national.names:
        ax2.step(
            times,
            millions("user_equivalents_lost_persons"),
            where="post",
            label="user equivalents of the traffic lost",
            color="#e377c2",
            ls="-.",
        )
    ax2.step(
        times,
        millions("cut_off_abroad_persons"),
        where="post",
        label="cut off from abroad",
        color="#ff7f0e",
        ls="--",
    )
    ax2.step(times, millions("cut_off_persons"), where="post", label="cut off entirely", color="#7f7f7f", ls=":")
    ax2.set_ylabel("million persons")
    ax2.legend(loc="upper right", fontsize="small")
    zone = times[0].tzinfo if times else None
    ax2.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M", tz=zone))  # type: ignore[no-untyped-call]
    fig.autofmt_xdate()
    return cast("Figure", fig)


def _pyplot() -> Any:
    """matplotlib's pyplot, on the file-only Agg backend (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_writer(formats: tuple[str, ...] = ("png",)) -> Callable[[RunResult], Callable[[Path], None]]:
    """A function that, given a result, returns a writer of its overview figure into a folder."""

    def bind(result: RunResult) -> Callable[[Path], None]:
        def write(folder: Path) -> None:
            plt = _pyplot()
            with plt.rc_context({"svg.hashsalt": "simkz", "svg.fonttype": "none"}):
                fig = plot_overview(result)
                for fmt in formats:
                    meta = _METADATA_SVG if fmt == "svg" else _METADATA_PNG
                    fig.savefig(folder / f"{FIGURE_NAME}.{fmt}", dpi=100, metadata=meta)
                plt.close(fig)

        return write

    return bind

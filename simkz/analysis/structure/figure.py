"""The figure of an analysis: the top single points of failure and what each controller can do with one order.

Drawn with matplotlib's object API (:class:`matplotlib.figure.Figure`, no pyplot state); matplotlib is
imported when the figure is drawn. PNG and SVG files carry no date, and SVG ids are fixed: the bytes are
the same from run to run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from simkz.analysis.structure.analysis import StructureAnalysis
from simkz.analysis.structure.control import strongest

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURE_NAME", "analysis_figure", "write_figure"]

FIGURE_NAME = "analysis"
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


def analysis_figure(a: StructureAnalysis, top: int = 10) -> Figure:
    """Left: users each of the ``top`` worst single failures cuts off from abroad (million persons).
    Right: the share of users each of the ``top`` strongest controllers can cut off, and filter, with one order (%)."""
    from matplotlib.figure import Figure

    g, cut = a.graph, a.single.abroad.cut_users
    worst = [int(e) for e in a.single.ranking()[:top] if cut[e] > 0]
    orders = strongest(a.one_order, top)
    height = 1.6 + 0.32 * max(len(worst), len(orders), 3)
    fig = Figure(figsize=(12, height), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    labels = [f"{g.name(e)} ({g.kind(e)})" for e in worst]
    left.barh(range(len(worst)), [cut[e] / 1e6 for e in worst], color="#d62728")
    left.set_yticks(range(len(worst)), labels, fontsize="small")
    left.invert_yaxis()
    left.set_xlabel("million users cut off from abroad")
    left.set_title(f"{a.topology.name}: single points of failure (exact)")
    total = g.total_users or 1.0
    names = [o.controller for o in orders]
    rows = range(len(names))
    right.barh([r - 0.2 for r in rows], [100 * o.cut_users / total for o in orders], 0.4, label="cut off")
    right.barh([r + 0.2 for r in rows], [100 * o.filter_users / total for o in orders], 0.4, label="filter")
    right.set_yticks(list(rows), names, fontsize="small")
    right.invert_yaxis()
    right.set_xlim(0, 100)
    right.set_xlabel("% of internet users")
    right.set_title("one order per controller")
    if names:
        right.legend(loc="lower right", fontsize="small")
    return fig


def write_figure(folder: Path, a: StructureAnalysis, top: int = 10, formats: tuple[str, ...] = ("png", "svg")) -> None:
    """Write ``analysis.png`` and ``analysis.svg`` of ``a`` into ``folder``."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "simkz", "svg.fonttype": "none"}):
        fig = analysis_figure(a, top)
        for fmt in formats:
            fig.savefig(folder / f"{FIGURE_NAME}.{fmt}", dpi=100, metadata=_METADATA[fmt])

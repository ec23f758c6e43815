"""The network figure: the topology of a run, each node and link coloured by its state at a chosen time.

Nodes stand at their ``position`` in ``network.json`` (an access node without one at its region's);
nodes that share a point (a region's access networks) are spread on a small circle around it, in key
order; nodes with no position at all are placed by a seeded spring layout around the others. Marker
shape tells the kind of node (an access node's size its users), the fill its state (:data:`STATE_COLOURS`);
a ring around a gateway tells who controls it (``controlled_by``). Links are drawn by kind (line style),
capacity (width) and state (colour).

Every node and link is one artist whose ``gid`` is ``node:<key>`` or ``link:<key>``: the SVG holds those
ids, so a page can recolour the drawing from ``network_states.csv`` with the same colours.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simkz.plots.axes import separate
from simkz.plots.data import ResultsFolder, load_results
from simkz.plots.style import GREY, INK, STATE_COLOURS, STATE_LABELS, new_figure, styled
from simkz.results.network import NetworkMap, StateLog, states_at

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

__all__ = ["FIGURE_NAME", "NetworkDrawing", "default_hour", "layout", "plot_network"]

FIGURE_NAME = "network"
#: Marker and size (points) of each kind of node; access nodes are sized by their users.
NODE_MARKERS: Mapping[str, tuple[str, float]] = {
    "access": ("o", 9.0),
    "core": ("s", 15.0),
    "gateway": ("D", 16.0),
    "ixp": ("h", 17.0),
    "datacenter": ("p", 16.0),
    "foreign": ("*", 24.0),
}
#: Line style of each kind of link.
LINK_STYLES: Mapping[str, str] = {
    "access": ":",
    "backbone": "-",
    "peering": "--",
    "cross-border": "-",
    "transit": "-.",
}
#: Width of each kind of link in the legend, points (drawn links are as wide as their capacity says).
_LEGEND_WIDTHS: Mapping[str, float] = {"access": 1.2, "cross-border": 4.0, "backbone": 2.5}
#: Ring colours of the controllers of gateways (Paul Tol's muted scheme, colour-blind safe,
#: https://personal.sron.nl/~pault/), in order of first appearance.
CONTROLLER_COLOURS = ("#332288", "#117733", "#DDCC77", "#88CCEE", "#CC6677", "#AA4499", "#44AA99", "#882255")
_SPRING_SEED = 0
#: Most gateways and nodes abroad named on the drawing (a network with more, e.g. of autonomous systems, names none).
_MAX_NAMED = 40
#: A link not in its ordinary state is drawn at least this wide (points) and opaque, so that a cut shows.
_CHANGED_WIDTH = 3.0
_UP_ALPHA = 0.75
#: A light box behind labels, so they read over lines.
_HALO = {"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1.0}


def layout(network: NetworkMap) -> dict[str, tuple[float, float]]:
    """Where each node is drawn: its position, else its region's; nodes that share a point spread on a circle;
    nodes with neither placed by a seeded spring layout (deterministic)."""
    pos: dict[str, tuple[float, float]] = {}
    for key, node in network.nodes.items():
        if node.position is not None:
            pos[key] = node.position
        elif node.region is not None and node.region in network.regions:
            region = network.regions[node.region].position
            if region is not None:
                pos[key] = region
    missing = [k for k in network.nodes if k not in pos]
    if missing:
        pos.update(_spring(network, pos, missing))
    return _spread(pos)


def _spring(
    network: NetworkMap, known: Mapping[str, tuple[float, float]], missing: list[str]
) -> dict[str, tuple[float, float]]:
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(sorted(network.nodes))
    g.add_edges_from(sorted(link.ends for link in network.links.values()))
    fixed = sorted(known)
    placed = nx.spring_layout(g, pos=dict(known) if known else None, fixed=fixed or None, seed=_SPRING_SEED)
    return {k: (float(placed[k][0]), float(placed[k][1])) for k in missing}


def _spread(pos: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Nodes at one point moved onto a circle around it (radius 2% of the drawing's extent), in key order."""
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    extent = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) if pos else 1.0
    radius = 0.02 * extent
    points: dict[tuple[float, float], list[str]] = {}
    for key in sorted(pos):
        points.setdefault((round(pos[key][0], 9), round(pos[key][1], 9)), []).append(key)
    out = dict(pos)
    for (x, y), keys in points.items():
        if len(keys) < 2:
            continue
        for i, key in enumerate(keys):
            angle = math.pi / 2 - 2 * math.pi * i / len(keys)
            out[key] = (x + radius * math.cos(angle), y + radius * math.sin(angle))
    return out


def default_hour(data: ResultsFolder) -> float:
    """The time drawn when none is asked for: when the country's connectivity index is lowest (the first such
    instant), else the run's start."""
    if data.has("national") and len(data.table("national")):
        national = data.table("national")
        index = np.asarray(national["connectivity_index_pct"], dtype=np.float64)
        return float(national["elapsed_h"][int(np.argmin(index))])
    return 0.0


@dataclass
class NetworkDrawing:
    """The drawn network, recolourable: :meth:`show` colours it for a time (used for each animation frame)."""

    data: ResultsFolder
    network: NetworkMap
    log: StateLog
    fig: Figure
    ax: Axes
    nodes: dict[str, Line2D] = field(default_factory=dict)
    links: dict[str, Line2D] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)  #: each link's width by its capacity, points
    title: Text | None = None
    caption: Text | None = None

    def show(self, hour: float) -> None:
        """Colour every node and link by its state ``hour`` hours after the start; title the time and the phases."""
        states = states_at(self.log, hour)
        for key, line in self.nodes.items():
            line.set_markerfacecolor(STATE_COLOURS.get(states.node(key).state, GREY))
        for key, line in self.links.items():
            state = states.link(key).state
            line.set_color(STATE_COLOURS.get(state, GREY))
            width = self.widths.get(key, 1.5)
            line.set_linewidth(width if state == "up" else max(width, _CHANGED_WIDTH))
            line.set_alpha(_UP_ALPHA if state == "up" else 1.0)
        when = self.data.instant(hour)
        if self.title is not None:
            self.title.set_text(f"{self.data.name}: the network at {when:%a %d %b %Y %H:%M} ({self.data.zone_label})")
        if self.caption is not None:
            phases = [p.label for p in self.data.phases_at(hour)]
            text = "in force: " + "; ".join(phases) if phases else "in force: no action"
            self.caption.set_text(textwrap.fill(text, 150, max_lines=4, placeholder=" ..."))


def draw_network(data: ResultsFolder) -> NetworkDrawing:
    """Draw ``data``'s network (not yet coloured by state: call :meth:`NetworkDrawing.show`)."""
    network, log = data.require_network()
    pos = layout(network)
    fig = new_figure(16, 8.6)
    ax = fig.subplots()
    drawing = NetworkDrawing(data=data, network=network, log=log, fig=fig, ax=ax)
    _draw_links(drawing, pos)
    ring = _draw_nodes(drawing, pos)
    labels = _labels(ax, network, pos)
    ax.set_aspect("equal", adjustable="datalim")
    ax.autoscale_view()
    ax.margins(0.04)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    _legend(ax, network, ring)
    drawing.title = fig.suptitle(f"{data.name}: the network")  # one line, as show() writes it: the same layout
    drawing.caption = fig.text(0.01, 0.005, "", ha="left", va="bottom", fontsize=12)
    separate(fig, ax, labels)
    return drawing


def _draw_links(drawing: NetworkDrawing, pos: Mapping[str, tuple[float, float]]) -> None:
    """One line per link: style by kind, width by capacity (log scale between the smallest and the largest)."""
    from matplotlib.lines import Line2D

    links = drawing.network.links
    caps = [li.capacity_gbps for li in links.values() if li.capacity_gbps and li.capacity_gbps > 0]
    low, high = (min(caps), max(caps)) if caps else (1.0, 1.0)
    for key, link in sorted(links.items()):
        (x0, y0), (x1, y1) = pos[link.ends[0]], pos[link.ends[1]]
        cap = link.capacity_gbps
        width = 0.6 + 4.4 * math.log(cap / low) / math.log(high / low) if cap and high > low else 1.5
        style = LINK_STYLES.get(link.kind, ":")
        line = Line2D([x0, x1], [y0, y1], lw=width, ls=style, alpha=_UP_ALPHA, zorder=1, gid=f"link:{key}")
        drawing.ax.add_line(line)
        drawing.links[key] = line
        drawing.widths[key] = width


def _draw_nodes(drawing: NetworkDrawing, pos: Mapping[str, tuple[float, float]]) -> dict[str, str]:
    """One marker per node (shape by kind, an access node's size by its users) and a ring around each gateway
    in its controller's colour; return the ring colour of each controller."""
    from matplotlib.lines import Line2D

    nodes = sorted(drawing.network.nodes.items())
    controllers = dict.fromkeys(n.controlled_by for _, n in nodes if n.kind == "gateway" and n.controlled_by)
    ring = {c: CONTROLLER_COLOURS[i % len(CONTROLLER_COLOURS)] for i, c in enumerate(controllers)}
    users = [n.users for _, n in nodes if n.kind == "access" and n.users > 0]
    most = max(users) if users else 1.0
    for key, node in nodes:
        x, y = pos[key]
        marker, size = NODE_MARKERS.get(node.kind, ("o", 10.0))
        if node.kind == "access" and node.users > 0:
            size = 6.0 + 12.0 * math.sqrt(node.users / most)
        if node.kind == "gateway" and node.controlled_by in ring:
            colour = ring[str(node.controlled_by)]
            halo = Line2D([x], [y], marker="o", ms=size + 14, mfc="none", mec=colour, mew=4.0, ls="none", zorder=2)
            drawing.ax.add_line(halo)
        line = Line2D([x], [y], marker=marker, ms=size, mec=INK, mew=1.0, ls="none", zorder=3, gid=f"node:{key}")
        drawing.ax.add_line(line)
        drawing.nodes[key] = line
    return ring


def _labels(ax: Axes, network: NetworkMap, pos: Mapping[str, tuple[float, float]]) -> list[Text]:
    """Region names under their access networks (their centre, else the region's position); names of nodes abroad,
    of gateways and of cores (where filtering equipment and operators' orders act) above them."""
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    extent = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) if pos else 1.0
    out = []
    for key, region in network.regions.items():
        access = [pos[k] for k, n in network.nodes.items() if n.region == key and n.kind == "access"]
        where = tuple(np.mean(access, axis=0)) if access else region.position
        if where is not None:
            name = region.name.removesuffix(" Region")
            x, y = where
            out.append(ax.text(x, y - 0.035 * extent, name, ha="center", va="top", zorder=4, bbox=_HALO))
    named = [k for k, n in sorted(network.nodes.items()) if n.kind in ("foreign", "gateway", "core")]
    for key in named if len(named) <= _MAX_NAMED else ():
        x, y = pos[key]
        out.append(ax.text(x, y + 0.03 * extent, key, ha="center", va="bottom", zorder=4, style="italic", bbox=_HALO))
    return out


def _legend(ax: Axes, network: NetworkMap, ring: Mapping[str, str]) -> None:
    from matplotlib.lines import Line2D

    def header(text: str) -> tuple[Any, str]:
        return Line2D([], [], ls="none"), text

    entries = [header("state")]
    for state, colour in STATE_COLOURS.items():
        entries.append((Line2D([], [], marker="o", ms=12, mfc=colour, mec=INK, ls="none"), STATE_LABELS[state]))
    kinds = sorted({n.kind for n in network.nodes.values()})
    entries.append(header("node"))
    for kind in kinds:
        marker, size = NODE_MARKERS.get(kind, ("o", 10.0))
        entries.append((Line2D([], [], marker=marker, ms=min(size, 14), mfc="white", mec=INK, ls="none"), kind))
    entries.append(header("link (width: capacity)"))
    for kind in sorted({li.kind for li in network.links.values()}):
        lw = _LEGEND_WIDTHS.get(kind, 1.8)
        entries.append((Line2D([], [], color=INK, lw=lw, ls=LINK_STYLES.get(kind, ":")), kind))
    if ring:
        entries.append(header("gateway controlled by"))
        for controller, colour in ring.items():
            entries.append((Line2D([], [], marker="o", ms=16, mfc="none", mec=colour, mew=4.0, ls="none"), controller))
    handles, labels = zip(*entries, strict=True)
    legend = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    heads = {"state", "node", "link (width: capacity)", "gateway controlled by"}
    for text in legend.get_texts():
        if text.get_text() in heads:
            text.set_fontweight("bold")


@styled
def plot_network(folder: ResultsFolder | Path | str, at: float | datetime | None = None) -> Figure:
    """The network at ``at`` (hours since the start, or an aware instant; default: when the connectivity index is
    lowest), each node and link coloured by its state then (:data:`~simkz.plots.style.STATE_COLOURS`)."""
    data = folder if isinstance(folder, ResultsFolder) else load_results(folder)
    drawing = draw_network(data)
    if at is None:
        hour = default_hour(data)
    elif isinstance(at, datetime):
        hour = data.hour_of(at)
    else:
        hour = float(at)
    drawing.show(hour)
    return drawing.fig

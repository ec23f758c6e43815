"""Concentration of international capacity: who holds the cross-border links.

Each link of kind ``cross-border`` counts with its capacity (Gbps) for its domestic end (the end that is
not foreign; the first end in name order if both or neither are): that node's ``controlled_by``, its ``operator`` and
its ``border`` (the country the link leads to). A link whose domestic end lacks the attribute is a group
of its own, ``(none: LINK)``: capacity nobody controls (or of no known operator or country) counts as
spread, not as one holder.

The Herfindahl-Hirschman index of a dimension is ``HHI = sum_g (100 * share_g)^2`` over its groups, on
the 0-10,000 scale (10,000: one group holds everything). For scale: the US Department of Justice and
Federal Trade Commission, Merger Guidelines (2023), section 2.1 "Guideline 1", call a market with an HHI
above 1,800 highly concentrated
(https://www.justice.gov/atr/merger-guidelines/applying-merger-guidelines/guideline-1).
"""

from __future__ import annotations

from dataclasses import dataclass

from simkz.topology.network import Topology

__all__ = ["DIMENSIONS", "Concentration", "Share", "concentration"]

#: Dimensions and the node attribute of the domestic end that names the group.
DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("controller", "controlled_by"),
    ("operator", "operator"),
    ("border", "border"),
)


@dataclass(frozen=True)
class Share:
    """One group's international capacity."""

    dimension: str  #: controller, operator or border
    group: str
    links: int
    capacity_gbps: float
    share: float  #: of all cross-border capacity, 0-1


@dataclass(frozen=True)
class Concentration:
    """International capacity by controller, operator and border country, with each dimension's HHI."""

    total_gbps: float
    links: int
    shares: tuple[Share, ...]  #: by dimension, then largest first
    hhi: dict[str, float]  #: dimension -> HHI, 0-10,000


def concentration(topology: Topology) -> Concentration:
    """The concentration of ``topology``'s cross-border capacity."""
    graph = topology.graph
    crossings = []
    for a, b, data in graph.edges(data=True):  # one pass over the edges: no lookup per link
        if data.get("kind") == "cross-border":
            a, b = sorted((a, b))
            home = b if graph.nodes[a].get("kind") == "foreign" and graph.nodes[b].get("kind") != "foreign" else a
            crossings.append((str(data["name"]), graph.nodes[home], float(data["capacity_gbps"])))
    crossings.sort(key=lambda c: c[0])
    total = sum(c for _, _, c in crossings)
    shares: list[Share] = []
    hhi: dict[str, float] = {}
    for dimension, attribute in DIMENSIONS:
        groups: dict[str, list[float]] = {}
        for link, node, capacity in crossings:
            value = node.get(attribute)
            groups.setdefault(str(value) if value else f"(none: {link})", []).append(capacity)
        rows = [(g, len(caps), sum(caps)) for g, caps in groups.items()]
        rows.sort(key=lambda r: (-r[2], r[0]))
        shares += [Share(dimension, g, k, c, c / total if total > 0 else 0.0) for g, k, c in rows]
        hhi[dimension] = sum((100.0 * c / total) ** 2 for _, _, c in rows) if total > 0 else 0.0
    return Concentration(total_gbps=total, links=len(crossings), shares=tuple(shares), hhi=hhi)

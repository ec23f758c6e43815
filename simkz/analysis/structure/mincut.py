"""Minimum cuts between each region's users and abroad, with the elements named.

For a region, the sources are its access nodes and the sinks the foreign nodes. Each node ``v`` is split
into ``v_in -> v_out``; each link ``{u, v}`` becomes ``u_out -> v_in`` and ``v_out -> u_in``; a super
source feeds every source's ``v_in`` and every sink's ``v_out`` feeds a super sink.

* **Vertex cut**: capacity 1 on the ``v_in -> v_out`` arc of every domestic node (access nodes included:
  their failure cuts their own users), unbounded on links and on foreign nodes (abroad is the far side,
  not an element to cut). The minimum number of domestic nodes whose failure cuts every user of the
  region off from abroad.
* **Edge cut**: capacity 1 on every link, unbounded on nodes. The minimum number of links.

Maximum flow by :func:`scipy.sparse.csgraph.maximum_flow` (Dinic's algorithm); by max-flow/min-cut
(Menger's theorem) its value is the size of the cut. A minimum cut is seldom unique: the one named is
the one nearest abroad (the arcs into the set of vertices that can still reach the super sink in the
residual graph), which names gateways and border links rather than access nodes where both are minimal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from simkz.analysis.structure.graph import ElementGraph
from simkz.topology.network import Topology

__all__ = ["MinCut", "min_cuts", "region_sources"]


@dataclass(frozen=True)
class MinCut:
    """The minimum vertex and edge cuts between one region's access nodes and abroad."""

    region: str
    users: float  #: internet users of the region, persons
    access_nodes: int
    vertex_cut: tuple[str, ...]  #: node keys
    edge_cut: tuple[str, ...]  #: link keys


def min_cuts(topology: Topology, graph: ElementGraph) -> tuple[MinCut, ...]:
    """The minimum cuts of every region with at least one access node, in region key order."""
    return tuple(
        MinCut(
            region=region,
            users=users,
            access_nodes=len(sources),
            vertex_cut=tuple(graph.nodes[i] for i in _cut(graph, sources, by_node=True)),
            edge_cut=tuple(graph.links[i] for i in _cut(graph, sources, by_node=False)),
        )
        for region, users, sources in region_sources(topology)
    )


def region_sources(topology: Topology) -> Iterator[tuple[str, float, NDArray[np.int64]]]:
    """Each region with at least one access node, in key order: its key, its users (persons) and the sorted
    indices of its access nodes."""
    index = topology.node_index
    for region in sorted(topology.regions):
        cohorts = [c for c in topology.cohorts if c.region == region]
        if cohorts:
            sources = np.array(sorted({index[c.node] for c in cohorts}), dtype=np.int64)
            yield region, float(sum(c.users for c in cohorts)), sources


def _cut(graph: ElementGraph, sources: NDArray[np.int64], *, by_node: bool) -> list[int]:
    """The elements (node or link indices) of the minimum cut nearest abroad."""
    n, m = graph.n_nodes, graph.n_links
    big = graph.n_elements + 1  # more than any cut: never saturated
    node_cap = np.where(graph.foreign, big, 1 if by_node else big)
    link_cap = big if by_node else 1
    sinks = np.flatnonzero(graph.foreign)
    source, sink = 2 * n, 2 * n + 1
    a, b = graph.ends[:, 0], graph.ends[:, 1]
    rows = np.concatenate([2 * np.arange(n), 2 * a + 1, 2 * b + 1, np.full(len(sources), source), 2 * sinks + 1])
    cols = np.concatenate([2 * np.arange(n) + 1, 2 * b, 2 * a, 2 * sources, np.full(len(sinks), sink)])
    caps = np.concatenate([node_cap, np.full(2 * m, link_cap), np.full(len(sources) + len(sinks), big)])
    size = 2 * n + 2
    capacity = sp.csr_matrix((caps.astype(np.int32), (rows, cols)), shape=(size, size))
    capacity.sort_indices()
    flow = maximum_flow(capacity, source, sink).flow
    residual = (capacity - flow).tocsr()
    residual.data[residual.data < 0] = 0
    residual.eliminate_zeros()
    far = np.zeros(size, dtype=bool)  # vertices that can still reach the sink
    far[breadth_first_order(residual.T.tocsr(), sink, directed=True, return_predecessors=False)] = True
    if by_node:
        return [int(v) for v in range(n) if not far[2 * v] and far[2 * v + 1]]
    crossing = (~far[2 * a + 1] & far[2 * b]) | (~far[2 * b + 1] & far[2 * a])
    return np.flatnonzero(crossing).tolist()

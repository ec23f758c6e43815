"""Where each cohort's traffic abroad goes: the ECMP shares of the model's routing towards abroad.

One routing (:func:`simkz.model.routing.route` with every foreign node as the one target set) gives each
node's equal-cost next hops and the share of its traffic on each. Pushing a cohort's unit of traffic
from its access node, layer by layer from the farthest, leaves at every node the share of that traffic
that crosses it (its own node: 1; a foreign node: the share that enters abroad there). Traffic abroad
ends at the first foreign node it meets.

Only the nodes the routing touches are kept (a local index), so that a [node, cohort] matrix stays small
on a graph where most nodes are foreign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from simkz.model.routing import route
from simkz.topology.network import Topology

__all__ = ["AbroadPaths", "abroad_paths"]


@dataclass(frozen=True)
class AbroadPaths:
    """The routing towards abroad in a local index of the nodes it touches."""

    nodes: NDArray[np.int64]  #: [local] node index
    steps: tuple[tuple[Any, NDArray[np.int64]], ...]  #: farthest first: (``[dst, src]`` weights, local nodes)
    hosts: NDArray[np.int64]  #: local indices of the foreign nodes reached (distance 0)
    cohort_local: NDArray[np.int64]  #: [cohort] local index of its access node
    reaches: NDArray[np.bool_]  #: [cohort] its access node has a path abroad

    def crossing(self, cohorts: NDArray[np.int64]) -> NDArray[np.float64]:
        """``[local, k]``: the share of cohort ``cohorts[k]``'s traffic abroad that crosses each node, 0-1."""
        mass = np.zeros((self.nodes.shape[0], cohorts.shape[0]), dtype=np.float64)
        mass[self.cohort_local[cohorts], np.arange(cohorts.shape[0])] = 1.0
        for weights, _ in self.steps:
            mass += weights @ mass
        return mass

    def absorbed(self, start: NDArray[np.float64], absorb: NDArray[np.bool_]) -> float:
        """The traffic (units of ``start``, per local node) that crosses at least one node of ``absorb``."""
        mass = start.astype(np.float64).copy()
        taken = 0.0
        for weights, nodes in self.steps:
            hit = nodes[absorb[nodes]]
            taken += float(mass[hit].sum())
            mass[hit] = 0.0
            mass += weights @ mass
        hit = self.hosts[absorb[self.hosts]]
        return taken + float(mass[hit].sum())


def abroad_paths(topology: Topology) -> AbroadPaths:
    """The routing of ``topology`` towards its foreign nodes (kept with the topology)."""
    return topology.memo("analysis.structure.abroad_paths", lambda: _build(topology))


def _build(topology: Topology) -> AbroadPaths:
    routing = route(topology, targets=[topology.foreign_nodes()])
    index = topology.node_index
    cohort_nodes = np.array([index[c.node] for c in topology.cohorts], dtype=np.int64)
    parts = [cohort_nodes] + [x for layer in routing.layers for x in (layer.src, layer.dst)]
    nodes = np.unique(np.concatenate(parts)).astype(np.int64)  # the hosts no traffic reaches are left out
    size = nodes.shape[0]
    steps = []
    for layer in reversed(routing.layers):
        src, dst = np.searchsorted(nodes, layer.src), np.searchsorted(nodes, layer.dst)
        weights = sp.csr_matrix((layer.weight, (dst, src)), shape=(size, size))
        steps.append((weights, np.searchsorted(nodes, layer.nodes).astype(np.int64)))
    on_path = np.zeros(topology.graph.number_of_nodes(), dtype=bool)
    on_path[routing.hosts] = True
    for layer in routing.layers:
        on_path[layer.nodes] = True
    return AbroadPaths(
        nodes=nodes,
        steps=tuple(steps),
        hosts=np.searchsorted(nodes, routing.hosts[np.isin(routing.hosts, nodes)]).astype(np.int64),
        cohort_local=np.searchsorted(nodes, cohort_nodes).astype(np.int64),
        reaches=on_path[cohort_nodes],
    )

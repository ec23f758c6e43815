""" "One order": what each controller (``controlled_by``) can do to the users with one order to all its nodes.

* **Cut off**: every node it controls down at once; the users then without any path abroad (persons,
  beyond those without one when nothing fails). A controller of one node gets the exact single-failure
  figure; others a connected-components pass (:func:`scipy.sparse.csgraph.connected_components`).
* **Filter**: the users whose ordinary traffic abroad crosses a node it controls, each cohort counted
  by the ECMP share of its traffic abroad that crosses at least one of them (persons; a path crossing
  two of its nodes counts once). Traffic is stopped at the first controlled node it meets, so the
  share is that of the union of the nodes, not a sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from simkz.analysis.structure.graph import ElementGraph
from simkz.analysis.structure.paths import AbroadPaths
from simkz.analysis.structure.separation import Separation
from simkz.analysis.structure.valley import starts_reaching
from simkz.analysis.structure.valley_single import ValleyCuts
from simkz.topology.network import Topology

__all__ = ["OneOrder", "one_order", "strongest"]


@dataclass(frozen=True)
class OneOrder:
    """What one controller can cut off and filter (persons) with every node it controls."""

    controller: str
    nodes: tuple[str, ...]  #: the nodes it controls
    cut_users: float  #: persons cut off from abroad with all its nodes down
    filter_users: float  #: persons whose traffic abroad crosses its nodes (weighted by the share that does)


def one_order(
    topology: Topology, graph: ElementGraph, abroad: Separation | ValleyCuts, paths: AbroadPaths
) -> tuple[OneOrder, ...]:
    """Every controller of ``topology``, by name."""
    index = topology.node_index
    by_controller: dict[str, list[int]] = {}
    for node, who in topology.control_points().items():
        by_controller.setdefault(who, []).append(index[node])
    users = topology.users() * paths.reaches
    start = np.bincount(paths.cohort_local, weights=users, minlength=paths.nodes.shape[0]).astype(np.float64)
    out = []
    for who in sorted(by_controller):
        nodes = np.array(sorted(by_controller[who]), dtype=np.int64)
        cut = float(abroad.cut_users[nodes[0]]) if nodes.shape[0] == 1 else _cut_by_nodes(graph, abroad, nodes)
        absorb = np.isin(paths.nodes, nodes)
        out.append(
            OneOrder(
                controller=who,
                nodes=tuple(graph.nodes[i] for i in nodes),
                cut_users=cut,
                filter_users=paths.absorbed(start, absorb),
            )
        )
    return tuple(out)


def _cut_by_nodes(graph: ElementGraph, abroad: Separation | ValleyCuts, down: NDArray[np.int64]) -> float:
    """Persons with a path abroad when nothing fails and none with the nodes ``down`` failed."""
    if isinstance(abroad, ValleyCuts):  # valley-free paths: search the users' paths without the nodes
        lost = ~starts_reaching(abroad.paths, [down])[0]
        return float(graph.node_users[abroad.paths.start_node[lost]].sum())
    n = graph.n_nodes
    up = np.ones(n + 1, dtype=bool)
    up[down] = False
    a, b = graph.ends[:, 0], graph.ends[:, 1]
    keep = up[a] & up[b]
    targets = np.flatnonzero(graph.foreign & up[:n])
    rows = np.concatenate([a[keep], targets])
    cols = np.concatenate([b[keep], np.full(targets.shape[0], n)])
    matrix = sp.csr_matrix((np.ones(rows.shape[0], dtype=np.int8), (rows, cols)), shape=(n + 1, n + 1))
    _, label = connected_components(matrix, directed=False)
    reach = (label[:n] == label[n]) & up[:n]
    return float(graph.node_users[abroad.reached & ~reach].sum())


def strongest(orders: tuple[OneOrder, ...], top: int) -> list[OneOrder]:
    """The ``top`` controllers that can cut off the most users, then filter the most, then by name."""
    return sorted(orders, key=lambda o: (-o.cut_users, -o.filter_users, o.controller))[:top]

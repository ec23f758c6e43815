"""Single points of failure under valley-free routing, exactly: the users each node or link cuts off, failing
alone, from abroad and from each service (paths: :mod:`simkz.analysis.structure.valley`).

Under valley-free routing a dominator of a user's start state is enough to cut the user off but not needed:
a node has two states, and the two together may cut what neither cuts alone (a user whose ways out climb
through a node on one and come down through it on another). So the cut is not read off one search as in the
structural case (:mod:`simkz.analysis.structure.separation`); instead:

1. the *candidates* are the elements on some valley-free path from a user to a target (the states reached
   forward from the users' starts and backward from the targets, with the nodes and links between them);
   any other element cuts no one off;
2. for each candidate, reachability is searched again on that part of the graph without it, in batches
   (:func:`~simkz.analysis.structure.valley.starts_reaching`).

Cost: per target set, two searches of the whole phase-expanded graph (about twice the links in arcs), then
``candidates x arcs of the part`` for the batches. When abroad is the foreign ASes (as ``simkz build
as-level`` writes it) the part is the country's ASes, their up-closure and the targets they meet: small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simkz.analysis.structure.graph import ElementGraph
from simkz.analysis.structure.single import SingleFailures
from simkz.analysis.structure.valley import ValleyPaths, starts_reaching, valley_paths
from simkz.topology.network import Topology

__all__ = ["ValleyCuts", "valley_cuts", "valley_single_failures"]


@dataclass(frozen=True)
class ValleyCuts:
    """What each element, failing alone, cuts off from a target set under valley-free routing."""

    paths: ValleyPaths
    reached: NDArray[np.bool_]  #: [node] has a valley-free path to a target with nothing failed
    cut_users: NDArray[np.float64]  #: [element] persons newly cut off when the element alone fails
    separates: NDArray[np.bool_]  #: [element] cuts off users other than its own
    cut_element: NDArray[np.int64]  #: element of each (element, node) pair of the cut sets
    cut_node: NDArray[np.int64]  #: node (with users) it cuts off

    def cut_sets(self) -> dict[int, NDArray[np.int64]]:
        """Element -> the nodes with users it cuts off (only elements that cut anyone off)."""
        order = np.argsort(self.cut_element, kind="stable")
        elements, first = np.unique(self.cut_element[order], return_index=True)
        parts = np.split(self.cut_node[order], first[1:])
        return {int(e): p for e, p in zip(elements.tolist(), parts, strict=True)}


def valley_cuts(graph: ElementGraph, paths: ValleyPaths) -> ValleyCuts:
    """Single-failure cuts towards the targets of ``paths``: every candidate removed in turn, searched again."""
    candidates = paths.candidates()
    alive = starts_reaching(paths, [candidates[i : i + 1] for i in range(candidates.shape[0])])
    lost_row, lost_start = np.nonzero(~alive)
    element, node = candidates[lost_row], paths.start_node[lost_start]
    cut = np.bincount(element, weights=graph.node_users[node], minlength=graph.n_elements).astype(np.float64)
    separates = np.zeros(graph.n_elements, dtype=bool)
    separates[element[element != node]] = True
    return ValleyCuts(
        paths=paths,
        reached=paths.reached,
        cut_users=cut,
        separates=separates,
        cut_element=element.astype(np.int64),
        cut_node=node.astype(np.int64),
    )


def valley_single_failures(topology: Topology, graph: ElementGraph) -> SingleFailures:
    """Exact single-failure cuts of a valley-free ``topology`` (whose arrays are ``graph``), from abroad and from
    each service (services with the same hosts share one pass)."""
    index = topology.node_index
    abroad = valley_cuts(graph, valley_paths(topology, graph, np.flatnonzero(graph.foreign)))
    searched: dict[tuple[int, ...], ValleyCuts] = {}
    rows, base = [], []
    for service in topology.services:
        hosts = tuple(sorted({index[h] for h in service.hosts}))
        if hosts not in searched:
            searched[hosts] = valley_cuts(graph, valley_paths(topology, graph, np.array(hosts, dtype=np.int64)))
        rows.append(searched[hosts].cut_users)
        base.append(_unreached_users(graph, searched[hosts]))
    return SingleFailures(
        abroad=abroad,
        service_keys=topology.service_keys,
        by_service=np.array(rows, dtype=np.float64).reshape(len(rows), graph.n_elements),
        base_cut_abroad=_unreached_users(graph, abroad),
        base_cut_service=np.array(base, dtype=np.float64),
    )


def _unreached_users(graph: ElementGraph, cuts: ValleyCuts) -> float:
    """Persons with no valley-free path to the targets when nothing fails."""
    return float(graph.node_users[~cuts.reached].sum())

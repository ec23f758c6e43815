"""The topology as arrays for the structural analysis: elements, users, and adjacency with a super node.

Elements are what can fail: every node (indices ``0 .. n - 1``, in :attr:`Topology.nodes` order) and
every link (indices ``n .. n + m - 1``, in :attr:`Topology.links` order). Users are the internet users
(persons) of the cohorts behind the access nodes.

"Reaching a target set" (abroad: the foreign nodes; a service: its hosts) is reaching a *super node*
joined to every target by a virtual link: a node fails with its links, a target that fails is no
longer a way out. :class:`Adjacency` holds that augmented graph as compressed rows, as Python lists
because the depth-first search indexes them one element at a time (faster than numpy scalars).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from simkz.topology.network import Topology

__all__ = ["Adjacency", "ElementGraph", "adjacency", "element_graph"]


@dataclass(frozen=True)
class ElementGraph:
    """A topology's undirected graph as arrays; elements are its nodes, then its links."""

    nodes: tuple[str, ...]
    links: tuple[str, ...]
    ends: NDArray[np.int64]  #: [link, 2] node indices of each link's ends
    node_users: NDArray[np.float64]  #: [node] internet users behind the node (its cohorts), persons
    foreign: NDArray[np.bool_]  #: [node] the node is abroad (kind ``foreign``)

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_links(self) -> int:
        return len(self.links)

    @property
    def n_elements(self) -> int:
        return len(self.nodes) + len(self.links)

    @property
    def total_users(self) -> float:
        """Internet users of the whole topology, persons."""
        return float(self.node_users.sum())

    def name(self, element: int) -> str:
        """The node or link key of an element."""
        n = len(self.nodes)
        return self.nodes[element] if element < n else self.links[element - n]

    def kind(self, element: int) -> str:
        """``node`` or ``link``."""
        return "node" if element < len(self.nodes) else "link"


def element_graph(topology: Topology) -> ElementGraph:
    """The arrays of ``topology`` (kept with it: a topology never changes)."""
    return topology.memo("analysis.structure.graph", lambda: _build(topology))


def _build(topology: Topology) -> ElementGraph:
    index = topology.node_index
    ends = np.array([(index[a], index[b]) for a, b in topology.link_ends], dtype=np.int64).reshape(-1, 2)
    cohort_nodes = np.array([index[c.node] for c in topology.cohorts], dtype=np.int64)
    users = np.bincount(cohort_nodes, weights=topology.users(), minlength=len(topology.nodes)).astype(np.float64)
    foreign = np.zeros(len(topology.nodes), dtype=bool)
    foreign[[index[f] for f in topology.foreign_nodes()]] = True
    return ElementGraph(nodes=topology.nodes, links=topology.links, ends=ends, node_users=users, foreign=foreign)


@dataclass(frozen=True)
class Adjacency:
    """The graph plus a super node (index ``n``) joined to each target ``targets[k]`` by virtual link ``m + k``.

    Row ``v`` lists ``neighbour[indptr[v]:indptr[v + 1]]`` over ``link[...]`` (the link's index among the
    topology's links, or a virtual link's ``m + k``).
    """

    super_node: int
    n_links: int  #: real links; link ids at or above it are virtual
    targets: NDArray[np.int64]
    indptr: list[int]
    neighbour: list[int]
    link: list[int]

    def matrix(self) -> Any:
        """The augmented graph as a :class:`scipy.sparse.csr_matrix` (symmetric, entries 1)."""
        size = self.super_node + 1
        data = np.ones(len(self.neighbour), dtype=np.int8)
        return sp.csr_matrix((data, np.array(self.neighbour), np.array(self.indptr)), shape=(size, size))


def adjacency(graph: ElementGraph, targets: Sequence[int] | NDArray[np.int64]) -> Adjacency:
    """The augmented graph of ``graph`` towards ``targets`` (node indices)."""
    n, m = graph.n_nodes, graph.n_links
    tgt = np.unique(np.asarray(targets, dtype=np.int64))
    virtual = m + np.arange(len(tgt), dtype=np.int64)
    hub = np.full(len(tgt), n, dtype=np.int64)
    a, b = graph.ends[:, 0], graph.ends[:, 1]
    links = np.arange(m, dtype=np.int64)
    src = np.concatenate([a, b, hub, tgt])
    dst = np.concatenate([b, a, tgt, hub])
    lid = np.concatenate([links, links, virtual, virtual])
    order = np.argsort(src, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=n + 1))])
    return Adjacency(
        super_node=n,
        n_links=m,
        targets=tgt,
        indptr=indptr.tolist(),
        neighbour=dst[order].tolist(),
        link=lid[order].tolist(),
    )

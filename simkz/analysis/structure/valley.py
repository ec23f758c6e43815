"""Valley-free reachability for the analysis of a ``routing: valley-free`` topology: the phase-expanded graph.

Under the Gao-Rexford rules (:mod:`simkz.model.valley_free`) a user reaches a target only along a
*valley-free* path: customer-to-provider links, at most one peer link, then provider-to-customer links,
sibling links (no relationship) anywhere. That is reachability in a directed graph of two copies of every
node, its *states*: ``v`` (phase "up": the path may still go up) and ``n + v`` (phase "down": it must go
down). In the direction the traffic moves, an arc from ``u`` to its neighbour ``v``:

* ``v`` a provider of ``u``: up ``u`` -> up ``v``;
* ``v`` a sibling: up -> up and down -> down;
* ``v`` a peer: up ``u`` -> down ``v`` (the one peer link);
* ``v`` a customer: up -> down and down -> down.

A user starts at its access node's up state; a target set is reached at either state of a target, joined
to a *sink*. Traffic ends at the first target it meets, so a target's states have no other arcs out (this
changes no reachability, with or without failures). A node that fails takes both its states with it, a link
all its arcs. This graph's reachability is exactly that of :func:`simkz.model.valley_free.reachable_valley_free`
(its three searches are its up, peer and down arcs); on a graph without relationships every arc is a sibling
arc and it is plain connectivity.

Only the states on some path from a user to the sink matter for any failure: those both reached from a
user's start (forward) and reaching the sink (backward). :class:`ValleyPaths` keeps that part alone, a
small graph when the targets sit at the top of the hierarchy (the country's up-closure, plus the targets
it meets). :func:`starts_reaching` then answers, for many sets of failed elements at once, which starts
still reach the sink: one breadth-first search (:func:`scipy.sparse.csgraph.breadth_first_order`) over a
block-diagonal graph of one copy of that part per set, each without its failed elements; time and memory
linear in the number of sets times the part's arcs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from simkz.analysis.structure.graph import ElementGraph
from simkz.model.valley_free import CUSTOMER, PEER, PROVIDER, SIBLING
from simkz.topology.network import Topology

__all__ = [
    "PhaseGraph",
    "ValleyPaths",
    "is_valley_free",
    "phase_graph",
    "reachability",
    "starts_reaching",
    "valley_paths",
]

#: Arcs (copies of the part on the users' paths) held by one breadth-first search of :func:`starts_reaching`:
#: about 30 bytes each while the block-diagonal graph is built, so some 120 MB.
BATCH_ARCS = 4_000_000


def is_valley_free(topology: Topology) -> bool:
    """Whether the topology routes by the Gao-Rexford rules (``routing: valley-free``)."""
    return topology.routing == "valley-free"


def reachability(topology: Topology) -> str:
    """``valley-free`` or ``structural`` (any working link carries traffic): what "a path" means in the analysis."""
    return "valley-free" if is_valley_free(topology) else "structural"


@dataclass(frozen=True)
class PhaseGraph:
    """The phase-expanded directed graph: state ``v`` is node ``v`` in phase up, ``n + v`` in phase down."""

    n_nodes: int
    src: NDArray[np.int64]  #: [arc] state the traffic leaves
    dst: NDArray[np.int64]  #: [arc] state it enters
    link: NDArray[np.int64]  #: [arc] index of the link among the topology's links


def phase_graph(topology: Topology) -> PhaseGraph:
    """The phase-expanded graph of ``topology`` (kept with it)."""
    return topology.memo("analysis.structure.phase_graph", lambda: _build(topology))


def _relationships(topology: Topology) -> NDArray[np.int8]:
    """[link] what the link's second end is to its first: SIBLING, PEER, CUSTOMER or PROVIDER."""
    adj = topology.graph.adj
    out = np.full(len(topology.links), SIBLING, dtype=np.int8)
    for i, (x, y) in enumerate(topology.link_ends):
        data = adj[x][y]
        rel = data.get("relationship")
        if rel == "p2c":
            out[i] = CUSTOMER if data["provider"] == x else PROVIDER
        elif rel == "p2p":
            out[i] = PEER
    return out


def _build(topology: Topology) -> PhaseGraph:
    n = len(topology.nodes)
    a, b = topology.link_end_indices
    kind_ab = _relationships(topology)
    reverse = np.array([SIBLING, PEER, PROVIDER, CUSTOMER], dtype=np.int8)  # what a is to b
    links = np.arange(a.shape[0], dtype=np.int64)
    u, v = np.concatenate([a, b]), np.concatenate([b, a])
    kind, link = np.concatenate([kind_ab, reverse[kind_ab]]), np.concatenate([links, links])
    stays_up = (kind == PROVIDER) | (kind == SIBLING)
    from_down = (kind == SIBLING) | (kind == CUSTOMER)  # a path going down goes on down or to a sibling
    return PhaseGraph(
        n_nodes=n,
        src=np.concatenate([u, n + u[from_down]]).astype(np.int64),
        dst=np.concatenate([np.where(stays_up, v, n + v), n + v[from_down]]).astype(np.int64),
        link=np.concatenate([link, link[from_down]]).astype(np.int64),
    )


@dataclass(frozen=True)
class ValleyPaths:
    """The states on some valley-free path from a user to a target set, as a small directed graph of local
    indices (the sink last), with everything needed to fail elements in it."""

    n_nodes: int
    reached: NDArray[np.bool_]  #: [node] its up state reaches a target with nothing failed
    src: NDArray[np.int64]  #: [arc] local state the traffic leaves
    dst: NDArray[np.int64]  #: [arc] local state it enters (the sink: ``size - 1``)
    arc_columns: NDArray[np.int64]  #: [3, arc] columns of the arc's tail node, head node and link (-1: none)
    column_element: NDArray[np.int64]  #: [column] element: node index, or ``n_nodes +`` link index
    element_column: NDArray[np.int64]  #: [element] its column, -1 for an element on no user's path
    starts: NDArray[np.int64]  #: [start] local up state of a node with users that reaches a target
    start_node: NDArray[np.int64]  #: [start] its node index
    size: int  #: local states, the sink included

    @property
    def sink(self) -> int:
        return self.size - 1

    def candidates(self) -> NDArray[np.int64]:
        """The elements on some user's path to a target (sorted): the only ones whose failure can cut anyone."""
        return np.sort(self.column_element)


def valley_paths(
    topology: Topology, graph: ElementGraph, targets: NDArray[np.int64], sources: NDArray[np.int64] | None = None
) -> ValleyPaths:
    """The part of the phase-expanded graph on the valley-free paths from ``sources`` (node indices; default:
    every node with users) to ``targets`` (node indices), with nothing failed."""
    p = phase_graph(topology)
    n, sink = p.n_nodes, 2 * p.n_nodes
    is_target = np.zeros(n, dtype=bool)
    is_target[targets] = True
    keep = ~is_target[p.src % n]  # traffic ends at the first target
    tgt = np.unique(targets).astype(np.int64)
    src = np.concatenate([p.src[keep], tgt, n + tgt])
    dst = np.concatenate([p.dst[keep], np.full(2 * tgt.shape[0], sink, dtype=np.int64)])
    link = np.concatenate([p.link[keep], np.full(2 * tgt.shape[0], -1, dtype=np.int64)])
    backward = _search(dst, src, 2 * n + 1, np.array([sink]))
    if sources is None:
        sources = np.flatnonzero(graph.node_users > 0)
    forward = _search(src, dst, 2 * n + 1, sources)
    on = forward & backward
    return _local(graph, on, (src, dst, link), backward[:n], np.asarray(sources, dtype=np.int64))


def _search(tail: NDArray[np.int64], head: NDArray[np.int64], size: int, roots: NDArray[np.int64]) -> NDArray[np.bool_]:
    """[vertex] reached from any of ``roots`` along the arcs ``tail -> head`` (one search from a super root)."""
    root = size
    rows = np.concatenate([tail, np.full(roots.shape[0], root, dtype=np.int64)])
    cols = np.concatenate([head, roots])
    matrix = csr_matrix((np.ones(rows.shape[0], dtype=np.float32), (rows, cols)), shape=(size + 1, size + 1))
    seen = np.zeros(size + 1, dtype=bool)
    seen[breadth_first_order(matrix, root, directed=True, return_predecessors=False)] = True
    return seen[:size]


def _local(
    graph: ElementGraph,
    on: NDArray[np.bool_],
    arcs: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
    reached: NDArray[np.bool_],
    sources: NDArray[np.int64],
) -> ValleyPaths:
    """The states ``on`` and the arcs (tail, head, link; link -1 into the sink) between them, renumbered (the
    sink, state ``2n``, last)."""
    n = graph.n_nodes
    states = np.flatnonzero(on)
    local = np.full(on.shape[0], -1, dtype=np.int64)
    local[states] = np.arange(states.shape[0])
    src, dst, link = arcs
    keep = on[src] & on[dst]
    src, dst, link = src[keep], dst[keep], link[keep]
    elements = np.unique(np.concatenate([states[states < 2 * n] % n, n + link[link >= 0]]))
    column = np.full(graph.n_elements + 1, -1, dtype=np.int64)  # the last entry: "no element"
    column[elements] = np.arange(elements.shape[0])
    head = np.where(dst < 2 * n, dst % n, graph.n_elements)
    starts = np.unique(sources[on[sources]])
    return ValleyPaths(
        n_nodes=n,
        reached=reached,
        src=local[src],
        dst=local[dst],
        arc_columns=np.stack([column[src % n], column[head], column[np.where(link >= 0, n + link, graph.n_elements)]]),
        column_element=elements.astype(np.int64),
        element_column=column[:-1],
        starts=local[starts],
        start_node=starts.astype(np.int64),
        size=states.shape[0],
    )


def starts_reaching(paths: ValleyPaths, down: Sequence[NDArray[np.int64]]) -> NDArray[np.bool_]:
    """``[k, start]``: whether each start still reaches a target with the elements ``down[k]`` failed (node
    indices, or ``n_nodes +`` link index; elements off the users' paths change nothing). Batched: one
    search per :data:`BATCH_ARCS` arcs of copies."""
    out = np.zeros((len(down), paths.starts.shape[0]), dtype=bool)
    if not paths.starts.size:  # no user reaches a target: nothing to search (and no sink on the paths)
        return out
    per_batch = max(1, BATCH_ARCS // max(paths.src.shape[0], 1))
    for first in range(0, len(down), per_batch):
        out[first : first + per_batch] = _batch(paths, down[first : first + per_batch])
    return out


def _batch(paths: ValleyPaths, down: Sequence[NDArray[np.int64]]) -> NDArray[np.bool_]:
    """:func:`starts_reaching` for one batch: a block-diagonal copy of the paths per set, searched from a root
    joined to every copy's sink, against the arcs."""
    k, h, columns = len(down), paths.size, paths.column_element.shape[0]
    failed = np.zeros((k, columns + 1), dtype=bool)  # the last column: "no element", never failed
    for i, elements in enumerate(down):
        c = paths.element_column[elements]
        failed[i, c[c >= 0]] = True
    cols = np.where(paths.arc_columns >= 0, paths.arc_columns, columns)
    alive = ~(failed[:, cols[0]] | failed[:, cols[1]] | failed[:, cols[2]])
    copy, arc = np.nonzero(alive)
    root = k * h
    rows = np.concatenate([copy * h + paths.dst[arc], np.full(k, root, dtype=np.int64)])
    tails = np.concatenate([copy * h + paths.src[arc], np.arange(k, dtype=np.int64) * h + paths.sink])
    matrix = csr_matrix((np.ones(rows.shape[0], dtype=np.float32), (rows, tails)), shape=(root + 1, root + 1))
    seen = np.zeros(root + 1, dtype=bool)
    seen[breadth_first_order(matrix, root, directed=True, return_predecessors=False)] = True
    reached: NDArray[np.bool_] = seen[:root].reshape(k, h)[:, paths.starts]
    return reached

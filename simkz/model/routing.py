"""Routing: least-cost paths from every node to each service's hosts, split equally over equal-cost paths.

Each link has a routing ``cost`` (default 1, so by default paths are counted in hops).
For a service with up hosts ``H``, a Dijkstra search from ``H`` gives every node ``u`` its
least cost ``d(u)`` to ``H`` and its number ``n(u)`` of least-cost paths. Traffic at ``u``
moves to each neighbour ``v`` with ``d(v) + cost(u, v) = d(u)`` in proportion ``n(v) / n(u)``:
every equal-cost path carries the same share (ECMP over paths, not over next hops).

The result is a directed acyclic graph per service, cut into layers of equal distance.
Services are stacked into one index space (``s * n_nodes + node``) so that
:mod:`simkz.model.flows` runs a few numpy operations per layer.

The search is vectorised: the up graph is a sparse matrix (:mod:`scipy.sparse.csgraph`), one multi-source
Dijkstra gives the distances, the DAG edges are the links that satisfy the equation above in one direction,
and the path counts are summed distance by distance (each node's from the counts of its next hops, all
closer to the hosts). Counts are float64: exact below 2**53 paths (the weights are then the correctly rounded
``n(v) / n(u)``, as with integer counts); above, each count carries a relative rounding error of about 1e-16
per distance level; if a count would overflow (more than about 1e308 paths), each count is kept as a
mantissa and a power of two (:func:`numpy.frexp`) instead, with the same rounding per sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from simkz.topology.network import Topology

__all__ = ["Layer", "Routing", "reachable", "route", "stack_layers"]


@dataclass(frozen=True)
class Layer:
    """The DAG edges leaving the nodes at one distance: ``src`` -> ``dst`` over ``link`` with ``weight``."""

    src: NDArray[np.int64]  #: stacked index of the node the traffic leaves
    dst: NDArray[np.int64]  #: stacked index of the next hop (closer to a host)
    link: NDArray[np.int64]  #: link index
    weight: NDArray[np.float64]  #: share of the traffic at src that takes this edge
    nodes: NDArray[np.int64]  #: stacked indices of the nodes at this distance


@dataclass(frozen=True)
class Routing:
    """Routing of every service for one set of down nodes and links."""

    n_nodes: int
    n_services: int
    hosts: NDArray[np.int64]  #: stacked indices at distance 0 (up hosts)
    layers: tuple[Layer, ...]  #: by increasing distance from the hosts


@dataclass(frozen=True)
class _UpGraph:
    """The links that are up, each in both directions (``u`` -> ``v``), and the graph as a sparse matrix."""

    u: NDArray[np.int64]
    v: NDArray[np.int64]
    link: NDArray[np.int64]
    cost: NDArray[np.float64]
    matrix: csr_matrix  #: [u, v] = cost
    up_nodes: NDArray[np.bool_]  #: [node] not down


@dataclass(frozen=True)
class _Arcs:
    """Every link in both directions (``u`` -> ``v``), sorted by ``u`` then ``v``: the rows of the graph's sparse
    matrix, made once per topology."""

    u: NDArray[np.int64]
    v: NDArray[np.int64]
    link: NDArray[np.int64]
    cost: NDArray[np.float64]


def _arcs(topology: Topology) -> _Arcs:
    def make() -> _Arcs:
        a, b = topology.link_end_indices
        links = np.arange(a.size, dtype=np.int64)
        u, v, link = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([links, links])
        order = np.lexsort((v, u))
        cost = topology.link_costs.astype(np.float64)[link[order]]
        return _Arcs(u=u[order], v=v[order], link=link[order], cost=cost)

    return topology.memo("model.routing.arcs", make)


def _up_graph(topology: Topology, down_nodes: frozenset[str], down_links: frozenset[str]) -> _UpGraph:
    n = len(topology.nodes)
    a, b = topology.link_end_indices
    up_nodes = np.ones(n, dtype=bool)
    up_nodes[[topology.node_index[x] for x in down_nodes]] = False
    up = up_nodes[a] & up_nodes[b]
    up[[topology.link_index[x] for x in down_links]] = False
    arcs = _arcs(topology)
    keep = up[arcs.link]
    u, v, link, cost = arcs.u[keep], arcs.v[keep], arcs.link[keep], arcs.cost[keep]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    matrix = csr_matrix((cost, v, indptr), shape=(n, n))  # rows already sorted: no conversion
    return _UpGraph(u=u, v=v, link=link, cost=cost, matrix=matrix, up_nodes=up_nodes)


def reachable(
    topology: Topology, sources: Sequence[str], down_nodes: frozenset[str], down_links: frozenset[str]
) -> NDArray[np.bool_]:
    """[node] whether the node has an up path to any of ``sources`` (nodes in ``down_nodes`` never do)."""
    if topology.routing == "valley-free":  # a valley-free path instead
        from simkz.model.valley_free import reachable_valley_free  # here: that module imports this one

        return reachable_valley_free(topology, sources, down_nodes, down_links)
    graph = _up_graph(topology, down_nodes, down_links)
    index = topology.node_index
    starts = np.array([index[s] for s in sources if s not in down_nodes], dtype=np.int64)
    seen = np.zeros(len(topology.nodes), dtype=bool)
    if starts.size:
        _, labels = connected_components(graph.matrix, directed=False)
        seen = np.isin(labels, labels[starts])
    return seen


def route(
    topology: Topology,
    down_nodes: frozenset[str] = frozenset(),
    down_links: frozenset[str] = frozenset(),
    targets: Sequence[Sequence[str]] | None = None,
) -> Routing:
    """Build the ECMP routing of every service on the up part of the graph.

    ``targets`` replaces the services' host sets (one stacked "service" per set), e.g. every
    foreign node for the probes of the observatory signals.

    Services with the same up hosts have the same paths: the search runs once per distinct host set
    (``kz-2022`` has 22 services on 4), and each service gets a copy shifted to its place in the stacked
    index space. The layers hold, at each distance, the edges of every service in service order, each
    service's sorted by the node they leave, then by link (the order of a Dijkstra search that settles
    nodes of equal distance by index and scans each node's links by index).
    """
    if topology.routing == "valley-free":  # Gao-Rexford routing instead
        from simkz.model.valley_free import route_valley_free  # here: that module imports this one

        return route_valley_free(topology, down_nodes, down_links, targets)
    n = len(topology.nodes)
    index = topology.node_index
    graph = _up_graph(topology, down_nodes, down_links)
    host_sets = [s.hosts for s in topology.services] if targets is None else targets
    searched: dict[tuple[int, ...], _SetRouting] = {}
    per_service: list[_SetRouting] = []
    for service_hosts in host_sets:
        sources = tuple(sorted({index[h] for h in service_hosts if h not in down_nodes}))
        if sources not in searched:
            searched[sources] = _route_set(graph, sources)
        per_service.append(searched[sources])
    distances = sorted({d for r in per_service for d in r.layers})
    layers = tuple(
        stack_layers([(s * n, r.layers[d]) for s, r in enumerate(per_service) if d in r.layers]) for d in distances
    )
    hosts = np.concatenate([s * n + r.hosts for s, r in enumerate(per_service)]) if per_service else np.zeros(0)
    return Routing(n_nodes=n, n_services=len(host_sets), hosts=np.sort(hosts).astype(np.int64), layers=layers)


@dataclass(frozen=True)
class _SetRouting:
    """The routing towards one host set, in plain node indices (service 0 of the stacked space)."""

    hosts: NDArray[np.int64]  #: node indices of the up hosts, sorted
    layers: dict[float, Layer]  #: by distance from the hosts


def _route_set(graph: _UpGraph, sources: tuple[int, ...]) -> _SetRouting:
    """Least-cost DAG towards ``sources``: at each distance, the edges leaving each node (by node, then link)."""
    hosts = np.array(sources, dtype=np.int64)
    if not sources:
        return _SetRouting(hosts=hosts, layers={})
    dist = np.asarray(dijkstra(graph.matrix, directed=True, indices=hosts, min_only=True), dtype=np.float64)
    # DAG edges u -> v: v is a next hop of u towards the hosts (distances are sums of integers: exact)
    d_u = dist[graph.u]
    on = np.isfinite(d_u) & (dist[graph.v] + graph.cost == d_u)
    src, dst, link = graph.u[on], graph.v[on], graph.link[on]
    if not src.size:  # nothing but the hosts reaches them
        return _SetRouting(hosts=hosts, layers={})
    order = np.lexsort((link, src, dist[src]))  # by distance, then node, then link
    src, dst, link = src[order], dst[order], link[order]
    starts = np.flatnonzero(np.r_[True, src[1:] != src[:-1]])  # first edge of each node
    nodes = src[starts]
    level_starts = np.flatnonzero(np.r_[True, dist[nodes][1:] != dist[nodes][:-1]])  # first node of each distance
    level_ends = np.r_[level_starts[1:], nodes.size]
    edge_ends = np.r_[starts[1:], src.size]
    weight = _path_weights(graph.up_nodes.size, hosts, src, dst, nodes, starts, level_starts, level_ends)
    layers: dict[float, Layer] = {}
    for g0, g1 in zip(level_starts.tolist(), level_ends.tolist(), strict=True):
        e0, e1 = int(starts[g0]), int(edge_ends[g1 - 1])
        layers[float(dist[nodes[g0]])] = Layer(
            src=src[e0:e1], dst=dst[e0:e1], link=link[e0:e1], weight=weight[e0:e1], nodes=nodes[g0:g1]
        )
    return _SetRouting(hosts=hosts, layers=layers)


def _path_weights(
    n: int,
    hosts: NDArray[np.int64],
    src: NDArray[np.int64],
    dst: NDArray[np.int64],
    nodes: NDArray[np.int64],
    starts: NDArray[np.int64],
    level_starts: NDArray[np.int64],
    level_ends: NDArray[np.int64],
) -> NDArray[np.float64]:
    """``n(dst) / n(src)`` of every DAG edge (edges sorted by distance and node, as in :func:`_route_set`)."""
    levels = list(zip(level_starts.tolist(), level_ends.tolist(), strict=True))
    count = np.zeros(n, dtype=np.float64)
    count[hosts] = 1.0
    with np.errstate(over="ignore"):
        for g0, g1 in levels:  # each node's count: the sum of its next hops' counts, all at smaller distances
            e0 = int(starts[g0])
            e1 = int(starts[g1]) if g1 < starts.size else src.size
            count[nodes[g0:g1]] = np.add.reduceat(count[dst[e0:e1]], starts[g0:g1] - e0)
    if np.isfinite(count[nodes]).all():
        weight: NDArray[np.float64] = count[dst] / count[src]
        return weight
    # too many paths for a float: each count as mantissa x 2**exponent, summed over a common exponent per node
    mantissa, exponent = np.zeros(n, dtype=np.float64), np.zeros(n, dtype=np.int64)
    mantissa[hosts] = 1.0
    for g0, g1 in levels:
        e0 = int(starts[g0])
        e1 = int(starts[g1]) if g1 < starts.size else src.size
        offsets = starts[g0:g1] - e0
        top = np.maximum.reduceat(exponent[dst[e0:e1]], offsets)
        shift = exponent[dst[e0:e1]] - np.repeat(top, np.diff(np.r_[offsets, e1 - e0]))
        total = np.add.reduceat(np.ldexp(mantissa[dst[e0:e1]], shift), offsets)
        m, e = np.frexp(total)
        mantissa[nodes[g0:g1]], exponent[nodes[g0:g1]] = m, e + top
    weight = np.ldexp(mantissa[dst] / mantissa[src], exponent[dst] - exponent[src])
    return weight


def stack_layers(parts: list[tuple[int, Layer]]) -> Layer:
    """One layer of the stacked routing: each service's layer shifted by its base index, in service order."""
    return Layer(
        src=np.concatenate([base + layer.src for base, layer in parts]),
        dst=np.concatenate([base + layer.dst for base, layer in parts]),
        link=np.concatenate([layer.link for _, layer in parts]),
        weight=np.concatenate([layer.weight for _, layer in parts]),
        nodes=np.concatenate([base + layer.nodes for base, layer in parts]),
    )

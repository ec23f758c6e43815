"""Routing: least-cost paths from every node to each service's hosts, split equally over equal-cost paths.

Each link has a routing ``cost`` (default 1, so by default paths are counted in hops).
For a service with up hosts ``H``, a Dijkstra search from ``H`` gives every node ``u`` its
least cost ``d(u)`` to ``H`` and its number ``n(u)`` of least-cost paths. Traffic at ``u``
moves to each neighbour ``v`` with ``d(v) + cost(u, v) = d(u)`` in proportion ``n(v) / n(u)``:
every equal-cost path carries the same share (ECMP over paths, not over next hops).

The result is a directed acyclic graph per service, cut into layers of equal distance.
Services are stacked into one index space (``s * n_nodes + node``) so that
:mod:`simkz.model.flows` runs a few numpy operations per layer.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simkz.topology.network import Topology

__all__ = ["Layer", "Routing", "reachable", "route"]

Adjacency = list[list[tuple[int, int, int]]]  # per node: (neighbour, link index, cost)


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


def _adjacency(topology: Topology, down_nodes: frozenset[str], down_links: frozenset[str]) -> Adjacency:
    index = topology.node_index
    up = [n not in down_nodes for n in topology.nodes]
    adj: Adjacency = [[] for _ in topology.nodes]
    for li, (name, (a, b)) in enumerate(zip(topology.links, topology.link_ends, strict=True)):
        ia, ib = index[a], index[b]
        if name in down_links or not (up[ia] and up[ib]):
            continue
        cost = int(topology.graph.edges[a, b].get("cost", 1))
        adj[ia].append((ib, li, cost))
        adj[ib].append((ia, li, cost))
    return adj


def _least_cost(adj: Adjacency, sources: list[int]) -> tuple[list[float], list[int], list[int]]:
    """Multi-source Dijkstra: distance, number of least-cost paths, and nodes in settling order."""
    inf = float("inf")
    dist = [inf] * len(adj)
    count = [0] * len(adj)
    heap: list[tuple[float, int]] = []
    for s in sources:
        dist[s], count[s] = 0.0, 1
        heap.append((0.0, s))
    heapq.heapify(heap)
    order: list[int] = []
    done = [False] * len(adj)
    while heap:
        d, u = heapq.heappop(heap)
        if done[u]:
            continue
        done[u] = True
        order.append(u)
        for v, _, cost in adj[u]:
            nd = d + cost
            if nd < dist[v]:
                dist[v], count[v] = nd, count[u]
                heapq.heappush(heap, (nd, v))
            elif nd == dist[v] and not done[v]:
                count[v] += count[u]
    return dist, count, order


def reachable(
    topology: Topology, sources: Sequence[str], down_nodes: frozenset[str], down_links: frozenset[str]
) -> NDArray[np.bool_]:
    """[node] whether the node has an up path to any of ``sources`` (nodes in ``down_nodes`` never do)."""
    adj = _adjacency(topology, down_nodes, down_links)
    index = topology.node_index
    seen = np.zeros(len(topology.nodes), dtype=bool)
    stack = [index[s] for s in sources if s not in down_nodes]
    seen[stack] = True
    while stack:
        u = stack.pop()
        for v, _, _ in adj[u]:
            if not seen[v]:
                seen[v] = True
                stack.append(v)
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
    service's in the order its nodes were settled (what a search per service gives, edge for edge).
    """
    n = len(topology.nodes)
    index = topology.node_index
    adj = _adjacency(topology, down_nodes, down_links)
    host_sets = [s.hosts for s in topology.services] if targets is None else targets
    searched: dict[tuple[int, ...], _SetRouting] = {}
    per_service: list[_SetRouting] = []
    for service_hosts in host_sets:
        sources = tuple(sorted({index[h] for h in service_hosts if h not in down_nodes}))
        if sources not in searched:
            searched[sources] = _route_set(adj, sources)
        per_service.append(searched[sources])
    distances = sorted({d for r in per_service for d in r.layers})
    layers = tuple(
        _stack([(s * n, r.layers[d]) for s, r in enumerate(per_service) if d in r.layers]) for d in distances
    )
    hosts = np.concatenate([s * n + r.hosts for s, r in enumerate(per_service)]) if per_service else np.zeros(0)
    return Routing(n_nodes=n, n_services=len(host_sets), hosts=np.sort(hosts).astype(np.int64), layers=layers)


@dataclass(frozen=True)
class _SetRouting:
    """The routing towards one host set, in plain node indices (service 0 of the stacked space)."""

    hosts: NDArray[np.int64]  #: node indices of the up hosts, sorted
    layers: dict[float, Layer]  #: by distance from the hosts


def _route_set(adj: Adjacency, sources: tuple[int, ...]) -> _SetRouting:
    """Least-cost DAG towards ``sources``: at each distance, the edges leaving each node (settling order)."""
    dist, count, order = _least_cost(adj, list(sources))
    edges_at: dict[float, list[tuple[int, int, int, float]]] = {}
    nodes_at: dict[float, list[int]] = {}
    for u in order:
        d = dist[u]
        if d == 0:
            continue
        nodes_at.setdefault(d, []).append(u)
        edges = edges_at.setdefault(d, [])
        for v, li, cost in adj[u]:
            if dist[v] + cost == d:
                edges.append((u, v, li, count[v] / count[u]))
    layers = {}
    for d, nodes in nodes_at.items():
        edges = edges_at[d]
        layers[d] = Layer(
            src=np.array([e[0] for e in edges], dtype=np.int64),
            dst=np.array([e[1] for e in edges], dtype=np.int64),
            link=np.array([e[2] for e in edges], dtype=np.int64),
            weight=np.array([e[3] for e in edges], dtype=np.float64),
            nodes=np.array(nodes, dtype=np.int64),
        )
    return _SetRouting(hosts=np.array(sources, dtype=np.int64), layers=layers)


def _stack(parts: list[tuple[int, Layer]]) -> Layer:
    """One layer of the stacked routing: each service's layer shifted by its base index, in service order."""
    return Layer(
        src=np.concatenate([base + layer.src for base, layer in parts]),
        dst=np.concatenate([base + layer.dst for base, layer in parts]),
        link=np.concatenate([layer.link for _, layer in parts]),
        weight=np.concatenate([layer.weight for _, layer in parts]),
        nodes=np.concatenate([base + layer.nodes for base, layer in parts]),
    )

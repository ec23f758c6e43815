"""Routing: shortest paths from every node to each service's hosts, split equally over equal-cost paths.

For a service ``s`` with up hosts ``H``, a breadth-first search from ``H`` gives every
node ``u`` its hop distance ``d(u)`` and its number of shortest paths ``n(u)`` to ``H``.
Traffic at ``u`` moves to each neighbour ``v`` with ``d(v) = d(u) - 1`` in proportion
``n(v) / n(u)``: every equal-cost path carries the same share (ECMP over paths).

The result is a layered directed acyclic graph per service. Services are stacked
into one index space (``s * n_nodes + node``) so that the flow computations in
:mod:`simkz.model.flows` run as a few numpy operations per layer.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simkz.topology.network import Topology

__all__ = ["Layer", "Routing", "route"]


@dataclass(frozen=True)
class Layer:
    """The DAG edges leaving nodes at one distance: ``src`` -> ``dst`` over ``link`` with ``weight``."""

    src: NDArray[np.int64]  #: stacked index of the node the traffic leaves
    dst: NDArray[np.int64]  #: stacked index of the next hop (one step closer to a host)
    link: NDArray[np.int64]  #: link index
    weight: NDArray[np.float64]  #: share of the traffic at src that takes this edge
    nodes: NDArray[np.int64]  #: stacked indices of the nodes at this distance


@dataclass(frozen=True)
class Routing:
    """Routing of every service for one set of down nodes and links."""

    n_nodes: int
    n_services: int
    hosts: NDArray[np.int64]  #: stacked indices at distance 0 (up hosts)
    layers: tuple[Layer, ...]  #: layers[k] leaves nodes at distance k + 1
    reachable: NDArray[np.bool_]  #: stacked: node has a path to an up host


def _adjacency(
    topology: Topology, down_nodes: frozenset[str], down_links: frozenset[str]
) -> list[list[tuple[int, int]]]:
    index = topology.node_index
    up = [n not in down_nodes for n in topology.nodes]
    adj: list[list[tuple[int, int]]] = [[] for _ in topology.nodes]
    for li, (name, (a, b)) in enumerate(zip(topology.links, topology.link_ends, strict=True)):
        ia, ib = index[a], index[b]
        if name in down_links or not (up[ia] and up[ib]):
            continue
        adj[ia].append((ib, li))
        adj[ib].append((ia, li))
    return adj


def route(
    topology: Topology, down_nodes: frozenset[str] = frozenset(), down_links: frozenset[str] = frozenset()
) -> Routing:
    """Build the ECMP routing of every service on the up part of the graph."""
    n = len(topology.nodes)
    index = topology.node_index
    adj = _adjacency(topology, down_nodes, down_links)
    per_level: dict[int, list[tuple[int, int, int, float]]] = {}
    level_nodes: dict[int, list[int]] = {}
    hosts: list[int] = []
    reachable = np.zeros(n * len(topology.services), dtype=bool)
    for s, service in enumerate(topology.services):
        base = s * n
        dist = [-1] * n
        count = [0] * n
        queue: deque[int] = deque()
        for h in sorted({index[h] for h in service.hosts if h not in down_nodes}):
            dist[h], count[h] = 0, 1
            queue.append(h)
            hosts.append(base + h)
        order: list[int] = []
        while queue:
            u = queue.popleft()
            order.append(u)
            for v, _ in adj[u]:
                if dist[v] < 0:
                    dist[v] = dist[u] + 1
                    queue.append(v)
                if dist[v] == dist[u] + 1:
                    count[v] += count[u]
        for u in order:
            reachable[base + u] = True
            d = dist[u]
            if d == 0:
                continue
            level_nodes.setdefault(d, []).append(base + u)
            edges = per_level.setdefault(d, [])
            for v, li in adj[u]:
                if dist[v] == d - 1:
                    edges.append((base + u, base + v, li, count[v] / count[u]))
    layers = []
    for d in range(1, max(per_level, default=0) + 1):
        edges = per_level.get(d, [])
        layers.append(
            Layer(
                src=np.array([e[0] for e in edges], dtype=np.int64),
                dst=np.array([e[1] for e in edges], dtype=np.int64),
                link=np.array([e[2] for e in edges], dtype=np.int64),
                weight=np.array([e[3] for e in edges], dtype=np.float64),
                nodes=np.array(level_nodes.get(d, []), dtype=np.int64),
            )
        )
    return Routing(
        n_nodes=n,
        n_services=len(topology.services),
        hosts=np.array(sorted(hosts), dtype=np.int64),
        layers=tuple(layers),
        reachable=reachable,
    )

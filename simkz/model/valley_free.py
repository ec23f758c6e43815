"""Valley-free routing: the paths BGP takes under the Gao-Rexford rules, for ``routing: valley-free``.

Links carry a business ``relationship``: ``p2c`` (provider to customer; the link's first end is the
provider), ``p2p`` (peers), or none (both ends in one organisation, *siblings*: an AS and its own access
network, or two ASes of one company). Traffic moves towards a service's hosts, which originate the route
(anycast when there are several); routes spread the opposite way under two rules (Gao & Rexford 2001):

* **Export.** An AS passes on a route learned from a customer (or its own) to every neighbour, and a route
  learned from a peer or a provider to its customers only. Siblings pass on everything to each other, and a
  route keeps its class across a sibling link (Gao 2001 treats siblings as one AS).
* **Preference.** An AS prefers a route learned from a customer over one from a peer over one from a
  provider; among routes of the class it prefers, the shortest (in total link ``cost``, 1 per link by
  default: AS hops); among equally short ones it splits traffic equally over the paths (ECMP, as the
  default routing does), each path carrying the same share.

So every path is *valley-free* (Gao 2001): zero or more customer-to-provider links, at most one peer link,
then zero or more provider-to-customer links, sibling links anywhere. An AS with no valley-free path to a
host has no route: its traffic to that service is lost. On a graph whose links have no relationship the
rules reduce to the default least-cost ECMP routing.

**Computation** (per distinct set of up hosts; three Dijkstra searches of :mod:`scipy.sparse.csgraph`, each
from a super-source joined to the nodes already routed with their route lengths):

1. customer routes: from the hosts, up customer-to-provider and sibling links;
2. peer routes, for nodes without a customer route: one peer link from a node with a customer route (or a
   host), then sibling links;
3. provider routes, for the rest: down provider-to-customer links from any routed node, then
   provider-to-customer and sibling links.

A node's route length ``L`` is what its phase gives; its next hops are the neighbours ``v`` whose route it
would accept in that class with ``L(v) + cost = L``. The number of best paths ``n`` is summed by route length
and traffic goes to ``v`` in proportion ``n(v) / n(u)``.

**Layers.** The result has the same :class:`~simkz.model.routing.Routing` structure as ECMP routing, and the
flow model runs on it unchanged. A layer holds the nodes of one *route length* (not of one graph distance:
valley-free routes are often longer than shortest paths, and a node's next hop may be farther from the host
in hops than the node itself). Every DAG edge leads from a route length to a strictly smaller one (costs are
at least 1), so the layers in increasing route length are a topological order: :mod:`simkz.model.flows`
pushes traffic from the last layer to the first and each node's traffic is complete before it moves on.

References: L. Gao, "On inferring autonomous system relationships in the Internet", IEEE/ACM Transactions on
Networking 9(6), 2001, https://doi.org/10.1109/90.974527; L. Gao and J. Rexford, "Stable Internet routing
without global coordination", IEEE/ACM Transactions on Networking 9(6), 2001, https://doi.org/10.1109/90.974523.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from simkz.model.routing import Layer, Routing, stack_layers
from simkz.topology.network import Topology

__all__ = ["reachable_valley_free", "route_valley_free"]

#: What the neighbour ``v`` of an arc ``u -> v`` is to ``u``.
SIBLING, PEER, CUSTOMER, PROVIDER = 0, 1, 2, 3
#: Class of a node's best route (lower is preferred); ``NONE``: no route.
ORIGIN, FROM_CUSTOMER, FROM_PEER, FROM_PROVIDER, NONE = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class _Links:
    """Every link of a topology (in ``links`` order): its end indices, cost and relationship code."""

    a: NDArray[np.int64]
    b: NDArray[np.int64]
    cost: NDArray[np.float64]
    b_is: NDArray[np.int8]  #: what ``b`` is to ``a``: SIBLING, PEER, CUSTOMER or PROVIDER


def _links(topology: Topology) -> _Links:
    """The links with their relationships, read from the graph once per topology."""

    def make() -> _Links:
        index = topology.node_index
        adj = topology.graph.adj
        a, b, cost, b_is = [], [], [], []
        for x, y in topology.link_ends:
            data = adj[x][y]
            rel = data.get("relationship")
            a.append(index[x])
            b.append(index[y])
            cost.append(data.get("cost", 1))
            if rel == "p2c":
                b_is.append(CUSTOMER if data["provider"] == x else PROVIDER)
            else:
                b_is.append(PEER if rel == "p2p" else SIBLING)
        return _Links(
            a=np.array(a, dtype=np.int64),
            b=np.array(b, dtype=np.int64),
            cost=np.array(cost, dtype=np.float64),
            b_is=np.array(b_is, dtype=np.int8),
        )

    return topology.memo("valley-free-links", make)


#: What ``a`` is to ``b``, given what ``b`` is to ``a``.
_REVERSE = np.array([SIBLING, PEER, PROVIDER, CUSTOMER], dtype=np.int8)


@dataclass(frozen=True)
class _Arcs:
    """The up links, each in both directions: ``u`` may forward to ``v``, which is ``kind`` to ``u``."""

    n: int
    u: NDArray[np.int64]
    v: NDArray[np.int64]
    link: NDArray[np.int64]
    cost: NDArray[np.float64]
    kind: NDArray[np.int8]


def _arcs(topology: Topology, down_nodes: frozenset[str], down_links: frozenset[str]) -> _Arcs:
    links = _links(topology)
    n = len(topology.nodes)
    up_nodes = np.ones(n, dtype=bool)
    up_nodes[[topology.node_index[x] for x in down_nodes]] = False
    up = up_nodes[links.a] & up_nodes[links.b]
    up[[topology.link_index[x] for x in down_links]] = False
    li = np.flatnonzero(up)
    a, b = links.a[li], links.b[li]
    return _Arcs(
        n=n,
        u=np.concatenate([a, b]),
        v=np.concatenate([b, a]),
        link=np.concatenate([li, li]),
        cost=np.concatenate([links.cost[li], links.cost[li]]),
        kind=np.concatenate([links.b_is[li], _REVERSE[links.b_is[li]]]),
    )


def _spread(
    arcs: _Arcs, on: NDArray[np.bool_], seeds: NDArray[np.int64], length: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Route lengths reached from ``seeds`` (with their ``length``) along the arcs ``on``, against their direction
    (a route moves from ``v`` to ``u`` when ``u`` forwards to ``v``); inf where none arrives."""
    n = arcs.n
    rows = np.concatenate([arcs.v[on], np.full(seeds.size, n, dtype=np.int64)])
    cols = np.concatenate([arcs.u[on], seeds])
    # a super-source (index n) joined to each seed by its length + 1: every weight is at least 1 (never a zero)
    data = np.concatenate([arcs.cost[on], length[seeds] + 1.0])
    matrix = csr_matrix((data, (rows, cols)), shape=(n + 1, n + 1))
    dist = np.asarray(dijkstra(matrix, directed=True, indices=n), dtype=np.float64)
    return dist[:n] - 1.0


def _settle(cls: NDArray[np.int8], length: NDArray[np.float64], found: NDArray[np.float64], phase: int) -> None:
    """Give the nodes without a route that ``found`` reaches the class ``phase`` and their route length."""
    new = (cls == NONE) & np.isfinite(found)
    cls[new] = phase
    length[new] = found[new]


def _classes(arcs: _Arcs, hosts: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """Every node's best route length and class towards ``hosts`` (inf and NONE where it has no route)."""
    length = np.full(arcs.n, np.inf)
    cls = np.full(arcs.n, NONE, dtype=np.int8)
    if not hosts.size:
        return length, cls
    length[hosts] = 0.0
    kind, sibling = arcs.kind, arcs.kind == SIBLING
    # 1. customer routes: u learns from its customer (or sibling) v
    _settle(cls, length, _spread(arcs, (kind == CUSTOMER) | sibling, hosts, length), FROM_CUSTOMER)
    cls[hosts] = ORIGIN
    # 2. peer routes: one peer link from a node with a customer route, then siblings
    routed = cls != NONE
    into_new, onward = ~routed[arcs.u], ~routed[arcs.u] & ~routed[arcs.v] & sibling
    peer = (into_new & routed[arcs.v] & (kind == PEER)) | onward
    _settle(cls, length, _spread(arcs, peer, np.flatnonzero(routed), length), FROM_PEER)
    # 3. provider routes: down from any node with a route, then down or to siblings
    routed = cls != NONE
    into_new, onward = ~routed[arcs.u], ~routed[arcs.u] & ~routed[arcs.v] & sibling
    provider = (into_new & (kind == PROVIDER)) | onward
    _settle(cls, length, _spread(arcs, provider, np.flatnonzero(routed), length), FROM_PROVIDER)
    return length, cls


def _next_hops(arcs: _Arcs, length: NDArray[np.float64], cls: NDArray[np.int8]) -> NDArray[np.bool_]:
    """[arc] whether ``u -> v`` is one of ``u``'s best next hops: ``u`` accepts ``v``'s route in its own class
    and ``L(v) + cost = L(u)``."""
    cu, cv = cls[arcs.u], cls[arcs.v]
    exported = cv <= FROM_CUSTOMER  # what v passes on to a provider or a peer
    learned = np.select(
        [arcs.kind == CUSTOMER, arcs.kind == PEER, arcs.kind == PROVIDER],
        [np.where(exported, FROM_CUSTOMER, NONE), np.where(exported, FROM_PEER, NONE), FROM_PROVIDER],
        default=np.maximum(cv, FROM_CUSTOMER),  # from a sibling the route keeps its class
    )
    with np.errstate(invalid="ignore"):  # inf - inf where neither has a route
        same_length = length[arcs.v] + arcs.cost == length[arcs.u]
    on: NDArray[np.bool_] = (cu != NONE) & (cu != ORIGIN) & (learned == cu) & same_length
    return on


@dataclass(frozen=True)
class _SetRouting:
    """The routing towards one host set, in plain node indices (service 0 of the stacked space)."""

    hosts: NDArray[np.int64]  #: node indices of the up hosts, sorted
    layers: dict[float, Layer]  #: by route length
    routed: NDArray[np.bool_]  #: [node] whether it has a route to a host


def _route_set(arcs: _Arcs, sources: tuple[int, ...]) -> _SetRouting:
    """The valley-free DAG towards ``sources``, cut into layers of equal route length (edges by node, then link)."""
    hosts = np.array(sources, dtype=np.int64)
    length, cls = _classes(arcs, hosts)
    on = _next_hops(arcs, length, cls)
    src, dst, link = arcs.u[on], arcs.v[on], arcs.link[on]
    order = np.lexsort((link, src, length[src]))  # by route length, then node, then link
    src, dst, link = src[order], dst[order], link[order]
    weight = _weights(arcs.n, hosts, src, dst, length)
    layers: dict[float, Layer] = {}
    if src.size:
        cuts = np.flatnonzero(np.diff(length[src])) + 1
        for part in np.split(np.arange(src.size), cuts):
            e0, e1 = int(part[0]), int(part[-1]) + 1
            nodes = np.unique(src[e0:e1])
            layers[float(length[src[e0]])] = Layer(
                src=src[e0:e1], dst=dst[e0:e1], link=link[e0:e1], weight=weight[e0:e1], nodes=nodes
            )
    return _SetRouting(hosts=hosts, layers=layers, routed=cls != NONE)


def _weights(
    n: int, hosts: NDArray[np.int64], src: NDArray[np.int64], dst: NDArray[np.int64], length: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``n(dst) / n(src)`` of every DAG edge (sorted by the route length of ``src``), ``n`` the number of best
    paths: each node's is the sum of its next hops', all of shorter route length. Counted as float64 (exact up to
    2**53 paths); if a count would overflow, again with Python integers (exact, slower)."""
    levels = np.split(np.arange(src.size), np.flatnonzero(np.diff(length[src])) + 1) if src.size else []
    for dtype in (np.float64, object):
        count = np.zeros(n, dtype=dtype)
        count[hosts] = 1
        with np.errstate(over="ignore", invalid="ignore"):
            for part in levels:
                np.add.at(count, src[part], count[dst[part]])
            if dtype is object or np.isfinite(count[src]).all():
                return np.asarray(count[dst] / count[src], dtype=np.float64)
    raise AssertionError("unreachable")  # pragma: no cover


def route_valley_free(
    topology: Topology,
    down_nodes: frozenset[str] = frozenset(),
    down_links: frozenset[str] = frozenset(),
    targets: Sequence[Sequence[str]] | None = None,
) -> Routing:
    """The valley-free routing of every service (or of each set of ``targets``) on the up part of the graph,
    in the structure of :func:`simkz.model.routing.route` (see the module docstring)."""
    n = len(topology.nodes)
    arcs = _arcs(topology, down_nodes, down_links)
    per_service = _per_host_set(topology, arcs, down_nodes, targets)
    lengths = sorted({d for r in per_service for d in r.layers})
    layers = tuple(
        stack_layers([(s * n, r.layers[d]) for s, r in enumerate(per_service) if d in r.layers]) for d in lengths
    )
    hosts = np.concatenate([s * n + r.hosts for s, r in enumerate(per_service)]) if per_service else np.zeros(0)
    return Routing(n_nodes=n, n_services=len(per_service), hosts=np.sort(hosts).astype(np.int64), layers=layers)


def _per_host_set(
    topology: Topology, arcs: _Arcs, down_nodes: frozenset[str], targets: Sequence[Sequence[str]] | None
) -> list[_SetRouting]:
    """The routing towards each service's up hosts (or each set of ``targets``), searched once per distinct set."""
    index = topology.node_index
    host_sets = [s.hosts for s in topology.services] if targets is None else targets
    searched: dict[tuple[int, ...], _SetRouting] = {}
    out = []
    for hosts in host_sets:
        sources = tuple(sorted({index[h] for h in hosts if h not in down_nodes}))
        if sources not in searched:
            searched[sources] = _route_set(arcs, sources)
        out.append(searched[sources])
    return out


def reachable_valley_free(
    topology: Topology, sources: Sequence[str], down_nodes: frozenset[str], down_links: frozenset[str]
) -> NDArray[np.bool_]:
    """[node] whether the node has a valley-free route to any of ``sources`` (nodes in ``down_nodes`` never do).

    The reverse of a valley-free path is valley-free, so this is also whether ``sources`` have a route to the
    node (the BGP visibility of its prefixes from there)."""
    arcs = _arcs(topology, down_nodes, down_links)
    index = topology.node_index
    hosts = np.array(sorted({index[s] for s in sources if s not in down_nodes}), dtype=np.int64)
    _, cls = _classes(arcs, hosts)
    routed: NDArray[np.bool_] = cls != NONE
    return routed

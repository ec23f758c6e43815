"""The vectorised routing (scipy.sparse.csgraph + numpy) gives the routing of the plain Dijkstra it replaced.

The reference below is the implementation simkz used before (a heap Dijkstra per distinct host set with
Python-int path counts, edges listed in the order nodes are settled and links scanned). On random graphs
with costs, down nodes and links and several host sets the two routings are the same array for array
(the layers, the nodes per layer and the edges in the same order, the weights bit for bit). Above 2**53
paths float counts round, and above about 1e308 they are summed as logarithms: there the weights agree
within 1e-12 (relative) and the flows they give too.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simkz.model.flows import evaluate
from simkz.model.routing import Layer, Routing, reachable, route
from simkz.times import parse_zone
from simkz.topology.load import load_topology
from simkz.topology.network import Cohort, Demand, Region, Service, Topology
from tests.conftest import TOPOLOGIES

# --- the reference: the heap Dijkstra simkz used before ------------------------------------------------------

Adjacency = list[list[tuple[int, int, int]]]


def reference_adjacency(topology: Topology, down_nodes: frozenset[str], down_links: frozenset[str]) -> Adjacency:
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


def reference_search(adj: Adjacency, sources: list[int]) -> tuple[list[float], list[int], list[int]]:
    inf = float("inf")
    dist, count, done = [inf] * len(adj), [0] * len(adj), [False] * len(adj)
    heap: list[tuple[float, int]] = []
    for s in sources:
        dist[s], count[s] = 0.0, 1
        heap.append((0.0, s))
    heapq.heapify(heap)
    order: list[int] = []
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


def reference_route(
    topology: Topology,
    down_nodes: frozenset[str] = frozenset(),
    down_links: frozenset[str] = frozenset(),
    targets: Sequence[Sequence[str]] | None = None,
) -> Routing:
    n, index = len(topology.nodes), topology.node_index
    adj = reference_adjacency(topology, down_nodes, down_links)
    host_sets = [s.hosts for s in topology.services] if targets is None else targets
    edges_at: dict[float, list[tuple[int, int, int, float]]] = {}
    nodes_at: dict[float, list[int]] = {}
    hosts: list[int] = []
    for s, service_hosts in enumerate(host_sets):
        sources = sorted({index[h] for h in service_hosts if h not in down_nodes})
        hosts.extend(s * n + h for h in sources)
        dist, count, order = reference_search(adj, sources)
        for u in order:
            if dist[u] == 0:
                continue
            nodes_at.setdefault(dist[u], []).append(s * n + u)
            for v, li, cost in adj[u]:
                if dist[v] + cost == dist[u]:
                    edges_at.setdefault(dist[u], []).append((s * n + u, s * n + v, li, count[v] / count[u]))
    layers = tuple(
        Layer(
            src=np.array([e[0] for e in edges_at[d]], dtype=np.int64),
            dst=np.array([e[1] for e in edges_at[d]], dtype=np.int64),
            link=np.array([e[2] for e in edges_at[d]], dtype=np.int64),
            weight=np.array([e[3] for e in edges_at[d]], dtype=np.float64),
            nodes=np.array(nodes_at[d], dtype=np.int64),
        )
        for d in sorted(nodes_at)
    )
    return Routing(n, len(host_sets), np.array(sorted(hosts), dtype=np.int64), layers)


def reference_reachable(
    topology: Topology, sources: Sequence[str], down_nodes: frozenset[str], down_links: frozenset[str]
) -> np.ndarray:
    adj = reference_adjacency(topology, down_nodes, down_links)
    seen = np.zeros(len(topology.nodes), dtype=bool)
    stack = [topology.node_index[s] for s in sources if s not in down_nodes]
    seen[stack] = True
    while stack:
        for v, _, _ in adj[stack.pop()]:
            if not seen[v]:
                seen[v] = True
                stack.append(v)
    return seen


# --- comparisons ---------------------------------------------------------------------------------------------


def assert_same_routing(a: Routing, b: Routing, rtol: float = 0.0) -> None:
    """The same layers, nodes and edges in the same order; weights bit for bit (or within ``rtol``)."""
    assert (a.n_nodes, a.n_services, len(a.layers)) == (b.n_nodes, b.n_services, len(b.layers))
    assert a.hosts.dtype == b.hosts.dtype and a.hosts.tobytes() == b.hosts.tobytes()
    for la, lb in zip(a.layers, b.layers, strict=True):
        for field in ("src", "dst", "link", "nodes"):
            x, y = getattr(la, field), getattr(lb, field)
            assert x.dtype == y.dtype == np.int64 and x.tobytes() == y.tobytes(), field
        assert la.weight.dtype == lb.weight.dtype == np.float64
        if rtol:
            np.testing.assert_allclose(la.weight, lb.weight, rtol=rtol, atol=0.0)
        else:
            assert la.weight.tobytes() == lb.weight.tobytes(), "weight"


def graph_topology(graph: nx.Graph, host_sets: list[tuple[str, ...]]) -> Topology:
    """A topology on ``graph`` (edges carry name, capacity and cost) with a service per host set."""
    zone = parse_zone("UTC")
    nodes = sorted(graph.nodes)
    return Topology(
        name="g",
        description="",
        zone=zone,
        graph=graph,
        regions={"r": Region("r", "r", 100, 100.0, 0.0, None, zone, None)},
        operators={},
        services=tuple(
            Service(f"s{i}", "web", hosts, 1.0, 1.0 / len(host_sets), (), True) for i, hosts in enumerate(host_sets)
        ),
        cohorts=tuple(Cohort(node, "r", "o", "fixed", 1.0) for node in nodes),
        demand={"fixed": Demand(1.0, (1.0,) * 24)},
    )


@st.composite
def random_cases(draw: st.DrawFn) -> tuple[Topology, frozenset[str], frozenset[str], list[tuple[str, ...]]]:
    n = draw(st.integers(2, 24))
    names = [f"n{i:02d}" for i in range(n)]
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(len(pairs), 60)))
    low_costs = draw(st.booleans())  # many ties (equal-cost paths) or a spread of costs
    graph = nx.Graph()
    graph.add_nodes_from(names)
    for k, (a, b) in enumerate(chosen):
        cost = draw(st.integers(1, 3 if low_costs else 50))
        graph.add_edge(a, b, name=f"l{(k * 7919) % 1000:03d}-{k}", capacity_gbps=10.0, kind="backbone", cost=cost)
    host_sets = draw(
        st.lists(st.lists(st.sampled_from(names), min_size=1, max_size=4).map(tuple), min_size=1, max_size=4)
    )
    links = sorted(d["name"] for _, _, d in graph.edges(data=True))
    down_nodes = draw(st.sets(st.sampled_from(names), max_size=3))
    down_links = draw(st.sets(st.sampled_from(links), max_size=4)) if links else set()
    return graph_topology(graph, host_sets), frozenset(down_nodes), frozenset(down_links), host_sets


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_cases())
def test_vectorised_routing_equals_the_heap_dijkstra(case):
    topology, down_nodes, down_links, host_sets = case
    assert_same_routing(route(topology, down_nodes, down_links), reference_route(topology, down_nodes, down_links))
    targets = [host_sets[0], tuple(topology.nodes[:3])]
    assert_same_routing(
        route(topology, down_nodes, down_links, targets=targets),
        reference_route(topology, down_nodes, down_links, targets=targets),
    )
    for hosts in host_sets:
        np.testing.assert_array_equal(
            reachable(topology, hosts, down_nodes, down_links),
            reference_reachable(topology, hosts, down_nodes, down_links),
        )


def random_states(topology: Topology, count: int, seed: int):
    rng = np.random.default_rng(seed)
    nodes, links = list(topology.nodes), list(topology.links)
    yield frozenset(), frozenset()
    for _ in range(count):
        down_nodes = rng.choice(nodes, size=int(rng.integers(0, 6)), replace=False)
        down_links = rng.choice(links, size=int(rng.integers(0, 8)), replace=False)
        yield frozenset(down_nodes.tolist()), frozenset(down_links.tolist())


@pytest.mark.parametrize("name", ["kz-2022", "kz-decentralised", "toy"])
def test_shipped_topologies_route_as_before(name):
    topology = load_topology(TOPOLOGIES / f"{name}.yaml")
    foreign = topology.foreign_nodes()
    for down_nodes, down_links in random_states(topology, 25, seed=11):
        assert_same_routing(route(topology, down_nodes, down_links), reference_route(topology, down_nodes, down_links))
        np.testing.assert_array_equal(
            reachable(topology, foreign, down_nodes, down_links),
            reference_reachable(topology, foreign, down_nodes, down_links),
        )
    assert_same_routing(route(topology, targets=[foreign]), reference_route(topology, targets=[foreign]))


def layered(width: int, depth: int) -> Topology:
    """``depth`` levels of ``width`` nodes, each joined to every node of the next; the host behind the last level.

    From the first level there are ``width ** (depth - 1)`` least-cost paths to the host."""
    graph = nx.Graph()
    name = [[f"v{d:03d}-{i}" for i in range(width)] for d in range(depth)]
    k = 0
    for d in range(depth - 1):
        for a in name[d]:
            for b in name[d + 1]:
                graph.add_edge(a, b, name=f"e{k:06d}", capacity_gbps=1.0, kind="backbone", cost=1)
                k += 1
    for b in name[-1]:
        graph.add_edge(b, "host", name=f"e{k:06d}", capacity_gbps=1.0, kind="backbone", cost=1)
        k += 1
    # a lopsided entry, so that the weights are not all equal: a top node with an extra path through a side node
    graph.add_edge(name[0][0], "side", name="f0", capacity_gbps=1.0, kind="backbone", cost=1)
    graph.add_edge("side", name[1][1], name="f1", capacity_gbps=1.0, kind="backbone", cost=1)
    return graph_topology(graph, [("host",)])


@pytest.mark.parametrize(
    ("width", "depth", "paths"),
    [(3, 40, 3**39), (4, 520, 4**519)],
    ids=["beyond 2**53 paths", "beyond the float range"],
)
def test_huge_path_counts_give_the_weights_within_1e_12(width, depth, paths):
    topology = layered(width, depth)
    assert paths > 2**53
    fast, slow = route(topology), reference_route(topology)
    assert_same_routing(fast, slow, rtol=1e-12)
    assert all(np.isfinite(layer.weight).all() and (layer.weight > 0).all() for layer in fast.layers)
    # the flows from every node agree too
    n = len(topology.nodes)
    cohort_nodes = np.arange(n, dtype=np.int64)
    demand = np.linspace(1.0, 2.0, n)[:, None]
    args = (np.ones(n), topology.capacities_gbps() * 1e9, demand, cohort_nodes)
    a, b = evaluate(fast, *args), evaluate(slow, *args)
    np.testing.assert_allclose(a.load_gbps, b.load_gbps, rtol=1e-12, atol=0.0)
    np.testing.assert_allclose(a.served, b.served, rtol=1e-12, atol=0.0)


def test_only_the_hosts_reach_the_hosts():
    graph = nx.Graph()
    graph.add_edge("a", "b", name="ab", capacity_gbps=1.0, kind="backbone")
    graph.add_node("h")
    topology = graph_topology(graph, [("h",), ("a",)])
    routing = route(topology)
    assert_same_routing(routing, reference_route(topology))
    assert len(routing.layers) == 1 and routing.layers[0].nodes.tolist() == [len(topology.nodes) + 1]
    without_h = route(topology, down_nodes=frozenset({"h"}))
    assert [layer.nodes.tolist() for layer in without_h.layers] == [[len(topology.nodes) + 1]]
    assert without_h.hosts.tolist() == [len(topology.nodes)]
    assert not reachable(topology, ["h"], frozenset({"h"}), frozenset()).any()

"""simkz.analysis.structure: hand-computed toy figures, and exact cross-checks against brute force.

Brute force removes each element (or pair) from a networkx copy of the graph and recomputes who still
reaches a target: independent of the depth-first search, the local pair search and the routing.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simkz.analysis.structure import AnalysisOptions, analyze_structure
from simkz.analysis.structure.chokepoints import trimmed_mean
from simkz.analysis.structure.graph import adjacency, element_graph
from simkz.analysis.structure.local import PairSearch
from simkz.analysis.structure.pairs import exact_pairs, sampled_pairs
from simkz.analysis.structure.report import report_lines
from simkz.analysis.structure.separation import separation
from simkz.analysis.structure.single import single_failures
from simkz.analysis.structure.summary import headline, summary
from simkz.analysis.structure.tables import TABLE_NAMES, analysis_tables
from simkz.inputs import validate_model
from simkz.topology.load import build_topology, load_topology
from simkz.topology.network import Topology
from simkz.topology.schema import TopologyFile
from tests.conftest import TOPOLOGIES, TOY

M = 1e6


def make_topology(nodes: dict[str, dict[str, Any]], links: list[tuple[str, str]], **extra: Any) -> Topology:
    """A topology from node records and link ends (region ``r`` of 1,000 persons, all internet users)."""
    first_foreign = next((k for k, v in nodes.items() if v["kind"] == "foreign"), next(iter(nodes)))
    spec = {
        "name": "t",
        "regions": {"r": {"population": 1000, "internet_penetration": 1.0, "assumption": "test"}},
        "operators": {"op": {"assumption": "test"}},
        "nodes": nodes,
        "links": {
            f"{a}--{b}": {"ends": [a, b], "capacity_gbps": 10.0, "kind": kind, "assumption": "test"}
            for a, b, kind in (
                (
                    a,
                    b,
                    "cross-border" if (nodes[a]["kind"] == "foreign") != (nodes[b]["kind"] == "foreign") else "transit",
                )
                for a, b in links
            )
        },
        "services": {"web": {"kind": "web", "hosts": [first_foreign], "adoption": 1.0, "traffic_share": 1.0}},
        "demand": {"fixed": {"peak_mbps": 1.0, "hourly": [1.0] * 24, "assumption": "test"}},
        **extra,
    }
    return build_topology(validate_model(TopologyFile, spec, None))


def access(share: float, **more: Any) -> dict[str, Any]:
    return {"kind": "access", "region": "r", "operator": "op", "tech": "fixed", "share": share, **more}


# ---------------------------------------------------------------- brute force (networkx, element by element)


def _targets_reached(topology: Topology, targets: set[str], down: set[str]) -> set[str]:
    g = nx.Graph()
    g.add_nodes_from(n for n in topology.graph.nodes if n not in down)
    for u, v, data in topology.graph.edges(data=True):
        if data["name"] not in down and u not in down and v not in down:
            g.add_edge(u, v)
    g.add_node("@super")
    g.add_edges_from(("@super", t) for t in targets if t not in down)
    return set(nx.node_connected_component(g, "@super")) - {"@super"}


def _users(topology: Topology, nodes: set[str]) -> float:
    return sum(c.users for c in topology.cohorts if c.node in nodes)


def brute_single(topology: Topology, targets: set[str]) -> dict[str, float]:
    """Persons newly cut off from ``targets`` by each node and link failing alone."""
    base = _targets_reached(topology, targets, set())
    elements = list(topology.nodes) + list(topology.links)
    return {e: _users(topology, base - _targets_reached(topology, targets, {e})) for e in elements}


def brute_pair(topology: Topology, a: str, b: str) -> tuple[float, float]:
    """Persons cut off from abroad by ``a`` and ``b`` together, and those neither cuts off alone."""
    targets = set(topology.foreign_nodes())
    base = _targets_reached(topology, targets, set())
    lost = {k: base - _targets_reached(topology, targets, d) for k, d in (("a", {a}), ("b", {b}), ("ab", {a, b}))}
    return _users(topology, lost["ab"]), _users(topology, lost["ab"] - lost["a"] - lost["b"])


# ---------------------------------------------------------------- the toy, by hand (see topologies/toy.yaml)


@pytest.fixture(scope="module")
def toy():
    return analyze_structure(load_topology(TOY))


def test_toy_single_failures_by_hand(toy):
    g, cut = toy.graph, toy.single.abroad.cut_users
    by_name = {g.name(e): cut[e] for e in range(g.n_elements)}
    # users: north 0.8 M (a-fixed 0.2, a-mobile 0.2, b-mobile 0.4), south 1.2 M (0.3, 0.3, 0.6)
    assert by_name["abroad"] == pytest.approx(2 * M)  # the only foreign node
    assert by_name["a-core"] == pytest.approx(1 * M)  # telco-a's four access nodes
    assert by_name["b-core"] == pytest.approx(1 * M)
    assert by_name["south-b-mobile"] == by_name["south-b-mobile--b-core"] == pytest.approx(0.6 * M)
    for redundant in ("gw-1", "gw-2", "ix", "dc", "gw-1--abroad", "a-core--gw-1", "a-core--ix"):
        assert by_name[redundant] == 0
    assert [g.name(int(e)) for e in toy.single.ranking()[:3]] == ["abroad", "a-core", "b-core"]
    assert toy.single.base_cut_abroad == 0


def test_toy_single_failures_by_service(toy):
    g, s = toy.graph, toy.single
    bank = s.by_service[s.service_keys.index("bank")]
    by_name = {g.name(e): bank[e] for e in range(g.n_elements)}
    # the data centre hangs off the exchange: dc, ix and the ix--dc link cut everyone off from it
    assert by_name["dc"] == by_name["ix"] == by_name["ix--dc"] == pytest.approx(2 * M)
    assert by_name["a-core--ix"] == 0  # telco-a goes round through gw-1 and b-core
    assert by_name["abroad"] == 0


def test_toy_pairs_by_hand(toy):
    p, g = toy.pairs, toy.graph
    assert p.method == "exact" and p.total_pairs == p.evaluated == 28 * 27 // 2
    found = {frozenset((g.name(int(a)), g.name(int(b)))): j for a, b, j in zip(p.a, p.b, p.joint_users, strict=True)}
    expected = [("gw-1", "gw-2"), ("gw-1", "gw-2--abroad"), ("gw-2", "gw-1--abroad"), ("gw-1--abroad", "gw-2--abroad")]
    assert set(found) == {frozenset(x) for x in expected}
    assert all(j == pytest.approx(2 * M) for j in found.values())
    assert p.share_with_joint.value == pytest.approx(4 / 378)
    assert p.mean_joint_users.value == pytest.approx(4 * 2 * M / 378)


def test_toy_min_cuts_one_order_concentration(toy):
    north = next(c for c in toy.min_cuts if c.region == "north")
    assert north.vertex_cut == ("gw-1", "gw-2")  # the minimum cut nearest abroad ({a-core, b-core} ties)
    assert north.edge_cut == ("gw-1--abroad", "gw-2--abroad")
    assert north.users == pytest.approx(0.8 * M)
    (order,) = toy.one_order
    assert order.controller == "central-management" and order.nodes == ("gw-1", "gw-2")
    assert order.cut_users == pytest.approx(2 * M) and order.filter_users == pytest.approx(2 * M)
    c = toy.concentration
    assert c.total_gbps == 800 and c.links == 2
    assert c.hhi == pytest.approx({"controller": 10000.0, "operator": 5000.0, "border": 5000.0})


def test_toy_chokepoints_by_hand(toy):
    c, g = toy.chokepoints, toy.graph
    row = {g.nodes[v]: i for i, v in enumerate(c.nodes)}
    # every cohort splits equally over gw-1 and gw-2; telco-a's cohorts (1 M of 2 M users) cross a-core
    assert c.hegemony_user_weighted[row["a-core"]] == pytest.approx(0.5)
    assert c.hegemony_trimmed[row["a-core"]] == pytest.approx(4 / 6)  # 6 viewpoints: none trimmed
    assert c.hegemony_trimmed[row["b-core"]] == pytest.approx(2 / 6)
    assert c.potential[row["gw-1"]] == c.potential[row["gw-2"]] == pytest.approx(0.5)
    assert c.border[row["gw-1"]] and not c.border[row["a-core"]]
    assert "ix" not in row  # on no shortest path abroad
    assert c.national == pytest.approx({0.5: 0.5, 0.9: 0.5})  # 0.5 + 0.5 must exceed f: two border nodes


def test_trimmed_mean_drops_floor_alpha_k_at_each_end():
    values = np.arange(10.0)[None, :]
    assert trimmed_mean(values, 0.1)[0] == pytest.approx(np.mean(np.arange(1.0, 9.0)))
    values = np.array([[100.0] + [1.0] * 14])  # k = 15: one dropped at each end
    assert trimmed_mean(values, 0.1)[0] == pytest.approx(1.0)
    assert trimmed_mean(np.array([[3.0, 5.0]]), 0.1)[0] == pytest.approx(4.0)  # k = 2: nothing dropped


def test_filter_follows_the_routing_and_counts_a_path_once():
    nodes = {
        "x": access(1.0),
        "c1": {"kind": "core", "operator": "op", "controlled_by": "gov"},
        "c2": {"kind": "core", "operator": "op", "controlled_by": "gov"},
        "c3": {"kind": "core", "operator": "op", "controlled_by": "other"},
        "f": {"kind": "foreign"},
    }
    topo = make_topology(nodes, [("x", "c1"), ("c1", "c2"), ("c2", "f"), ("x", "c3"), ("c3", "f")])
    a = analyze_structure(topo)
    orders = {o.controller: o for o in a.one_order}
    # all traffic takes x - c3 - f (2 hops against 3): gov filters nothing, other everything
    assert orders["gov"].filter_users == 0 and orders["other"].filter_users == pytest.approx(1000)
    assert orders["gov"].cut_users == 0 and orders["other"].cut_users == 0
    # x -- c1 -- f and x -- c2 -- f (and c1 -- c2): half of x's traffic crosses c1, half c2; gov holds both
    topo = make_topology(nodes, [("x", "c1"), ("c1", "f"), ("x", "c2"), ("c2", "f"), ("c1", "c2"), ("c3", "f")])
    orders = {o.controller: o for o in analyze_structure(topo).one_order}
    assert orders["gov"].filter_users == pytest.approx(1000)  # the two halves
    assert orders["gov"].cut_users == pytest.approx(1000)
    # x -- c1 -- c2 -- f only: every path crosses both of gov's nodes, and counts once
    topo = make_topology(nodes, [("x", "c1"), ("c1", "c2"), ("c2", "f"), ("c3", "f")])
    orders = {o.controller: o for o in analyze_structure(topo).one_order}
    assert orders["gov"].filter_users == pytest.approx(1000)
    assert orders["other"].filter_users == 0


# ---------------------------------------------------------------- brute-force cross-checks


@pytest.mark.parametrize("name", ["kz-2022", "kz-decentralised"])
def test_single_failures_match_brute_force(name):
    topo = load_topology(TOPOLOGIES / f"{name}.yaml")
    graph = element_graph(topo)
    single = single_failures(topo, graph)
    expected = brute_single(topo, set(topo.foreign_nodes()))
    got = {graph.name(e): single.abroad.cut_users[e] for e in range(graph.n_elements)}
    assert got == pytest.approx(expected, abs=1e-6)
    assert max(expected.values()) > 1e6  # the check has something to find
    for key in ("egov", "youtube-cache"):
        service = next(s for s in topo.services if s.key == key)
        row = single.by_service[single.service_keys.index(key)]
        want = brute_single(topo, set(service.hosts))
        assert {graph.name(e): row[e] for e in range(graph.n_elements)} == pytest.approx(want, abs=1e-6)


@pytest.mark.parametrize("name", ["kz-2022", "kz-decentralised"])
def test_pairs_match_brute_force_on_the_pairs_found_and_a_sample(name):
    topo = load_topology(TOPOLOGIES / f"{name}.yaml")
    a = analyze_structure(topo)
    g, p = a.graph, a.pairs
    assert p.method == "exact" and p.a.size > 0
    found = {(int(x), int(y)): (c, j) for x, y, c, j in zip(p.a, p.b, p.cut_users, p.joint_users, strict=True)}
    rng = np.random.default_rng(7)
    others = [tuple(sorted(rng.choice(g.n_elements, 2, replace=False).tolist())) for _ in range(40)]
    for x, y in [*list(found)[:15], *others]:
        cut, joint = brute_pair(topo, g.name(x), g.name(y))
        assert found.get((x, y), (None, 0.0))[1] == pytest.approx(joint, abs=1e-6), (g.name(x), g.name(y))
        if (x, y) in found:
            assert found[(x, y)][0] == pytest.approx(cut, abs=1e-6)


def test_local_pair_search_matches_exact_pairs_on_kz_2022():
    topo = load_topology(TOPOLOGIES / "kz-2022.yaml")
    graph = element_graph(topo)
    adj = adjacency(graph, np.flatnonzero(graph.foreign))
    base = separation(graph, adj)
    exact = exact_pairs(graph, adj, base)
    joint = {(int(x), int(y)): j for x, y, j in zip(exact.a, exact.b, exact.joint_users, strict=True)}
    search = PairSearch(graph, adj, base)
    for x, y in itertools.combinations(range(0, graph.n_elements, 3), 2):
        cut, j = search.pair_cut(x, y)
        assert j == pytest.approx(joint.get((x, y), 0.0), abs=1e-6)
        assert cut >= max(base.cut_users[x], base.cut_users[y]) - 1e-6


def test_sample_of_every_pair_gives_the_exact_share():
    topo = load_topology(TOY)
    a = analyze_structure(topo, AnalysisOptions(pairs_sample=10_000, seed=3, max_exact=0))
    p = a.pairs
    assert p.method == "sample" and p.evaluated == p.total_pairs == 378 and p.seed == 3
    assert p.share_with_joint.value == pytest.approx(4 / 378)
    assert p.share_with_joint.low < 4 / 378 < p.share_with_joint.high
    assert p.a.size == 4


def test_sample_is_seeded_and_its_interval_covers_the_exact_share():
    topo = load_topology(TOPOLOGIES / "kz-2022.yaml")
    graph = element_graph(topo)
    adj = adjacency(graph, np.flatnonzero(graph.foreign))
    base = separation(graph, adj)
    exact = exact_pairs(graph, adj, base).share_with_joint.value
    one = sampled_pairs(graph, adj, base, sample=3000, seed=11)
    two = sampled_pairs(graph, adj, base, sample=3000, seed=11)
    other = sampled_pairs(graph, adj, base, sample=3000, seed=12)
    assert np.array_equal(one.a, two.a) and one.share_with_joint == two.share_with_joint
    assert one.share_with_joint != other.share_with_joint or not np.array_equal(one.a, other.a)
    assert one.share_with_joint.low <= exact <= one.share_with_joint.high
    assert one.evaluated == 3000 and one.total_pairs == 249 * 248 // 2


@st.composite
def small_topologies(draw: st.DrawFn) -> Topology:
    n = draw(st.integers(3, 9))
    kinds = draw(st.lists(st.sampled_from(["access", "core", "foreign"]), min_size=n, max_size=n))
    kinds[0] = "access"
    pairs = list(itertools.combinations(range(n), 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(len(pairs), 14)))
    shares = draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))
    nodes = {
        f"n{i}": access(shares[i]) if k == "access" else {"kind": k, **({"operator": "op"} if k == "core" else {})}
        for i, k in enumerate(kinds)
    }
    return make_topology(nodes, [(f"n{a}", f"n{b}") for a, b in chosen])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_topologies())
def test_random_graphs_single_and_pairs_match_brute_force(topo):
    graph = element_graph(topo)
    single = single_failures(topo, graph)
    expected = brute_single(topo, set(topo.foreign_nodes()))
    assert {graph.name(e): single.abroad.cut_users[e] for e in range(graph.n_elements)} == pytest.approx(
        expected, abs=1e-9
    )
    adj = adjacency(graph, np.flatnonzero(graph.foreign))
    exact = exact_pairs(graph, adj, single.abroad)
    joint = {(int(x), int(y)): j for x, y, j in zip(exact.a, exact.b, exact.joint_users, strict=True)}
    search = PairSearch(graph, adj, single.abroad)
    for x, y in itertools.combinations(range(graph.n_elements), 2):
        cut, j = brute_pair(topo, graph.name(x), graph.name(y))
        assert joint.get((x, y), 0.0) == pytest.approx(j, abs=1e-9)
        assert search.pair_cut(x, y) == pytest.approx((cut, j), abs=1e-9)


def _flow_value(topo: Topology, sources: set[str], by_node: bool) -> float:
    """The minimum cut by networkx's maximum flow (domestic nodes of capacity 1 for a vertex cut, links for an
    edge cut; the rest unbounded)."""
    h = nx.DiGraph()
    for v, data in topo.graph.nodes(data=True):
        limited = by_node and data["kind"] != "foreign"
        h.add_edge((v, "in"), (v, "out"), **({"capacity": 1} if limited else {}))
        if v in sources:
            h.add_edge("@s", (v, "in"))
        if data["kind"] == "foreign":
            h.add_edge((v, "out"), "@t")
    for u, v in topo.graph.edges:
        for x, y in ((u, v), (v, u)):
            h.add_edge((x, "out"), (y, "in"), **({} if by_node else {"capacity": 1}))
    if "@t" not in h:
        return 0.0
    return float(nx.maximum_flow_value(h, "@s", "@t"))


@settings(max_examples=40, deadline=None)
@given(small_topologies())
def test_random_graphs_min_cuts_are_cuts_of_minimum_size(topo):
    a = analyze_structure(topo)
    targets = set(topo.foreign_nodes())
    for cut in a.min_cuts:
        sources = {c.node for c in topo.cohorts if c.region == cut.region}
        assert not (sources & _targets_reached(topo, targets, set(cut.vertex_cut)))
        assert not (sources & _targets_reached(topo, targets, set(cut.edge_cut)))
        assert all(topo.graph.nodes[v]["kind"] != "foreign" for v in cut.vertex_cut)
        assert len(cut.vertex_cut) == _flow_value(topo, sources, by_node=True)
        assert len(cut.edge_cut) == _flow_value(topo, sources, by_node=False)
    # every output is defined on any graph (no foreign node, no users, no cross-border link...)
    assert report_lines(a)[0].startswith("t: ")
    assert json.loads(json.dumps(summary(a), allow_nan=False))["sizes"]["nodes"] == len(topo.nodes)
    assert set(analysis_tables(a)) == set(TABLE_NAMES)
    assert all(metric for metric, _, _ in headline(a))

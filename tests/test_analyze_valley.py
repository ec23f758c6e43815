"""simkz analyze under `routing: valley-free`: cut-off figures on valley-free paths, against brute force.

Brute force removes each element (or pair, or set) and asks the model's own reachability,
:func:`simkz.model.routing.reachable`, which dispatches to valley-free reachability for such topologies:
independent of the phase-expanded graph, its candidates, its batched searches and its integer programme.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simkz.analysis.structure import AnalysisOptions, StructureAnalysis, analyze_structure
from simkz.analysis.structure.graph import element_graph
from simkz.analysis.structure.single import single_failures
from simkz.analysis.structure.valley import phase_graph, starts_reaching, valley_paths
from simkz.analysis.structure.valley_pairs import candidate_pairs, valley_exact_pairs, valley_sampled_pairs
from simkz.analysis.structure.valley_single import ValleyCuts, valley_single_failures
from simkz.inputs import validate_model
from simkz.model.routing import reachable
from simkz.topology.aslevel.apnic import read_users
from simkz.topology.aslevel.build import ASLevelOptions, build_as_level, render_json
from simkz.topology.aslevel.caida import read_relationships
from simkz.topology.load import build_topology, load_topology
from simkz.topology.network import Topology
from simkz.topology.schema import TopologyFile
from tests.conftest import TOPOLOGIES
from tests.test_analyze_structure import access

FIXTURES = Path(__file__).parent / "fixtures" / "aslevel"


def fixture_topology(folder: Path, routing: str, relationships: str = "valley.as-rel.txt") -> Topology:
    """The fixture country (CAIDA and APNIC layouts) built with ``routing``, written and loaded as a user would."""
    doc = build_as_level(
        read_relationships(FIXTURES / relationships),
        read_users(FIXTURES / "users.csv"),
        "KZ",
        ASLevelOptions(routing=routing),  # type: ignore[arg-type]
    ).document
    path = folder / f"kz-{routing}-{relationships}.json"
    path.write_text(render_json(doc), encoding="utf-8")
    return load_topology(path)


@pytest.fixture(scope="module", params=["valley.as-rel.txt", "valley.as-rel2.txt"])
def valley(tmp_path_factory, request) -> Topology:
    return fixture_topology(tmp_path_factory.mktemp("valley"), "valley-free", request.param)


# ---------------------------------------------------------------- brute force with the model's reachability


#: An element: ("node", key) or ("link", key) (a node and a link may share a key, e.g. ``AS64496-users``).
Element = tuple[str, str]


def elements_of(topo: Topology) -> list[Element]:
    """Every element, in the analysis' order (nodes, then links)."""
    return [("node", v) for v in topo.nodes] + [("link", k) for k in topo.links]


def _lost(topo: Topology, targets: tuple[str, ...], down: set[Element], base: np.ndarray | None = None) -> set[str]:
    """Nodes with a path to ``targets`` when nothing fails (``base``, if known) and none with ``down`` failed."""
    nodes = frozenset(k for t, k in down if t == "node")
    links = frozenset(k for t, k in down if t == "link")
    if base is None:
        base = reachable(topo, targets, frozenset(), frozenset())
    after = reachable(topo, targets, nodes, links)
    return {v for v, before, now in zip(topo.nodes, base.tolist(), after.tolist(), strict=True) if before and not now}


def _users(topo: Topology, nodes: set[str]) -> float:
    return sum(c.users for c in topo.cohorts if c.node in nodes)


def brute_single(topo: Topology, targets: tuple[str, ...]) -> dict[Element, float]:
    """Persons cut off from ``targets`` by each node and link failing alone."""
    return {e: _users(topo, _lost(topo, targets, {e})) for e in elements_of(topo)}


def brute_pairs(topo: Topology) -> dict[tuple[Element, Element], tuple[float, float]]:
    """(a, b) in element order -> persons cut off from abroad by both, and those neither cuts alone."""
    abroad = topo.foreign_nodes()
    base = reachable(topo, abroad, frozenset(), frozenset())
    alone = {e: _lost(topo, abroad, {e}, base) for e in elements_of(topo)}
    out = {}
    for a, b in itertools.combinations(elements_of(topo), 2):
        both = _lost(topo, abroad, {a, b}, base)
        out[(a, b)] = (_users(topo, both), _users(topo, both - alone[a] - alone[b]))
    return out


def found_pairs(a: StructureAnalysis) -> dict[tuple[Element, Element], tuple[float, float]]:
    """The pairs with joint users the analysis found, by element."""
    g, p = a.graph, a.pairs
    named = [(g.kind(e), g.name(e)) for e in range(g.n_elements)]
    return {
        (named[int(x)], named[int(y)]): (float(c), float(j))
        for x, y, c, j in zip(p.a, p.b, p.cut_users, p.joint_users, strict=True)
    }


def brute_min_cut(topo: Topology, region: str, by_node: bool) -> int:
    """The fewest domestic nodes (or links) whose failure leaves none of the region's access nodes a path abroad."""
    sources = {c.node for c in topo.cohorts if c.region == region}
    foreign = set(topo.foreign_nodes())
    pool = [v for v in topo.nodes if v not in foreign] if by_node else list(topo.links)
    for size in range(len(pool) + 1):
        for cut in itertools.combinations(pool, size):
            nodes, links = (frozenset(cut), frozenset()) if by_node else (frozenset(), frozenset(cut))
            seen = reachable(topo, tuple(foreign), nodes, links)
            if not any(seen[topo.node_index[s]] for s in sources):
                return size
    raise AssertionError("removing every element must cut")


def as_dict(topo: Topology, row: np.ndarray) -> dict[Element, float]:
    graph = element_graph(topo)
    return {(graph.kind(e), graph.name(e)): float(row[e]) for e in range(graph.n_elements)}


# ---------------------------------------------------------------- the fixture country


def test_fixture_single_failures_equal_brute_force(valley):
    single = valley_single_failures(valley, element_graph(valley))
    expected = brute_single(valley, valley.foreign_nodes())
    assert as_dict(valley, single.abroad.cut_users) == pytest.approx(expected, abs=1e-6)
    assert expected[("node", "AS64498")] == 700_000  # the test has something to find
    for k, service in enumerate(valley.services):
        assert as_dict(valley, single.by_service[k]) == pytest.approx(brute_single(valley, service.hosts), abs=1e-6)
    assert single.base_cut_abroad == 0 and single.base_cut_service.tolist() == [0.0] * len(valley.services)


def test_the_provider_is_a_single_point_of_failure_under_valley_free_routing_only(valley, tmp_path):
    ecmp = replace(valley, routing="ecmp")  # the same file, routing: ecmp
    reference = fixture_topology(tmp_path, "ecmp")
    free_a, ecmp_a = analyze_structure(valley), analyze_structure(ecmp)
    assert (free_a.reachability, ecmp_a.reachability) == ("valley-free", "structural")
    for a in (free_a, ecmp_a):
        assert isinstance(a.single.abroad, ValleyCuts) == (a is free_a)
    index = free_a.graph.nodes.index("AS64498")
    assert free_a.single.abroad.cut_users[index] == 700_000  # AS64496's and AS64499's users
    assert free_a.single.abroad.separates[index]
    assert ecmp_a.single.abroad.cut_users[index] == 0  # the shortest paths never needed it
    assert analyze_structure(reference).single.abroad.cut_users[index] == 0
    assert free_a.graph.name(int(free_a.single.ranking()[0])) == "AS64498"


def test_fixture_pairs_equal_brute_force(valley):
    a = analyze_structure(valley)
    g, p = a.graph, a.pairs
    assert p.method == "exact" and p.total_pairs == p.evaluated == g.n_elements * (g.n_elements - 1) // 2
    got = found_pairs(a)
    expected = brute_pairs(valley)
    joint = {k: v for k, v in expected.items() if v[1] > 0}
    assert got.keys() == joint.keys() and len(joint) > 0
    for key, value in joint.items():
        assert got[key] == pytest.approx(value)
    total = len(expected)
    assert p.share_with_joint.value == pytest.approx(len(joint) / total)
    assert p.mean_cut_users.value == pytest.approx(sum(c for c, _ in expected.values()) / total)
    assert p.mean_joint_users.value == pytest.approx(sum(j for _, j in expected.values()) / total)


def test_fixture_min_cuts_are_minimum_valley_free_cuts(valley):
    (cut,) = analyze_structure(valley).min_cuts
    abroad = valley.foreign_nodes()
    sources = {c.node for c in valley.cohorts}
    assert sources <= _lost(valley, abroad, {("node", v) for v in cut.vertex_cut}) | set(cut.vertex_cut)
    assert sources <= _lost(valley, abroad, {("link", k) for k in cut.edge_cut})
    assert cut.vertex_cut == ("AS64497", "AS64498")  # nearest abroad among the minimum ones
    assert len(cut.vertex_cut) == brute_min_cut(valley, cut.region, by_node=True)
    assert len(cut.edge_cut) == brute_min_cut(valley, cut.region, by_node=False) == 3


def test_a_sample_of_every_pair_of_candidates_gives_the_exact_figures(valley):
    graph = element_graph(valley)
    single = valley_single_failures(valley, graph)
    assert isinstance(single.abroad, ValleyCuts)
    exact = valley_exact_pairs(graph, single.abroad)
    among = candidate_pairs(single.abroad)
    assert 0 < among < exact.total_pairs
    sample = valley_sampled_pairs(graph, single.abroad, sample=10_000, seed=5)
    assert sample.method == "sample" and sample.evaluated == among and sample.total_pairs == exact.total_pairs
    for figure in ("share_with_joint", "mean_joint_users", "mean_cut_users"):
        got, want = getattr(sample, figure), getattr(exact, figure)
        assert got.value == pytest.approx(want.value), figure
        assert got.low <= want.value <= got.high, figure
    assert sorted(zip(sample.a.tolist(), sample.b.tolist(), strict=True)) == sorted(
        zip(exact.a.tolist(), exact.b.tolist(), strict=True)
    )
    # the analysis searches every pair of candidates when the sample would hold them all
    assert analyze_structure(valley, AnalysisOptions(max_exact=0, pairs_sample=among)).pairs.method == "exact"


def test_a_smaller_sample_is_seeded_and_its_intervals_cover_the_exact_figures(valley):
    exact = analyze_structure(valley).pairs
    runs = [analyze_structure(valley, AnalysisOptions(max_exact=0, pairs_sample=120, seed=s)).pairs for s in (1, 1, 2)]
    assert all(r.method == "sample" and r.evaluated == 120 for r in runs)
    assert runs[0].share_with_joint == runs[1].share_with_joint and np.array_equal(runs[0].a, runs[1].a)
    for r in runs:
        assert r.share_with_joint.low <= exact.share_with_joint.value <= r.share_with_joint.high
        assert r.mean_cut_users.low <= exact.mean_cut_users.value <= r.mean_cut_users.high


# ---------------------------------------------------------------- without relationships: the structural figures


@pytest.mark.parametrize("name", ["kz-2022", "kz-decentralised"])
def test_without_relationships_valley_free_figures_are_the_structural_ones(name):
    topo = load_topology(TOPOLOGIES / f"{name}.yaml")
    free = replace(topo, routing="valley-free")
    graph = element_graph(topo)
    a, b = single_failures(topo, graph), valley_single_failures(free, element_graph(free))
    assert b.abroad.cut_users == pytest.approx(a.abroad.cut_users, abs=1e-6)
    assert b.by_service == pytest.approx(a.by_service, abs=1e-6)
    # cutting off users other than its own makes an articulation point or a bridge (not conversely: one may
    # separate nodes without users)
    assert not (b.abroad.separates & ~a.abroad.separates).any() and b.abroad.separates.sum() > 10


# ---------------------------------------------------------------- two states of one node cut together


def make(nodes: dict[str, dict[str, Any]], links: list[tuple[str, str, str | None]]) -> Topology:
    """A valley-free topology: ``links`` are (a, b, relationship), ``p2c`` with ``a`` the provider."""
    spec = {
        "name": "v",
        "routing": "valley-free",
        "regions": {"r": {"population": 1000, "internet_penetration": 1.0, "assumption": "test"}},
        "operators": {"op": {"assumption": "test"}},
        "nodes": nodes,
        "links": {
            f"{a}--{b}": {
                "ends": [a, b],
                "capacity_gbps": 10.0,
                "kind": "cross-border"
                if (nodes[a]["kind"] == "foreign") != (nodes[b]["kind"] == "foreign")
                else "transit",
                **({"relationship": rel} if rel else {}),
                "assumption": "test",
            }
            for a, b, rel in links
        },
        "services": {
            "web": {
                "kind": "web",
                "hosts": [next((k for k, v in nodes.items() if v["kind"] == "foreign"), next(iter(nodes)))],
                "adoption": 1.0,
                "traffic_share": 1.0,
            }
        },
        "demand": {"fixed": {"peak_mbps": 1.0, "hourly": [1.0] * 24, "assumption": "test"}},
    }
    return build_topology(validate_model(TopologyFile, spec, None))


def test_a_node_cuts_with_both_its_states_where_neither_alone_dominates():
    # u climbs to x, whose provider is abroad (f1); or u climbs to y, peers with x and x descends to its
    # customer abroad (f2). x is crossed going up on one path and going down on the other: neither of its
    # states alone separates u from abroad, both together do.
    nodes = {"u": access(1.0), "x": {"kind": "core"}, "y": {"kind": "core"}}
    nodes |= {"f1": {"kind": "foreign"}, "f2": {"kind": "foreign"}}
    topo = make(
        nodes, [("x", "u", "p2c"), ("y", "u", "p2c"), ("f1", "x", "p2c"), ("y", "x", "p2p"), ("x", "f2", "p2c")]
    )
    graph = element_graph(topo)
    paths = valley_paths(topo, graph, np.flatnonzero(graph.foreign))
    index, n = topo.node_index, len(topo.nodes)
    x = index["x"]
    # remove one state of x at a time from the phase-expanded graph: u still gets out
    p = phase_graph(topo)
    for state in (x, n + x):
        keep = (p.src != state) & (p.dst != state)
        tail, head = p.src[keep], p.dst[keep]
        seen = {index["u"]}
        for _ in range(2 * n):
            seen |= {int(h) for t, h in zip(tail, head, strict=True) if int(t) in seen}
        assert seen & {index["f1"], index["f2"], n + index["f1"], n + index["f2"]}
    assert not starts_reaching(paths, [np.array([x])])[0].any()  # the node, both states: cut
    assert analyze_structure(topo).single.abroad.cut_users[x] == pytest.approx(1000)
    assert brute_single(topo, topo.foreign_nodes())[("node", "x")] == pytest.approx(1000)


# ---------------------------------------------------------------- random AS graphs against brute force


@st.composite
def as_graphs(draw: st.DrawFn, most: int = 8) -> Topology:
    n = draw(st.integers(3, most))
    kinds = draw(st.lists(st.sampled_from(["access", "access", "core", "core", "foreign"]), min_size=n, max_size=n))
    kinds[0], kinds[-1] = "access", "foreign"  # someone to cut off, somewhere to reach
    pairs = list(itertools.combinations(range(n), 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, min_size=n - 1, max_size=min(len(pairs), 13)))
    rels = draw(st.lists(st.sampled_from(["p2c", "c2p", "p2p", None]), min_size=len(chosen), max_size=len(chosen)))
    shares = draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))
    nodes = {f"n{i}": access(shares[i]) if k == "access" else {"kind": k} for i, k in enumerate(kinds)}
    links = [
        (f"n{b}", f"n{a}", "p2c") if rel == "c2p" else (f"n{a}", f"n{b}", rel)
        for (a, b), rel in zip(chosen, rels, strict=True)
    ]
    return make(nodes, links)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(as_graphs())
def test_random_as_graphs_single_failures_and_pairs_equal_brute_force(topo):
    a = analyze_structure(topo)
    assert a.reachability == "valley-free"
    assert as_dict(topo, a.single.abroad.cut_users) == pytest.approx(brute_single(topo, topo.foreign_nodes()), abs=1e-9)
    service = topo.services[0]
    assert as_dict(topo, a.single.by_service[0]) == pytest.approx(brute_single(topo, service.hosts), abs=1e-9)
    p = a.pairs
    assert p.method == "exact"
    got = found_pairs(a)
    expected = brute_pairs(topo)
    joint = {k: v for k, v in expected.items() if v[1] > 0}  # sums of whole users: no rounding to allow for
    assert got.keys() == joint.keys()
    for key, value in joint.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key
    if expected:
        assert p.mean_cut_users.value == pytest.approx(sum(c for c, _ in expected.values()) / len(expected))


def test_a_pair_that_cuts_off_a_billionth_of_the_users_is_found():
    # found by hypothesis: n0 provides n1, n2, n3 and abroad (n4); n1 provides n2 and n3. n3 climbs to n0
    # directly or through n1: n0--n3 with n0--n1, n1 or n1--n3 cuts off n3 only together. n3 holds a
    # billionth of the users, which a rounding tolerance of 1e-9 of all users dropped.
    nodes = {f"n{i}": access(share) for i, share in enumerate((0.0, 0.0, 1.0, 1e-9))} | {"n4": {"kind": "foreign"}}
    links = [("n0", b, "p2c") for b in ("n1", "n2", "n3", "n4")] + [("n1", "n2", "p2c"), ("n1", "n3", "p2c")]
    topo = make(nodes, links)
    small = _users(topo, {"n3"})
    assert 0 < small <= 1e-9 * _users(topo, set(topo.nodes))
    got = found_pairs(analyze_structure(topo))
    for pair in [(("node", "n1"), ("link", "n0--n3")), (("link", "n0--n1"), ("link", "n0--n3"))]:
        assert got[pair] == pytest.approx((small, small), abs=1e-15)
    assert got[(("link", "n0--n3"), ("link", "n1--n3"))] == pytest.approx((small, small), abs=1e-15)
    assert got[(("link", "n0--n2"), ("link", "n1--n2"))] == pytest.approx((1000 - small, 1000 - small))
    test_random_as_graphs_single_failures_and_pairs_equal_brute_force.hypothesis.inner_test(topo)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(as_graphs(most=7), st.data())
def test_random_as_graphs_min_cuts_and_one_order_equal_brute_force(topo, data):
    a = analyze_structure(topo)
    abroad = topo.foreign_nodes()
    for cut in a.min_cuts:
        sources = {c.node for c in topo.cohorts if c.region == cut.region}
        vertex, edge = {("node", v) for v in cut.vertex_cut}, {("link", k) for k in cut.edge_cut}
        assert sources <= _lost(topo, abroad, vertex) | set(cut.vertex_cut) | _stranded(topo, sources)
        assert sources <= _lost(topo, abroad, edge) | _stranded(topo, sources)
        assert len(cut.vertex_cut) == brute_min_cut(topo, cut.region, by_node=True)
        assert len(cut.edge_cut) == brute_min_cut(topo, cut.region, by_node=False)
    # one order of a controller of a random set of nodes: the users it cuts off
    graph = element_graph(topo)
    down = data.draw(st.sets(st.sampled_from(topo.nodes), max_size=3))
    single = a.single.abroad
    assert isinstance(single, ValleyCuts)
    alive = starts_reaching(single.paths, [np.array(sorted(topo.node_index[v] for v in down), dtype=np.int64)])[0]
    got = float(graph.node_users[single.paths.start_node[~alive]].sum())
    assert got == pytest.approx(_users(topo, _lost(topo, abroad, {("node", v) for v in down})), abs=1e-9)


def _stranded(topo: Topology, sources: set[str]) -> set[str]:
    """The sources with no path abroad even with nothing failed (no cut needed)."""
    seen = reachable(topo, topo.foreign_nodes(), frozenset(), frozenset())
    return {s for s in sources if not seen[topo.node_index[s]]}


def test_one_order_follows_valley_free_paths():
    # the controller holds u's provider: under valley-free routing u cannot go round through its peer's customer
    nodes = {"u": access(1.0), "p": {"kind": "core", "controlled_by": "gov"}, "q": {"kind": "core"}}
    nodes |= {"c": {"kind": "core", "controlled_by": "gov"}, "f": {"kind": "foreign"}}
    links = [("p", "u", "p2c"), ("f", "p", "p2c"), ("u", "q", "p2p"), ("f", "q", "p2c"), ("q", "c", "p2c")]
    topo = make(nodes, links)
    orders = {o.controller: o for o in analyze_structure(topo).one_order}
    # u -> p -> f, or u -peer-> q, and q's provider route is not passed to a peer: gov's p cuts u off
    assert orders["gov"].cut_users == pytest.approx(1000)
    assert analyze_structure(replace(topo, routing="ecmp")).one_order[0].cut_users == 0

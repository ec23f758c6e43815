"""The scale paths give what the plain ones gave: link arrays, group metrics by index, the checks on arrays, the
paused garbage collector; and the synthetic AS graphs of ``benchmarks/aslevel_graph.py`` have the size and
shape asked for and run through ``simkz build as-level`` and ``simkz run``."""

from __future__ import annotations

import copy
import gc
import pickle
import subprocess
import sys

import networkx as nx
import numpy as np
import pytest

from benchmarks.aslevel_graph import P2C, P2P, Shape, describe, generate, write_relationships, write_users
from simkz import Simulation, load_scenario
from simkz.errors import InputError
from simkz.impact.metrics import cohort_metrics, group_index, group_metrics, grouped_metrics
from simkz.inputs import read_document, validate_model
from simkz.model.flows import capacities
from simkz.model.state import NetworkState
from simkz.topology.aslevel.apnic import read_users
from simkz.topology.aslevel.caida import read_relationships
from simkz.topology.checks import check_connectivity
from simkz.topology.load import load_topology
from simkz.topology.schema import TopologyFile
from tests.conftest import ROOT, SCENARIOS, TOPOLOGIES

KZ = load_topology(TOPOLOGIES / "kz-2022.yaml")


# --- link arrays --------------------------------------------------------------------------------------------


def test_link_arrays_hold_the_graphs_link_attributes_read_only():
    edges = KZ.graph.edges
    assert KZ.link_capacities.tolist() == [edges[a, b]["capacity_gbps"] for a, b in KZ.link_ends]
    assert KZ.link_costs.tolist() == [edges[a, b].get("cost", 1) for a, b in KZ.link_ends]
    a, b = KZ.link_end_indices
    assert [(KZ.nodes[i], KZ.nodes[j]) for i, j in zip(a, b, strict=True)] == list(KZ.link_ends)
    for array in (KZ.link_capacities, KZ.link_costs, a, b):
        assert not array.flags.writeable
    copy_ = KZ.capacities_gbps()
    copy_[0] = -1.0  # a copy: the caller may change it
    assert KZ.link_capacities[0] > 0


def test_a_pickled_topology_rebuilds_its_link_arrays_read_only():
    KZ.link_capacities, KZ.link_costs, KZ.link_end_indices  # noqa: B018  (made before pickling)
    back = pickle.loads(pickle.dumps(KZ))
    assert "link_capacities" not in vars(back)
    assert back.link_capacities.tobytes() == KZ.link_capacities.tobytes()
    assert not back.link_capacities.flags.writeable and not back.link_end_indices[0].flags.writeable


def test_capacities_without_throttle_are_the_topologys_array_and_a_throttle_copies():
    assert capacities(KZ, NetworkState()) is KZ.link_capacities
    link = KZ.links[3]
    throttled = capacities(KZ, NetworkState(link_factor=((link, 0.25),)))
    assert throttled.flags.writeable and throttled is not KZ.link_capacities
    expected = KZ.link_capacities.copy()
    expected[3] *= 0.25
    assert throttled.tobytes() == expected.tobytes()
    assert KZ.link_capacities[3] == expected[3] / 0.25


# --- group metrics through the cohort-to-group index --------------------------------------------------------


@pytest.fixture(scope="module")
def kz_run():
    sim = Simulation(load_scenario(SCENARIOS / "kz-jan-2022.yaml"))
    sim.run()
    return sim.scenario.topology, sim.recorder.trace(sim.scenario.duration_s)


def test_grouped_metrics_equal_a_weighted_sum_per_group(kz_run):
    topology, trace = kz_run
    cm = cohort_metrics(topology, trace)
    fields = ("traffic_gbps", "baseline_gbps", "index_pct", "affected", "equivalents_lost", "cut_off")
    fields += ("cut_off_abroad", "probing_pct", "bgp_visible_pct")
    for weights in (None, topology.disability_shares()):  # 0 or 1, and fractional (persons with disabilities)
        for kind, index in group_index(topology).items():
            assert len(index.names) > 1, kind
            grouped = grouped_metrics(trace, cm, index.of_cohort, len(index.names), weights)
            for g, metrics in enumerate(grouped):
                member = (index.of_cohort == g).astype(np.float64)
                dense = group_metrics(trace, cm, member if weights is None else member * weights)
                assert metrics.users == pytest.approx(dense.users, rel=1e-12)
                for field in fields:
                    np.testing.assert_allclose(getattr(metrics, field), getattr(dense, field), rtol=1e-12, atol=1e-9)


def test_every_cohort_is_in_one_group_of_each_kind():
    for kind, index in group_index(KZ).items():
        assert index.of_cohort.shape == (len(KZ.cohorts),)
        assert sorted(set(index.of_cohort.tolist())) == list(range(len(index.names))), kind
        assert list(index.names) == sorted(index.names)
    region = group_index(KZ)["region"]
    assert [region.names[g][0] for g in region.of_cohort] == [c.region for c in KZ.cohorts]


# --- checks on arrays, the paused collector -----------------------------------------------------------------


def connectivity_networkx(spec: TopologyFile) -> list[tuple[str, tuple[str | int, ...]]]:
    """The connectivity check as networkx computed it (the reference)."""
    g = nx.Graph()
    g.add_nodes_from(spec.nodes)
    g.add_edges_from(link.ends for link in spec.links.values() if all(e in spec.nodes for e in link.ends))
    out = [("isolated-node", ("nodes", n)) for n in sorted(spec.nodes) if g.degree(n) == 0]
    foreign = {n for n, s in spec.nodes.items() if s.kind == "foreign"}
    reach: set[str] = set()
    for comp in nx.connected_components(g):
        if comp & foreign:
            reach |= comp
    out += [
        ("path-abroad", ("nodes", n))
        for n, node in sorted(spec.nodes.items())
        if node.kind == "access" and n not in reach and g.degree(n) > 0
    ]
    return out


def test_the_connectivity_check_finds_what_networkx_finds():
    data = read_document(TOPOLOGIES / "kz-2022.yaml").data
    rng = np.random.default_rng(3)
    found_any = 0
    for _ in range(40):
        doc = copy.deepcopy(data)
        names = sorted(doc["links"])
        for name in rng.choice(names, size=int(rng.integers(1, len(names) // 2)), replace=False):
            del doc["links"][name]
        spec = validate_model(TopologyFile, doc, None)
        findings = [(f.check, f.path) for f in check_connectivity(spec)]
        assert findings == connectivity_networkx(spec)
        found_any += bool(findings)
    assert found_any > 10  # the cases do cut nodes off


@pytest.mark.parametrize("running", [True, False])
def test_loading_leaves_the_garbage_collector_as_it_was(tmp_path, running):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [\n", encoding="utf-8")
    was = gc.isenabled()
    try:
        gc.enable() if running else gc.disable()
        load_topology(TOPOLOGIES / "toy.yaml")
        assert gc.isenabled() is running
        with pytest.raises(InputError):
            load_topology(bad)
        assert gc.isenabled() is running
    finally:
        gc.enable() if was else gc.disable()


# --- the synthetic AS graphs --------------------------------------------------------------------------------

SMALL = Shape(ases=3_000, links=20_000, users_ases=40, domestic=10, border=4, seed=5)


@pytest.fixture(scope="module")
def small_graph():
    return generate(SMALL)


def test_the_generator_draws_the_size_and_shape_asked_for(small_graph):
    g = small_graph
    shape = describe(g)
    assert (shape["ases"], shape["links"]) == (SMALL.ases, SMALL.links)
    keys = np.minimum(g.a, g.b) * SMALL.ases + np.maximum(g.a, g.b)
    assert np.unique(keys).size == keys.size and not (g.a == g.b).any()  # no pair twice, no self-loop
    graph = nx.Graph(zip(g.a.tolist(), g.b.tolist(), strict=True))
    assert graph.number_of_nodes() == SMALL.ases and nx.is_connected(graph)
    clique = {(min(x, y), max(x, y)) for x in g.clique.tolist() for y in g.clique.tolist() if x < y}
    peering = {
        (min(x, y), max(x, y)) for x, y, r in zip(g.a.tolist(), g.b.tolist(), g.rel.tolist(), strict=True) if r == P2P
    }
    assert clique <= peering  # the tier-1 ASes all peer
    degree = np.bincount(np.concatenate([g.a, g.b]), minlength=SMALL.ases)
    foreign_p2c = (g.rel == P2C) & ~np.isin(g.a, g.country) & ~np.isin(g.b, g.country)
    assert (degree[g.a[foreign_p2c]] >= degree[g.b[foreign_p2c]]).all()  # providers are the larger ASes
    assert degree.max() > 20 * np.median(degree)  # a heavy tail
    assert 0.3 < shape["p2p_share"] < 0.6
    assert (g.users[g.country] > 0).sum() == SMALL.users_ases and g.users.sum() == pytest.approx(SMALL.users, rel=1e-3)
    again = generate(SMALL)
    assert again.a.tobytes() == g.a.tobytes() and again.asn.tobytes() == g.asn.tobytes()  # seeded


def test_the_generators_files_read_back_in_the_real_layouts(tmp_path, small_graph):
    g = small_graph
    write_relationships(g, tmp_path / "g.as-rel2.txt", SMALL)
    write_users(g, tmp_path / "g.users.csv", SMALL)
    rel = read_relationships(tmp_path / "g.as-rel2.txt")
    assert rel.layout == "serial-2" and len(rel) == SMALL.links
    assert sorted(rel.clique) == sorted(g.asn[g.clique].tolist())
    pairs = {(x, y, c) for x, y, c in zip(rel.first.tolist(), rel.second.tolist(), rel.code.tolist(), strict=True)}
    assert pairs == set(zip(g.asn[g.a].tolist(), g.asn[g.b].tolist(), g.rel.tolist(), strict=True))
    users = read_users(tmp_path / "g.users.csv").of_country(SMALL.country)
    assert {asn: row.users for asn, row in users.items()} == {
        int(g.asn[i]): float(g.users[i]) for i in np.flatnonzero(g.users > 0)
    }


def test_the_generator_builds_a_topology_and_a_day_that_runs(tmp_path):
    command = [sys.executable, str(ROOT / "benchmarks" / "aslevel_graph.py"), str(tmp_path), "--name", "small"]
    command += ["--ases", "2000", "--links", "12000", "--users-ases", "30", "--seed", "2"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "2,000 ASes, 12,000 links" in done.stdout and "30 with users" in done.stdout
    topology = load_topology(tmp_path / "small.json")
    assert len(topology.cohorts) == 30 and sum(c.users for c in topology.cohorts) > 0
    sim = Simulation(load_scenario(tmp_path / "small-day.yaml"))
    sim.run()
    national = sim.result.tables["national"]
    hours = national["elapsed_h"]
    index = national["connectivity_index_pct"]
    assert index[(hours >= 8) & (hours < 14)].max() < 100  # the border ASes shut down
    np.testing.assert_allclose(index[(hours < 8) | (hours >= 14)], 100.0, rtol=1e-12)

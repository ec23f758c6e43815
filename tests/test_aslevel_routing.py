"""Valley-free (Gao-Rexford) routing, `routing: valley-free`: where it differs from least-cost ECMP routing and
what that changes when an AS is shut down."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import yaml

from simkz import Simulation, load_scenario
from simkz.model.flows import evaluate
from simkz.model.routing import Routing, reachable, route
from simkz.times import parse_zone
from simkz.topology.aslevel.apnic import read_users
from simkz.topology.aslevel.build import ASLevelOptions, build_as_level, render_json
from simkz.topology.aslevel.caida import read_relationships
from simkz.topology.load import load_topology
from simkz.topology.network import Cohort, Demand, Region, Service, Topology
from tests.conftest import TOPOLOGIES
from tests.test_aslevel_readers import SERIAL1, USERS

HOSTS = ("AS64502", "AS64505")


def valley(tmp_path: Path, routing: str) -> Path:
    """The fixture country as a topology file: the shortest way abroad from AS64496 and AS64499 is a valley."""
    doc = build_as_level(
        read_relationships(SERIAL1),
        read_users(USERS),
        "KZ",
        ASLevelOptions(routing=routing),  # type: ignore[arg-type]
    ).document
    path = tmp_path / f"kz-{routing}.json"
    path.write_text(render_json(doc), encoding="utf-8")
    return path


def next_hops(topo: Topology, routing: Routing, service: int = 0) -> dict[str, dict[str, float]]:
    """node -> {next hop: share of its traffic} towards one service's hosts."""
    n = routing.n_nodes
    out: dict[str, dict[str, float]] = {}
    for layer in routing.layers:
        for src, dst, weight in zip(layer.src, layer.dst, layer.weight, strict=True):
            if src // n == service:
                out.setdefault(topo.nodes[src % n], {})[topo.nodes[dst % n]] = float(weight)
    return out


@pytest.fixture(scope="module")
def topologies(tmp_path_factory) -> dict[str, Topology]:
    folder = tmp_path_factory.mktemp("valley")
    return {r: load_topology(valley(folder, r)) for r in ("ecmp", "valley-free")}


def test_shortest_path_goes_through_a_customer_valley_free_through_the_provider(topologies):
    ecmp = next_hops(topologies["ecmp"], route(topologies["ecmp"]))
    free = next_hops(topologies["valley-free"], route(topologies["valley-free"]))
    # AS64496 -> its customer AS64497 -> AS64497's provider AS64500 -> AS64502: down then up, a valley
    assert ecmp["AS64496"] == {"AS64497": 1.0}
    assert free["AS64496"] == {"AS64498": 1.0}  # up to its provider, which has a route abroad
    assert free["AS64498"] == {"AS64503": 1.0} and free["AS64503"] == {"AS64501": 1.0}
    # AS64499 peers with AS64497, which passes on no provider route to a peer
    assert ecmp["AS64499"] == {"AS64497": 1.0}
    assert free["AS64499"] == {"AS64498": 1.0}
    # where the shortest path is valley-free the two agree
    assert ecmp["AS64497"] == free["AS64497"] == {"AS64500": 1.0}


def test_valley_free_layers_are_route_lengths_longer_than_graph_distances(topologies):
    topo = topologies["valley-free"]
    routing = route(topo)
    users = topo.node_index["AS64496-users"]
    (length,) = [i for i, layer in enumerate(routing.layers) if users in layer.nodes.tolist()]
    distances = nx.multi_source_dijkstra_path_length(topo.graph, set(HOSTS))
    assert length + 1 == 5 > distances["AS64496-users"] == 4
    # every edge leads to a node of an earlier layer (or a host): farthest-first pushing is complete
    layer_of = {int(v): i for i, layer in enumerate(routing.layers) for v in layer.nodes}
    for i, layer in enumerate(routing.layers):
        assert all(layer_of.get(int(d), -1) < i for d in layer.dst)


def test_the_traffic_of_the_valley_as_loads_the_provider_link(topologies):
    loads = {}
    for name, topo in topologies.items():
        routing = route(topo)
        cohort_nodes = np.array([topo.node_index[c.node] for c in topo.cohorts])
        demand = np.array([[1.0 if c.node == "AS64496-users" else 0.0] for c in topo.cohorts])
        flows = evaluate(routing, np.ones(routing.n_nodes), topo.capacities_gbps(), demand, cohort_nodes)
        loads[name] = dict(zip(topo.links, flows.load_gbps.tolist(), strict=True))
        assert flows.served.min() == 1.0
    assert loads["ecmp"]["AS64496-AS64497"] == 1.0 and loads["ecmp"]["AS64498-AS64496"] == 0.0
    assert loads["valley-free"]["AS64496-AS64497"] == 0.0 and loads["valley-free"]["AS64498-AS64496"] == 1.0
    assert loads["valley-free"]["AS64502-AS64501"] == 1.0


def test_reachability_without_the_provider(topologies):
    down = frozenset({"AS64498"})
    lost = {"AS64496", "AS64499", "AS64496-users", "AS64499-users"}
    for name, cut in (("ecmp", {"AS64506"}), ("valley-free", {"AS64506", *lost})):  # AS64506: a customer of it
        topo = topologies[name]
        seen = reachable(topo, HOSTS, down, frozenset())
        assert {n for n, ok in zip(topo.nodes, seen.tolist(), strict=True) if not ok} == cut | {"AS64498"}, name


def scenario(tmp_path: Path, topology: Path) -> Path:
    data = {
        "name": f"shutdowns-{topology.stem}",
        "topology": str(topology),
        "start": "2022-01-05T00:00Z",
        "duration": "5h",
        "step": "1h",
        "seed": 1,
        "actions": [
            {"at": "2022-01-05T01:00Z", "until": "2022-01-05T02:00Z", "shutdown": {"nodes": ["AS64498"]}},
            {"at": "2022-01-05T03:00Z", "until": "2022-01-05T04:00Z", "shutdown": {"nodes": ["AS64497"]}},
        ],
    }
    for action in data["actions"]:
        action["assumption"] = "test"
    path = tmp_path / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_shutting_down_one_as_in_a_run(tmp_path):
    cut = {}
    for routing in ("ecmp", "valley-free"):
        result = Simulation(load_scenario(scenario(tmp_path, valley(tmp_path, routing)))).run().result
        cut[routing] = result.tables["national"]["cut_off_persons"].tolist()
    # hours: quiet, AS64498 down, quiet, AS64497 down, quiet
    assert cut["ecmp"] == [0, 0, 0, 300_000, 0]  # shortest paths never needed AS64498
    assert cut["valley-free"] == [0, 700_000, 0, 300_000, 0]  # AS64497 gives its provider and peer no transit


def tiny(edges: list[tuple[str, str, str | None]], hosts: tuple[str, ...], routing: str = "valley-free") -> Topology:
    """A topology of ``edges`` (a, b, relationship; p2c: a is the provider), one service on ``hosts``."""
    graph = nx.Graph()
    for a, b, rel in edges:
        extra = {"relationship": rel, "provider": a} if rel == "p2c" else {"relationship": rel} if rel else {}
        graph.add_edge(a, b, name=f"{a}-{b}", capacity_gbps=10.0, kind="transit", cost=1, **extra)
    zone = parse_zone("UTC")
    return Topology(
        name="tiny",
        description="",
        zone=zone,
        graph=graph,
        regions={"r": Region("r", "r", 1, 1.0, 0.0, None, zone, None)},
        operators={},
        services=(Service("s", "web", hosts, 1.0, 1.0, (), True),),
        cohorts=(Cohort("x", "r", "o", "fixed", 1.0),),
        demand={"fixed": Demand(1.0, (1.0,) * 24)},
        routing=routing,
    )


def test_a_customer_route_beats_a_shorter_provider_route():
    # X reaches host H1 down through its customer C (2 links), host H2 directly up through its provider (1 link)
    edges = [("X", "C", "p2c"), ("C", "H1", "p2c"), ("H2", "X", "p2c")]
    assert next_hops(tiny(edges, ("H1", "H2")), route(tiny(edges, ("H1", "H2"))))["X"] == {"C": 1.0}
    ecmp = tiny(edges, ("H1", "H2"), "ecmp")
    assert next_hops(ecmp, route(ecmp))["X"] == {"H2": 1.0}


def test_a_route_learned_from_a_provider_is_not_passed_up():
    # X has a customer route to H through C1 and C2 (3 links); its customer V is as near (2 links + 1) but by a
    # route V learned from its own provider W: V does not pass it on to X
    edges = [("X", "C1", "p2c"), ("C1", "C2", "p2c"), ("C2", "H", "p2c"), ("X", "V", "p2c")]
    edges += [("W", "V", "p2c"), ("H", "W", "p2c")]
    free = tiny(edges, ("H",))
    hops = next_hops(free, route(free))
    assert hops["X"] == {"C1": 1.0}
    assert hops["V"] == {"W": 1.0}
    ecmp = tiny(edges, ("H",), "ecmp")
    assert next_hops(ecmp, route(ecmp))["X"] == pytest.approx({"C1": 0.5, "V": 0.5})


def test_at_most_one_peer_link():
    # X-Y and Y-Z are peer links: X cannot cross both; it goes up to its provider W, which provides for Z
    edges = [("X", "Y", "p2p"), ("Y", "Z", "p2p"), ("W", "X", "p2c"), ("W", "Z", "p2c")]
    free = tiny(edges, ("Z",))
    assert next_hops(free, route(free))["X"] == {"W": 1.0}
    assert next_hops(free, route(free))["Y"] == {"Z": 1.0}  # one peer link is fine
    ecmp = tiny(edges, ("Z",), "ecmp")
    assert next_hops(ecmp, route(ecmp))["X"] == {"W": 0.5, "Y": 0.5}


def test_equally_good_routes_share_the_traffic_by_paths():
    # X has two providers P1, P2 with routes of equal length; P1 has two equal ways up, P2 one: 2/3 and 1/3
    edges = [("P1", "X", "p2c"), ("P2", "X", "p2c"), ("T1", "P1", "p2c"), ("T2", "P1", "p2c"), ("T1", "P2", "p2c")]
    edges += [("H", "T1", "p2c"), ("H", "T2", "p2c")]
    free = tiny(edges, ("H",))
    assert next_hops(free, route(free))["X"] == pytest.approx({"P1": 2 / 3, "P2": 1 / 3})


def test_a_peer_route_beats_a_provider_route_and_siblings_pass_routes_on():
    # X peers with Y, whose customer is the host (2 links); X's provider is the host too (1 link).
    # S is X's sibling (a link without relationship): it takes X's peer route, one link longer.
    edges = [("X", "Y", "p2p"), ("Y", "H", "p2c"), ("H", "X", "p2c"), ("X", "S", None)]
    free = tiny(edges, ("H",))
    hops = next_hops(free, route(free))
    assert hops["X"] == {"Y": 1.0}
    assert hops["S"] == {"X": 1.0}


@pytest.mark.parametrize("name", ["toy", "kz-2022"])
def test_without_relationships_valley_free_is_ecmp(name):
    topo = load_topology(TOPOLOGIES / f"{name}.yaml")
    free = replace(topo, routing="valley-free")
    down = frozenset(topo.nodes[::7])
    for targets in (None, [topo.foreign_nodes()]):
        a, b = route(topo, down, frozenset(), targets), route(free, down, frozenset(), targets)
        assert (a.n_services, a.hosts.tolist(), len(a.layers)) == (b.n_services, b.hosts.tolist(), len(b.layers))
        for x, y in zip(a.layers, b.layers, strict=True):
            for key in ("src", "dst", "link", "nodes"):
                assert getattr(x, key).tolist() == getattr(y, key).tolist()
            assert x.weight.tolist() == pytest.approx(y.weight.tolist(), rel=1e-15)
    foreign = topo.foreign_nodes()
    assert reachable(topo, foreign, down, frozenset()).tolist() == reachable(free, foreign, down, frozenset()).tolist()

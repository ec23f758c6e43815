"""ECMP routing and the flow rules on graphs small enough to check by hand."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from simkz.model.flows import evaluate
from simkz.model.routing import route
from simkz.times import parse_zone
from simkz.topology.network import Cohort, Demand, Region, Service, Topology


def tiny(edges: list[tuple[str, str, float]], host: str = "h") -> Topology:
    g = nx.Graph()
    for a, b, cap in edges:
        g.add_edge(a, b, name=f"{a}-{b}", capacity_gbps=cap, kind="backbone")
    zone = parse_zone("UTC")
    return Topology(
        name="tiny",
        description="",
        zone=zone,
        graph=g,
        regions={"r": Region("r", "r", 100, 100.0, 0.0, None, zone, None)},
        operators={},
        services=(Service("s", "web", (host,), 1.0, 1.0, (), True),),
        cohorts=(Cohort("c", "r", "o", "fixed", 100.0),),
        demand={"fixed": Demand(1.0, (1.0,) * 24)},
    )


def run(topo: Topology, demand: float, passes: dict[str, float] | None = None):
    routing = route(topo)
    p = np.ones(len(topo.nodes))
    for node, share in (passes or {}).items():
        p[topo.node_index[node]] = share
    cohort_nodes = np.array([topo.node_index["c"]])
    flows = evaluate(routing, p, topo.capacities_gbps(), np.array([[demand]]), cohort_nodes)
    return flows, dict(zip(topo.links, flows.load_gbps, strict=True))


def test_split_is_equal_over_paths_not_over_next_hops():
    # Three shortest paths of 3 hops: c-a-x-h, c-a-y-h, c-b-z-h. Equal per path: a carries 2/3, b 1/3
    # (an equal split per next hop would give 1/2 each).
    topo = tiny(
        [
            ("c", "a", 100),
            ("c", "b", 100),
            ("a", "x", 100),
            ("a", "y", 100),
            ("b", "z", 100),
            ("x", "h", 100),
            ("y", "h", 100),
            ("z", "h", 100),
        ]
    )
    _, load = run(topo, 9.0)
    assert load["c-a"] == pytest.approx(6.0)
    assert load["c-b"] == pytest.approx(3.0)
    assert load["a-x"] == pytest.approx(3.0)
    assert load["z-h"] == pytest.approx(3.0)


def test_capacity_scales_flows_through_a_congested_link():
    topo = tiny([("c", "a", 100), ("a", "h", 4)])
    flows, load = run(topo, 10.0)
    assert load["a-h"] == pytest.approx(10.0)
    assert flows.served[0, 0] == pytest.approx(0.4)


def test_scales_multiply_along_a_path_and_average_over_paths():
    # two paths; one crosses a link at half capacity and a filter passing 50%
    topo = tiny([("c", "a", 100), ("c", "b", 100), ("a", "h", 2.5), ("b", "h", 100)])
    flows, load = run(topo, 10.0, passes={"a": 0.5})
    # path via a: 5 Gbps offered, 2.5 pass the filter at a, link a-h carries 2.5 <= 2.5: served 0.5
    assert load["a-h"] == pytest.approx(2.5)
    assert flows.served[0, 0] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)


def test_unreachable_host_serves_nothing():
    topo = tiny([("c", "a", 100), ("h", "b", 100)])
    flows, _ = run(topo, 1.0)
    assert flows.served[0, 0] == 0


def test_costs_make_a_backup_path():
    # c-a-h (cost 1+1) and c-b-h (cost 1+5): all traffic takes a; cut a and it takes b.
    topo = tiny([("c", "a", 100), ("c", "b", 100), ("a", "h", 100), ("b", "h", 100)])
    topo.graph.edges["b", "h"]["cost"] = 5
    _, load = run(topo, 4.0)
    assert load["a-h"] == pytest.approx(4.0)
    assert load["b-h"] == 0
    routing = route(topo, down_nodes=frozenset({"a"}))
    flows = evaluate(
        routing, np.ones(len(topo.nodes)), topo.capacities_gbps(), np.array([[4.0]]), np.array([topo.node_index["c"]])
    )
    assert flows.load_gbps[topo.link_index["b-h"]] == pytest.approx(4.0)

"""Properties that must hold whatever the inputs (hypothesis draws the inputs)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simkz.model.demand import DemandModel
from simkz.model.flows import capacities, evaluate, pass_shares
from simkz.model.routing import route
from simkz.model.state import NetworkState
from simkz.topology.load import load_topology
from tests.conftest import TOY, at_hour

TOPO = load_topology(TOY)
NOON = np.full(len(TOPO.cohorts), 12)


def index_of(state: NetworkState, capacity_factor: float = 1.0) -> float:
    demand = DemandModel(TOPO).gbps(NOON)
    nodes = np.array([TOPO.node_index[c.node] for c in TOPO.cohorts])
    flows = evaluate(
        route(TOPO, *state.topology_key),
        pass_shares(TOPO, state),
        capacities(TOPO, state) * capacity_factor,
        demand,
        nodes,
    )
    return float((flows.served * demand).sum() / demand.sum() * 100)


def test_no_action_affects_nobody(run_toy):
    result = run_toy([], duration="2d", step="1h")
    national = result.tables["national"]
    assert np.all(national["connectivity_index_pct"] == 100)
    assert np.all(national["affected_persons"] == 0)
    assert np.all(result.tables["by_service"]["affected_persons"] == 0)
    assert result.summary["services_disrupted"] == []


def test_every_gateway_down_cuts_every_user_off_from_abroad(run_toy):
    result = run_toy([{"shutdown": {"kind": "gateway"}}])
    row = at_hour(result, "national", 1)
    assert row["cut_off_abroad_persons"] == sum(c.users for c in TOPO.cohorts)
    for svc in ("chat", "video", "search"):
        assert at_hour(result, "by_service", 1, service=svc)["served_share"] == 0


ELEMENTS = sorted(TOPO.nodes) + sorted(TOPO.links)


def _state(chosen: set[str]) -> NetworkState:
    return NetworkState(
        down_nodes=frozenset(c for c in chosen if c in TOPO.graph),
        down_links=frozenset(c for c in chosen if c in TOPO.links),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.sampled_from(ELEMENTS)), st.sets(st.sampled_from(ELEMENTS)))
def test_adding_a_shutdown_never_raises_the_index(first, more):
    # With enough capacity everywhere (x100), served shares are reachability: more cuts never help.
    before = index_of(_state(first), capacity_factor=100)
    after = index_of(_state(first | more), capacity_factor=100)
    assert after <= before + 1e-9


ACCESS = sorted(c.node for c in TOPO.cohorts)


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(ACCESS)), st.sets(st.sampled_from(ACCESS)), st.sampled_from([None, "gw-1", "gw-2"]))
def test_cutting_more_access_networks_never_raises_the_index_even_congested(first, more, gateway):
    extra = {gateway} if gateway else set()
    before = index_of(_state(first | extra))
    after = index_of(_state(first | more | extra))
    assert after <= before + 1e-9


def test_ecmp_is_not_capacity_aware_so_a_cut_can_rebalance():
    """A known property of the model, not a bug: ECMP ignores capacity.

    Cutting a-core--gw-1 sends all of telco-a's 450 Gbps abroad to gw-2 (525 Gbps on 400).
    Cutting b-core--gw-2 as well moves telco-b to gw-1 and relieves gw-2 (450 on 400).
    """
    one = index_of(_state({"a-core--gw-1"}))
    two = index_of(_state({"a-core--gw-1", "b-core--gw-2"}))
    assert two > one

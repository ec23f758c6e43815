"""Dependencies, circumvention, backlogs and groups on toy variants, against values computed by hand.

Toy numbers (topologies/toy.yaml): 2,000,000 internet users, 5% of them with disabilities;
domestic services on `dc`, foreign ones on `abroad` behind the two gateways.
"""

from __future__ import annotations

import pytest

from tests.conftest import at_hour

GATEWAYS_DOWN = {"at": "2022-01-05T14:00+06:00", "shutdown": {"kind": "gateway"}}


def service(**fields):
    return {"adoption": 0.5, "traffic_share": 0.0, "assumption": "test", **fields}


def test_dependency_chain(run_toy):
    # pay -> bank-core -> ledger: cut ledger's host and all three stop; only ledger by its own network
    topology = {
        "nodes": {"dc-ledger": {"kind": "datacenter"}},
        "links": {
            "ix--dc-ledger": {
                "ends": ["ix", "dc-ledger"],
                "capacity_gbps": 100,
                "kind": "peering",
                "assumption": "test",
            }
        },
        "services": {
            "ledger": service(kind="banking", hosts=["dc-ledger"]),
            "bank-core": service(kind="banking", hosts=["dc"], depends_on=["ledger"]),
            "pay": service(kind="payments", hosts=["dc"], depends_on=["bank-core"]),
        },
    }
    result = run_toy(
        [{"at": "2022-01-05T14:00+06:00", "until": "2022-01-05T17:00+06:00", "shutdown": {"nodes": ["dc-ledger"]}}],
        topology=topology,
    )
    s = result.summary["services"]
    for key in ("ledger", "bank-core", "pay"):
        assert s[key]["disrupted_hours"] == pytest.approx(3.0), key
        assert at_hour(result, "by_service", 2.5, service=key)["served_share"] == 0, key
    assert s["ledger"]["disrupted_by_dependency_hours"] == 0
    assert s["pay"]["disrupted_by_dependency_hours"] == pytest.approx(3.0)
    assert s["bank"]["disrupted_hours"] == 0


def test_partial_dependency(run_toy):
    # 40% of card payments need the scheme abroad: gateways down leaves 60% working
    topology = {
        "services": {
            "scheme": service(kind="payments", hosts=["abroad"]),
            "cards": service(
                kind="payments", hosts=["dc"], adoption=0.8, depends_on=[{"service": "scheme", "share": 0.4}]
            ),
        }
    }
    result = run_toy([GATEWAYS_DOWN], topology=topology)
    cards = at_hour(result, "by_service", 3, service="cards")
    assert cards["network_served_share"] == pytest.approx(1.0)
    assert cards["served_share"] == pytest.approx(0.6)
    assert cards["affected_persons"] == pytest.approx(2_000_000 * 0.8 * 0.4)
    assert cards["disrupted_flag"] == 0  # 0.6 is above the 0.5 threshold
    assert at_hour(result, "by_service", 3, service="scheme")["disrupted_flag"] == 1


VPN_TOPOLOGY = {"services": {"vpn": service(kind="vpn", hosts=["abroad"], adoption=0.1)}}
BLOCK_CHAT = {
    "at": "2022-01-05T14:00+06:00",
    "block": {"services": ["chat"], "at": {"kind": "gateway"}, "effectiveness": 1.0},
}


def test_vpn_share_grows_while_a_block_lasts(run_toy):
    result = run_toy(
        [BLOCK_CHAT],
        topology=VPN_TOPOLOGY,
        parameters={"vpn_adoption_per_day": 0.24, "vpn_max_share": 0.5},
        duration="13h",
    )
    # 0.10 at the start; +0.01 per hour of block from 14:00: after 10 hours, 0.20
    assert at_hour(result, "national", 1)["vpn_share"] == pytest.approx(0.10)
    assert at_hour(result, "national", 12)["vpn_share"] == pytest.approx(0.20)
    # VPN users get through a block of chat: served share = VPN share
    assert at_hour(result, "by_service", 12, service="chat")["served_share"] == pytest.approx(0.20)
    assert result.summary["circumvention"]["vpn_final_share"] == pytest.approx(0.20)


def test_vpn_stops_at_its_maximum_and_does_not_pass_a_vpn_block(run_toy):
    block_vpn = {
        "at": "2022-01-05T14:00+06:00",
        "block": {"services": ["vpn"], "at": {"kind": "gateway"}, "effectiveness": 0.5},
    }
    result = run_toy(
        [BLOCK_CHAT, block_vpn], topology=VPN_TOPOLOGY, parameters={"vpn_adoption_per_day": 1.0, "vpn_max_share": 0.3}
    )
    row = at_hour(result, "national", 10)
    assert row["vpn_share"] == pytest.approx(0.3)
    # 30% tunnel, and half of the tunnelled traffic is stopped by the VPN block
    assert at_hour(result, "by_service", 10, service="chat")["served_share"] == pytest.approx(0.3 * 0.5)


def test_no_block_no_vpn_growth(run_toy):
    result = run_toy([GATEWAYS_DOWN], topology=VPN_TOPOLOGY, parameters={"vpn_adoption_per_day": 1.0})
    assert result.summary["circumvention"]["vpn_final_share"] == pytest.approx(0.10)


def test_messaging_falls_back_to_calls_and_sms(run_toy):
    result = run_toy([BLOCK_CHAT], parameters={"telephony_availability": 0.9})
    # 2,000,000 x 0.9 chat users lose chat; 90% of them still have calls and SMS
    assert at_hour(result, "national", 3)["messaging_fallback_persons"] == pytest.approx(2_000_000 * 0.9 * 0.9)
    assert result.summary["circumvention"]["messaging_fallback_user_hours"] == pytest.approx(1_620_000 * 10)


BACKLOG_TOPOLOGY = {
    "services": {
        "egov": {
            # 2,000,000 users x 0.5 adoption x 2.4 requests a day / 24 = 100,000 requests an hour;
            # capacity 1.5 x = 150,000 an hour; half of the failed requests are retried
            "backlog": {
                "requests_per_user_per_day": 2.4,
                "retry_share": 0.5,
                "capacity_factor": 1.5,
                "assumption": "test",
            }
        }
    }
}


def test_backlog_drains_in_the_time_computed_by_hand(run_toy):
    dc_down = {"at": "2022-01-05T13:00+06:00", "until": "2022-01-05T19:00+06:00", "shutdown": {"nodes": ["dc"]}}
    result = run_toy([dc_down], topology=BACKLOG_TOPOLOGY, duration="24h")
    egov = result.summary["services"]["egov"]
    # 6 h down: 6 x 100,000 x 0.5 = 300,000 queued; drains at 150,000 - 100,000 = 50,000 an hour: 6 h
    assert egov["backlog"]["peak_requests"] == pytest.approx(300_000)
    assert egov["backlog"]["recoveries"] == [
        {"network_back": "2022-01-05T19:00:00+06:00", "backlog_empty": "2022-01-06T01:00:00+06:00", "hours": 6.0}
    ]
    assert egov["backlog"]["max_recovery_hours"] == pytest.approx(6.0)
    assert egov["disrupted_hours"] == pytest.approx(12.0)  # down 6 h, then 6 h of recovery
    assert at_hour(result, "by_service", 10, service="egov")["backlog_requests"] == pytest.approx(150_000)
    # bank has no backlog: back as soon as the network is
    assert result.summary["services"]["bank"]["disrupted_hours"] == pytest.approx(6.0)


def test_backlog_under_a_partial_outage(run_toy):
    # north cut (40% of users): e = 0.6. Inflow 100,000 x 0.4 x 0.5 = 20,000/h; outflow 50,000 x 0.6 = 30,000/h:
    # the queue never grows; with the north cut for 2 h after a full outage of 1 h it drains from 50,000.
    full = {"at": "2022-01-05T13:00+06:00", "until": "2022-01-05T14:00+06:00", "shutdown": {"nodes": ["dc"]}}
    north = {
        "at": "2022-01-05T14:00+06:00",
        "until": "2022-01-05T16:00+06:00",
        "shutdown": {"regions": ["north"], "kind": "access"},
    }
    result = run_toy([full, north], topology=BACKLOG_TOPOLOGY)
    # at 14:00: 50,000 queued; net -10,000/h while the north is cut: 30,000 at 16:00; then -50,000/h: empty at 16:36
    assert at_hour(result, "by_service", 4, service="egov")["backlog_requests"] == pytest.approx(30_000)
    (recovery,) = result.summary["services"]["egov"]["backlog"]["recoveries"]
    assert recovery["network_back"] == "2022-01-05T14:00:00+06:00"
    assert recovery["backlog_empty"] == "2022-01-05T16:36:00+06:00"


def test_persons_with_disabilities(run_toy):
    result = run_toy([{"at": "2022-01-05T14:00+06:00", "shutdown": {"regions": ["south"], "kind": "access"}}])
    disabled = result.summary["persons_with_disabilities"]
    # 5% of the south's 1,200,000 users
    assert disabled["internet_users_persons"] == pytest.approx(100_000)
    assert disabled["peak_cut_off_persons"] == pytest.approx(60_000)
    assert at_hour(result, "national", 3)["disabled_cut_off_persons"] == pytest.approx(60_000)
    assert disabled["cut_off_user_hours"] == pytest.approx(60_000 * 10)


def test_costs_of_the_toy_total_shutdown_by_method():
    from simkz import Simulation, load_scenario
    from tests.conftest import SCENARIOS

    costs = Simulation(load_scenario(SCENARIOS / "toy-total-shutdown.yaml")).run().result.summary["costs"]
    value = {k: v["value"] for k, v in costs["methods"].items()}
    # toy costs: D = 1e9 USD a day, i = 0.05; everyone cut off for 6 h = 0.25 day
    assert value["netblocks-cost"] == pytest.approx(1e9 * 0.05 * 0.25)
    assert value["netblocks-cost-mobile-only"] == pytest.approx(1e9 * 0.05 * 0.5 * 0.25)
    # app kinds in the toy: messenger (chat) and video, 0.1 of value each, both fully lost
    assert value["netblocks-cost-app-only"] == pytest.approx(1e9 * 0.05 * (0.1 + 0.1) * 0.25)
    assert value["deloitte"] == pytest.approx(1e9 * 0.019 * 0.25)
    assert "netloss" not in value and "netloss" in costs["dropped"]
    assert costs["range"] == {"low": value["netblocks-cost-app-only"], "high": value["netblocks-cost"]}

"""Hand-computed answers on the toy topology (see the arithmetic in topologies/toy.yaml).

Users: 2,000,000. Peak demand 800 Gbps (500 fixed + 300 mobile); services take
chat 10%, video 50%, search 15% (abroad: 600 Gbps) and egov 10%, bank 15% (home: 200 Gbps).
Each gateway carries 300 Gbps over 400 Gbps of cross-border capacity.
"""

from __future__ import annotations

import pytest

from tests.conftest import at_hour

GW_DOWN = [{"at": "2022-01-05T14:00+06:00", "shutdown": {"nodes": ["gw-1"]}}]


def test_one_of_two_equal_gateways_cut(run_toy):
    result = run_toy(GW_DOWN)
    # gw-2 then carries 600 Gbps over 400: every foreign flow is scaled by 2/3.
    before = at_hour(result, "by_service", 1, service="chat")
    after = at_hour(result, "by_service", 3, service="chat")
    assert before["affected_persons"] == 0
    assert after["served_share"] == pytest.approx(2 / 3)
    # affected chat users = 2,000,000 x 0.9 adoption x (1 - 2/3) = 600,000
    assert after["affected_persons"] == pytest.approx(600_000)
    video = at_hour(result, "by_service", 3, service="video")
    assert video["affected_persons"] == pytest.approx(2_000_000 * 0.8 / 3)
    # index = (200 domestic + 600 x 2/3 abroad) / 800 = 75%
    assert at_hour(result, "national", 3)["connectivity_index_pct"] == pytest.approx(75.0)
    # domestic services are untouched
    assert at_hour(result, "by_service", 3, service="bank")["served_share"] == pytest.approx(1.0)


def test_throttle_to_half_follows_capacity_rule(run_toy):
    result = run_toy([{"at": "2022-01-05T14:00+06:00", "throttle": {"links": ["gw-2--abroad"], "factor": 0.5}}])
    # Half the foreign traffic (300 Gbps) meets 200 Gbps: scaled by 2/3; the other half is untouched.
    chat = at_hour(result, "by_service", 3, service="chat")
    assert chat["served_share"] == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert at_hour(result, "national", 3)["connectivity_index_pct"] == pytest.approx(100 * (200 + 300 + 200) / 800)


def test_messenger_block_effectiveness(run_toy):
    result = run_toy(
        [
            {
                "at": "2022-01-05T14:00+06:00",
                "block": {"services": ["chat"], "at": {"kind": "gateway"}, "effectiveness": 0.9},
            }
        ]
    )
    chat = at_hour(result, "by_service", 3, service="chat")
    assert chat["served_share"] == pytest.approx(0.1)
    assert chat["affected_persons"] == pytest.approx(2_000_000 * 0.9 * 0.9)
    assert chat["disrupted_flag"] == 1
    # 80 Gbps of chat, 72 of it dropped: (800 - 72) / 800
    assert at_hour(result, "national", 3)["connectivity_index_pct"] == pytest.approx(91.0)
    assert result.summary["services"]["chat"]["disrupted_hours"] == pytest.approx(10.0)
    assert result.summary["services_disrupted"] == ["chat"]


def test_whitelist_lets_only_listed_services_through_gateways(run_toy):
    result = run_toy(
        [{"at": "2022-01-05T14:00+06:00", "whitelist": {"services": ["search"], "at": {"kind": "gateway"}}}]
    )
    # domestic 200 + search 120 pass; chat and video are stopped at the gateways
    assert at_hour(result, "national", 3)["connectivity_index_pct"] == pytest.approx(40.0)
    assert at_hour(result, "by_service", 3, service="video")["served_share"] == 0


def test_gateway_shutdown_cuts_abroad_only(run_toy):
    result = run_toy(
        [{"at": "2022-01-05T14:00+06:00", "until": "2022-01-05T20:00+06:00", "shutdown": {"kind": "gateway"}}]
    )
    row = at_hour(result, "national", 3)
    assert row["connectivity_index_pct"] == pytest.approx(25.0)
    assert row["cut_off_abroad_persons"] == pytest.approx(2_000_000)
    assert row["cut_off_persons"] == 0
    # everyone loses their traffic abroad (affected); 75% of the traffic is lost (user equivalents)
    assert row["affected_persons"] == pytest.approx(2_000_000)
    assert row["user_equivalents_lost_persons"] == pytest.approx(1_500_000)
    nat = result.summary["national"]
    assert nat["user_hours_lost"] == pytest.approx(1_500_000 * 6)
    assert result.summary["services"]["video"]["disrupted_intervals"] == [
        ["2022-01-05T14:00:00+06:00", "2022-01-05T20:00:00+06:00"]
    ]


def test_region_shutdown_by_group(run_toy):
    result = run_toy([{"at": "2022-01-05T14:00+06:00", "shutdown": {"regions": ["north"], "kind": "access"}}])
    north = at_hour(result, "by_region", 3, region="north")
    south = at_hour(result, "by_region", 3, region="south")
    assert north["cut_off_persons"] == pytest.approx(800_000)
    assert north["connectivity_index_pct"] == 0
    assert south["connectivity_index_pct"] == pytest.approx(100.0)
    fixed = at_hour(result, "by_technology", 3, technology="fixed")
    # fixed users: north 200k (cut) + south 300k; fixed traffic: 200 of 500 Gbps lost
    assert fixed["cut_off_persons"] == pytest.approx(200_000)
    assert fixed["connectivity_index_pct"] == pytest.approx(60.0)
    b = at_hour(result, "by_operator", 3, operator="telco-b")
    assert b["affected_persons"] == pytest.approx(400_000)
    assert b["user_equivalents_lost_persons"] == pytest.approx(400_000)


def test_dependency_disrupts_dependent_service(run_toy):
    # egov-id and egov share the data centre; make egov-id's host separate and cut it.
    topology = {
        "nodes": {"dc-id": {"kind": "datacenter"}},
        "links": {
            "ix--dc-id": {"ends": ["ix", "dc-id"], "capacity_gbps": 100, "kind": "peering", "assumption": "test"}
        },
        "services": {"egov-id": {"hosts": ["dc-id"]}},
    }
    result = run_toy([{"at": "2022-01-05T14:00+06:00", "shutdown": {"nodes": ["dc-id"]}}], topology=topology)
    egov = result.summary["services"]["egov"]
    row = at_hour(result, "by_service", 3, service="egov")
    assert row["network_served_share"] == pytest.approx(1.0)  # the network still reaches egov ...
    assert row["served_share"] == 0  # ... but no request works without its identity service
    assert row["affected_persons"] == pytest.approx(2_000_000 * 0.5)
    assert row["disrupted_flag"] == 1
    assert egov["disrupted_hours"] == pytest.approx(10.0)
    assert egov["disrupted_by_dependency_hours"] == pytest.approx(10.0)


def test_night_demand_halves_traffic_but_not_the_index(run_toy):
    result = run_toy(GW_DOWN, duration="18h")
    day, night = at_hour(result, "national", 3), at_hour(result, "national", 13)  # 15:00 and 01:00 local
    assert day["traffic_baseline_gbps"] == pytest.approx(800)
    assert night["traffic_baseline_gbps"] == pytest.approx(400)
    # At night 300 Gbps abroad fit in one gateway's 400: nothing is lost.
    assert night["connectivity_index_pct"] == pytest.approx(100.0)
    assert day["connectivity_index_pct"] == pytest.approx(75.0)

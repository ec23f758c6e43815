"""Hand-computed answers for partial cuts, policy at any node, caches and the observatory signals (toy topology).

At 15:00 (3 h after the start) demand is at its peak: fixed 500 Gbps (north 200, south 300), mobile
300 Gbps (north 120, south 180); 75% of every cohort's traffic goes abroad. Address blocks (/24):
north-a-fixed 200 (half answer probes), north-a-mobile 100, north-b-mobile 200, south-a-fixed 300
(half), south-a-mobile 100, south-b-mobile 200 (a tenth of mobile blocks answer): 1,100 blocks, of
which 310 answer probes on an ordinary day (fixed 100 + 150, mobile 10 + 20 + 10 + 20).
"""

from __future__ import annotations

import pytest

from simkz.errors import InputError
from tests.conftest import at_hour

AT = "2022-01-05T14:00+06:00"
RESPONSIVE = 310.0
BLOCKS = 1100.0


def test_partial_shutdown_cuts_off_a_share_of_the_selection(run_toy):
    result = run_toy([{"at": AT, "shutdown": {"regions": ["north"], "kind": "access", "share": 0.25}}])
    north = at_hour(result, "by_region", 3, region="north")
    # a quarter of north's 800,000 users are cut off entirely; the rest are untouched
    assert north["cut_off_persons"] == pytest.approx(200_000)
    assert north["affected_persons"] == pytest.approx(200_000)
    assert north["connectivity_index_pct"] == pytest.approx(75.0)
    nat = at_hour(result, "national", 3)
    # north's 320 Gbps lose a quarter: (800 - 80) / 800
    assert nat["connectivity_index_pct"] == pytest.approx(90.0)
    assert nat["user_equivalents_lost_persons"] == pytest.approx(200_000)
    # north's responsive blocks (100 + 10 + 20) lose a quarter
    assert nat["probing_responsive_pct"] == pytest.approx(100 * (RESPONSIVE - 130 * 0.25) / RESPONSIVE)
    assert nat["bgp_visible_pct"] == pytest.approx(100.0)
    chat = at_hour(result, "by_service", 3, service="chat")
    assert chat["affected_persons"] == pytest.approx(200_000 * 0.9)


def test_partial_shutdowns_of_one_node_compound(run_toy):
    def half() -> dict[str, object]:
        return {"at": AT, "shutdown": {"nodes": ["north-a-fixed"], "share": 0.5}}

    result = run_toy([half(), half()])
    row = at_hour(result, "by_region_technology", 3, region="north", technology="fixed")
    assert row["cut_off_persons"] == pytest.approx(200_000 * 0.75)


def test_a_partial_shutdown_needs_access_nodes(toy_scenario):
    from simkz import load_scenario

    path = toy_scenario([{"at": AT, "shutdown": {"operators": ["telco-b"], "share": 0.5}}])
    with pytest.raises(InputError, match=r"actions\[0\]\.shutdown.*access nodes.*b-core"):
        load_scenario(path)


def test_degrade_keeps_its_pass_share_of_every_flow_whatever_the_capacity(run_toy):
    result = run_toy([{"at": AT, "degrade": {"nodes": ["north-a-fixed"], "pass": 0.4}}])
    nat = at_hour(result, "national", 3)
    # north-a-fixed's 200 Gbps keep 40%: (800 - 120) / 800
    assert nat["connectivity_index_pct"] == pytest.approx(85.0)
    # affected: all 200,000 users of the degraded node; cut off: nobody (their demand is not all lost)
    assert nat["affected_persons"] == pytest.approx(200_000)
    assert nat["cut_off_persons"] == 0
    assert nat["user_equivalents_lost_persons"] == pytest.approx(200_000 * 0.6)
    # its 100 responsive blocks answer 40% of probes
    assert nat["probing_responsive_pct"] == pytest.approx(100 * (RESPONSIVE - 100 * 0.6) / RESPONSIVE)
    assert nat["bgp_visible_pct"] == pytest.approx(100.0)


def test_degrade_at_the_gateways_throttles_everything_abroad(run_toy):
    result = run_toy([{"at": AT, "degrade": {"kind": "gateway", "pass": 0.5}}])
    nat = at_hour(result, "national", 3)
    assert nat["connectivity_index_pct"] == pytest.approx(100 * (200 + 300) / 800)
    assert nat["affected_persons"] == pytest.approx(2_000_000)
    assert nat["cut_off_persons"] == 0
    # lifting it with a restore brings everything back
    lifted = run_toy(
        [
            {"at": AT, "degrade": {"kind": "gateway", "pass": 0.5}},
            {"at": "2022-01-05T16:00+06:00", "restore": {"kind": "gateway"}},
        ]
    )
    assert at_hour(lifted, "national", 5)["connectivity_index_pct"] == pytest.approx(100.0)


def test_block_at_the_access_nodes_of_one_region(run_toy):
    result = run_toy([{"at": AT, "block": {"services": ["chat"], "at": {"regions": ["south"], "kind": "access"}}}])
    chat = at_hour(result, "by_service", 3, service="chat")
    assert chat["served_share"] == pytest.approx(0.4)  # only the north's 800,000 of 2,000,000 users
    assert chat["affected_persons"] == pytest.approx(1_200_000 * 0.9)
    # the south's chat traffic: 10% of its 480 Gbps
    assert at_hour(result, "national", 3)["connectivity_index_pct"] == pytest.approx(100 * (800 - 48) / 800)
    assert at_hour(result, "by_region", 3, region="north")["connectivity_index_pct"] == pytest.approx(100.0)
    assert at_hour(result, "by_region", 3, region="south")["affected_persons"] == pytest.approx(1_200_000)


def test_whitelist_at_an_operator_core_without_controlled_by(run_toy):
    # b-core has no controlled_by: policy acts at any selected node
    result = run_toy([{"at": AT, "whitelist": {"services": ["bank"], "at": {"nodes": ["b-core"]}}}])
    b = at_hour(result, "by_operator", 3, operator="telco-b")
    assert b["connectivity_index_pct"] == pytest.approx(15.0)  # only the bank's 15% of their traffic passes
    assert b["cut_off_persons"] == 0
    assert at_hour(result, "by_operator", 3, operator="telco-a")["connectivity_index_pct"] == pytest.approx(100.0)
    # probes are never on a whitelist: telco-b's 40 responsive mobile blocks go dark
    nat = at_hour(result, "national", 3)
    assert nat["probing_responsive_pct"] == pytest.approx(100 * (RESPONSIVE - 40) / RESPONSIVE)
    assert nat["bgp_visible_pct"] == pytest.approx(100.0)


def test_policy_cannot_select_links(toy_scenario):
    from simkz import load_scenario

    path = toy_scenario([{"at": AT, "degrade": {"links": ["gw-1--abroad"], "pass": 0.5}}])
    with pytest.raises(InputError, match=r"actions\[0\]\.degrade\.links.*nodes, not links"):
        load_scenario(path)


def test_mobile_cut_moves_traffic_far_more_than_probing(run_toy):
    result = run_toy([{"at": AT, "shutdown": {"kind": "access", "tech": "mobile"}}])
    nat = at_hour(result, "national", 3)
    assert nat["connectivity_index_pct"] == pytest.approx(100 * 500 / 800)
    # only 60 of 310 responsive blocks are mobile (carrier-grade NAT answers few probes)
    assert nat["probing_responsive_pct"] == pytest.approx(100 * 250 / RESPONSIVE)
    # the access networks are cut behind the border: their routes stay announced
    assert nat["bgp_visible_pct"] == pytest.approx(100.0)
    assert nat["cut_off_persons"] == pytest.approx(1_500_000)
    row = at_hour(result, "by_region_technology", 3, region="north", technology="mobile")
    assert row["connectivity_index_pct"] == 0
    assert row["cut_off_persons"] == pytest.approx(600_000)
    assert at_hour(result, "by_region_technology", 3, region="north", technology="fixed")[
        "connectivity_index_pct"
    ] == pytest.approx(100.0)


def test_gateways_down_take_probing_and_bgp_to_zero(run_toy):
    result = run_toy([{"at": AT, "shutdown": {"kind": "gateway"}}])
    nat = at_hour(result, "national", 3)
    assert nat["probing_responsive_pct"] == 0
    assert nat["bgp_visible_pct"] == 0
    assert at_hour(result, "national", 1)["bgp_visible_pct"] == pytest.approx(100.0)


def test_a_gateway_whitelist_stops_probes_but_not_bgp(run_toy):
    result = run_toy([{"at": AT, "whitelist": {"services": ["search"], "at": {"kind": "gateway"}}}])
    nat = at_hour(result, "national", 3)
    assert nat["probing_responsive_pct"] == 0
    assert nat["bgp_visible_pct"] == pytest.approx(100.0)


def test_withdrawn_routes_hide_blocks_and_cut_traffic_abroad(run_toy):
    result = run_toy([{"at": AT, "withdraw": {"regions": ["north"], "kind": "access"}}])
    nat = at_hour(result, "national", 3)
    # north's 500 of 1,100 blocks are no longer seen from abroad, nor probed
    assert nat["bgp_visible_pct"] == pytest.approx(100 * 600 / BLOCKS)
    assert nat["probing_responsive_pct"] == pytest.approx(100 * (RESPONSIVE - 130) / RESPONSIVE)
    # north loses its traffic abroad (75% of 320 Gbps) but keeps domestic services
    assert nat["connectivity_index_pct"] == pytest.approx(100 * (800 - 240) / 800)
    north = at_hour(result, "by_region", 3, region="north")
    assert north["cut_off_abroad_persons"] == pytest.approx(800_000)
    assert north["cut_off_persons"] == 0
    assert at_hour(result, "by_service", 3, service="bank")["served_share"] == pytest.approx(1.0)


CACHE = {
    "nodes": {"cache": {"kind": "datacenter"}},
    "links": {
        "a-core--cache": {"ends": ["a-core", "cache"], "capacity_gbps": 1000, "kind": "peering", "assumption": "t"}
    },
    "services": {
        "video": {"traffic_share": 0.30},
        "video-cache": {
            "kind": "video",
            "hosts": ["cache"],
            "adoption": 0.8,
            "traffic_share": 0.20,
            "cache_of": "video",
            "assumption": "test",
        },
    },
}


@pytest.mark.parametrize(("without_origin", "index"), [(0.0, 25.0), (0.5, 35.0)])
def test_a_cache_cut_off_from_its_origin_serves_only_its_stated_share(run_toy, without_origin, index):
    # domestic 200 Gbps + cache 160 Gbps; abroad 440 Gbps. With the gateways down the cache serves
    # `cache_serves_without_origin` of its 160 Gbps.
    result = run_toy(
        [{"at": AT, "shutdown": {"kind": "gateway"}}],
        topology=CACHE,
        parameters={"cache_serves_without_origin": without_origin},
    )
    assert at_hour(result, "national", 1)["connectivity_index_pct"] == pytest.approx(100.0)
    assert at_hour(result, "national", 3)["connectivity_index_pct"] == pytest.approx(index)
    assert at_hour(result, "by_service", 3, service="video-cache")["served_share"] == pytest.approx(without_origin)


def test_blocking_the_origin_at_the_gateways_also_stops_its_cache(run_toy):
    result = run_toy(
        [{"at": AT, "block": {"services": ["video"], "at": {"kind": "gateway"}}}],
        topology=CACHE,
    )
    assert at_hour(result, "by_service", 3, service="video-cache")["served_share"] == 0
    assert at_hour(result, "by_service", 3, service="chat")["served_share"] == pytest.approx(1.0)

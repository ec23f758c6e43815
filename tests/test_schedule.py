"""Windows, daily schedules, restore and the order in which actions fold."""

from __future__ import annotations

import pytest

from simkz import load_scenario
from tests.conftest import SCENARIOS, at_hour

SHUT = {"at": "2022-01-05T13:00+06:00", "shutdown": {"kind": "gateway"}}


def index_at(result, hour):
    return at_hour(result, "national", hour)["connectivity_index_pct"]


def test_window_restores_then_reverts(run_toy):
    result = run_toy(
        [SHUT, {"windows": [["2022-01-05T15:00+06:00", "2022-01-05T16:30+06:00"]], "restore": {"kind": "gateway"}}]
    )
    assert [index_at(result, h) for h in (0.5, 2, 3, 4, 4.5, 6)] == pytest.approx([100, 25, 100, 100, 25, 25])


def test_daily_schedule_between_dates_is_inclusive(run_toy):
    result = run_toy(
        [
            SHUT,
            {
                "daily": {"from": "08:00", "to": "10:00"},
                "between": ["2022-01-06", "2022-01-07"],
                "restore": {"kind": "gateway"},
            },
        ],
        duration="3d",
    )
    # start is 12:00 on the 5th: 08:00 on the 6th is hour 20, on the 7th hour 44, on the 8th hour 68
    assert [index_at(result, h) for h in (20.5, 22.5, 44.5, 68.5)] == pytest.approx([100, 25, 100, 25])


def test_daily_window_across_midnight(run_toy):
    result = run_toy(
        [
            SHUT,
            {
                "daily": {"from": "23:00", "to": "01:00"},
                "between": ["2022-01-05", "2022-01-05"],
                "restore": {"kind": "gateway"},
            },
        ],
        duration="18h",
    )
    assert [index_at(result, h) for h in (10.5, 11.5, 12.5, 13.5)] == pytest.approx([25, 100, 100, 25])


def test_restore_lifts_only_what_it_names(run_toy):
    block = {"at": "2022-01-05T13:00+06:00", "block": {"services": ["chat"], "at": {"kind": "gateway"}}}
    restore = {"at": "2022-01-05T15:00+06:00", "restore": {}}  # default lifts shutdown and throttle only
    result = run_toy([block, SHUT, restore])
    assert at_hour(result, "by_service", 4, service="chat")["served_share"] == 0
    assert at_hour(result, "by_service", 4, service="video")["served_share"] == pytest.approx(1)
    lift = {"at": "2022-01-05T16:00+06:00", "restore": {"lift": ["block"], "services": ["chat"]}}
    result = run_toy([block, SHUT, restore, lift])
    assert at_hour(result, "by_service", 5, service="chat")["served_share"] == pytest.approx(1)


def test_except_leaves_a_region_out(run_toy):
    access_down = {"at": "2022-01-05T13:00+06:00", "shutdown": {"kind": "access"}}
    back = {"at": "2022-01-05T14:00+06:00", "restore": {"regions": "all", "except": {"regions": ["south"]}}}
    result = run_toy([access_down, back])
    assert at_hour(result, "by_region", 3, region="north")["connectivity_index_pct"] == pytest.approx(100)
    assert at_hour(result, "by_region", 3, region="south")["cut_off_persons"] == pytest.approx(1_200_000)


def test_actions_before_the_start_are_in_force_from_the_start(run_toy):
    result = run_toy([{"at": "2022-01-04T00:00+06:00", "shutdown": {"kind": "gateway"}}])
    assert index_at(result, 0) == pytest.approx(25)


def test_partial_restoration_scenario_phases():
    from simkz import Simulation

    result = Simulation(load_scenario(SCENARIOS / "toy-partial-restoration.yaml")).run().result
    by = result.tables["by_region"]
    # hour 0 = 12:00 on the 5th; gateways shut at 16:00 (h4); night window 23:30-02:30 (h11.5-h14.5);
    # morning of the 7th 08:00-12:00 (h44-h48): north back, south cut at its access; all back on the 8th 09:00 (h69)
    assert [index_at(result, h) for h in (1, 5, 12, 15, 69.5)] == pytest.approx([100, 25, 100, 25, 100])
    north = at_hour(result, "by_region", 45, region="north")
    south = at_hour(result, "by_region", 45, region="south")
    assert north["connectivity_index_pct"] == pytest.approx(100)
    assert south["cut_off_persons"] == pytest.approx(1_200_000)
    assert len(by) == len(result.tables["national"]) * 2

"""Cost estimates: each method's formula checked by hand on small synthetic runs.

The synthetic run (toy costs file: D = 1,000 million USD/day, i = 0.05, m = 0.5, v = 0.1 per app
kind, Deloitte high 1.9%, NetLoss 100 USD per person-day) has K = 2 change points of 12 h
(0.5 day) each and two regions:

* north: 800,000 users, fully affected in the first half day, then fine;
* south: 1,200,000 users, fine, then half affected (600,000) in the second half day.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from simkz.errors import InputError
from simkz.impact.cost import APP_KINDS, METHODS, CostInputs, CostSpec, estimate_costs, load_cost_spec
from simkz.topology.schema import SERVICE_KINDS
from tests.conftest import TOPOLOGIES, write_yaml

COSTS = TOPOLOGIES / "costs"
TOY_COSTS = COSTS / "toy.yaml"
KZ_COSTS = COSTS / "kz-2022.yaml"


def a(*values: float) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array(values, dtype=np.float64)


def make_inputs(**changes: Any) -> CostInputs:
    fields: dict[str, Any] = {
        "durations_h": a(12, 12),
        "internet_users": 2_000_000.0,
        "index_pct": a(60, 70),
        "region_users": {"north": 800_000.0, "south": 1_200_000.0},
        "region_affected": {"north": a(800_000, 0), "south": a(0, 600_000)},
        "region_gdp_share": {"north": 0.5, "south": 0.5},
        "tech_users": {"fixed": 500_000.0, "mobile": 1_500_000.0},
        "tech_affected": {"fixed": a(50_000, 300_000), "mobile": a(750_000, 300_000)},
        "service_affected": {
            "chat": a(1_800_000, 0),  # share 1, 0
            "chat2": a(100_000, 200_000),  # share 0.5, 1
            "social": a(250_000, 500_000),  # share 0.25, 0.5
            "video": a(0, 0),
            "egov": a(1_000_000, 1_000_000),  # government: not an app kind of the toy file
        },
        "service_users": {
            "chat": 1_800_000.0,
            "chat2": 200_000.0,
            "social": 1_000_000.0,
            "video": 500_000.0,
            "egov": 1_000_000.0,
        },
        "service_kind": {
            "chat": "messenger",
            "chat2": "messenger",
            "social": "social",
            "video": "video",
            "egov": "government",
        },
    }
    fields.update(changes)
    return CostInputs(**fields)


@pytest.fixture(scope="module")
def toy_spec() -> CostSpec:
    return load_cost_spec(TOY_COSTS)


@pytest.fixture(scope="module")
def result(toy_spec: CostSpec) -> dict[str, Any]:
    return estimate_costs(toy_spec, make_inputs())


def value(result: dict[str, Any], method: str) -> float:
    return float(result["methods"][method]["value"])


def test_netblocks_cost_weights_regions_by_gdp_share(result: dict[str, Any]) -> None:
    # north: share 1 for 0.5 day = 0.5 day; south: share 0.5 for 0.5 day = 0.25 day
    # weighted by GDP 0.5 / 0.5: 0.25 + 0.125 = 0.375 day; 1e9 * 0.05 * 0.375 = 18,750,000 USD
    method = result["methods"]["netblocks-cost"]
    assert method["value"] == pytest.approx(18_750_000)
    assert method["parameters"]["region_weight_basis"] == "gdp_share"
    assert method["parameters"]["region_outage_days"] == pytest.approx({"north": 0.5, "south": 0.25})


def test_netblocks_cost_falls_back_to_users_share_when_a_gdp_share_is_unknown(toy_spec: CostSpec) -> None:
    # south's GDP share unknown: weights are users' shares 0.4 / 0.6 for both regions
    # 0.4 * 0.5 + 0.6 * 0.25 = 0.35 day; 1e9 * 0.05 * 0.35 = 17,500,000 USD
    out = estimate_costs(toy_spec, make_inputs(region_gdp_share={"north": 0.5, "south": None}))
    method = out["methods"]["netblocks-cost"]
    assert method["value"] == pytest.approx(17_500_000)
    assert method["parameters"]["region_weight"] == pytest.approx({"north": 0.4, "south": 0.6})
    assert method["parameters"]["region_weight_basis"] == "internet_users_share"
    assert method["sources"]["region_weight"].startswith("assumption:")
    assert "south" in method["sources"]["region_weight"]
    # a region missing from the mapping counts as unknown too
    missing = estimate_costs(toy_spec, make_inputs(region_gdp_share={"north": 0.5}))
    assert value(missing, "netblocks-cost") == pytest.approx(17_500_000)


def test_netblocks_mobile_only(result: dict[str, Any]) -> None:
    # mobile share affected: 0.5 then 0.2; integral 0.25 + 0.1 = 0.35 day
    # 1e9 * 0.05 * m 0.5 * 0.35 = 8,750,000 USD (the fixed users' losses do not count)
    assert value(result, "netblocks-cost-mobile-only") == pytest.approx(8_750_000)


def test_netblocks_app_only_takes_the_worst_service_of_each_kind(result: dict[str, Any]) -> None:
    # messenger: max(1, 0.5) = 1, then max(0, 1) = 1: 1 day (a sum would give 1.25, a mean 0.625)
    # social: 0.25 * 0.5 + 0.5 * 0.5 = 0.375 day; video: 0; egov (government) not an app kind
    # 1e9 * 0.05 * (0.1 * 1 + 0.1 * 0.375 + 0.1 * 0) = 6,875,000 USD
    method = result["methods"]["netblocks-cost-app-only"]
    assert method["value"] == pytest.approx(6_875_000)
    assert method["parameters"]["app_outage_days"] == pytest.approx({"messenger": 1.0, "social": 0.375, "video": 0.0})
    assert method["parameters"]["app_services"]["messenger"] == ["chat", "chat2"]


def test_deloitte_scales_by_connectivity_lost_and_reports_other_tiers(result: dict[str, Any]) -> None:
    # connectivity lost: 0.4 then 0.3, for 0.5 day each: 0.35 day
    # high 1.9%: 1e9 * 0.019 * 0.35 = 6,650,000; medium 1.0%: 3,500,000; low 0.4%: 1,400,000 USD
    method = result["methods"]["deloitte"]
    assert method["value"] == pytest.approx(6_650_000)
    assert method["parameters"]["tier"] == "high"
    assert method["parameters"]["other_tiers"] == pytest.approx({"medium": 3_500_000, "low": 1_400_000})


def test_netloss_counts_person_days(result: dict[str, Any]) -> None:
    # persons affected: 800,000 then 600,000, for 0.5 day each: 700,000 person-days; x 100 USD = 70,000,000 USD
    method = result["methods"]["netloss"]
    assert method["value"] == pytest.approx(70_000_000)
    assert method["parameters"]["person_days_lost"] == pytest.approx(700_000)
    assert "internet user" in method["sources"]["person_days_lost"]


def test_range_is_min_and_max_of_the_five_methods_without_deloitte_other_tiers(result: dict[str, Any]) -> None:
    # values: 18.75M, 8.75M, 6.875M, 6.65M (Deloitte high), 70M. Deloitte low (1.4M) is not in the range.
    assert list(result["methods"]) == list(METHODS)
    assert result["currency"] == "USD"
    assert result["range"]["low"] == pytest.approx(6_650_000)
    assert result["range"]["high"] == pytest.approx(70_000_000)


def test_every_figure_has_its_method_formula_and_sources(result: dict[str, Any]) -> None:
    json.dumps(result)  # JSON-ready
    for key, method in result["methods"].items():
        assert method["method"] and method["formula"], key
        assert set(method["parameters"]) <= set(method["sources"]), key
        assert method["sources"]["method"], key


def test_floats_have_ten_significant_digits(toy_spec: CostSpec) -> None:
    # one third of a day fully cut in north alone: 0.5 weight * (1/3) day * 5e7 = 8,333,333.333... USD
    out = estimate_costs(
        toy_spec, make_inputs(durations_h=a(8, 0), region_affected={"north": a(800_000, 0), "south": a(0, 0)})
    )
    assert value(out, "netblocks-cost") == 8_333_333.333


def test_a_quiet_run_costs_nothing(toy_spec: CostSpec) -> None:
    zeros = a(0, 0)
    out = estimate_costs(
        toy_spec,
        make_inputs(
            index_pct=a(100, 100),
            region_affected={"north": zeros, "south": zeros},
            tech_affected={"fixed": zeros, "mobile": zeros},
            service_affected={s: zeros for s in ("chat", "chat2", "social", "video", "egov")},
        ),
    )
    assert out["range"] == {"low": 0.0, "high": 0.0}


def test_inputs_with_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="region_affected"):
        make_inputs(region_affected={"north": a(1, 2, 3), "south": a(0, 0)})


def test_shipped_toy_costs_load() -> None:
    spec = load_cost_spec(TOY_COSTS)
    # 365,000 million USD / 365 = 1,000 million USD per day
    assert spec.daily_gdp_usd() == pytest.approx(1e9)
    assert spec.deloitte.tier.value == "high"
    assert spec.netloss.usd_per_person_day == 100


def test_shipped_kz_costs_load_and_convert_tenge() -> None:
    spec = load_cost_spec(KZ_COSTS)
    # 103,765,518.2e6 KZT / 460 KZT per USD = 225,577,213,478.3 USD per year; / 365 = 618,019,762.95 USD per day
    assert spec.daily_gdp_usd() == pytest.approx(618_019_762.95, abs=0.01)
    assert spec.netloss.usd_per_person_day == 86.58
    assert spec.mobile_value_share.value == 0.75
    # the kz topology gives no region GDP shares: the NetBlocks figure says it used users' shares
    out = estimate_costs(spec, make_inputs(region_gdp_share={"north": None, "south": None}))
    method = out["methods"]["netblocks-cost"]
    assert method["parameters"]["region_weight_basis"] == "internet_users_share"
    assert "460" in method["sources"]["daily_gdp_usd"]


def test_app_kinds_are_the_topology_service_kinds() -> None:
    assert set(APP_KINDS) == set(SERVICE_KINDS)


def variant(tmp_path: Path, edit: Any) -> Path:
    data = yaml.safe_load(TOY_COSTS.read_text(encoding="utf-8"))
    edit(data)
    return write_yaml(tmp_path / "costs.yaml", data)


@pytest.mark.parametrize(
    ("edit", "needles"),
    [
        (lambda d: d["netloss"].update(usd_per_persn_day=1), ["netloss", "unknown key 'usd_per_persn_day'"]),
        (lambda d: d.update(extra=1), ["unknown key 'extra'"]),
        (lambda d: d["internet_share_of_gdp"].update(value=-0.1), ["internet_share_of_gdp.value", "-0.1"]),
        (lambda d: d["netloss"].update(usd_per_person_day=-5), ["netloss.usd_per_person_day", "-5"]),
        (lambda d: d["app_value_share"].update(chat={"value": 0.1, "assumption": "x"}), ["app_value_share"]),
        (lambda d: d["deloitte"]["tier"].update(value="extreme"), ["deloitte.tier.value", "extreme"]),
        (lambda d: d["mobile_value_share"].pop("assumption"), ["mobile_value_share", "source"]),
        (lambda d: d["gdp_per_year"].update(currency="KZT"), ["exchange_rate", "required"]),
        (
            lambda d: d.update(
                gdp_per_year={"millions": 1, "currency": "KZT", "assumption": "x"},
                exchange_rate={"currency": "RUB", "per_usd": 70, "assumption": "x"},
            ),
            ["exchange_rate.currency", "RUB"],
        ),
        (
            lambda d: d.update(
                gdp_per_year={"millions": 1, "currency": "KZT", "assumption": "x"},
                exchange_rate={"currency": "KZT", "per_usd": 0, "assumption": "x"},
            ),
            ["exchange_rate.per_usd"],
        ),
        (
            lambda d: d["app_value_share"].update(
                messenger={"value": 0.6, "assumption": "x"}, social={"value": 0.6, "assumption": "x"}
            ),
            ["app_value_share", "sum to more than 1"],
        ),
    ],
)
def test_bad_costs_file_names_the_key_path(tmp_path: Path, edit: Any, needles: list[str]) -> None:
    path = variant(tmp_path, edit)
    with pytest.raises(InputError) as info:
        load_cost_spec(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert "\n" not in message
    for needle in needles:
        assert needle in message

"""Cost estimates: each method's formula checked by hand on small synthetic runs; costs load with the topology.

The synthetic run (toy costs file: D = 1,000 million USD/day, i = 0.05, m = 0.5, v = 0.1 per app
kind, Deloitte high 1.9%) has K = 2 change points of 12 h (0.5 day) each and two regions:

* north: 800,000 users, fully affected in the first half day, then fine;
* south: 1,200,000 users, fine, then half affected (600,000) in the second half day.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from simkz.cli.main import cli
from simkz.errors import InputError
from simkz.impact.costs import DROPPED, METHODS, CostInputs, estimate_costs
from simkz.impact.costs.netblocks import netblocks_cost
from simkz.topology.costs import APP_KINDS, DROPPED_METHODS, CostSpec, load_cost_spec
from simkz.topology.load import load_topology
from simkz.topology.schema import SERVICE_KINDS
from tests.conftest import TOPOLOGIES, TOY, write_yaml

COSTS = TOPOLOGIES / "costs"
TOY_COSTS = COSTS / "toy.yaml"
KZ_COSTS = COSTS / "kz-2022.yaml"
NETBLOCKS = ("netblocks-cost", "netblocks-cost-mobile-only", "netblocks-cost-app-only")


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


# --------------------------------------------------------------------------- the methods, by hand


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


def test_netblocks_figures_per_point_of_internet_share(result: dict[str, Any]) -> None:
    # per percentage point of i: 1e9 * 0.01 * 0.375 = 3,750,000 (i = 5 points gives 18.75M);
    # mobile 1e9 * 0.01 * 0.5 * 0.35 = 1,750,000; app-only 1e9 * 0.01 * 0.1375 = 1,375,000 USD
    per_point = {k: result["methods"][k]["per_point_of_share"] for k in NETBLOCKS}
    assert per_point == pytest.approx(
        {"netblocks-cost": 3_750_000, "netblocks-cost-mobile-only": 1_750_000, "netblocks-cost-app-only": 1_375_000}
    )
    for key in NETBLOCKS:  # the figure is proportional to i: value = per point x i in percent
        assert value(result, key) == pytest.approx(per_point[key] * 0.05 * 100)
        assert "percentage point" in result["methods"][key]["sources"]["per_point_of_share"]
    assert "per_point_of_share" not in result["methods"]["deloitte"]  # Deloitte does not use i


def test_per_point_figure_does_not_need_a_nonzero_share(toy_spec: CostSpec) -> None:
    no_share = toy_spec.model_copy(
        update={"internet_share_of_gdp": toy_spec.internet_share_of_gdp.model_copy(update={"value": 0.0})}
    )
    method = netblocks_cost(no_share, make_inputs())
    assert method["value"] == 0.0
    assert method["per_point_of_share"] == pytest.approx(3_750_000)


def test_deloitte_scales_by_connectivity_lost_and_reports_other_tiers(result: dict[str, Any]) -> None:
    # connectivity lost: 0.4 then 0.3, for 0.5 day each: 0.35 day
    # high 1.9%: 1e9 * 0.019 * 0.35 = 6,650,000; medium 1.0%: 3,500,000; low 0.4%: 1,400,000 USD
    method = result["methods"]["deloitte"]
    assert method["value"] == pytest.approx(6_650_000)
    assert method["parameters"]["tier"] == "high"
    assert method["parameters"]["other_tiers"] == pytest.approx({"medium": 3_500_000, "low": 1_400_000})


# --------------------------------------------------------------------------- the registry and the estimate


def test_the_registry_orders_the_report(result: dict[str, Any]) -> None:
    assert list(METHODS) == [*NETBLOCKS, "deloitte"]
    assert list(result["methods"]) == list(METHODS)


def test_range_is_min_and_max_of_the_methods_without_deloitte_other_tiers(result: dict[str, Any]) -> None:
    # values: 18.75M, 8.75M, 6.875M, 6.65M (Deloitte high). Deloitte low (1.4M) is not in the range.
    assert result["currency"] == "USD"
    assert result["range"]["low"] == pytest.approx(6_650_000)
    assert result["range"]["high"] == pytest.approx(18_750_000)


def test_netloss_is_dropped_with_its_reason(result: dict[str, Any]) -> None:
    assert "netloss" not in METHODS
    assert "netloss" not in result["methods"]
    assert set(DROPPED) == set(DROPPED_METHODS) == {"netloss"}
    reason = result["dropped"]["netloss"]
    assert reason == DROPPED["netloss"]
    for needle in ("econometric", "86.58", "orders of magnitude", "https://pulse.internetsociety.org/en/netloss/"):
        assert needle in reason
    assert not set(result["dropped"]) & set(result["methods"])


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


# --------------------------------------------------------------------------- the shipped costs files


def test_shipped_toy_costs_load() -> None:
    spec = load_cost_spec(TOY_COSTS)
    # 365,000 million USD / 365 = 1,000 million USD per day
    assert spec.daily_gdp_usd() == pytest.approx(1e9)
    assert spec.deloitte.tier.value == "high"


def test_shipped_kz_costs_load_and_convert_tenge() -> None:
    spec = load_cost_spec(KZ_COSTS)
    # 103,765,518.2e6 KZT / 460.2 KZT per USD = 225,479,179,052.6 USD per year; / 365 = 617,751,175.49 USD per day
    assert spec.daily_gdp_usd() == pytest.approx(617_751_175.49, abs=0.01)
    # PKB bytes: 2023 mobile 5,111,681,156.4 GB (+20%), wired about 6.8e9 GB (+18%), back-cast to 2022
    mobile, wired = 5_111_681_156.4 / 1.20, 6.8e9 / 1.18
    assert spec.mobile_value_share.value == pytest.approx(mobile / (mobile + wired), abs=5e-4)
    assert spec.deloitte.tier.value == "high"
    # the kz topology gives no region GDP shares: the NetBlocks figure says it used users' shares
    out = estimate_costs(spec, make_inputs(region_gdp_share={"north": None, "south": None}))
    method = out["methods"]["netblocks-cost"]
    assert method["parameters"]["region_weight_basis"] == "internet_users_share"
    assert "460.2" in method["sources"]["daily_gdp_usd"]
    # no published internet-economy share was found: the method's sources say so
    assert "No published internet-economy share" in method["sources"]["internet_share_of_gdp"]


def provenance_records(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every mapping in a costs file that holds a number, with its key path."""
    found = []
    if isinstance(node, dict):
        if any(isinstance(v, int | float) and not isinstance(v, bool) for v in node.values()) or "value" in node:
            found.append((path, node))
        for key, child in node.items():
            found += provenance_records(child, (*path, str(key)))
    return found


def test_every_kz_number_carries_a_url_source() -> None:
    data = yaml.safe_load(KZ_COSTS.read_text(encoding="utf-8"))
    records = provenance_records(data)
    assert len(records) >= 8
    for path, record in records:
        assert "https://" in str(record.get("source", "")) or "http://" in str(record.get("source", "")), path
    assert "placeholder" not in KZ_COSTS.read_text(encoding="utf-8").lower()
    # readings and proxies say what they assume
    for key in ("internet_share_of_gdp", "mobile_value_share"):
        assert data[key]["assumption"], key
    for kind, record in data["app_value_share"].items():
        assert "proxy" in record["assumption"], kind


def test_app_kinds_are_the_topology_service_kinds() -> None:
    assert set(APP_KINDS) == set(SERVICE_KINDS)


def variant(tmp_path: Path, edit: Any) -> Path:
    data = yaml.safe_load(TOY_COSTS.read_text(encoding="utf-8"))
    edit(data)
    return write_yaml(tmp_path / "costs.yaml", data)


@pytest.mark.parametrize(
    ("edit", "needles"),
    [
        (lambda d: d["deloitte"]["tier"].update(valeu="high"), ["deloitte.tier", "unknown key 'valeu'"]),
        (lambda d: d.update(extra=1), ["unknown key 'extra'"]),
        (lambda d: d["internet_share_of_gdp"].update(value=-0.1), ["internet_share_of_gdp.value", "-0.1"]),
        (lambda d: d["gdp_per_year"].update(millions=-5), ["gdp_per_year.millions", "-5"]),
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
        (
            lambda d: d.update(netloss={"usd_per_person_day": 86.58, "assumption": "x"}),
            ["netloss", "dropped", "remove the key"],
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


# --------------------------------------------------------------------------- the costs load with the topology


def toy_copy(tmp_path: Path, edit: Any = None) -> Path:
    """A private copy of the toy topology and its costs file, the costs edited by ``edit``."""
    topo = tmp_path / "toy.yaml"
    shutil.copy(TOY, topo)
    (tmp_path / "costs").mkdir()
    data = yaml.safe_load(TOY_COSTS.read_text(encoding="utf-8"))
    if edit is not None:
        edit(data)
    write_yaml(tmp_path / "costs" / "toy.yaml", data)
    return topo


def test_the_topology_carries_its_checked_costs_and_their_hash(tmp_path: Path) -> None:
    topo = load_topology(toy_copy(tmp_path))
    assert isinstance(topo.costs, CostSpec)
    assert topo.costs.daily_gdp_usd() == pytest.approx(1e9)
    costs_file = tmp_path / "costs" / "toy.yaml"
    assert (costs_file, hashlib.sha256(costs_file.read_bytes()).hexdigest()) in topo.files
    assert load_topology(KZ_COSTS.parent.parent / "kz-2022.yaml").costs == load_cost_spec(KZ_COSTS)


def test_a_topology_without_costs_has_none(tmp_path: Path) -> None:
    data = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    data.pop("costs")
    topo = load_topology(write_yaml(tmp_path / "toy.yaml", data))
    assert topo.costs is None
    assert len(topo.files) == 1


def test_a_bad_costs_file_fails_the_topology_load(tmp_path: Path) -> None:
    topo = toy_copy(tmp_path, lambda d: d["mobile_value_share"].update(value=2))
    with pytest.raises(InputError) as info:
        load_topology(topo)
    message = str(info.value)
    assert message.startswith(str(tmp_path / "costs" / "toy.yaml"))
    assert "mobile_value_share.value" in message


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_validate_checks_a_costs_file_given_directly(tmp_path: Path) -> None:
    res = invoke("validate", str(KZ_COSTS), str(TOY_COSTS))
    assert res.exit_code == 0, res.output
    assert res.stdout.count("(costs)") == 2
    bad = variant(tmp_path, lambda d: d["internet_share_of_gdp"].update(value=1.5))
    res = invoke("validate", str(bad))
    assert res.exit_code == 2
    assert "internet_share_of_gdp.value" in res.stderr and "\n" not in res.stderr.strip()


def test_validate_gets_cost_errors_through_the_topology_and_the_scenario(tmp_path: Path) -> None:
    topo = toy_copy(tmp_path, lambda d: d["deloitte"]["tier"].update(value="extreme"))
    scenario = write_yaml(
        tmp_path / "scenario.yaml",
        {"name": "t", "topology": str(topo), "start": "2022-01-05T12:00+06:00", "duration": "1h", "actions": []},
    )
    for path in (topo, scenario):
        res = invoke("validate", str(path))
        assert res.exit_code == 2, res.output
        assert "deloitte.tier.value" in res.stderr and "extreme" in res.stderr

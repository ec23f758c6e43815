"""The Kazakhstan model: totals against the facts, the reference run's phases, centralisation."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from click.testing import CliRunner

from simkz import Simulation, load_scenario
from simkz.cli.main import cli
from simkz.topology.load import load_topology
from tests.conftest import SCENARIOS, TOPOLOGIES

KZ = load_topology(TOPOLOGIES / "kz-2022.yaml")
DEC = load_topology(TOPOLOGIES / "kz-decentralised.yaml")

# Facts (../shared/data/kz-2022-facts.md), with their sources in topologies/inputs/kz-2022.yaml.
CENSUS_2021 = 19_186_015
INTERNET_SHARE = 0.86
FIXED_SUBSCRIPTIONS = 2_900_000
MOBILE_INTERNET_SUBSCRIPTIONS = 17_400_000
MOBILE_TRAFFIC_SHARE = 0.75
VIA_RUSSIA = 0.95


def test_seventeen_regions_with_zones_and_positions():
    assert len(KZ.regions) == 17
    jan = datetime(2022, 1, 5)
    west = {k for k, r in KZ.regions.items() if r.zone.utcoffset(jan).total_seconds() == 5 * 3600}
    assert west == {"aktobe", "atyrau", "mangystau", "west-kazakhstan", "kyzylorda"}
    assert all(r.position is not None for r in KZ.regions.values())


def test_population_matches_the_census():
    assert sum(r.population for r in KZ.regions.values()) == CENSUS_2021
    assert KZ.regions["almaty-city"].population == 2_030_285


def test_internet_users():
    assert KZ.users().sum() == pytest.approx(INTERNET_SHARE * CENSUS_2021)


def test_fixed_and_mobile_subscriptions():
    fixed = sum(c.users for c in KZ.cohorts if c.tech == "fixed")
    mobile = sum(c.users for c in KZ.cohorts if c.tech == "mobile")
    assert fixed == pytest.approx(FIXED_SUBSCRIPTIONS)
    # every mobile-first user holds at least one of the 17.4M mobile internet subscriptions
    assert mobile <= MOBILE_INTERNET_SUBSCRIPTIONS


def test_share_of_traffic_on_mobile():
    peak = {tech: KZ.demand[tech].peak_gbps for tech in KZ.demand}
    traffic = {tech: sum(c.users for c in KZ.cohorts if c.tech == tech) * peak[tech] for tech in peak}
    assert traffic["mobile"] / sum(traffic.values()) == pytest.approx(MOBILE_TRAFFIC_SHARE, abs=1e-3)


def test_share_of_international_capacity_towards_russia():
    by_border: dict[str, float] = {}
    for a, b in KZ.link_ends:
        edge = KZ.graph.edges[a, b]
        if edge["kind"] == "cross-border":
            gateway = a if KZ.graph.nodes[a]["kind"] == "gateway" else b
            border = KZ.graph.nodes[gateway]["border"]
            by_border[border] = by_border.get(border, 0.0) + edge["capacity_gbps"]
    assert set(by_border) == {"RU", "CN"}
    assert by_border["RU"] / sum(by_border.values()) == pytest.approx(VIA_RUSSIA, abs=0.02)


def test_cohorts_for_every_region_operator_and_technology():
    products = {(c.operator, c.tech) for c in KZ.cohorts}
    assert products == {
        ("kazakhtelecom", "fixed"),
        ("beeline", "fixed"),
        ("isps", "fixed"),
        ("kcell", "mobile"),
        ("tele2", "mobile"),
        ("beeline", "mobile"),
    }
    assert len(KZ.cohorts) == 17 * 6


def test_every_junction_point_is_centrally_controlled_in_2022_but_not_in_the_counterfactual():
    gateways = [n for n in KZ.nodes if KZ.graph.nodes[n]["kind"] == "gateway"]
    assert len(gateways) == 6
    assert {KZ.control_points()[g] for g in gateways} == {"central-management"}
    assert "central-management" not in DEC.control_points().values()
    assert DEC.users().sum() == pytest.approx(KZ.users().sum())


def test_every_number_is_sourced_or_assumed():
    assert KZ.warnings == ()
    assert DEC.warnings == ()


def test_shipped_topology_is_what_the_builder_gives():
    res = CliRunner().invoke(cli, ["build", "kz-2022", "--check"])
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def reference():
    return Simulation(load_scenario(SCENARIOS / "kz-jan-2022.yaml")).run().result


def index_at(result, when: str) -> float:
    national = result.tables["national"]
    i = list(national["time"]).index(when)
    return float(national["connectivity_index_pct"][i])


def test_reference_run_shows_each_phase(reference):
    phase = {
        "before": index_at(reference, "2022-01-04T10:00:00+06:00"),
        "messengers blocked": index_at(reference, "2022-01-04T15:00:00+06:00"),
        "mobile cut": index_at(reference, "2022-01-05T10:00:00+06:00"),
        "national shutdown": index_at(reference, "2022-01-06T10:00:00+06:00"),
        "night window": index_at(reference, "2022-01-06T01:00:00+06:00"),
        "morning window": index_at(reference, "2022-01-07T10:00:00+06:00"),
        "whitelist": index_at(reference, "2022-01-08T15:00:00+06:00"),
        "10 January return": index_at(reference, "2022-01-10T10:00:00+06:00"),
        "cut again": index_at(reference, "2022-01-10T15:00:00+06:00"),
        "stable return": index_at(reference, "2022-01-11T12:00:00+06:00"),
    }
    assert 99 < phase["before"] < 100  # Mangystau's mobile access is throttled from 2 January
    assert 85 < phase["messengers blocked"] < 99
    assert 5 < phase["mobile cut"] < 40
    assert phase["national shutdown"] < 3
    assert phase["night window"] > 50 and phase["morning window"] > 50
    assert phase["national shutdown"] < phase["whitelist"] < 10
    assert phase["10 January return"] > 80
    assert phase["cut again"] < 30
    assert phase["stable return"] == pytest.approx(100)


def test_reference_run_almaty_stays_cut_in_the_morning_windows(reference):
    by_region = reference.tables["by_region"]
    # from 10:00 on 8 January Almaty has whitelist access, lifted nationally in the windows (docs/validation.md)
    for when in ("2022-01-07T10:00:00+06:00", "2022-01-08T09:00:00+06:00"):
        rows = by_region.where("time", when)
        index = dict(zip(rows["region"], rows["connectivity_index_pct"], strict=True))
        assert index.pop("almaty-city") < 5
        assert min(index.values()) > 50


def test_reference_summary_names_the_disrupted_services(reference):
    services = reference.summary["services"]
    assert services["whatsapp"]["disrupted_hours"] > services["youtube"]["disrupted_hours"] > 0
    assert services["kaspi"]["disrupted_hours"] < services["news-kz"]["disrupted_hours"]
    assert reference.summary["national"]["peak_cut_off_persons"] > 0.9 * KZ.users().sum()


def run_summary(name: str):
    return Simulation(load_scenario(SCENARIOS / f"{name}.yaml")).run().result.summary["national"]


def test_the_same_cable_cut_costs_less_without_centralisation():
    central = run_summary("kz-gateway-failure")
    spread = run_summary("kz-decentralised-gateway-failure")
    assert central["min_connectivity_index_pct"] < 90
    assert spread["min_connectivity_index_pct"] > 95
    assert spread["user_hours_lost"] < central["user_hours_lost"] / 5


def test_default_run_is_the_reference(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["run", "--figures", "none"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("kz-jan-2022 on kz-2022")
    for needle in ("peak cut off entirely", "user-hours lost", "whatsapp"):
        assert needle in res.stdout
    assert (tmp_path / "results" / "kz-jan-2022" / "summary.json").is_file()
    assert np.isfinite(float(res.stdout.split("user-hours lost")[1].split()[0].replace(",", "")))


def test_reference_reports_costs_recoveries_and_groups(reference):
    s = reference.summary
    methods = s["costs"]["methods"]
    assert set(methods) == {
        "netblocks-cost",
        "netblocks-cost-mobile-only",
        "netblocks-cost-app-only",
        "deloitte",
        "netloss",
    }
    values = [m["value"] for m in methods.values()]
    assert s["costs"]["range"] == {"low": min(values), "high": max(values)}
    assert all(m["sources"] and m["formula"] for m in methods.values())
    for key in ("egov", "kaspi", "card-payments"):
        last = s["services"][key]["backlog"]["recoveries"][-1]
        assert last["network_back"] == "2022-01-11T07:00:00+06:00"
        assert 0 < last["hours"] < 24
    dis = s["persons_with_disabilities"]
    # the topology holds the share to 6 decimals: 700,000 / 19,503,159 = 0.035892
    assert dis["internet_users_persons"] == pytest.approx(KZ.users().sum() * 700_000 / 19_503_159, rel=1e-4)
    assert set(s["by_operator"]) == {"kazakhtelecom", "kcell", "tele2", "beeline", "isps"}
    assert set(s["by_technology"]) == {"fixed", "mobile"}
    assert s["circumvention"]["messaging_fallback_peak_persons"] > 10e6

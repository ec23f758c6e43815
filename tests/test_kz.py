"""The Kazakhstan model: totals against the facts, the reference run's phases, centralisation."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from simkz import Simulation, load_scenario
from simkz.cli.main import cli
from simkz.errors import InputError
from simkz.topology.kz import build_kz
from simkz.topology.load import load_topology
from tests.conftest import SCENARIOS, TOPOLOGIES

KZ = load_topology(TOPOLOGIES / "kz-2022.yaml")
DEC = load_topology(TOPOLOGIES / "kz-decentralised.yaml")
INPUTS = TOPOLOGIES / "inputs" / "kz-2022.yaml"

# Facts, with their sources in topologies/inputs/kz-2022.yaml (docs/model-kz.md derives the rest).
CENSUS_2021 = 19_186_015  # census-2021
CENSUS_REGIONS = {  # census-2021, census-cities, census-akmola
    "almaty-city": 2_030_285,
    "almaty-region": 2_146_576,
    "turkistan": 2_054_021,
    "nur-sultan": 1_234_042,
    "shymkent": 1_112_478,
    "akmola": 782_995,
}
URBAN_SHARE = 0.612  # census-2021
INTERNET_SHARE = 0.909  # internet-users (ITU / Minister Musin)
FIXED_SUBSCRIPTIONS_END_2022 = 2_900_000  # subscriptions
HOUSEHOLDS = 5_600_000  # census-households
# First Credit Bureau (pkb-traffic): 2023 volumes in GB and yearly growth, back-cast to January 2022.
MOBILE_GB_2023, FIXED_GB_2023 = 5_111_681_156, 6.8e9
MOBILE_BYTE_SHARE = (MOBILE_GB_2023 / 1.20**1.5) / (MOBILE_GB_2023 / 1.20**1.5 + FIXED_GB_2023 / 1.18**1.5)
VIA_RUSSIA = 0.95  # via-russia
KT_CAPACITY_2020_GBPS = 1_560  # kt-capacity, April 2020, grown 20% a year for 1.75 years
CACHE_GBPS = 2_000  # kt-caches
IPV4_ADDRESSES = 3_200_000  # ipv4-space
WEST = {"aktobe", "atyrau", "mangystau", "west-kazakhstan", "kyzylorda"}  # UTC+5 in January 2022


def users(topology=KZ, **match) -> float:
    """Internet users of the cohorts matching every ``attribute=value``, persons."""
    return sum(c.users for c in topology.cohorts if all(getattr(c, k) == v for k, v in match.items()))


def test_seventeen_regions_with_zones_and_positions():
    assert len(KZ.regions) == 17
    jan = datetime(2022, 1, 5)
    west = {k for k, r in KZ.regions.items() if r.zone.utcoffset(jan).total_seconds() == 5 * 3600}
    assert west == WEST
    assert all(r.position is not None for r in KZ.regions.values())


def test_population_matches_the_census_in_total_and_where_the_census_gives_a_region():
    assert sum(r.population for r in KZ.regions.values()) == CENSUS_2021
    for key, persons in CENSUS_REGIONS.items():
        assert KZ.regions[key].population == persons


def test_regions_shared_out_stay_close_to_their_official_estimates():
    inputs = yaml.safe_load(INPUTS.read_text(encoding="utf-8"))
    estimates = {k: r["estimate"] for k, r in inputs["regions"].items() if "estimate" in r}
    assert len(estimates) == 17 - len(CENSUS_REGIONS) - 1  # Mangystau's census figure is rounded (735,000)
    for key, estimate in estimates.items():
        assert KZ.regions[key].population == pytest.approx(estimate, rel=0.005)


def test_internet_users_are_the_national_share_and_more_urban_regions_use_more():
    assert KZ.users().sum() == pytest.approx(INTERNET_SHARE * CENSUS_2021, rel=1e-5)
    pen = {k: r.internet_users / r.population for k, r in KZ.regions.items()}
    assert pen["almaty-city"] > pen["karaganda"] > pen["turkistan"]
    assert all(0.88 < p < 0.93 for p in pen.values())  # between the survey's rural and urban shares, scaled


def test_urban_shares_add_up_to_the_census_share():
    inputs = yaml.safe_load(INPUTS.read_text(encoding="utf-8"))
    topo = yaml.safe_load((TOPOLOGIES / "kz-2022.yaml").read_text(encoding="utf-8"))
    urban = {k: float(r["note"].split()[2].rstrip(";")) for k, r in topo["regions"].items()}
    for key, r in inputs["regions"].items():
        if "urban_share" in r:
            assert urban[key] == pytest.approx(r["urban_share"], abs=5e-4)
    urban_residents = sum(urban[k] * r.population for k, r in KZ.regions.items())
    assert urban_residents / CENSUS_2021 == pytest.approx(URBAN_SHARE, abs=1e-3)


def test_about_7_4_million_users_have_a_fixed_line_at_home():
    fixed, mobile = users(tech="fixed"), users(tech="mobile")
    assert fixed == pytest.approx(7.4e6, rel=0.03)
    # the derivation's range: 85-95% residential lines, 0.86-0.93 internet users per person
    persons = CENSUS_2021 / HOUSEHOLDS
    lines = 0.138 * CENSUS_2021
    assert lines * 0.85 * persons * 0.86 < fixed < lines * 0.95 * persons * 0.93
    # never more than every end-2022 subscription in a home of users
    assert fixed < FIXED_SUBSCRIPTIONS_END_2022 * persons * INTERNET_SHARE
    assert 0.52 < mobile / (fixed + mobile) < 0.60  # mobile-only users


def test_fixed_lines_are_more_common_in_the_cities_and_never_exceed_the_users():
    fixed_share = {k: users(region=k, tech="fixed") / r.internet_users for k, r in KZ.regions.items()}
    assert max(fixed_share.values()) < 1
    for city in ("almaty-city", "nur-sultan", "shymkent"):
        assert fixed_share[city] > 1.3 * fixed_share["turkistan"]
        assert fixed_share[city] > 1.3 * fixed_share["almaty-region"]


def test_mobile_cohorts_carry_the_mobile_networks_share_of_bytes():
    daily = {t: users(tech=t) * d.peak_gbps * sum(d.hourly) for t, d in KZ.demand.items()}
    share = daily["mobile"] / sum(daily.values())
    assert share == pytest.approx(MOBILE_BYTE_SHARE, abs=1e-3)
    assert share == pytest.approx(0.42, abs=0.01)


def test_market_shares_follow_the_minister_and_the_oecd():
    assert users(operator="kazakhtelecom") / users(tech="fixed") > 0.80
    group = (users(operator="kcell") + users(operator="tele2")) / users(tech="mobile")
    assert 0.60 <= group <= 0.67
    assert 0.33 <= users(operator="beeline", tech="mobile") / users(tech="mobile") <= 0.40


def test_half_of_the_traffic_or_a_little_more_goes_abroad():
    abroad = sum(s.traffic_share for s in KZ.services if s.abroad)
    assert 0.50 <= abroad <= 0.60
    assert sum(s.traffic_share for s in KZ.services) == pytest.approx(1.0)


def test_caches_are_domestic_services_of_their_origin_within_the_cache_capacity():
    services = {s.key: s for s in KZ.services}
    caches = [s for s in KZ.services if s.cache_of is not None]
    assert {s.cache_of for s in caches} >= {"youtube", "instagram"}
    for cache in caches:
        origin = services[cache.cache_of]
        assert not cache.abroad and origin.abroad
        assert cache.adoption == origin.adoption
        assert KZ.graph.nodes[cache.hosts[0]]["kind"] == "datacenter"
    assert services["youtube-cache"].traffic_share == pytest.approx(0.43 * 0.263, abs=1e-5)
    peak_gbps = sum(users(tech=t) * d.peak_gbps for t, d in KZ.demand.items())
    cached_gbps = peak_gbps * sum(s.traffic_share for s in caches)
    (host,) = {s.hosts[0] for s in caches}
    assert cached_gbps < sum(KZ.graph.edges[host, n]["capacity_gbps"] for n in KZ.graph.neighbors(host))
    assert sum(KZ.graph.edges[host, n]["capacity_gbps"] for n in KZ.graph.neighbors(host)) == CACHE_GBPS


def cross_border_gbps(topology) -> dict[str, float]:
    out: dict[str, float] = {}
    for a, b in topology.link_ends:
        if topology.graph.edges[a, b]["kind"] == "cross-border":
            gateway = a if topology.graph.nodes[a]["kind"] == "gateway" else b
            border = topology.graph.nodes[gateway]["border"]
            out[border] = out.get(border, 0.0) + topology.graph.edges[a, b]["capacity_gbps"]
    return out


def test_share_of_international_capacity_towards_russia():
    by_border = cross_border_gbps(KZ)
    assert set(by_border) == {"RU", "CN"}
    assert by_border["RU"] / sum(by_border.values()) == pytest.approx(VIA_RUSSIA, abs=0.02)


def test_kazakhtelecom_capacity_is_its_2020_figure_grown_with_traffic():
    kt = sum(
        KZ.graph.edges[a, b]["capacity_gbps"]
        for a, b in KZ.link_ends
        if KZ.graph.edges[a, b]["kind"] == "cross-border"
        and KZ.graph.nodes[a if KZ.graph.nodes[a]["kind"] == "gateway" else b].get("operator") == "kazakhtelecom"
    )
    assert kt == pytest.approx(KT_CAPACITY_2020_GBPS * 1.2**1.75, rel=0.01)


def test_every_access_node_has_address_blocks_and_a_responsive_share():
    assert all(c.blocks_24 > 0 and 0 < c.responsive_share <= 1 for c in KZ.cohorts)
    assert sum(c.blocks_24 for c in KZ.cohorts) <= IPV4_ADDRESSES / 256
    mobile = {c.responsive_share for c in KZ.cohorts if c.tech == "mobile"}
    fixed = {c.responsive_share for c in KZ.cohorts if c.tech == "fixed"}
    assert max(mobile) < min(fixed)  # carrier-grade NAT answers probes less than home lines
    for c in KZ.cohorts:  # an operator's blocks follow its users
        same = [d for d in KZ.cohorts if d.operator == c.operator]
        share = c.users / sum(d.users for d in same)
        assert c.blocks_24 == pytest.approx(share * sum(d.blocks_24 for d in same), abs=1)


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
    assert cross_border_gbps(DEC)["RU"] >= cross_border_gbps(KZ)["RU"]


def test_every_number_is_sourced_or_assumed():
    assert KZ.warnings == ()
    assert DEC.warnings == ()


def test_shipped_topology_is_what_the_builder_gives():
    res = CliRunner().invoke(cli, ["build", "kz-2022", "--check"])
    assert res.exit_code == 0, res.output


def test_builder_refuses_a_region_with_both_a_census_figure_and_an_estimate(tmp_path):
    data = yaml.safe_load(INPUTS.read_text(encoding="utf-8"))
    data["regions"]["akmola"]["estimate"] = 780_000
    path = tmp_path / "kz-2022.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InputError, match="exactly one of population and estimate"):
        build_kz(path)


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
        "mobile throttled, Almaty cut": index_at(reference, "2022-01-05T10:00:00+06:00"),
        "national shutdown": index_at(reference, "2022-01-06T10:00:00+06:00"),
        "night window": index_at(reference, "2022-01-06T01:00:00+06:00"),
        "morning window": index_at(reference, "2022-01-07T10:00:00+06:00"),
        "whitelist": index_at(reference, "2022-01-09T15:00:00+06:00"),
        "10 January return": index_at(reference, "2022-01-10T10:00:00+06:00"),
        "cut again": index_at(reference, "2022-01-10T15:00:00+06:00"),
        "stable return": index_at(reference, "2022-01-11T12:00:00+06:00"),
    }
    assert 98 < phase["before"] < 100  # Mangystau's mobile access is degraded from 2 January
    assert 85 < phase["messengers blocked"] < 99
    # throttling takes part of the mobile networks' bytes, and Almaty is cut entirely
    assert 25 < phase["mobile throttled, Almaty cut"] < 100 * (1 - 0.4 * MOBILE_BYTE_SHARE)
    assert phase["national shutdown"] < 3  # NetBlocks: 2% of ordinary levels
    assert phase["night window"] > 40  # fixed lines outside Almaty come back: most of the bytes at night
    assert phase["morning window"] > 50
    assert phase["national shutdown"] < phase["whitelist"] < 10
    assert phase["10 January return"] > 80
    assert phase["cut again"] < 30
    assert phase["stable return"] == pytest.approx(100)


def test_reference_run_almaty_stays_cut_in_the_morning_windows(reference):
    by_region = reference.tables["by_region"]
    for when in ("2022-01-07T10:00:00+06:00", "2022-01-08T12:00:00+06:00"):
        rows = by_region.where("time", when)
        index = dict(zip(rows["region"], rows["connectivity_index_pct"], strict=True))
        assert index.pop("almaty-city") < 5
        assert min(index.values()) > 50


def test_reference_summary_names_the_disrupted_services(reference):
    services = reference.summary["services"]
    assert services["whatsapp"]["disrupted_hours"] > services["youtube"]["disrupted_hours"] > 0
    assert services["kaspi"]["disrupted_hours"] < services["news-kz"]["disrupted_hours"]
    assert services["youtube-cache"]["disrupted_hours"] > 0  # a cache cut off from its origin serves nothing
    assert reference.summary["national"]["peak_cut_off_persons"] > 0.9 * KZ.users().sum()


def run_summary(name: str):
    return Simulation(load_scenario(SCENARIOS / f"{name}.yaml")).run().result.summary


def test_the_same_cable_cut_costs_less_without_centralisation():
    central = run_summary("kz-gateway-failure")
    spread = run_summary("kz-decentralised-gateway-failure")
    assert central["national"]["min_connectivity_index_pct"] < 90
    assert spread["national"]["min_connectivity_index_pct"] > central["national"]["min_connectivity_index_pct"]
    assert spread["national"]["user_hours_lost"] < 0.75 * central["national"]["user_hours_lost"]
    # the mobile operators with their own links abroad lose far less (what is left: the shared caches)
    for operator in ("kcell", "tele2"):
        assert (
            spread["by_operator"][operator]["user_hours_lost"] < central["by_operator"][operator]["user_hours_lost"] / 3
        )


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
    assert methods
    values = [m["value"] for m in methods.values()]
    assert s["costs"]["range"] == {"low": min(values), "high": max(values)}
    assert all(m["sources"] and m["formula"] for m in methods.values())
    for key in ("egov", "kaspi", "card-payments"):
        last = s["services"][key]["backlog"]["recoveries"][-1]
        assert "2022-01-05" < last["network_back"] < "2022-01-12"
        assert 0 < last["hours"] < 24
    dis = s["persons_with_disabilities"]
    # the topology holds the share to 6 decimals: 700,000 / 19,503,159 = 0.035892
    assert dis["internet_users_persons"] == pytest.approx(KZ.users().sum() * 700_000 / 19_503_159, rel=1e-4)
    assert set(s["by_operator"]) == {"kazakhtelecom", "kcell", "tele2", "beeline", "isps"}
    assert set(s["by_technology"]) == {"fixed", "mobile"}
    assert s["circumvention"]["messaging_fallback_peak_persons"] > 10e6

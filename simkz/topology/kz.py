"""Build the Kazakhstan topology (``topologies/kz-2022.yaml``) from its sourced inputs.

The inputs file (``topologies/inputs/kz-2022.yaml``) holds the facts with their sources and the
assumptions that fill the gaps. This module derives what follows from them, one step per function:

* **people** (:func:`populations`, :func:`urban_shares`, :func:`penetrations`): census populations,
  the rest of the census total shared out by official estimates; urban shares, the census's urban
  residents spread over the regions without a figure; internet penetration from urban and rural
  survey shares, scaled to the national share;
* **access** (:func:`fixed_home_users`, :func:`fixed_shares`): users with a fixed line at home,
  spread over regions by urban share; every other internet user is mobile-only;
* **services** (:func:`split_caches`): each cached origin gives part of its traffic to a domestic
  cache service (``cache_of``);
* **demand** (:func:`mobile_byte_share`, :func:`peak_demand`): per-user peak demand such that
  traffic abroad fills a share of the capacity towards Russia at the busiest hour and the mobile
  cohorts carry the mobile networks' share of bytes over a day;
* **cohorts** (:func:`access_network`, :func:`address_blocks`): one access node per region x
  product, its access link, and its IPv4 /24 blocks with their responsive share.

Units: persons, Gbps for capacities and national demand, Mbps per user, GB for traffic volumes,
shares in [0, 1]. ``simkz build kz-2022`` writes the topology; the tests check the shipped file
equals the output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from simkz.errors import InputError
from simkz.inputs import Pair, Share, StrictModel, validate_model
from simkz.yamlio import read_yaml

__all__ = [
    "KzInputs",
    "People",
    "abroad_share",
    "access_network",
    "address_blocks",
    "build_kz",
    "fixed_home_users",
    "fixed_shares",
    "mobile_byte_share",
    "peak_demand",
    "penetrations",
    "populations",
    "products",
    "render_topology",
    "russia_capacity_gbps",
    "split_caches",
    "urban_shares",
]

Tech = Literal["fixed", "mobile"]
TECHS: tuple[Tech, ...] = ("fixed", "mobile")
ACCESS_MULTIPLE = 3.0
ACCESS_MIN_GBPS = 10.0


class _Valued(StrictModel):
    value: float
    source: str | None = None
    assumption: str | None = None


class _Penetration(StrictModel):
    national: _Valued
    urban: _Valued
    rural: _Valued
    assumption: str


class _Region(StrictModel):
    name: str
    timezone: str
    position: Pair[float]
    source: str
    population: int | None = None
    estimate: int | None = None
    estimate_assumption: str | None = None
    urban_share: Share | None = None
    urban_source: str | None = None
    urban_assumption: str | None = None


class _FixedHome(StrictModel):
    lines_per_100: _Valued
    households: _Valued
    residential_share: _Valued
    rural_ratio: _Valued
    note: str


class _AddressSpace(StrictModel):
    national_blocks_24: _Valued
    operator_shares: dict[str, Share]
    operator_shares_assumption: str
    responsive_share: dict[Tech, Share]
    responsive_source: str
    responsive_assumption: str


class _ByTech(StrictModel):
    mobile: float
    fixed: float
    source: str


class _Hourly(StrictModel):
    mobile: list[float]
    fixed: list[float]
    assumption: str


class _Demand(StrictModel):
    traffic_2023_gb: _ByTech
    growth_per_year: _ByTech
    backcast_years: _Valued
    byte_share_assumption: str
    abroad_utilisation_at_peak: _Valued
    hourly: _Hourly


class _Caches(StrictModel):
    host: str
    served_share: _Valued
    origins: dict[str, Share]
    origins_assumption: str


class KzInputs(StrictModel):
    """The inputs file (``topologies/inputs/kz-2022.yaml``)."""

    name: str
    description: str
    timezone: str
    costs: str
    sources: dict[str, str]
    census_total: _Valued
    urban_share_national: _Valued
    internet_penetration: _Penetration
    disability: dict[str, Any]
    position_note: str
    population_assumption: str
    urban_assumption: str
    regions: dict[str, _Region]
    operators: dict[str, dict[str, Any]]
    fixed_home: _FixedHome
    market_shares: dict[str, dict[str, Share]]
    market_shares_source: str
    market_shares_assumption: str
    access_core: dict[str, str]
    access_capacity_assumption: str
    address_space: _AddressSpace
    demand: _Demand
    caches: _Caches
    nodes: dict[str, dict[str, Any]]
    links: dict[str, dict[str, Any]]
    services: dict[str, dict[str, Any]]
    reliability: dict[str, Any] | None = None  #: copied as it is (checked with the topology)


@dataclass(frozen=True)
class People:
    """Per region: residents (persons), urban share, internet penetration and the share of internet
    users with a fixed line at home (all shares 0-1)."""

    population: dict[str, int]
    urban: dict[str, float]
    penetration: dict[str, float]
    fixed_share: dict[str, float]

    def users(self, region: str) -> float:
        """Internet users of a region, persons (with the penetration as written, 6 decimals)."""
        return self.population[region] * round(self.penetration[region], 6)


# --- people ---------------------------------------------------------------------------------------


def _largest_remainder(exact: Mapping[str, float], total: int) -> dict[str, int]:
    """Round ``exact`` to integers that add up to ``total`` (largest-remainder method)."""
    out = {k: math.floor(v) for k, v in exact.items()}
    short = total - sum(out.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[: max(short, 0)]:
        out[k] += 1
    return out


def populations(inp: KzInputs, file: Path) -> dict[str, int]:
    """Residents per region, persons: census figures, and the rest of the census total shared out
    in proportion to the other regions' official estimates (adding up to the census total)."""
    census = {k: r.population for k, r in inp.regions.items() if r.population is not None}
    estimates = {k: r.estimate for k, r in inp.regions.items() if r.population is None and r.estimate is not None}
    for key, r in inp.regions.items():
        if (r.population is None) == (r.estimate is None):
            raise InputError(file, ("regions", key), "a region needs exactly one of population and estimate")
    rest = int(inp.census_total.value) - sum(census.values())
    if rest <= 0 or not estimates:
        raise InputError(file, ("regions",), "census figures leave no rest to share out", value=rest)
    weight = sum(estimates.values())
    shared = _largest_remainder({k: rest * v / weight for k, v in estimates.items()}, rest)
    return {k: (census[k] if k in census else shared[k]) for k in inp.regions}


def urban_shares(inp: KzInputs, pops: Mapping[str, int], file: Path) -> dict[str, float]:
    """Urban share per region, 0-1: the sourced ones, and one common share for the others such that
    the country's urban residents are ``urban_share_national`` of the census total."""
    given = {k: float(r.urban_share) for k, r in inp.regions.items() if r.urban_share is not None}
    others = [k for k in inp.regions if k not in given]
    urban_total = inp.urban_share_national.value * sum(pops.values())
    left = urban_total - sum(pops[k] * u for k, u in given.items())
    common = left / sum(pops[k] for k in others) if others else 0.0
    if others and not 0.0 <= common <= 1.0:
        raise InputError(file, ("regions",), "urban shares leave an impossible share for the others", value=common)
    return {k: given.get(k, common) for k in inp.regions}


def penetrations(inp: KzInputs, pops: Mapping[str, int], urban: Mapping[str, float]) -> dict[str, float]:
    """Share of residents who use the internet per region, 0-1: ``k x (urban x u + rural x (1 - u))``
    with ``k`` such that the country's users are the national share of its residents."""
    pen = inp.internet_penetration
    raw = {k: pen.urban.value * u + pen.rural.value * (1.0 - u) for k, u in urban.items()}
    total = sum(pops.values())
    k = pen.national.value * total / sum(pops[r] * raw[r] for r in raw)
    return {r: k * v for r, v in raw.items()}


# --- access ---------------------------------------------------------------------------------------


def fixed_home_users(inp: KzInputs) -> float:
    """Internet users with a fixed line at home, persons: lines x residential share x persons per
    household x internet users per person."""
    fh = inp.fixed_home
    census = inp.census_total.value
    lines = fh.lines_per_100.value / 100.0 * census
    persons_per_household = census / fh.households.value
    return lines * fh.residential_share.value * persons_per_household * inp.internet_penetration.national.value


def fixed_shares(
    inp: KzInputs, users: Mapping[str, float], urban: Mapping[str, float], total: float, file: Path
) -> dict[str, float]:
    """Share of a region's internet users with a fixed line at home, 0-1: proportional to
    ``u + rural_ratio x (1 - u)`` and scaled so that the regions add up to ``total`` persons."""
    rho = inp.fixed_home.rural_ratio.value
    raw = {r: urban[r] + rho * (1.0 - urban[r]) for r in users}
    k = total / sum(users[r] * raw[r] for r in users)
    shares = {r: k * v for r, v in raw.items()}
    worst = max(shares, key=lambda r: shares[r])
    if shares[worst] > 1.0:
        raise InputError(file, ("fixed_home",), "more fixed-home users than internet users", value=worst)
    return shares


# --- services and demand --------------------------------------------------------------------------


def split_caches(inp: KzInputs, file: Path) -> dict[str, dict[str, Any]]:
    """The services, each cached origin followed by its domestic cache ``<origin>-cache``, which
    takes ``served share x cacheable part`` of the origin's traffic share (the origin keeps the rest)."""
    caches = inp.caches
    served = caches.served_share.value
    out: dict[str, dict[str, Any]] = {}
    for key, svc in inp.services.items():
        out[key] = dict(svc)
        part = caches.origins.get(key)
        if part is None:
            continue
        cached = round(svc["traffic_share"] * served * part, 6)
        out[key]["traffic_share"] = round(svc["traffic_share"] - cached, 6)
        kept = f"traffic share {svc['traffic_share']:g} less the {cached:g} served by {key}-cache"
        out[key]["assumption"] = "; ".join(a for a in (svc.get("assumption"), kept) if a)
        out[f"{key}-cache"] = {
            "kind": svc["kind"],
            "hosts": [caches.host],
            "adoption": svc["adoption"],
            "traffic_share": cached,
            "cache_of": key,
            "source": f"{caches.served_share.source}; origin: {svc.get('source') or 'assumed'}",
            "assumption": f"{served:g} of the cacheable part ({part:g}) of {key}'s traffic is served from "
            f"domestic caches: {caches.origins_assumption}",
        }
    unknown = set(caches.origins) - set(inp.services)
    if unknown:
        raise InputError(file, ("caches", "origins"), "unknown service", value=sorted(unknown)[0])
    return out


def abroad_share(services: Mapping[str, Mapping[str, Any]], nodes: Mapping[str, Mapping[str, Any]]) -> float:
    """Share of an average user's traffic to services hosted only abroad, 0-1."""
    return sum(
        float(s["traffic_share"]) for s in services.values() if all(nodes[h]["kind"] == "foreign" for h in s["hosts"])
    )


def russia_capacity_gbps(nodes: Mapping[str, Mapping[str, Any]], links: Mapping[str, Mapping[str, Any]]) -> float:
    """Capacity of the cross-border links at the gateways to Russia, Gbps."""
    ru = {k for k, n in nodes.items() if n.get("kind") == "gateway" and n.get("border") == "RU"}
    return float(
        sum(lk["capacity_gbps"] for lk in links.values() if lk["kind"] == "cross-border" and set(lk["ends"]) & ru)
    )


def mobile_byte_share(demand: _Demand) -> float:
    """The mobile networks' share of bytes at the target date, 0-1: the 2023 volumes (GB) back-cast
    at each technology's yearly growth over ``backcast_years``."""
    years = demand.backcast_years.value
    gb, growth = demand.traffic_2023_gb, demand.growth_per_year
    mobile = gb.mobile / math.pow(1.0 + growth.mobile, years)
    fixed = gb.fixed / math.pow(1.0 + growth.fixed, years)
    return mobile / (mobile + fixed)


def peak_demand(demand: _Demand, users: Mapping[str, float], peak_total_gbps: float) -> dict[str, float]:
    """Per-user demand at the busiest hour, Mbps, per technology: the two cohorts' peaks add up to
    ``peak_total_gbps`` and the mobile share of daily bytes (peak x mean hourly factor) is
    :func:`mobile_byte_share`."""
    theta = mobile_byte_share(demand)
    mean = {"fixed": sum(demand.hourly.fixed) / 24.0, "mobile": sum(demand.hourly.mobile) / 24.0}
    # mobile peak M and fixed peak F (Gbps): M x mean_m = theta x (M x mean_m + F x mean_f), M + F = total
    ratio = theta * mean["fixed"] / ((1.0 - theta) * mean["mobile"])  # M / F
    fixed_gbps = peak_total_gbps / (1.0 + ratio)
    gbps: dict[str, float] = {"fixed": fixed_gbps, "mobile": peak_total_gbps - fixed_gbps}
    return {t: round(gbps[t] / users[t] * 1000.0, 6) for t in TECHS}


# --- cohorts --------------------------------------------------------------------------------------


def products(inp: KzInputs, file: Path) -> dict[str, tuple[str, str]]:
    """Operator and technology of each access product ``<operator>-<fixed|mobile>``."""
    out: dict[str, tuple[str, str]] = {}
    for product in inp.access_core:
        operator, _, tech = product.rpartition("-")
        if tech not in TECHS or operator not in inp.market_shares.get(tech, {}):
            raise InputError(file, ("access_core", product), "not an operator-technology with a market share")
        out[product] = (operator, tech)
    return out


def access_network(
    inp: KzInputs, people: People, peak_mbps: Mapping[str, float], file: Path
) -> tuple[dict[str, Any], dict[str, Any], dict[str, float]]:
    """Access nodes (one per region x product, with its share of the region's internet users), access
    links (capacity in Gbps) and users per access node (persons)."""
    nodes: dict[str, Any] = {}
    links: dict[str, Any] = {}
    users: dict[str, float] = {}
    note = {"source": inp.market_shares_source, "assumption": inp.market_shares_assumption}
    for region, r in inp.regions.items():
        for product, (operator, tech) in products(inp, file).items():
            tech_share = people.fixed_share[region] if tech == "fixed" else 1.0 - people.fixed_share[region]
            node = f"{region}--{product}"
            nodes[node] = {"kind": "access", "region": region, "operator": operator, "tech": tech}
            share = round(tech_share * inp.market_shares[tech][operator], 12)
            nodes[node].update({"share": share, "position": list(r.position), **note})
            users[node] = people.users(region) * share
            peak_gbps = users[node] * peak_mbps[tech] / 1000.0
            links[f"{node}--{inp.access_core[product]}"] = {
                "ends": [node, inp.access_core[product]],
                "capacity_gbps": float(max(ACCESS_MIN_GBPS, math.ceil(ACCESS_MULTIPLE * peak_gbps))),
                "kind": "access",
                "assumption": inp.access_capacity_assumption,
            }
    return nodes, links, users


def address_blocks(
    inp: KzInputs, access: Mapping[str, Mapping[str, Any]], users: Mapping[str, float]
) -> dict[str, int]:
    """IPv4 /24 blocks per access node: each operator's share of the national blocks, shared over
    its access nodes in proportion to their users (whole blocks, adding up per operator)."""
    space = inp.address_space
    out: dict[str, int] = {}
    for operator, share in space.operator_shares.items():
        mine = {n: users[n] for n, node in access.items() if node["operator"] == operator}
        total = round(space.national_blocks_24.value * share)
        weight = sum(mine.values())
        out.update(_largest_remainder({n: total * u / weight for n, u in mine.items()}, total))
    return out


def _observatory_fields(inp: KzInputs, access: dict[str, Any], users: Mapping[str, float]) -> None:
    """Write ``blocks_24`` and ``responsive_share`` into the access nodes, with their provenance."""
    space = inp.address_space
    blocks = address_blocks(inp, access, users)
    for node, rec in access.items():
        rec["blocks_24"] = blocks.get(node, 0)
        rec["responsive_share"] = space.responsive_share[rec["tech"]]
        rec["source"] = (
            f"{rec['source']}; blocks: {space.national_blocks_24.source}; responsive: {space.responsive_source}"
        )
        rec["assumption"] = (
            f"{rec['assumption']} Address blocks: {space.national_blocks_24.assumption}; "
            f"{space.operator_shares_assumption} Responsive share: {space.responsive_assumption}"
        )


# --- records of the topology file -----------------------------------------------------------------


def _region_record(inp: KzInputs, key: str, people: People) -> dict[str, Any]:
    """One region of the topology file, with its provenance."""
    r = inp.regions[key]
    pen = inp.internet_penetration
    urban_src = r.urban_source or ("census-2021" if r.urban_share is None else None)
    sources = [r.source, f"urban share: {urban_src}" if urban_src else None]
    sources.append(f"internet_penetration: {pen.national.source}; {pen.urban.source}")
    assumptions = [f"population: {inp.population_assumption}" if r.population is None else None]
    assumptions += [r.estimate_assumption, f"urban share: {r.urban_assumption}" if r.urban_assumption else None]
    assumptions += [None if r.urban_share is not None else f"urban share: {inp.urban_assumption}"]
    assumptions += [f"internet_penetration: {pen.assumption}", f"position: {inp.position_note}"]
    return {
        "name": r.name,
        "population": people.population[key],
        "internet_penetration": round(people.penetration[key], 6),
        "timezone": r.timezone,
        "position": list(r.position),
        "source": "; ".join(s for s in sources if s),
        "assumption": "; ".join(a for a in assumptions if a),
        "note": f"urban share {people.urban[key]:.3f}; {people.fixed_share[key]:.1%} of internet users have a "
        "fixed line at home, the others are mobile-only",
    }


def _demand_records(inp: KzInputs, peak_mbps: Mapping[str, float], ru_gbps: float) -> dict[str, Any]:
    """The ``demand`` section: per-user peak and hourly profile per technology, with provenance."""
    d = inp.demand
    note = (
        f"per internet user at the busiest hour, calibrated: traffic abroad fills "
        f"{d.abroad_utilisation_at_peak.value:.0%} of the {ru_gbps:g} Gbps towards Russia "
        f"({d.abroad_utilisation_at_peak.assumption}); the mobile cohorts carry {mobile_byte_share(d):.3f} of the "
        f"bytes over a day ({d.byte_share_assumption}; {d.backcast_years.assumption}); users: "
        f"{inp.fixed_home.note}; hourly: {d.hourly.assumption}"
    )
    return {
        tech: {
            "peak_mbps": peak_mbps[tech],
            "hourly": list(getattr(d.hourly, tech)),
            "source": f"{d.traffic_2023_gb.source}; {inp.fixed_home.lines_per_100.source}",
            "assumption": note,
        }
        for tech in TECHS
    }


def _people(inp: KzInputs, file: Path) -> People:
    """The people of every region: residents, urban share, penetration and fixed-home share."""
    pops = populations(inp, file)
    urban = urban_shares(inp, pops, file)
    pen = penetrations(inp, pops, urban)
    users = {r: pops[r] * round(pen[r], 6) for r in pops}
    fixed = fixed_shares(inp, users, urban, fixed_home_users(inp), file)
    return People(population=pops, urban=urban, penetration=pen, fixed_share=fixed)


def build_kz(inputs_path: Path) -> dict[str, Any]:
    """The topology file's content, as a dict in the topology format."""
    inp = validate_model(KzInputs, read_yaml(inputs_path), inputs_path)
    people = _people(inp, inputs_path)
    services = split_caches(inp, inputs_path)
    ru_gbps = russia_capacity_gbps(inp.nodes, inp.links)
    peak_total = inp.demand.abroad_utilisation_at_peak.value * ru_gbps / abroad_share(services, inp.nodes)
    fixed_users = sum(people.users(r) * people.fixed_share[r] for r in inp.regions)
    mobile_users = sum(people.users(r) for r in inp.regions) - fixed_users
    peak_mbps = peak_demand(inp.demand, {"fixed": fixed_users, "mobile": mobile_users}, peak_total)
    nodes, links, users = access_network(inp, people, peak_mbps, inputs_path)
    _observatory_fields(inp, nodes, users)
    return {
        **_header(inp),
        "regions": {key: _region_record(inp, key, people) for key in inp.regions},
        "operators": {k: dict(v) for k, v in inp.operators.items()},
        "nodes": {**nodes, **inp.nodes},
        "links": {**links, **inp.links},
        "services": services,
        "demand": _demand_records(inp, peak_mbps, ru_gbps),
        **({"reliability": dict(inp.reliability)} if inp.reliability is not None else {}),
    }


def _header(inp: KzInputs) -> dict[str, Any]:
    """The topology file's name, description, zone, disability share (0-1), costs file and sources."""
    d = inp.disability
    return {
        "name": inp.name,
        "description": inp.description,
        "timezone": inp.timezone,
        "disability_share": round(d["persons"] / d["population"], 6),
        "costs": inp.costs,
        "disability_source": f"{d['source']}: {d['persons']:,} of {d['population']:,} residents",
        "sources": dict(inp.sources),
    }


def render_topology(data: dict[str, Any], inputs_name: str) -> str:
    """The topology as YAML text, with a header saying how it was made."""
    header = (
        f"# Generated by `simkz build {data['name']}` from topologies/inputs/{inputs_name}.\n"
        "# Do not edit by hand: change the inputs and build again (the tests check this file is current).\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)

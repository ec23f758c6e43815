"""Build the Kazakhstan topology (``topologies/kz-2022.yaml``) from its sourced inputs.

The inputs file (``topologies/inputs/kz-2022.yaml``) holds the facts with their sources and the
assumptions that fill the gaps. This module derives what follows from them:

* region populations: sourced census figures, and the rest of the census total shared out by
  ``weight`` where a region's figure is missing;
* cohorts: one access node per region x operator x technology, with
  ``share = (fixed users / internet users) x fixed market share`` (or the mobile equivalent);
* per-user peak demand, calibrated so that traffic abroad fills ``abroad_utilisation_at_peak``
  of the capacity towards Russia at the busiest hour, with ``mobile_traffic_share`` on mobile;
* access links sized to a multiple of their cohort's peak demand.

``simkz build kz-2022`` writes the topology; the tests check the shipped file equals the output.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from simkz.errors import InputError
from simkz.inputs import StrictModel, validate_model
from simkz.yamlio import read_yaml

__all__ = ["KzInputs", "build_kz", "render_topology"]

ACCESS_MULTIPLE = 3.0
ACCESS_MIN_GBPS = 10.0


class _Valued(StrictModel):
    value: float
    source: str | None = None
    assumption: str | None = None


class _Region(StrictModel):
    name: str
    timezone: str
    position: tuple[float, float]
    population: int | None = None
    weight: float | None = None
    source: str | None = None


class _Demand(StrictModel):
    mobile_traffic_share: _Valued
    abroad_utilisation_at_peak: _Valued
    hourly: dict[str, Any]


class KzInputs(StrictModel):
    """The inputs file."""

    name: str
    description: str
    timezone: str
    costs: str
    sources: dict[str, str]
    census_total: _Valued
    internet_penetration: _Valued
    disability: dict[str, Any]
    position_note: str
    remainder_assumption: str
    regions: dict[str, _Region]
    operators: dict[str, dict[str, Any]]
    fixed_users: _Valued
    market_shares: dict[str, dict[str, float]]
    market_shares_source: str
    market_shares_assumption: str
    access_core: dict[str, str]
    access_capacity_assumption: str
    demand: _Demand
    nodes: dict[str, dict[str, Any]]
    links: dict[str, dict[str, Any]]
    services: dict[str, dict[str, Any]]


def _populations(inp: KzInputs, file: Path) -> dict[str, int]:
    known = {k: r.population for k, r in inp.regions.items() if r.population is not None}
    weighted = {k: float(r.weight) for k, r in inp.regions.items() if r.population is None and r.weight is not None}
    missing = set(inp.regions) - set(known) - set(weighted)
    if missing:
        raise InputError(file, ("regions", sorted(missing)[0]), "a region needs population or weight")
    rest = int(inp.census_total.value) - sum(v for v in known.values() if v is not None)
    total_w = sum(weighted.values())
    exact = {k: rest * w / total_w for k, w in weighted.items()}
    out = {k: math.floor(v) for k, v in exact.items()}
    # largest remainder: the shares add up to the census total exactly
    short = rest - sum(out.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[:short]:
        out[k] += 1
    return {k: int(v) for k, v in {**known, **out}.items() if v is not None}


def build_kz(inputs_path: Path) -> dict[str, Any]:
    """The topology file's content, as a dict in the topology format."""
    inp = validate_model(KzInputs, read_yaml(inputs_path), inputs_path)
    pops = _populations(inp, inputs_path)
    penetration = inp.internet_penetration.value
    internet_users = sum(pops.values()) * penetration
    fixed_share = inp.fixed_users.value / internet_users
    tech_share = {"fixed": fixed_share, "mobile": 1.0 - fixed_share}

    # demand calibration
    services = inp.services
    abroad_share = sum(
        s["traffic_share"] for s in services.values() if all(inp.nodes[h]["kind"] == "foreign" for h in s["hosts"])
    )
    ru_gateways = {k for k, n in inp.nodes.items() if n.get("kind") == "gateway" and n.get("border") == "RU"}
    ru_capacity = sum(
        link["capacity_gbps"]
        for link in inp.links.values()
        if link["kind"] == "cross-border" and set(link["ends"]) & ru_gateways
    )
    peak_total_gbps = inp.demand.abroad_utilisation_at_peak.value * ru_capacity / abroad_share
    mobile_gbps = inp.demand.mobile_traffic_share.value * peak_total_gbps
    users = {"mobile": internet_users * tech_share["mobile"], "fixed": internet_users * tech_share["fixed"]}
    peak_mbps = {
        "mobile": round(mobile_gbps / users["mobile"] * 1000, 6),
        "fixed": round((peak_total_gbps - mobile_gbps) / users["fixed"] * 1000, 6),
    }

    regions: dict[str, Any] = {}
    for key, r in inp.regions.items():
        rec: dict[str, Any] = {
            "name": r.name,
            "population": pops[key],
            "internet_penetration": penetration,
            "timezone": r.timezone,
            "position": list(r.position),
        }
        if r.population is not None:
            rec["source"] = f"{r.source}; internet_penetration: internet-users"
            rec["assumption"] = f"{inp.internet_penetration.assumption}; position: {inp.position_note}"
        else:
            rec["source"] = "census-regions; census-2021; internet_penetration: internet-users"
            rec["assumption"] = (
                f"population: {inp.remainder_assumption} (weight {r.weight:g}); "
                f"{inp.internet_penetration.assumption}; position: {inp.position_note}"
            )
        regions[key] = rec

    nodes: dict[str, Any] = {}
    links: dict[str, Any] = {}
    share_note = {"source": inp.market_shares_source, "assumption": inp.market_shares_assumption}
    for key, r in inp.regions.items():
        for product, core in inp.access_core.items():
            operator, tech = product.rsplit("-", 1)
            share = tech_share[tech] * inp.market_shares[tech][operator]
            node = f"{key}--{product}"
            x, y = r.position
            nodes[node] = {
                "kind": "access",
                "region": key,
                "operator": operator,
                "tech": tech,
                "share": round(share, 12),
                "position": [x, y],
                **share_note,
            }
            cohort_peak = pops[key] * penetration * share * peak_mbps[tech] / 1000
            links[f"{node}--{core}"] = {
                "ends": [node, core],
                "capacity_gbps": float(max(ACCESS_MIN_GBPS, math.ceil(ACCESS_MULTIPLE * cohort_peak))),
                "kind": "access",
                "assumption": inp.access_capacity_assumption,
            }
    nodes.update(inp.nodes)
    links.update(inp.links)

    hourly = inp.demand.hourly
    demand_note = (
        f"per internet user at the busiest hour, calibrated: traffic abroad fills "
        f"{inp.demand.abroad_utilisation_at_peak.value:.0%} of the {ru_capacity:g} Gbps towards Russia "
        f"({inp.demand.abroad_utilisation_at_peak.assumption}); {inp.demand.mobile_traffic_share.value:.0%} "
        f"of traffic on mobile; hourly: {hourly['assumption']}; fixed users: {inp.fixed_users.assumption}"
    )
    demand = {
        tech: {
            "peak_mbps": peak_mbps[tech],
            "hourly": list(hourly[tech]),
            "source": f"{inp.demand.mobile_traffic_share.source}; {inp.fixed_users.source}",
            "assumption": demand_note,
        }
        for tech in ("fixed", "mobile")
    }
    disability = inp.disability
    return {
        "name": inp.name,
        "description": inp.description,
        "timezone": inp.timezone,
        "disability_share": round(disability["persons"] / disability["population"], 6),
        "costs": inp.costs,
        "disability_source": (
            f"{disability['source']}: {disability['persons']:,} of {disability['population']:,} residents"
        ),
        "sources": dict(inp.sources),
        "regions": regions,
        "operators": {k: dict(v) for k, v in inp.operators.items()},
        "nodes": nodes,
        "links": links,
        "services": {k: dict(v) for k, v in inp.services.items()},
        "demand": demand,
    }


def render_topology(data: dict[str, Any], inputs_name: str) -> str:
    """The topology as YAML text, with a header saying how it was made."""
    header = (
        f"# Generated by `simkz build {data['name']}` from topologies/inputs/{inputs_name}.\n"
        "# Do not edit by hand: change the inputs and build again (the tests check this file is current).\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)

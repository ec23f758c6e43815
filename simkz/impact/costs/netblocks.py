"""NetBlocks COST on the Brookings method (West 2016), and its mobile-only and app-only variants.

``D`` is daily GDP in USD, ``i`` the internet's share of GDP (``internet_share_of_gdp``).
Every variant is proportional to ``i``, so each also reports ``per_point_of_share``: its figure
for ``i`` = 1 percentage point (USD), which a reader multiplies by the share they trust.

* ``netblocks-cost``: ``D * i * ∫ sum_r g_r * affected_r / users_r dt``, regional shutdowns scaled
  by the region's GDP share ``g_r`` (its share of internet users for every region when any GDP
  share is unknown), partial ones by the share of users affected, as Top10VPN does.
* ``netblocks-cost-mobile-only``: ``D * i * m * ∫ affected_mobile / users_mobile dt``, ``m`` the
  mobile share of the internet economy.
* ``netblocks-cost-app-only``: ``D * i * sum_kind v_kind * ∫ max_(s of kind) affected_s / users_s dt``,
  ``v_kind`` the value share of an app kind (messenger, social, video, ...).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simkz.impact.costs.helpers import daily_gdp_source, integral_days, method_entry, share
from simkz.impact.costs.inputs import CostInputs
from simkz.topology.costs import CostSpec

__all__ = ["netblocks_app_only", "netblocks_cost", "netblocks_mobile_only"]

PER_POINT = 0.01  #: one percentage point of the internet's share of GDP
PER_POINT_SOURCE = (
    "the figure for an internet share of GDP of 1 percentage point (USD): the method is proportional to "
    "that share, so multiply by the share in percent you trust"
)


def _common(spec: CostSpec, *, scaled: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """Parameters and sources that every NetBlocks variant shares (``D`` and ``i``).

    ``scaled``: the variant scales regional and partial shutdowns like Top10VPN.
    """
    parameters = {
        "daily_gdp_usd": spec.daily_gdp_usd(),
        "internet_share_of_gdp": spec.internet_share_of_gdp.value,
    }
    method = spec.netblocks.source + (f"; scaling: {spec.netblocks.scaling_source}" if scaled else "")
    if spec.netblocks.note:
        method += f"; note: {spec.netblocks.note}"
    sources = {
        "method": method,
        "daily_gdp_usd": daily_gdp_source(spec),
        "internet_share_of_gdp": spec.internet_share_of_gdp.provenance(),
        "per_point_of_share": PER_POINT_SOURCE,
    }
    return parameters, sources


def _region_weights(inputs: CostInputs) -> tuple[dict[str, float], bool]:
    """``g_r`` per region and whether they are GDP shares (else shares of internet users)."""
    regions = sorted(inputs.region_users)
    gdp = {r: inputs.region_gdp_share.get(r) for r in regions}
    if regions and all(g is not None for g in gdp.values()):
        return {r: float(g) for r, g in gdp.items() if g is not None}, True
    total = inputs.internet_users
    return {r: (inputs.region_users[r] / total if total > 0 else 0.0) for r in regions}, False


def netblocks_cost(spec: CostSpec, inputs: CostInputs) -> dict[str, Any]:
    """NetBlocks COST, regional and partial shutdowns scaled like Top10VPN; USD."""
    days = inputs.days()
    weights, by_gdp = _region_weights(inputs)
    region_days = {r: integral_days(share(inputs.region_affected[r], inputs.region_users[r]), days) for r in weights}
    weighted_days = sum(weights[r] * region_days[r] for r in weights)
    parameters, sources = _common(spec, scaled=True)
    daily = parameters["daily_gdp_usd"]
    parameters |= {
        "region_weight": weights,
        "region_weight_basis": "gdp_share" if by_gdp else "internet_users_share",
        "region_outage_days": region_days,
        "weighted_outage_days": weighted_days,
    }
    if by_gdp:
        sources["region_weight"] = "the topology's regions: gdp_share"
    else:
        missing = sorted(r for r in weights if inputs.region_gdp_share.get(r) is None)
        sources["region_weight"] = (
            "assumption: GDP share unknown for region(s) "
            + ", ".join(missing)
            + ", so every region is weighted by its share of internet users instead"
        )
    sources["region_weight_basis"] = sources["region_weight"]
    sources["region_outage_days"] = "the run: ∫ affected_r / users_r dt, days (affected persons per region)"
    sources["weighted_outage_days"] = "the run: ∫ sum_r g_r * affected_r / users_r dt, days"
    return method_entry(
        "NetBlocks COST (Brookings, West 2016), regional and partial scaling as Top10VPN",
        daily * parameters["internet_share_of_gdp"] * weighted_days,
        "D * i * ∫ sum_r g_r * affected_r(t) / users_r dt; D daily GDP (USD), i internet share of GDP, "
        "g_r region's GDP share (or users' share if any is unknown), t in days",
        parameters,
        sources,
        per_point_of_share=daily * PER_POINT * weighted_days,
    )


def netblocks_mobile_only(spec: CostSpec, inputs: CostInputs) -> dict[str, Any]:
    """NetBlocks COST, mobile-only variant; USD."""
    days = inputs.days()
    users = float(inputs.tech_users.get("mobile", 0.0))
    affected = inputs.tech_affected.get("mobile", np.zeros_like(days))
    outage_days = integral_days(share(affected, users), days)
    parameters, sources = _common(spec)
    daily = parameters["daily_gdp_usd"]
    m = spec.mobile_value_share.value
    parameters |= {"mobile_value_share": m, "mobile_users": users, "mobile_outage_days": outage_days}
    sources |= {
        "mobile_value_share": spec.mobile_value_share.provenance(),
        "mobile_users": "the run: internet users on mobile access, persons",
        "mobile_outage_days": "the run: ∫ affected_mobile / users_mobile dt, days",
    }
    return method_entry(
        "NetBlocks COST (Brookings, West 2016), mobile-only variant",
        daily * parameters["internet_share_of_gdp"] * m * outage_days,
        "D * i * m * ∫ affected_mobile(t) / users_mobile dt; m mobile share of the internet economy, t in days",
        parameters,
        sources,
        per_point_of_share=daily * PER_POINT * m * outage_days,
    )


def netblocks_app_only(spec: CostSpec, inputs: CostInputs) -> dict[str, Any]:
    """NetBlocks COST, app-only variant over the app kinds of the spec; USD."""
    days = inputs.days()
    value_share: dict[str, float] = {}
    provenance: dict[str, str] = {}
    kind_days: dict[str, float] = {}
    kind_services: dict[str, list[str]] = {}
    for kind, share_spec in sorted(spec.app_value_share.items()):
        value_share[kind] = share_spec.value
        provenance[kind] = share_spec.provenance()
        services = sorted(s for s, k in inputs.service_kind.items() if k == kind)
        kind_services[kind] = services
        if not services:
            kind_days[kind] = 0.0
            continue
        shares = np.stack([share(inputs.service_affected[s], inputs.service_users[s]) for s in services])
        kind_days[kind] = integral_days(shares.max(axis=0), days)
    weighted_days = sum(value_share[k] * kind_days[k] for k in kind_days)
    parameters, sources = _common(spec)
    daily = parameters["daily_gdp_usd"]
    parameters |= {
        "app_value_share": value_share,
        "app_services": kind_services,
        "app_outage_days": kind_days,
        "weighted_outage_days": weighted_days,
    }
    sources |= {
        "app_value_share": "; ".join(f"{kind}: {text}" for kind, text in provenance.items()),
        "app_services": "the topology's services of each kind (none: the kind adds nothing)",
        "app_outage_days": "the run: ∫ max over the kind's services of affected_s / users_s dt, days",
        "weighted_outage_days": "the run: sum_kind v_kind * app_outage_days[kind], days",
    }
    return method_entry(
        "NetBlocks COST (Brookings, West 2016), app-only variant",
        daily * parameters["internet_share_of_gdp"] * weighted_days,
        "D * i * sum_kind v_kind * ∫ max_(s of kind) service_affected_s(t) / service_users_s dt; "
        "v_kind the kind's share of the internet economy, t in days",
        parameters,
        sources,
        per_point_of_share=daily * PER_POINT * weighted_days,
    )

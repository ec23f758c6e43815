"""What a shutdown costs, by the published methods: pure functions on a run's figures.

Every figure comes with its method, formula, parameters and their sources; the spread of the
methods is reported as a range, never as one "true" cost. Notation: ``D`` daily GDP in USD
(``gdp_per_year / 365``, converted with the spec's exchange rate), ``i`` the internet's share of
GDP, ``x[k]`` a value at change point ``k`` held for ``durations_h[k]`` hours, and
``∫ x dt = sum_k x[k] * durations_h[k] / 24`` in days.

* ``netblocks-cost``: NetBlocks COST on the Brookings method (West 2016), scaled like Top10VPN
  (regional shutdowns by the region's share of GDP, partial ones by the share of users affected):
  ``D * i * ∫ sum_r g_r * affected_r / users_r dt``, ``g_r`` the region's GDP share, or its share
  of internet users for every region when any GDP share is unknown.
  https://netblocks.org/projects/cost ;
  https://www.technologyreview.com/2016/10/24/156479/shut-down-the-internet-and-the-economy-goes-with-it/ ;
  https://technologyforyou.org/internet-shutdowns-cost-global-economy-10-billion-report
* ``netblocks-cost-mobile-only``: ``D * i * m * ∫ affected_mobile / users_mobile dt``, ``m`` the
  mobile share of the internet economy.
* ``netblocks-cost-app-only``: ``D * i * sum_kind v_kind * ∫ max_(s of kind) affected_s / users_s dt``,
  ``v_kind`` the value share of an app kind (messenger, social, video, ...).
* ``deloitte``: Deloitte for GNI (2016): ``D * p / 100 * ∫ (1 - index_pct / 100) dt`` with ``p`` the
  percent of daily GDP a full shutdown costs per day in the country's connectivity tier (1.9 high,
  1.0 medium, 0.4 low).
  https://www.deloitte.com/ng/en/Industries/tmt/perspectives/the-economic-impact-of-disruptions-to-internet-connectivity-report-for-facebook.html
* ``netloss``: Internet Society NetLoss (Tagat, Phokeer, Kreitem 2024): ``c * ∫ sum_r affected_r dt``,
  ``c`` USD per person per shutdown day (86.58), a person read as an internet user.
  https://pulse.internetsociety.org/en/netloss/

Units: money in USD, persons, time in days (inputs in hours). The numbers of a country live in a
costs file (``topologies/costs/*.yaml``), each with its ``source`` or ``assumption``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from simkz.errors import InputError
from simkz.inputs import StrictModel, read_document, validate_model
from simkz.results.table import round_sig
from simkz.topology.schema import SERVICE_KINDS, ServiceKind

__all__ = [
    "APP_KINDS",
    "METHODS",
    "CostInputs",
    "CostSpec",
    "estimate_costs",
    "load_cost_spec",
]

#: The method keys, in the order they are reported.
METHODS: tuple[str, ...] = (
    "netblocks-cost",
    "netblocks-cost-mobile-only",
    "netblocks-cost-app-only",
    "deloitte",
    "netloss",
)

#: The service kinds that may carry an app value share: those of topology files.
AppKind = ServiceKind
APP_KINDS: tuple[str, ...] = SERVICE_KINDS
Tier = Literal["high", "medium", "low"]
TIERS: tuple[Tier, ...] = ("high", "medium", "low")

Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


# --------------------------------------------------------------------------- the costs file


class _Provenance(StrictModel):
    """A record with a number: where it comes from (``source``) or what is assumed (``assumption``)."""

    source: str | None = Field(None, description="Where the number comes from: a URL or a citation.")
    assumption: str | None = Field(None, description="What is assumed where no source gives the number.")
    note: str | None = Field(None, description="Free text for readers.")

    @model_validator(mode="after")
    def _has_provenance(self) -> _Provenance:
        if not (self.source or self.assumption):
            raise ValueError("give `source` or `assumption` for this number")
        return self

    def provenance(self) -> str:
        """The source, the assumption, or both, as one line."""
        parts = [self.source] if self.source else []
        if self.assumption:
            parts.append(f"assumption: {self.assumption}")
        return "; ".join(parts)


class GdpSpec(_Provenance):
    """Gross domestic product of one year."""

    millions: Positive = Field(description="GDP of the year, in millions of `currency`.")
    currency: CurrencyCode = Field(description="ISO 4217 code of the figure, e.g. KZT or USD.")


class ExchangeRateSpec(_Provenance):
    """How many units of the GDP's currency buy one US dollar."""

    currency: CurrencyCode = Field(description="The GDP's currency, e.g. KZT.")
    per_usd: Positive = Field(description="Units of `currency` per USD.")


class ShareSpec(_Provenance):
    """A share, 0-1."""

    value: Share = Field(description="Share, 0-1.")


class NetblocksSpec(StrictModel):
    """Where the NetBlocks COST method and its scaling are described (no numbers of its own)."""

    source: str = Field(description="The method: NetBlocks COST and Brookings (West 2016).")
    scaling_source: str = Field(description="Regional and partial scaling (Top10VPN).")


class TierSpec(_Provenance):
    """The country's connectivity tier in Deloitte's scheme."""

    value: Tier = Field(description="high, medium or low.")


class DeloittePercents(_Provenance):
    """Cost of a full shutdown per day, percent of daily GDP, per connectivity tier."""

    high: Percent = Field(description="High-connectivity countries, % of daily GDP per day.")
    medium: Percent = Field(description="Medium-connectivity countries, % of daily GDP per day.")
    low: Percent = Field(description="Low-connectivity countries, % of daily GDP per day.")

    def of(self, tier: Tier) -> float:
        """The percentage of ``tier``."""
        return float(getattr(self, tier))


class DeloitteSpec(StrictModel):
    """Deloitte for GNI (2016)."""

    tier: TierSpec = Field(description="The country's tier.")
    percent_of_daily_gdp: DeloittePercents = Field(description="Percent of daily GDP lost per day, by tier.")


class NetlossSpec(_Provenance):
    """Internet Society NetLoss."""

    usd_per_person_day: NonNegative = Field(description="USD lost per person per shutdown day.")


class CostSpec(StrictModel):
    """A costs file: the economy of a country and the parameters of each cost method."""

    description: str | None = Field(None, description="One line for readers.")
    currency: Literal["USD"] = Field(description="Currency of every cost figure; USD.")
    gdp_per_year: GdpSpec = Field(description="GDP of one year.")
    exchange_rate: ExchangeRateSpec | None = Field(
        None, description="Required when `gdp_per_year.currency` is not USD."
    )
    internet_share_of_gdp: ShareSpec = Field(description="Share of GDP that depends on the internet, 0-1.")
    mobile_value_share: ShareSpec = Field(description="Mobile share of the internet economy, 0-1.")
    app_value_share: dict[AppKind, ShareSpec] = Field(
        description="Per service kind: its share of the internet economy, 0-1 (app-only variant)."
    )
    netblocks: NetblocksSpec = Field(description="Sources of the NetBlocks COST method.")
    deloitte: DeloitteSpec = Field(description="Deloitte for GNI (2016).")
    netloss: NetlossSpec = Field(description="Internet Society NetLoss.")

    def usd_per_gdp_unit(self) -> float:
        """USD per unit of the GDP's currency (1 for USD)."""
        if self.gdp_per_year.currency == "USD":
            return 1.0
        assert self.exchange_rate is not None  # checked by load_cost_spec
        return 1.0 / self.exchange_rate.per_usd

    def daily_gdp_usd(self) -> float:
        """``D``: GDP per day, USD."""
        return self.gdp_per_year.millions * 1e6 * self.usd_per_gdp_unit() / 365.0


def load_cost_spec(path: Path) -> CostSpec:
    """Read and validate a costs file; raise a one-line :class:`InputError` naming the key path."""
    doc = read_document(Path(path))
    spec = validate_model(CostSpec, doc.data, path)
    _check_spec(spec, path)
    return spec


def _check_spec(spec: CostSpec, path: Path) -> None:
    gdp_currency = spec.gdp_per_year.currency
    if gdp_currency != "USD":
        if spec.exchange_rate is None:
            raise InputError(
                path,
                ("exchange_rate",),
                f"required key is missing: the GDP is in {gdp_currency}",
                allowed=f"{{currency: {gdp_currency}, per_usd: <number>, source or assumption}}",
            )
        if spec.exchange_rate.currency != gdp_currency:
            raise InputError(
                path,
                ("exchange_rate", "currency"),
                "the exchange rate is not for the GDP's currency",
                value=spec.exchange_rate.currency,
                allowed=gdp_currency,
            )
    total = sum(s.value for s in spec.app_value_share.values())
    if total > 1.0 + 1e-9:
        raise InputError(
            path,
            ("app_value_share",),
            "value shares of the app kinds sum to more than 1",
            value=round(total, 6),
            allowed="a sum of at most 1",
        )


# --------------------------------------------------------------------------- what a run gives


@dataclass(frozen=True)
class CostInputs:
    """What the cost methods need from a run; every array has one value per change point k."""

    durations_h: NDArray[np.float64]  #: [K] hours each change point's values hold
    internet_users: float  #: persons, whole country
    index_pct: NDArray[np.float64]  #: [K] national connectivity index, 0-100
    region_users: Mapping[str, float]  #: internet users per region, persons
    region_affected: Mapping[str, NDArray[np.float64]]  #: [K] per region: user equivalents of lost traffic, persons
    region_gdp_share: Mapping[str, float | None]  #: region's share of national GDP, or None where unknown
    tech_users: Mapping[str, float]  #: "fixed", "mobile": internet users, persons
    tech_affected: Mapping[str, NDArray[np.float64]]  #: [K] per technology, persons
    service_affected: Mapping[str, NDArray[np.float64]]  #: [K] per service: users of the service not served, persons
    service_users: Mapping[str, float]  #: users of each service (internet users x adoption), persons
    service_kind: Mapping[str, str]  #: e.g. "messenger", "social", "video", "government", ...

    def __post_init__(self) -> None:
        k = np.shape(self.durations_h)
        if len(k) != 1:
            raise ValueError(f"durations_h must be one-dimensional, got shape {k}")
        if np.shape(self.index_pct) != k:
            raise ValueError(f"index_pct has shape {np.shape(self.index_pct)}, durations_h {k}")
        for name, users, series in (
            ("region", self.region_users, self.region_affected),
            ("tech", self.tech_users, self.tech_affected),
            ("service", self.service_users, self.service_affected),
        ):
            if set(users) != set(series):
                raise ValueError(f"{name}_users and {name}_affected name different groups")
            for key, values in series.items():
                if np.shape(values) != k:
                    raise ValueError(f"{name}_affected[{key!r}] has shape {np.shape(values)}, durations_h {k}")
        if set(self.service_kind) != set(self.service_users):
            raise ValueError("service_kind and service_users name different services")

    def days(self) -> NDArray[np.float64]:
        """[K] how long each change point's values hold, days."""
        return np.asarray(self.durations_h, dtype=np.float64) / 24.0


def _integral_days(values: NDArray[np.float64] | float, days: NDArray[np.float64]) -> float:
    """``∫ x dt`` in days (x times days): ``sum_k x[k] * days[k]``."""
    return float(np.sum(np.asarray(values, dtype=np.float64) * days))


def _share(affected: NDArray[np.float64], users: float) -> NDArray[np.float64]:
    """[K] affected / users, 0 for a group without users."""
    if users <= 0:
        return np.zeros_like(np.asarray(affected, dtype=np.float64))
    return np.asarray(affected, dtype=np.float64) / users


# --------------------------------------------------------------------------- the methods


def _rounded(value: Any) -> Any:
    """Round every float inside ``value`` (mappings, lists), leaving other values alone."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float | np.floating):
        return round_sig(float(value))
    if isinstance(value, Mapping):
        return {str(k): _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _method(
    name: str, value: float, formula: str, parameters: dict[str, Any], sources: dict[str, str]
) -> dict[str, Any]:
    return {
        "method": name,
        "value": round_sig(value),
        "formula": formula,
        "parameters": _rounded(parameters),
        "sources": dict(sources),
    }


def _daily_gdp_source(spec: CostSpec) -> str:
    text = f"GDP: {spec.gdp_per_year.provenance()}"
    if spec.gdp_per_year.currency != "USD" and spec.exchange_rate is not None:
        rate = spec.exchange_rate
        text += f"; exchange rate {rate.per_usd:g} {rate.currency}/USD: {rate.provenance()}"
    return text


def _common(spec: CostSpec, *, scaled: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """Parameters and sources that every NetBlocks variant shares (``D`` and ``i``).

    ``scaled``: the variant scales regional and partial shutdowns like Top10VPN.
    """
    parameters = {
        "daily_gdp_usd": spec.daily_gdp_usd(),
        "internet_share_of_gdp": spec.internet_share_of_gdp.value,
    }
    sources = {
        "method": spec.netblocks.source + (f"; scaling: {spec.netblocks.scaling_source}" if scaled else ""),
        "daily_gdp_usd": _daily_gdp_source(spec),
        "internet_share_of_gdp": spec.internet_share_of_gdp.provenance(),
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


def _netblocks_cost(spec: CostSpec, inputs: CostInputs) -> dict[str, Any]:
    """NetBlocks COST, regional and partial shutdowns scaled like Top10VPN; USD."""
    days = inputs.days()
    weights, by_gdp = _region_weights(inputs)
    region_days = {r: _integral_days(_share(inputs.region_affected[r], inputs.region_users[r]), days) for r in weights}
    weighted_days = sum(weights[r] * region_days[r] for r in weights)
    parameters, sources = _common(spec, scaled=True)
    value = parameters["daily_gdp_usd"] * parameters["internet_share_of_gdp"] * weighted_days
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
    return _method(
        "NetBlocks COST (Brookings, West 2016), regional and partial scaling as Top10VPN",
        value,
        "D * i * ∫ sum_r g_r * affected_r(t) / users_r dt; D daily GDP (USD), i internet share of GDP, "
        "g_r region's GDP share (or users' share if any is unknown), t in days",
        parameters,
        sources,
    )


def _netblocks_mobile_only(spec: CostSpec, inputs: CostInputs) -> dict[str, Any]:
    """NetBlocks COST, mobile-only variant; USD."""
    days = inputs.days()
    users = float(inputs.tech_users.get("mobile", 0.0))
    affected = inputs.tech_affected.get("mobile", np.zeros_like(days))
    outage_days = _integral_days(_share(affected, users), days)
    parameters, sources = _common(spec)
    m = spec.mobile_value_share.value
    value = parameters["daily_gdp_usd"] * parameters["internet_share_of_gdp"] * m * outage_days
    parameters |= {"mobile_value_share": m, "mobile_users": users, "mobile_outage_days": outage_days}
    sources |= {
        "mobile_value_share": spec.mobile_value_share.provenance(),
        "mobile_users": "the run: internet users on mobile access, persons",
        "mobile_outage_days": "the run: ∫ affected_mobile / users_mobile dt, days",
    }
    return _method(
        "NetBlocks COST (Brookings, West 2016), mobile-only variant",
        value,
        "D * i * m * ∫ affected_mobile(t) / users_mobile dt; m mobile share of the internet economy, t in days",
        parameters,
        sources,
    )


def _netblocks_app_only(spec: CostSpec, inputs: CostInputs) -> dict[str, Any]:
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
        shares = np.stack([_share(inputs.service_affected[s], inputs.service_users[s]) for s in services])
        kind_days[kind] = _integral_days(shares.max(axis=0), days)
    weighted_days = sum(value_share[k] * kind_days[k] for k in kind_days)
    parameters, sources = _common(spec)
    value = parameters["daily_gdp_usd"] * parameters["internet_share_of_gdp"] * weighted_days
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
    return _method(
        "NetBlocks COST (Brookings, West 2016), app-only variant",
        value,
        "D * i * sum_kind v_kind * ∫ max_(s of kind) service_affected_s(t) / service_users_s dt; "
        "v_kind the kind's share of the internet economy, t in days",
        parameters,
        sources,
    )


def _deloitte(spec: CostSpec, inputs: CostInputs) -> dict[str, Any]:
    """Deloitte for GNI (2016), scaled by the connectivity lost; USD (the named tier only)."""
    days = inputs.days()
    lost = 1.0 - np.asarray(inputs.index_pct, dtype=np.float64) / 100.0
    lost_days = _integral_days(lost, days)
    daily = spec.daily_gdp_usd()
    percents = spec.deloitte.percent_of_daily_gdp
    tier = spec.deloitte.tier.value
    figures = {t: daily * percents.of(t) / 100.0 * lost_days for t in TIERS}
    parameters: dict[str, Any] = {
        "daily_gdp_usd": daily,
        "tier": tier,
        "percent_of_daily_gdp": percents.of(tier),
        "connectivity_lost_days": lost_days,
        "other_tiers": {t: figures[t] for t in TIERS if t != tier},
    }
    sources = {
        "method": percents.provenance(),
        "daily_gdp_usd": _daily_gdp_source(spec),
        "tier": spec.deloitte.tier.provenance(),
        "percent_of_daily_gdp": percents.provenance(),
        "connectivity_lost_days": "the run: ∫ (1 - national connectivity index / 100) dt, days",
        "other_tiers": "the same formula with the other tiers' percentages; not in the range",
    }
    return _method(
        "Deloitte for GNI (2016), scaled by the connectivity lost",
        figures[tier],
        "D * p / 100 * ∫ (1 - index_pct(t) / 100) dt; p % of daily GDP a full shutdown costs per day "
        "in the country's connectivity tier, t in days",
        parameters,
        sources,
    )


def _netloss(spec: CostSpec, inputs: CostInputs) -> dict[str, Any]:
    """Internet Society NetLoss: USD per person-day lost; USD."""
    days = inputs.days()
    total = np.zeros_like(days)
    for r in sorted(inputs.region_affected):
        total = total + np.asarray(inputs.region_affected[r], dtype=np.float64)
    person_days = _integral_days(total, days)
    rate = spec.netloss.usd_per_person_day
    parameters = {"usd_per_person_day": rate, "person_days_lost": person_days}
    sources = {
        "method": spec.netloss.provenance(),
        "usd_per_person_day": spec.netloss.provenance(),
        "person_days_lost": (
            "the run: ∫ sum_r affected_r dt, days; assumption: NetLoss's 'person' is read as an internet user, "
            "counted as the user equivalents of the traffic lost"
        ),
    }
    return _method(
        "Internet Society NetLoss (Tagat, Phokeer, Kreitem 2024)",
        rate * person_days,
        "c * ∫ sum_r affected_r(t) dt; c USD per person per shutdown day, affected_r persons, t in days",
        parameters,
        sources,
    )


def estimate_costs(spec: CostSpec, inputs: CostInputs) -> dict[str, Any]:
    """Every method's figure (USD) with its formula, parameters and sources, and their range.

    The range is the lowest and highest method figure; Deloitte's other tiers are reported under
    its parameters but are not in the range. Floats have 10 significant digits; the result is JSON-ready.
    """
    methods = {
        "netblocks-cost": _netblocks_cost(spec, inputs),
        "netblocks-cost-mobile-only": _netblocks_mobile_only(spec, inputs),
        "netblocks-cost-app-only": _netblocks_app_only(spec, inputs),
        "deloitte": _deloitte(spec, inputs),
        "netloss": _netloss(spec, inputs),
    }
    values = [m["value"] for m in methods.values()]
    return {
        "currency": spec.currency,
        "range": {"low": round_sig(min(values)), "high": round_sig(max(values))},
        "methods": methods,
    }

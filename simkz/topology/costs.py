"""The costs file format (``topologies/costs/*.yaml``): the economy of a country for the cost methods.

A topology names its costs file (``costs:``); :func:`~simkz.topology.load.load_topology` reads
and checks it with :func:`load_cost_spec` and the loaded topology carries the :class:`CostSpec`.
The maths of the methods lives in :mod:`simkz.impact.costs`.

Units: money in millions of the GDP's currency (``gdp_per_year``), exchange rates in units of
that currency per USD, shares in [0, 1], percentages in [0, 100]. Every number carries
``source`` (a URL with what it says) or ``assumption`` (what is assumed), or both. Values
are strict and finite (see :mod:`simkz.inputs`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from simkz.errors import InputError
from simkz.inputs import InputDocument, Positive, Share, StrictModel, read_document, validate_model
from simkz.topology.schema import SERVICE_KINDS, ServiceKind

__all__ = [
    "APP_KINDS",
    "DROPPED_METHODS",
    "TIERS",
    "CostSpec",
    "DeloitteSpec",
    "ExchangeRateSpec",
    "GdpSpec",
    "ShareSpec",
    "load_cost_spec",
    "read_cost_file",
]

#: The service kinds that may carry an app value share: those of topology files.
APP_KINDS: tuple[str, ...] = SERVICE_KINDS
Tier = Literal["high", "medium", "low"]
TIERS: tuple[Tier, ...] = ("high", "medium", "low")
#: Keys of cost methods that were dropped; a costs file that still names one is refused
#: (the reasons are in :mod:`simkz.impact.costs` and in every cost output's ``dropped``).
DROPPED_METHODS: tuple[str, ...] = ("netloss",)

Percent = Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class _Provenance(StrictModel):
    """A record with a number: where it comes from (``source``) or what is assumed (``assumption``)."""

    source: str | None = Field(None, description="Where the number comes from: a URL and what it says.")
    assumption: str | None = Field(None, description="What is assumed: a reading, a proxy, or no source.")
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
    note: str | None = Field(None, description="Free text for readers, e.g. published figures to compare with.")


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
    app_value_share: dict[ServiceKind, ShareSpec] = Field(
        description="Per service kind: its share of the internet economy, 0-1 (app-only variant)."
    )
    netblocks: NetblocksSpec = Field(description="Sources of the NetBlocks COST method.")
    deloitte: DeloitteSpec = Field(description="Deloitte for GNI (2016).")

    def usd_per_gdp_unit(self) -> float:
        """USD per unit of the GDP's currency (1 for USD)."""
        if self.gdp_per_year.currency == "USD":
            return 1.0
        assert self.exchange_rate is not None  # checked by load_cost_spec
        return 1.0 / self.exchange_rate.per_usd

    def daily_gdp_usd(self) -> float:
        """``D``: GDP per day, USD."""
        return self.gdp_per_year.millions * 1e6 * self.usd_per_gdp_unit() / 365.0


def read_cost_file(path: Path | str) -> tuple[CostSpec, tuple[tuple[Path, str], ...]]:
    """Read and check a costs file; also return every file read (with its ``extends`` chain) and SHA-256."""
    doc = read_document(Path(path))
    return _validated(doc), doc.files


def load_cost_spec(path: Path | str, *, document: InputDocument | None = None) -> CostSpec:
    """Read and check a costs file; raise a one-line :class:`InputError` naming the key path.

    ``document`` is the file as :func:`~simkz.inputs.read_document` gave it, if the caller has
    read it already (it is then not read again).
    """
    if document is not None:
        return _validated(document)
    return read_cost_file(path)[0]


def _validated(doc: InputDocument) -> CostSpec:
    for key in DROPPED_METHODS:
        if key in doc.data:
            raise InputError(
                doc.path,
                (key,),
                f"the {key} cost method was dropped from simkz (the reason is in each run's summary costs.dropped)",
                allowed="remove the key",
            )
    spec = validate_model(CostSpec, doc.data, doc.path)
    _check_spec(spec, doc.path)
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

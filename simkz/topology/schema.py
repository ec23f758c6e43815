"""The topology file format (``topologies/*.yaml``), as typed models.

Units: populations in persons, capacities in Gbps (gigabits per second),
per-user demand in Mbps at the busiest hour, shares in [0, 1].
Every record that holds a number from the world carries ``source`` (a URL,
a citation or a key of the file's ``sources:`` table) or ``assumption``.
Unknown keys are errors and values are strict (no ``"400"`` for 400, no ``true`` for a
share, no ``.inf``: see :mod:`simkz.inputs`); pairs (``ends``, ``position``) are YAML lists.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from simkz.inputs import NonNegative, Pair, Share, StrictModel

__all__ = [
    "LINK_KINDS",
    "MAX_CREWS",
    "MAX_MTBF_H",
    "MAX_MTTR_H",
    "MAX_REPAIR_SD_LOG",
    "MIN_MTBF_H",
    "MIN_MTTR_H",
    "NODE_KINDS",
    "RELATIONSHIPS",
    "ROUTINGS",
    "SERVICE_KINDS",
    "TECHNOLOGIES",
    "BacklogSpec",
    "DemandSpec",
    "DependencySpec",
    "FailureRateSpec",
    "LinkRatesSpec",
    "LinkSpec",
    "NodeRatesSpec",
    "NodeSpec",
    "OperatorSpec",
    "RegionSpec",
    "ReliabilitySpec",
    "ServiceKind",
    "ServiceSpec",
    "TopologyFile",
]

Tech = Literal["mobile", "fixed"]
NodeKind = Literal["access", "core", "gateway", "ixp", "datacenter", "foreign"]
LinkKind = Literal["access", "backbone", "peering", "transit", "cross-border"]
#: Business relationship of two ASes (Gao 2001): ``p2c`` provider to customer (``ends: [provider, customer]``),
#: ``p2p`` settlement-free peers.
Relationship = Literal["p2c", "p2p"]
#: How traffic picks its paths: ``ecmp`` least total cost, split equally over equal-cost paths; ``valley-free``
#: Gao-Rexford routing over the links' relationships (see :mod:`simkz.model.valley_free`).
RoutingKind = Literal["ecmp", "valley-free"]
ServiceKind = Literal[
    "messenger",
    "social",
    "video",
    "search",
    "vpn",
    "government",
    "identity",
    "banking",
    "payments",
    "news",
    "web",
    "other",
]

TECHNOLOGIES: tuple[str, ...] = ("fixed", "mobile")
NODE_KINDS: tuple[str, ...] = ("access", "core", "gateway", "ixp", "datacenter", "foreign")
LINK_KINDS: tuple[str, ...] = ("access", "backbone", "peering", "transit", "cross-border")
RELATIONSHIPS: tuple[str, ...] = ("p2c", "p2p")
ROUTINGS: tuple[str, ...] = ("ecmp", "valley-free")
SERVICE_KINDS: tuple[str, ...] = ServiceKind.__args__  # type: ignore[attr-defined]

#: (x, y) for drawing, written as a YAML list ``[x, y]``.
Position = Pair[float]


class _Provenance(StrictModel):
    source: str | None = Field(None, description="Where the numbers come from: URL, citation or a key of `sources`.")
    assumption: str | None = Field(None, description="What is assumed where no source gives the number.")
    note: str | None = Field(None, description="Free text for readers.")


class RegionSpec(_Provenance):
    """An administrative region: its people and how many of them use the internet."""

    name: str | None = Field(None, description="Display name.")
    population: Annotated[int, Field(gt=0)] = Field(description="Residents, persons.")
    internet_penetration: Share = Field(description="Share of residents who use the internet, 0-1.")
    disability_share: Share | None = Field(
        None, description="Share of residents with a permanent disability, 0-1 (defaults to the topology's)."
    )
    gdp_share: Share | None = Field(None, description="Region's share of national GDP, 0-1.")
    timezone: str | None = Field(None, description="IANA zone for the daily demand curve; defaults to the topology's.")
    position: Position | None = Field(None, description="(x, y) for drawing, e.g. longitude and latitude.")


class OperatorSpec(_Provenance):
    """A network operator (one or more autonomous systems)."""

    name: str | None = Field(None, description="Display name.")
    asn: list[int] = Field(default_factory=list, description="Autonomous system numbers.")
    tech: list[Tech] = Field(default_factory=list, description="Technologies it sells: mobile, fixed.")


class NodeSpec(_Provenance):
    """A node of the network graph."""

    kind: NodeKind = Field(description="access, core, gateway, ixp, datacenter or foreign.")
    operator: str | None = Field(None, description="Operator key (required for access, core and gateway).")
    region: str | None = Field(None, description="Region key (required for access nodes).")
    tech: Tech | None = Field(None, description="mobile or fixed (access nodes).")
    share: Share | None = Field(
        None, description="Access nodes: share of the region's internet users served here, 0-1."
    )
    border: str | None = Field(None, description="Gateways: the country the cross-border links lead to.")
    controlled_by: str | None = Field(
        None, description="Who can filter or cut traffic here (makes the node a control point)."
    )
    position: Position | None = Field(None, description="(x, y) for drawing.")
    blocks_24: Annotated[int, Field(ge=0)] | None = Field(
        None,
        description="Access nodes: IPv4 /24 address blocks of the users behind this node (for the probing and BGP "
        "signals); default 0.",
    )
    responsive_share: Share | None = Field(
        None,
        description="Access nodes: share of its /24 blocks that answer probes from abroad on an ordinary day, 0-1 "
        "(low behind carrier-grade NAT); default 0.",
    )


class LinkSpec(_Provenance):
    """A link between two nodes. Capacity is per link, in Gbps."""

    ends: Pair[str] = Field(description="The two node keys.")
    capacity_gbps: float = Field(description="Capacity in Gbps; must be > 0.")
    kind: LinkKind = Field(description="access, backbone, peering, transit or cross-border.")
    cost: Annotated[int, Field(ge=1, le=1000)] = Field(
        1, description="Routing cost (like an IGP metric); traffic takes the paths of least total cost."
    )
    relationship: Relationship | None = Field(
        None,
        description="Business relationship, for `routing: valley-free`: p2c (ends are [provider, customer]) or p2p "
        "(peers); none: both ends belong to one organisation (siblings), routes cross the link unchanged.",
    )


class DependencySpec(StrictModel):
    """A dependency that only some requests have (e.g. card payments that need a card scheme abroad)."""

    service: str = Field(description="The service depended on.")
    share: Annotated[float, Field(gt=0.0, le=1.0)] = Field(description="Share of requests that need it, 0-1.")


class BacklogSpec(_Provenance):
    """Failed requests queue and retry; on restoration the queue drains at a limited rate."""

    requests_per_user_per_day: Annotated[float, Field(gt=0.0)] = Field(
        description="Requests each user of the service makes per day, on average."
    )
    retry_share: Share = Field(description="Share of failed requests that are retried later, 0-1.")
    capacity_factor: Annotated[float, Field(gt=1.0)] = Field(
        description="Processing capacity as a multiple of the ordinary request rate (> 1)."
    )
    patience_h: Annotated[float, Field(gt=0.0)] = Field(
        24.0, description="Hours a failed request is kept for retry before it is given up (default 24)."
    )


class ServiceSpec(_Provenance):
    """Something users reach: hosted on nodes, used by a share of internet users."""

    kind: ServiceKind = Field(description="What sort of service it is.")
    hosts: list[str] = Field(default_factory=list, description="Nodes that serve it; reachable if any host is.")
    adoption: Share = Field(description="Share of internet users who use it, 0-1.")
    traffic_share: Share = Field(description="Share of an average user's traffic that goes to it, 0-1.")
    depends_on: list[str | DependencySpec] = Field(
        default_factory=list,
        description="Services it needs: a key (every request needs it) or {service, share} (a share of requests do).",
    )
    backlog: BacklogSpec | None = Field(None, description="Queue of failed requests that drains on restoration.")
    cache_of: str | None = Field(
        None,
        description="This service is a domestic cache of another service (its key): it serves only while its hosts "
        "reach the origin's hosts, except for the share `cache_serves_without_origin` (a scenario parameter).",
    )
    name: str | None = Field(None, description="Display name.")


class DemandSpec(_Provenance):
    """Traffic one user of a technology offers: a peak rate and a 24-hour profile."""

    peak_mbps: NonNegative = Field(description="Mean demand per internet user at the busiest hour, Mbps.")
    hourly: Annotated[list[Share], Field(min_length=24, max_length=24)] = Field(
        description="24 factors (local hours 0-23) multiplying peak_mbps; the busiest hour is 1."
    )


#: Bounds of a mean time between failures, hours (1 hour to about 1,141 years).
MIN_MTBF_H, MAX_MTBF_H = 1.0, 1e7
#: Bounds of a mean time to repair, hours (36 seconds to about 11 years).
MIN_MTTR_H, MAX_MTTR_H = 0.01, 1e5
#: Most repair crews.
MAX_CREWS = 10_000
#: Largest spread of repair times (standard deviation of their logarithm).
MAX_REPAIR_SD_LOG = 3.0
Mtbf = Annotated[float, Field(ge=MIN_MTBF_H, le=MAX_MTBF_H)]
Mttr = Annotated[float, Field(ge=MIN_MTTR_H, le=MAX_MTTR_H)]


class FailureRateSpec(_Provenance):
    """How often an element of one kind fails at random, and how long its repair takes."""

    mtbf_h: Mtbf = Field(
        description="Mean time between failures, hours: the mean of the exponential time an element of this kind "
        f"works before it fails ({MIN_MTBF_H:g} to {MAX_MTBF_H:g})."
    )
    mttr_h: Mttr = Field(
        description="Mean time to repair, hours: the mean time a crew works on a failed element; waiting for a free "
        f"crew comes on top ({MIN_MTTR_H:g} to {MAX_MTTR_H:g})."
    )


_NEVER = " Not given: elements of this kind never fail."


class NodeRatesSpec(StrictModel):
    """Failure rates by node kind; a kind not given never fails."""

    access: FailureRateSpec | None = Field(None, description="Access nodes (a cohort's access network)." + _NEVER)
    core: FailureRateSpec | None = Field(None, description="Operator cores." + _NEVER)
    gateway: FailureRateSpec | None = Field(None, description="International gateways." + _NEVER)
    ixp: FailureRateSpec | None = Field(None, description="Exchange points." + _NEVER)
    datacenter: FailureRateSpec | None = Field(None, description="Data centres." + _NEVER)
    foreign: FailureRateSpec | None = Field(None, description="Nodes abroad." + _NEVER)


class LinkRatesSpec(StrictModel):
    """Failure rates by link kind; a kind not given never fails."""

    access: FailureRateSpec | None = Field(None, description="Access links." + _NEVER)
    backbone: FailureRateSpec | None = Field(None, description="Backbone links." + _NEVER)
    peering: FailureRateSpec | None = Field(None, description="Peering links." + _NEVER)
    transit: FailureRateSpec | None = Field(None, description="Transit links." + _NEVER)
    cross_border: FailureRateSpec | None = Field(None, alias="cross-border", description="Cross-border links." + _NEVER)


class ReliabilitySpec(_Provenance):
    """Random failures and their repair: rates per element kind and the repair crews (used by scenarios that say
    ``random_failures:``). ``source``/``assumption`` here are those of ``crews`` and ``repair_sd_log``."""

    crews: Annotated[int, Field(ge=1, le=MAX_CREWS)] = Field(
        description="Repair crews: at most this many failed elements are repaired at once; the others wait, first "
        "failed first served."
    )
    repair_sd_log: Annotated[float, Field(ge=0.0, le=MAX_REPAIR_SD_LOG)] = Field(
        1.0,
        description="Spread of repair times: a repair takes a lognormal time with mean `mttr_h` and this standard "
        "deviation of its logarithm (default 1); 0: every repair takes exactly `mttr_h`.",
    )
    nodes: NodeRatesSpec = Field(default_factory=NodeRatesSpec, description="Rates by node kind.")
    links: LinkRatesSpec = Field(default_factory=LinkRatesSpec, description="Rates by link kind.")


class TopologyFile(StrictModel):
    """A whole topology file."""

    name: str = Field(description="Short identifier.")
    description: str = Field("", description="One line for `simkz list`.")
    extends: str | None = Field(
        None,
        description="Base file this one is merged over: a path relative to this file, or a shipped topology name. "
        "In this file, `key+: [...]` appends to the base's list and `key=: value` replaces the base's value.",
    )
    timezone: str = Field("UTC", description="IANA zone of the country (default for regions).")
    disability_share: Share = Field(0.0, description="Default share of residents with a permanent disability, 0-1.")
    disability_source: str | None = Field(None, description="Source of disability_share.")
    costs: str | None = Field(None, description="Cost parameters file for the cost methods, relative to this file.")
    routing: RoutingKind = Field(
        "ecmp",
        description="How traffic picks its paths: ecmp (least total link cost, split equally over equal-cost paths; "
        "the default) or valley-free (Gao-Rexford routing over the links' `relationship`).",
    )
    sources: dict[str, str] = Field(default_factory=dict, description="Citations that records name by key.")
    regions: dict[str, RegionSpec]
    operators: dict[str, OperatorSpec]
    nodes: dict[str, NodeSpec]
    links: dict[str, LinkSpec]
    services: dict[str, ServiceSpec]
    demand: dict[Tech, DemandSpec]
    reliability: ReliabilitySpec | None = Field(
        None, description="Random failures: MTBF and MTTR per element kind, and repair crews (optional)."
    )

"""A topology's reliability: failure rates per element kind and the repair crews (``reliability:``).

Units: hours for the mean time between failures (``mtbf_h``) and the mean time to repair (``mttr_h``).
Elements are the nodes and links of the topology; each is one of the node kinds (access, core,
gateway, ixp, datacenter, foreign) or link kinds (access, backbone, peering, transit, cross-border).
A kind without a rate never fails. Scenarios switch random failures on and may override all of it
(:mod:`simkz.scenario.failures`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from simkz.topology.schema import LINK_KINDS, NODE_KINDS, FailureRateSpec, ReliabilitySpec

__all__ = ["ELEMENT_TYPES", "Rate", "Reliability", "reliability_of"]

#: The two types of element, with their kinds.
ELEMENT_TYPES: dict[str, tuple[str, ...]] = {"node": NODE_KINDS, "link": LINK_KINDS}


@dataclass(frozen=True)
class Rate:
    """Mean time between failures and mean time to repair, hours."""

    mtbf_h: float
    mttr_h: float


@dataclass(frozen=True)
class Reliability:
    """Repair crews, the spread of repair times, and the rates by node kind and by link kind."""

    crews: int
    repair_sd_log: float
    nodes: Mapping[str, Rate] = field(default_factory=dict)  #: by node kind; a kind not here never fails
    links: Mapping[str, Rate] = field(default_factory=dict)  #: by link kind; a kind not here never fails

    def rates(self, element_type: str) -> Mapping[str, Rate]:
        """The rates of ``node`` or ``link`` kinds."""
        return self.nodes if element_type == "node" else self.links


def _rates(spec: object, kinds: tuple[str, ...]) -> dict[str, Rate]:
    out: dict[str, Rate] = {}
    for kind in kinds:
        rate: FailureRateSpec | None = getattr(spec, kind.replace("-", "_"))
        if rate is not None:
            out[kind] = Rate(mtbf_h=float(rate.mtbf_h), mttr_h=float(rate.mttr_h))
    return out


def reliability_of(spec: ReliabilitySpec | None) -> Reliability | None:
    """The checked ``reliability:`` section as plain numbers (None where the topology has none)."""
    if spec is None:
        return None
    return Reliability(
        crews=spec.crews,
        repair_sd_log=float(spec.repair_sd_log),
        nodes=_rates(spec.nodes, NODE_KINDS),
        links=_rates(spec.links, LINK_KINDS),
    )

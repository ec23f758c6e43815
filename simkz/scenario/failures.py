"""Random failures in a scenario: the ``random_failures:`` section, checked against its topology, and drawn.

A scenario with ``random_failures:`` (an empty mapping ``{}`` will do) runs with random failures of
its topology's elements: each node and link of a kind that has a failure rate fails after an
exponential time with the kind's mean time between failures, waits for one of the repair crews and
is repaired (see :mod:`simkz.engine.failures`). The rates and crews come from the topology's
``reliability:`` section; the scenario may override any of them:

* ``crews``: the number of repair crews;
* ``repair_sd_log``: the spread of repair times (standard deviation of their logarithm; 0: every
  repair takes exactly the MTTR);
* ``nodes.<kind>`` / ``links.<kind>``: ``mtbf_h`` and ``mttr_h`` (hours), each a number or a
  distribution (:mod:`simkz.scenario.distributions`) drawn once per run, and ``source`` /
  ``assumption``. A kind the topology gives no rate for needs both.

:func:`bind_failures` checks the section against the topology when the scenario loads (each
error one line naming its key path); :func:`realise_failures` draws its distributions (after the
parameters and the actions, node kinds then link kinds in the order of the schema, MTBF before
MTTR), recording each draw by its key path (``random_failures.links.cross-border.mtbf_h``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import Field, WrapValidator

from simkz.errors import InputError
from simkz.inputs import StrictModel
from simkz.scenario.distributions import Distribution, draw, is_distribution, support, within
from simkz.topology.network import Topology
from simkz.topology.reliability import ELEMENT_TYPES
from simkz.topology.schema import (
    MAX_CREWS,
    MAX_MTBF_H,
    MAX_MTTR_H,
    MAX_REPAIR_SD_LOG,
    MIN_MTBF_H,
    MIN_MTTR_H,
)

__all__ = [
    "FailureSettings",
    "KindRate",
    "LinkOverridesSpec",
    "NodeOverridesSpec",
    "RandomFailuresSpec",
    "RateOverrideSpec",
    "bind_failures",
    "expected_failures",
    "failure_elements",
    "realise_failures",
]

_UNCERTAIN = " A number or a distribution (see `dist`), drawn once per run."
UncertainMtbf = Annotated[
    Annotated[float, Field(ge=MIN_MTBF_H, le=MAX_MTBF_H)] | Distribution,
    WrapValidator(within(MIN_MTBF_H, MAX_MTBF_H, "hours")),
]
UncertainMttr = Annotated[
    Annotated[float, Field(ge=MIN_MTTR_H, le=MAX_MTTR_H)] | Distribution,
    WrapValidator(within(MIN_MTTR_H, MAX_MTTR_H, "hours")),
]


class RateOverrideSpec(StrictModel):
    """The rates of one element kind in this scenario (over the topology's)."""

    mtbf_h: UncertainMtbf | None = Field(
        None,
        description=f"Mean time between failures, hours ({MIN_MTBF_H:g} to {MAX_MTBF_H:g}); default: the "
        "topology's." + _UNCERTAIN,
    )
    mttr_h: UncertainMttr | None = Field(
        None,
        description=f"Mean time to repair, hours ({MIN_MTTR_H:g} to {MAX_MTTR_H:g}); default: the topology's."
        + _UNCERTAIN,
    )
    source: str | None = Field(None, description="Where the numbers come from.")
    assumption: str | None = Field(None, description="What is assumed.")
    note: str | None = Field(None, description="Free text for readers.")


_OVER = "MTBF and MTTR of {what}, over the topology's (needs both if the topology gives this kind no rate)."


class NodeOverridesSpec(StrictModel):
    """Rates by node kind, over the topology's."""

    access: RateOverrideSpec | None = Field(None, description=_OVER.format(what="access nodes"))
    core: RateOverrideSpec | None = Field(None, description=_OVER.format(what="operator cores"))
    gateway: RateOverrideSpec | None = Field(None, description=_OVER.format(what="international gateways"))
    ixp: RateOverrideSpec | None = Field(None, description=_OVER.format(what="exchange points"))
    datacenter: RateOverrideSpec | None = Field(None, description=_OVER.format(what="data centres"))
    foreign: RateOverrideSpec | None = Field(None, description=_OVER.format(what="nodes abroad"))


class LinkOverridesSpec(StrictModel):
    """Rates by link kind, over the topology's."""

    access: RateOverrideSpec | None = Field(None, description=_OVER.format(what="access links"))
    backbone: RateOverrideSpec | None = Field(None, description=_OVER.format(what="backbone links"))
    peering: RateOverrideSpec | None = Field(None, description=_OVER.format(what="peering links"))
    transit: RateOverrideSpec | None = Field(None, description=_OVER.format(what="transit links"))
    cross_border: RateOverrideSpec | None = Field(
        None, alias="cross-border", description=_OVER.format(what="cross-border links")
    )


class RandomFailuresSpec(StrictModel):
    """Switches random failures on for the run (``random_failures: {}`` takes everything from the topology's
    ``reliability:``), and overrides the crews, the spread of repair times and the rates of any kind."""

    crews: Annotated[int, Field(ge=1, le=MAX_CREWS)] | None = Field(
        None, description="Repair crews (default: the topology's `reliability.crews`)."
    )
    repair_sd_log: Annotated[float, Field(ge=0.0, le=MAX_REPAIR_SD_LOG)] | None = Field(
        None,
        description="Standard deviation of the logarithm of repair times (0: every repair takes exactly the MTTR); "
        "default: the topology's.",
    )
    nodes: NodeOverridesSpec = Field(default_factory=NodeOverridesSpec, description="Rates by node kind.")
    links: LinkOverridesSpec = Field(default_factory=LinkOverridesSpec, description="Rates by link kind.")
    source: str | None = Field(None, description="Where the numbers come from.")
    assumption: str | None = Field(None, description="What is assumed.")
    note: str | None = Field(None, description="Free text for readers.")


Uncertain = float | Distribution


@dataclass(frozen=True)
class KindRate:
    """The rates of one element kind in a run: numbers, or distributions until the scenario is realised."""

    element_type: str  #: ``node`` or ``link``
    kind: str
    mtbf_h: Uncertain
    mttr_h: Uncertain

    @property
    def key(self) -> str:
        """The kind's key path in a scenario file: ``random_failures.links.cross-border``."""
        return f"random_failures.{self.element_type}s.{self.kind}"


@dataclass(frozen=True)
class FailureSettings:
    """Random failures of one run: crews, spread of repair times, and the rate of every kind that fails (node kinds
    then link kinds, in the schema's order)."""

    crews: int
    repair_sd_log: float
    rates: tuple[KindRate, ...]

    def rate(self, element_type: str, kind: str) -> KindRate | None:
        """The rate of ``kind`` of ``node`` or ``link`` elements; None if that kind never fails."""
        return next((r for r in self.rates if r.element_type == element_type and r.kind == kind), None)


def _override(spec: RandomFailuresSpec, element_type: str, kind: str) -> RateOverrideSpec | None:
    group = spec.nodes if element_type == "node" else spec.links
    override: RateOverrideSpec | None = getattr(group, kind.replace("-", "_"))
    return override


def bind_failures(
    spec: RandomFailuresSpec | None, topology: Topology, path: Path | None
) -> tuple[FailureSettings | None, list[str]]:
    """The run's failure settings (the topology's ``reliability:`` with the scenario's overrides) and warnings;
    ``(None, [])`` without ``random_failures:``. Raises :class:`InputError` for a value the run would need and
    neither file gives."""
    if spec is None:
        return None, []
    base = topology.reliability
    crews = spec.crews if spec.crews is not None else (base.crews if base is not None else None)
    if crews is None:
        raise InputError(
            path,
            ("random_failures", "crews"),
            f"required: topology {topology.name!r} has no reliability section",
            allowed="an integer of at least 1",
        )
    if spec.repair_sd_log is not None:
        sd_log = float(spec.repair_sd_log)
    else:
        sd_log = base.repair_sd_log if base is not None else 1.0
    present = {
        "node": {str(d.get("kind")) for _, d in topology.graph.nodes(data=True)},
        "link": {str(d.get("kind")) for *_, d in topology.graph.edges(data=True)},
    }
    name = path.name if path is not None else "<scenario>"
    rates: list[KindRate] = []
    warnings: list[str] = []
    for element_type, kinds in ELEMENT_TYPES.items():
        for kind in kinds:
            rate = _kind_rate(spec, topology, path, element_type, kind)
            if rate is None:
                continue
            rates.append(rate)
            if _override(spec, element_type, kind) is not None and kind not in present[element_type]:
                warnings.append(
                    f"warning: {name}: {rate.key}: topology {topology.name!r} has no {element_type} of this kind"
                )
    if not any(r.kind in present[r.element_type] for r in rates):
        warnings.append(f"warning: {name}: random_failures: no element of topology {topology.name!r} can fail")
    return FailureSettings(crews=crews, repair_sd_log=sd_log, rates=tuple(rates)), warnings


def _kind_rate(
    spec: RandomFailuresSpec, topology: Topology, path: Path | None, element_type: str, kind: str
) -> KindRate | None:
    """The rate of one kind: the scenario's MTBF and MTTR where it gives them, else the topology's; None if neither
    gives the kind a rate (it never fails)."""
    given = topology.reliability.rates(element_type).get(kind) if topology.reliability is not None else None
    override = _override(spec, element_type, kind)
    if given is None and override is None:
        return None
    values: dict[str, Uncertain] = {}
    for key in ("mtbf_h", "mttr_h"):
        value = getattr(override, key) if override is not None else None
        if value is None and given is None:
            raise InputError(
                path,
                ("random_failures", f"{element_type}s", kind, key),
                f"required: topology {topology.name!r} gives no rate for {element_type} kind {kind!r}",
                allowed="a number or a distribution, in hours",
            )
        values[key] = value if value is not None else getattr(given, key)
    return KindRate(element_type, kind, values["mtbf_h"], values["mttr_h"])


def failure_elements(settings: FailureSettings, topology: Topology) -> tuple[tuple[str, str, KindRate], ...]:
    """Every element that can fail: ``(element type, key, its kind's rate)``, nodes then links, each in key order."""
    out: list[tuple[str, str, KindRate]] = []
    for node in topology.nodes:
        rate = settings.rate("node", str(topology.graph.nodes[node].get("kind")))
        if rate is not None:
            out.append(("node", node, rate))
    for link, (a, b) in zip(topology.links, topology.link_ends, strict=True):
        rate = settings.rate("link", str(topology.graph.edges[a, b].get("kind")))
        if rate is not None:
            out.append(("link", link, rate))
    return tuple(out)


def expected_failures(settings: FailureSettings, topology: Topology, duration_h: float) -> int:
    """A bound on how many failures a run of ``duration_h`` hours sees, for the size checks before it runs: the
    expected number with every MTBF at its smallest value (``duration / MTBF`` per element), plus a margin of four
    standard deviations of a Poisson count."""
    expected = sum(duration_h / support(rate.mtbf_h)[0] for _, _, rate in failure_elements(settings, topology))
    return math.ceil(expected + 4.0 * math.sqrt(expected) + 4.0) if expected > 0 else 0


def realise_failures(settings: FailureSettings, rng: np.random.Generator, draws: dict[str, float]) -> FailureSettings:
    """``settings`` with every distribution drawn once from ``rng`` (kinds in order, MTBF before MTTR), each draw
    recorded in ``draws`` by its key path."""
    rates = []
    for rate in settings.rates:
        mtbf, mttr = rate.mtbf_h, rate.mttr_h
        if is_distribution(mtbf):
            mtbf = draws[f"{rate.key}.mtbf_h"] = draw(mtbf, rng)
        if is_distribution(mttr):
            mttr = draws[f"{rate.key}.mttr_h"] = draw(mttr, rng)
        rates.append(replace(rate, mtbf_h=mtbf, mttr_h=mttr))
    return replace(settings, rates=tuple(rates))

"""Every model parameter a scenario can set, defined once: unit, default, range, meaning, source.

A scenario's ``parameters:`` maps names from :data:`PARAMETERS` to a number or to
a distribution ``{dist: uniform, low: .., high: ..}``, ``{dist: normal, mean: .., sd: ..}``
or ``{dist: triangular, low: .., mode: .., high: ..}``. A run draws each
distribution once from its own random generator (so the seed decides).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simkz.errors import InputError

__all__ = ["PARAMETERS", "Parameter", "ParameterValue", "draw_parameters", "parse_parameters"]


@dataclass(frozen=True)
class Parameter:
    """The definition of one parameter."""

    name: str
    unit: str
    default: float
    low: float
    high: float
    description: str
    source: str


PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter(
            "disruption_threshold",
            "share (0-1)",
            0.5,
            0.0,
            1.0,
            "A service is disrupted while its user-weighted served share is below this.",
            "assumption: DESIGN default of 50%",
        ),
        Parameter(
            "vpn_adoption_per_day",
            "share of internet users per day",
            0.05,
            0.0,
            1.0,
            "While any block or whitelist is in force, the share of users with a working VPN grows by this much a day "
            "(it starts at the adoption of the topology's VPN service).",
            "assumption: VPN demand surged in January 2022 but no uptake rate was found; DESIGN suggests 0.02-0.10",
        ),
        Parameter(
            "vpn_max_share",
            "share of internet users",
            0.5,
            0.0,
            1.0,
            "The VPN share stops growing here.",
            "assumption: not every user can or will install a VPN",
        ),
        Parameter(
            "cache_serves_without_origin",
            "share (0-1)",
            0.0,
            0.0,
            1.0,
            "Share of a domestic cache's traffic (a service with cache_of) that it still serves while its hosts "
            "cannot reach the origin's hosts abroad.",
            "assumption: content caches (Google Global Cache, Facebook, Akamai) need their origin to fill and to "
            "keep serving; 0 means a cache cut off from its origin serves nothing",
        ),
        Parameter(
            "telephony_availability",
            "share (0-1)",
            1.0,
            0.0,
            1.0,
            "Share of users whose calls and SMS work, for those who lose their messengers (the fallback).",
            "source: calls and SMS kept working for subscribers of all operators (kloop.kg, 17 Jan 2022); "
            "phones failed in Almaty at times",
        ),
    )
}

_DISTS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "triangular": ("low", "mode", "high"),
    "fixed": ("value",),
}


@dataclass(frozen=True)
class ParameterValue:
    """A parameter's value: a number, or a distribution to draw from."""

    name: str
    dist: str  # "fixed", "uniform", "normal", "triangular"
    args: tuple[float, ...]

    def draw(self, rng: np.random.Generator) -> float:
        p = PARAMETERS[self.name]
        if self.dist == "fixed":
            value = self.args[0]
        elif self.dist == "uniform":
            value = float(rng.uniform(self.args[0], self.args[1]))
        elif self.dist == "normal":
            value = float(rng.normal(self.args[0], self.args[1]))
        else:
            low, mode, high = self.args
            value = float(rng.triangular(low, mode, high))
        return float(min(max(value, p.low), p.high))

    @property
    def central(self) -> float:
        """The value without randomness: the number itself, or the distribution's mean."""
        if self.dist in ("fixed", "normal"):
            return self.args[0]
        if self.dist == "uniform":
            return (self.args[0] + self.args[1]) / 2
        return sum(self.args) / 3


def parse_parameters(raw: Mapping[str, Any], file: Path | str | None) -> dict[str, ParameterValue]:
    """Check ``parameters:`` against :data:`PARAMETERS`; fill defaults for the rest."""
    out: dict[str, ParameterValue] = {}
    for name, value in raw.items():
        path: tuple[str | int, ...] = ("parameters", name)
        if name not in PARAMETERS:
            raise InputError(file, path, "unknown parameter", allowed=PARAMETERS)
        p = PARAMETERS[name]
        if isinstance(value, bool) or not isinstance(value, int | float | dict):
            raise InputError(
                file,
                path,
                "a parameter is a number or a distribution",
                value=value,
                allowed="a number or {dist: uniform, low: .., high: ..}",
            )
        if isinstance(value, dict):
            dist = value.get("dist")
            if dist not in _DISTS:
                raise InputError(file, (*path, "dist"), "unknown distribution", value=dist, allowed=_DISTS)
            keys = _DISTS[str(dist)]
            extra = set(value) - {"dist", *keys}
            if extra:
                raise InputError(file, (*path, sorted(extra)[0]), "unknown key", allowed=["dist", *keys])
            args = []
            for k in keys:
                v = value.get(k)
                if isinstance(v, bool) or not isinstance(v, int | float):
                    raise InputError(file, (*path, k), "must be a number", value=v, allowed=f"a number in {p.unit}")
                args.append(float(v))
            pv = ParameterValue(name, str(dist), tuple(args))
        else:
            pv = ParameterValue(name, "fixed", (float(value),))
        for k, v in zip(_DISTS[pv.dist], pv.args, strict=True):
            if k != "sd" and not p.low <= v <= p.high:
                raise InputError(
                    file,
                    (*path, k) if isinstance(value, dict) else path,
                    "out of range",
                    value=v,
                    allowed=f"{p.low} to {p.high} ({p.unit})",
                )
        out[name] = pv
    for name, p in PARAMETERS.items():
        out.setdefault(name, ParameterValue(name, "fixed", (p.default,)))
    return dict(sorted(out.items()))


def draw_parameters(values: Mapping[str, ParameterValue], rng: np.random.Generator) -> dict[str, float]:
    """Draw every parameter once, in name order, from ``rng``."""
    return {name: values[name].draw(rng) for name in sorted(values)}

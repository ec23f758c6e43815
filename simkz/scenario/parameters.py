"""Every model parameter a scenario can set, defined once: unit, default, range, meaning, source.

A scenario's ``parameters:`` maps names from :data:`PARAMETERS` to a number or to
a distribution ``{dist: uniform, low: .., high: ..}``, ``{dist: triangular, low: ..,
mode: .., high: ..}`` or ``{dist: normal, mean: .., sd: .., low: .., high: ..}`` (a
normal truncated to ``low..high``: draws outside are never clipped, they cannot
happen). Every distribution is checked when the scenario loads (:func:`parse_parameters`),
so a run can always draw it. A run draws each distribution once from its own random
generator (so the seed decides).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

from simkz.errors import InputError

__all__ = ["MIN_NORMAL_MASS", "PARAMETERS", "Parameter", "ParameterValue", "draw_parameters", "parse_parameters"]


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
            "assumption: a service counts as disrupted once fewer than half of its requests work (no published "
            "threshold was found)",
        ),
        Parameter(
            "vpn_adoption_per_day",
            "share of internet users per day",
            0.05,
            0.0,
            1.0,
            "While any block or whitelist is in force, the share of users with a working VPN grows by this much a day "
            "(it starts at the adoption of the topology's VPN service).",
            "assumption: VPN demand surged in January 2022 but no uptake rate was found; 0.05 a day is assumed, "
            "and 0.02-0.10 a day is the range worth exploring",
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
    "normal": ("mean", "sd", "low", "high"),
    "triangular": ("low", "mode", "high"),
    "fixed": ("value",),
}
_FORMS = (
    "a number, {dist: uniform, low: .., high: ..}, {dist: triangular, low: .., mode: .., high: ..} or "
    "{dist: normal, mean: .., sd: .., low: .., high: ..} (truncated to low..high)"
)
#: A truncated normal must keep at least this share of the normal's probability between its bounds.
MIN_NORMAL_MASS = 1e-3
_TINY = math.nextafter(0.0, 1.0)
_ALMOST_ONE = math.nextafter(1.0, 0.0)


@dataclass(frozen=True)
class ParameterValue:
    """A parameter's value: a number, or a distribution to draw from.

    ``args`` follow the distribution's keys: fixed ``(value,)``, uniform ``(low, high)``,
    triangular ``(low, mode, high)``, normal ``(mean, sd, low, high)``.
    """

    name: str
    dist: str  # "fixed", "uniform", "normal", "triangular"
    args: tuple[float, ...]

    def draw(self, rng: np.random.Generator) -> float:
        """One value, in the parameter's unit; a checked value never leaves the parameter's range."""
        p = PARAMETERS[self.name]
        if self.dist == "fixed":
            value = self.args[0]
        elif self.dist == "uniform":
            value = float(rng.uniform(self.args[0], self.args[1]))
        elif self.dist == "normal":
            mean, sd, low, high = self.args
            normal = NormalDist(mean, sd)
            u = float(rng.uniform(normal.cdf(low), normal.cdf(high)))  # inverse transform: exact truncation
            value = min(max(normal.inv_cdf(min(max(u, _TINY), _ALMOST_ONE)), low), high)
        else:
            low, mode, high = self.args
            value = float(rng.triangular(low, mode, high))
        return float(min(max(value, p.low), p.high))  # guards the last bit of float rounding only

    @property
    def central(self) -> float:
        """The value without randomness: the number itself, or the distribution's mean."""
        if self.dist == "fixed":
            return self.args[0]
        if self.dist == "uniform":
            return (self.args[0] + self.args[1]) / 2
        if self.dist == "normal":
            mean, sd, low, high = self.args
            unit = NormalDist()
            a, b = (low - mean) / sd, (high - mean) / sd
            return mean + sd * (unit.pdf(a) - unit.pdf(b)) / (unit.cdf(b) - unit.cdf(a))
        return sum(self.args) / 3


def parse_parameters(raw: Mapping[str, Any], file: Path | str | None) -> dict[str, ParameterValue]:
    """Check ``parameters:`` against :data:`PARAMETERS`; fill defaults for the rest.

    Every number is finite and within the parameter's range (a normal's ``sd`` is above 0 instead);
    ``low`` is below ``high``, a triangular's ``mode`` lies between them, and a normal keeps at least
    :data:`MIN_NORMAL_MASS` of its probability between ``low`` and ``high``. So a checked value can
    always be drawn, and never needs clipping.
    """
    out: dict[str, ParameterValue] = {}
    for name, value in raw.items():
        path: tuple[str | int, ...] = ("parameters", _key(name))
        if name not in PARAMETERS:
            raise InputError(file, path, "unknown parameter", allowed=PARAMETERS)
        if isinstance(value, Mapping):
            pv = _distribution(name, value, file, path)
        elif _is_number(value):
            pv = ParameterValue(name, "fixed", (_finite(value, file, path, PARAMETERS[name]),))
            _in_range(pv, {"value": path}, file)
        else:
            raise InputError(file, path, "a parameter is a number or a distribution", value=value, allowed=_FORMS)
        out[name] = pv
    for name, p in PARAMETERS.items():
        out.setdefault(name, ParameterValue(name, "fixed", (p.default,)))
    return dict(sorted(out.items()))


def _key(key: Any) -> str:
    """A key as it appears in a key path (text as is, anything else as its repr)."""
    return key if isinstance(key, str) else repr(key)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(value: Any, file: Path | str | None, path: tuple[str | int, ...], p: Parameter) -> float:
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise InputError(file, path, "must be a finite number", value=value, allowed=f"a number in {p.unit}")
    return number


def _distribution(
    name: str, value: Mapping[Any, Any], file: Path | str | None, path: tuple[str | int, ...]
) -> ParameterValue:
    p = PARAMETERS[name]
    dist = value.get("dist")
    if not isinstance(dist, str) or dist not in _DISTS:
        raise InputError(file, (*path, "dist"), "unknown distribution", value=dist, allowed=_DISTS)
    keys = _DISTS[dist]
    for key in value:
        if key != "dist" and key not in keys:
            raise InputError(file, (*path, _key(key)), "unknown key", allowed=["dist", *keys])
    args: dict[str, float] = {}
    for key in keys:
        if key not in value:
            allowed = _FORMS if dist == "normal" and key in ("low", "high") else f"a number in {p.unit}"
            raise InputError(file, (*path, key), f"required key of a {dist} distribution is missing", allowed=allowed)
        v = value[key]
        if not _is_number(v):
            raise InputError(file, (*path, key), "must be a number", value=v, allowed=f"a number in {p.unit}")
        args[key] = _finite(v, file, (*path, key), p)
    pv = ParameterValue(name, dist, tuple(args[k] for k in keys))
    _in_range(pv, {k: (*path, k) for k in keys}, file)
    if "low" in args and not args["low"] < args["high"]:
        raise InputError(
            file, (*path, "high"), "high must be above low", value=args["high"], allowed=f"a number above {args['low']}"
        )
    if dist == "triangular" and not args["low"] <= args["mode"] <= args["high"]:
        raise InputError(
            file,
            (*path, "mode"),
            "mode must lie between low and high",
            value=args["mode"],
            allowed=f"{args['low']} to {args['high']}",
        )
    if dist == "normal":
        if not args["sd"] > 0:
            raise InputError(file, (*path, "sd"), "sd must be above zero", value=args["sd"], allowed="a number > 0")
        normal = NormalDist(args["mean"], args["sd"])
        mass = normal.cdf(args["high"]) - normal.cdf(args["low"])
        if not mass >= MIN_NORMAL_MASS:
            raise InputError(
                file,
                (*path, "sd"),
                f"the normal keeps only {mass:.3g} of its probability between low and high",
                value=args["sd"],
                allowed=f"a mean and sd that put at least {MIN_NORMAL_MASS:g} of it between low and high",
            )
    return pv


def _in_range(pv: ParameterValue, paths: Mapping[str, tuple[str | int, ...]], file: Path | str | None) -> None:
    """Every argument but ``sd`` lies within the parameter's range."""
    p = PARAMETERS[pv.name]
    for key, v in zip(_DISTS[pv.dist], pv.args, strict=True):
        if key != "sd" and not p.low <= v <= p.high:
            raise InputError(file, paths[key], "out of range", value=v, allowed=f"{p.low} to {p.high} ({p.unit})")


def draw_parameters(values: Mapping[str, ParameterValue], rng: np.random.Generator) -> dict[str, float]:
    """Draw every parameter once, in name order, from ``rng``."""
    return {name: values[name].draw(rng) for name in sorted(values)}

"""Every model parameter a scenario can set, defined once: unit, default, range, meaning, source.

A scenario's ``parameters:`` maps names from :data:`PARAMETERS` to a number or to a distribution
(any kind of :mod:`simkz.scenario.distributions`: uniform, triangular, normal truncated to
``low..high``, lognormal, choice, fixed). Everything is checked when the scenario loads
(:func:`parse_parameters`): a number, and every bound, mode, mean, value or choice of a
distribution, lies within the parameter's range, so every draw does; an error names the key path
(``parameters.vpn_max_share.high``) on one line. A run draws each distribution once, in name order,
from its own random generator (:func:`simkz.scenario.realise.realise`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, WrapValidator, create_model

from simkz.errors import InputError
from simkz.inputs import StrictModel, validate_model
from simkz.scenario.distributions import MIN_MASS, Distribution, within

__all__ = ["MIN_NORMAL_MASS", "PARAMETERS", "Parameter", "ParameterValue", "parameters_json_schema", "parse_parameters"]


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

#: A truncated normal (or lognormal) must keep at least this share of its probability between its bounds.
MIN_NORMAL_MASS = MIN_MASS
#: A parameter's value: a number, or a distribution to draw from (see :mod:`simkz.scenario.distributions`).
ParameterValue = float | Distribution


@functools.cache
def _models() -> tuple[type[BaseModel], type[BaseModel]]:
    """The schema of ``parameters:`` (one optional field per parameter, its range checked) and a file holding it."""
    fields: dict[str, Any] = {
        p.name: (
            Annotated[
                Annotated[float, Field(ge=p.low, le=p.high)] | Distribution,
                WrapValidator(within(p.low, p.high, p.unit)),
            ],
            Field(p.default, description=f"{p.description} Unit: {p.unit}; range {p.low:g} to {p.high:g}."),
        )
        for p in PARAMETERS.values()
    }
    values = create_model("Parameters", __base__=StrictModel, __doc__="Model parameters.", **fields)
    holder = create_model("ParametersHolder", __base__=StrictModel, parameters=(values, ...))
    return values, holder


def parse_parameters(raw: Mapping[Any, Any], file: Path | str | None) -> dict[str, ParameterValue]:
    """Check ``parameters:`` against :data:`PARAMETERS`; fill defaults for the rest; by name.

    Names must be known; a value is a finite number within the parameter's range or a distribution
    whose draws all lie in it (each bound, mode, mean, value and choice within the range; a normal or
    lognormal keeping at least :data:`MIN_NORMAL_MASS` of its probability between its bounds). So a
    checked value can always be drawn, and never needs clipping.
    """
    for name in raw:
        if name not in PARAMETERS:
            raise InputError(file, ("parameters", _key(name)), "unknown parameter", allowed=PARAMETERS)
    checked = getattr(validate_model(_models()[1], {"parameters": dict(raw)}, file), "parameters")  # noqa: B009
    return {name: getattr(checked, name) for name in sorted(PARAMETERS)}


def parameters_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``parameters:`` (its distributions' definitions under ``$defs``)."""
    return _models()[0].model_json_schema(by_alias=True, ref_template="#/$defs/{model}")


def _key(key: Any) -> str:
    """A key as it appears in a key path (text as is, anything else as its repr)."""
    return key if isinstance(key, str) else repr(key)

"""Distributions: what a scenario may give wherever a number is uncertain.

Six kinds, each a mapping whose ``dist`` names it; every other number is in the unit of the field it
stands for (a share, minutes, a parameter's unit):

* ``{dist: uniform, low, high}``: every value between ``low`` and ``high`` equally likely;
* ``{dist: triangular, low, mode, high}``: most likely at ``mode``, falling linearly to ``low`` and ``high``;
* ``{dist: normal, mean, sd, low, high}``: a normal **truncated** to ``low..high`` (the bounds are
  required): a draw inverts the normal's distribution function between the bounds, so it never
  needs clipping and never piles up on a bound;
* ``{dist: lognormal, mean_log, sd_log, low?, high?}``: ``exp`` of a normal with mean ``mean_log``
  and standard deviation ``sd_log`` (both on the log scale), optionally truncated to ``low..high``
  the same way;
* ``{dist: choice, values, weights?}``: one of ``values``, with probabilities proportional to
  ``weights`` (default: all equal);
* ``{dist: fixed, value}``: always ``value``.

**Checked at load.** Every number is finite; ``low < high``; a triangular's ``mode`` lies between
them; ``sd`` and ``sd_log`` are above 0; a truncation interval keeps at least :data:`MIN_MASS` (0.1%)
of the untruncated distribution's probability (else the bounds sit in a tail nobody meant); a
lognormal's ``low`` is at least 0; a choice has at least one value, and its weights, if given, are
as many as the values, none below 0, with a sum above 0. A field that takes a distribution also
checks that every draw lies within the field's range (:func:`within`): each bound, mode, mean,
value or choice is within it, and a lognormal in a bounded field gives the bounds its draws need.
Each error names the key path (``actions[2].degrade.pass.high``) on one line.

**Drawing.** Every distribution takes exactly **one** number ``u`` from the generator
(``rng.random()``, uniform on [0, 1)) and maps it through its inverse distribution function; a
``fixed`` takes its ``u`` too and ignores it, and a plain number takes none (:func:`draw`). So the
random numbers a scenario's fields see depend only on which fields are uncertain and in which
order, not on their kinds: two scenarios with the same uncertain fields, run with the same seed,
see the same random numbers (common random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import NormalDist
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, TypeAdapter, ValidationError, ValidatorFunctionWrapHandler, WrapValidator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from simkz.inputs import StrictModel

__all__ = [
    "FORMS",
    "KINDS",
    "MIN_MASS",
    "Choice",
    "Distribution",
    "Fixed",
    "LogNormal",
    "Normal",
    "Triangular",
    "Uncertain",
    "UncertainShare",
    "Uniform",
    "draw",
    "is_distribution",
    "number",
    "support",
    "within",
]

#: A truncation interval (normal, lognormal) must keep at least this share of the untruncated probability.
MIN_MASS = 1e-3
#: The distribution kinds, by their ``dist`` name.
KINDS = ("uniform", "triangular", "normal", "lognormal", "choice", "fixed")
#: What a field that takes a distribution accepts, for error messages.
FORMS = (
    "a number, or a distribution: {dist: uniform, low, high}, {dist: triangular, low, mode, high}, "
    "{dist: normal, mean, sd, low, high}, {dist: lognormal, mean_log, sd_log, low?, high?}, "
    "{dist: choice, values, weights?} or {dist: fixed, value}"
)
_TINY = math.nextafter(0.0, 1.0)
_ALMOST_ONE = math.nextafter(1.0, 0.0)
_UNIT = NormalDist()
#: Largest argument of ``exp`` that stays finite, with a margin.
_MAX_LOG = 700.0
#: How far (in standard deviations) above ``mean_log`` a draw from an untruncated lognormal can reach:
#: ``u`` below 1 - 2**-53 gives at most 8.2.
_MAX_Z = 9.0


def _fail(loc: tuple[str | int, ...], message: str, value: Any, expected: str | None = None) -> ValidationError:
    """An error at ``loc`` inside the value being validated (pydantic prefixes the field's own path)."""
    error = PydanticCustomError("distribution", message, {"expected": expected} if expected else None)
    return ValidationError.from_exception_data("distribution", [InitErrorDetails(type=error, loc=loc, input=value)])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer beyond float range
        return math.inf if value > 0 else -math.inf


def _number(value: Any, handler: ValidatorFunctionWrapHandler) -> float:
    """A finite number (an integer is fine; text, a bool, NaN or infinity are not)."""
    if not _is_number(value):
        raise PydanticCustomError("number_type", "must be a number", {"expected": "a finite number"})
    number = _as_float(value)
    if not math.isfinite(number):
        raise PydanticCustomError("finite_number", "must be a finite number", {"expected": "a finite number"})
    return number


#: A finite number, strictly typed.
Number = Annotated[float, WrapValidator(_number)]


class _Base(StrictModel):
    """What every distribution does: its support, its inverse distribution function, one draw."""

    #: Keys whose values are on the field's scale: each must lie within the field's range.
    on_scale: ClassVar[tuple[str, ...]] = ()

    def support(self) -> tuple[float, float]:
        """The smallest and largest value a draw can take."""
        raise NotImplementedError

    def quantile(self, u: float) -> float:
        """The value at ``u`` (0 <= u < 1) of the inverse distribution function."""
        raise NotImplementedError

    def draw(self, rng: np.random.Generator) -> float:
        """One draw: exactly one ``rng.random()`` mapped through :meth:`quantile`."""
        return self.quantile(float(rng.random()))


class Uniform(_Base):
    """Every value between ``low`` and ``high`` equally likely."""

    on_scale: ClassVar[tuple[str, ...]] = ("low", "high")
    dist: Literal["uniform"]
    low: Number = Field(description="Smallest value.")
    high: Number = Field(description="Largest value; above low.")

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        _ordered(self.low, self.high)
        return self

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def quantile(self, u: float) -> float:
        return min(self.low + (self.high - self.low) * u, self.high)  # as numpy's Generator.uniform


class Triangular(_Base):
    """Most likely at ``mode``, the density falling linearly to 0 at ``low`` and ``high``."""

    on_scale: ClassVar[tuple[str, ...]] = ("low", "mode", "high")
    dist: Literal["triangular"]
    low: Number = Field(description="Smallest value.")
    mode: Number = Field(description="Most likely value, between low and high.")
    high: Number = Field(description="Largest value; above low.")

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        _ordered(self.low, self.high)
        if not self.low <= self.mode <= self.high:
            raise _fail(("mode",), "mode must lie between low and high", self.mode, f"{self.low:g} to {self.high:g}")
        return self

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def quantile(self, u: float) -> float:
        # the arithmetic of numpy's Generator.triangular, so that a draw is the same number
        base = self.high - self.low
        left = self.mode - self.low
        if u <= left / base:
            value = self.low + math.sqrt(u * (left * base))
        else:
            value = self.high - math.sqrt((1.0 - u) * ((self.high - self.mode) * base))
        return min(max(value, self.low), self.high)


class Normal(_Base):
    """A normal truncated to ``low..high``: drawn by inverting its distribution function between the bounds."""

    on_scale: ClassVar[tuple[str, ...]] = ("mean", "low", "high")
    dist: Literal["normal"]
    mean: Number = Field(description="Mean of the normal before truncation.")
    sd: Number = Field(description="Standard deviation before truncation; above 0.")
    low: Number = Field(description="Lower bound (required): no draw falls below it.")
    high: Number = Field(description="Upper bound (required): no draw falls above it.")

    @model_validator(mode="after")
    def _check(self) -> Normal:
        _positive("sd", self.sd)
        _ordered(self.low, self.high)
        normal = NormalDist(self.mean, self.sd)
        _keeps_mass("normal", "sd", normal.cdf(self.high) - normal.cdf(self.low), self.sd)
        return self

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def quantile(self, u: float) -> float:
        normal = NormalDist(self.mean, self.sd)
        lo, hi = normal.cdf(self.low), normal.cdf(self.high)
        p = min(max(lo + (hi - lo) * u, _TINY), _ALMOST_ONE)
        return min(max(normal.inv_cdf(p), self.low), self.high)  # the bounds guard the last bit of rounding


class LogNormal(_Base):
    """``exp`` of a normal with mean ``mean_log`` and sd ``sd_log``, optionally truncated to ``low..high``."""

    on_scale: ClassVar[tuple[str, ...]] = ("low", "high")
    dist: Literal["lognormal"]
    mean_log: Number = Field(description="Mean of the logarithm (log of the median).")
    sd_log: Number = Field(description="Standard deviation of the logarithm; above 0.")
    low: Number | None = Field(None, description="Optional lower bound, at least 0 (default 0).")
    high: Number | None = Field(None, description="Optional upper bound (default none).")

    @model_validator(mode="after")
    def _check(self) -> LogNormal:
        _positive("sd_log", self.sd_log)
        if self.low is not None and self.low < 0:
            raise _fail(("low",), "a lognormal's low must be at least 0", self.low, "a number >= 0")
        if self.low is not None and self.high is not None:
            _ordered(self.low, self.high)
        if self.high is None and self.mean_log + _MAX_Z * self.sd_log > _MAX_LOG:
            raise _fail(
                ("sd_log",),
                "without high, draws of this lognormal overflow",
                self.sd_log,
                f"mean_log + {_MAX_Z:g} x sd_log at most {_MAX_LOG:g}, or a high bound",
            )
        lo, hi = self._cdf_bounds()
        _keeps_mass("lognormal", "sd_log", hi - lo, self.sd_log)
        return self

    def _cdf_bounds(self) -> tuple[float, float]:
        normal = NormalDist(self.mean_log, self.sd_log)
        lo = normal.cdf(math.log(self.low)) if self.low is not None and self.low > 0 else 0.0
        hi = normal.cdf(math.log(self.high)) if self.high is not None and self.high > 0 else 1.0
        return lo, (0.0 if self.high is not None and self.high <= 0 else hi)

    def support(self) -> tuple[float, float]:
        return (self.low or 0.0), (math.inf if self.high is None else self.high)

    def quantile(self, u: float) -> float:
        lo, hi = self._cdf_bounds()
        p = min(max(lo + (hi - lo) * u, _TINY), _ALMOST_ONE)
        value = math.exp(self.mean_log + self.sd_log * _UNIT.inv_cdf(p))
        low, high = self.support()
        return min(max(value, low), high)


class Choice(_Base):
    """One of ``values``, each with probability proportional to its weight (default: equal)."""

    on_scale: ClassVar[tuple[str, ...]] = ("values",)
    dist: Literal["choice"]
    values: list[Number] = Field(min_length=1, description="The values to choose from.")
    weights: list[Number] | None = Field(None, description="One weight per value, at least 0, summing above 0.")

    @model_validator(mode="after")
    def _check(self) -> Choice:
        if self.weights is None:
            return self
        if len(self.weights) != len(self.values):
            raise _fail(
                ("weights",),
                f"{len(self.weights)} weights for {len(self.values)} values",
                self.weights,
                "one weight per value",
            )
        for i, w in enumerate(self.weights):
            if w < 0:
                raise _fail(("weights", i), "a weight must be at least 0", w, "a number >= 0")
        total = math.fsum(self.weights)
        if not (total > 0 and math.isfinite(total)):
            raise _fail(("weights",), "the weights must sum to a finite number above 0", self.weights)
        return self

    def support(self) -> tuple[float, float]:
        return min(self.values), max(self.values)

    def quantile(self, u: float) -> float:
        if self.weights is None:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        target = u * math.fsum(self.weights)
        acc = 0.0
        for value, weight in zip(self.values, self.weights, strict=True):
            acc += weight
            if target < acc:
                return value
        return next(v for v, w in zip(reversed(self.values), reversed(self.weights), strict=True) if w > 0)


class Fixed(_Base):
    """Always ``value`` (a draw still takes its one random number, so the draws after it do not move)."""

    on_scale: ClassVar[tuple[str, ...]] = ("value",)
    dist: Literal["fixed"]
    value: Number = Field(description="The value.")

    def support(self) -> tuple[float, float]:
        return self.value, self.value

    def quantile(self, u: float) -> float:
        return self.value


def _ordered(low: float, high: float) -> None:
    if not low < high:
        raise _fail(("high",), "high must be above low", high, f"a number above {low:g}")


def _positive(key: str, value: float) -> None:
    if not value > 0:
        raise _fail((key,), f"{key} must be above zero", value, "a number > 0")


def _keeps_mass(kind: str, key: str, mass: float, value: float) -> None:
    if not mass >= MIN_MASS:
        raise _fail(
            (key,),
            f"the {kind} keeps only {mass:.3g} of its probability between low and high",
            value,
            f"parameters that put at least {MIN_MASS:g} of it between low and high",
        )


#: A distribution of any kind, told apart by ``dist``.
Distribution = Annotated[Uniform | Triangular | Normal | LogNormal | Choice | Fixed, Field(discriminator="dist")]
_MODELS: dict[str, type[_Base]] = {
    "uniform": Uniform,
    "triangular": Triangular,
    "normal": Normal,
    "lognormal": LogNormal,
    "choice": Choice,
    "fixed": Fixed,
}
_ADAPTER: TypeAdapter[Uniform | Triangular | Normal | LogNormal | Choice | Fixed] = TypeAdapter(Distribution)


def _scale_values(model: type[_Base], data: Mapping[Any, Any]) -> list[tuple[tuple[str | int, ...], float]]:
    """The finite numbers of ``data`` on the field's scale, with their key paths (others are checked later)."""
    out: list[tuple[tuple[str | int, ...], float]] = []
    for key in model.on_scale:
        value = data.get(key)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for i, item in items:
            if _is_number(item) and math.isfinite(_as_float(item)):
                out.append(((key,) if i is None else (key, i), _as_float(item)))
    return out


class within:  # noqa: N801 - used like a type constructor in annotations
    """The validator of a field that takes a number or a distribution whose draws lie in ``low..high``.

    A number must be finite and within the range; a distribution must be well formed (see the module)
    and every number on the field's scale within the range, before its own checks (so a bound outside
    the range is reported as such).
    """

    def __init__(self, low: float = -math.inf, high: float = math.inf, unit: str = "") -> None:
        self.low, self.high, self.unit = low, high, unit

    @property
    def allowed(self) -> str:
        return f"{self.low:g} to {self.high:g}" + (f" ({self.unit})" if self.unit else "")

    def __call__(self, value: Any, handler: ValidatorFunctionWrapHandler) -> float | _Base:
        if _is_number(value):
            number = _as_float(value)
            if not math.isfinite(number):
                raise PydanticCustomError("finite_number", "must be a finite number", {"expected": self.allowed})
            if not self.low <= number <= self.high:
                raise PydanticCustomError("out_of_range", "out of range", {"expected": self.allowed})
            return number
        if not isinstance(value, Mapping):
            raise PydanticCustomError("uncertain_type", "must be a number or a distribution", {"expected": FORMS})
        return self._distribution(value)

    def _distribution(self, value: Mapping[Any, Any]) -> _Base:
        if "dist" not in value:
            raise PydanticCustomError(
                "dist_missing", "a distribution names its kind in dist", {"expected": "dist: " + ", ".join(KINDS)}
            )
        kind = value["dist"]
        if not isinstance(kind, str) or kind not in _MODELS:
            raise _fail(("dist",), "unknown distribution", kind, ", ".join(KINDS))
        for loc, number in _scale_values(_MODELS[kind], value):
            if not self.low <= number <= self.high:
                raise _fail(loc, "out of range", number, self.allowed)
        dist = _ADAPTER.validate_python(value)
        low, high = dist.support()  # only a lognormal's can leave the range here: the others' bounds are checked
        if low < self.low:
            raise _fail(("low",), f"draws of this {kind} can fall below {self.low:g}: give low", low, self.allowed)
        if high > self.high:
            raise _fail(("high",), f"draws of this {kind} can exceed {self.high:g}: give high", high, self.allowed)
        return dist


#: A field that takes a number or a distribution, of any value.
Uncertain = Annotated[float | Distribution, WrapValidator(within())]
#: A share (0-1), or a distribution whose draws are shares.
UncertainShare = Annotated[
    Annotated[float, Field(ge=0.0, le=1.0)] | Distribution, WrapValidator(within(0.0, 1.0, "share"))
]


def is_distribution(value: object) -> bool:
    """Whether ``value`` is a distribution (not a plain number)."""
    return isinstance(value, _Base)


def draw(value: float | _Base, rng: np.random.Generator) -> float:
    """One value of ``value``: a number as is (the generator untouched), a distribution's draw (one number of it)."""
    if isinstance(value, _Base):
        return value.draw(rng)
    return float(value)


def support(value: float | _Base) -> tuple[float, float]:
    """The smallest and largest value ``value`` can take."""
    if isinstance(value, _Base):
        return value.support()
    return float(value), float(value)


def number(value: float | _Base) -> float:
    """The plain number of a realised field; a distribution here means the scenario was not realised."""
    if isinstance(value, _Base):
        raise TypeError(f"a {type(value).__name__} distribution was not drawn: realise the scenario first")
    return float(value)

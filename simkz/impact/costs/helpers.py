"""Shared helpers of the cost methods: integrals over the run, rounding, the figure's record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simkz.results.table import round_sig
from simkz.topology.costs import CostSpec

__all__ = ["daily_gdp_source", "integral_days", "method_entry", "rounded", "share"]


def integral_days(values: NDArray[np.float64] | float, days: NDArray[np.float64]) -> float:
    """``∫ x dt`` in days (x times days): ``sum_k x[k] * days[k]``."""
    return float(np.sum(np.asarray(values, dtype=np.float64) * days))


def share(affected: NDArray[np.float64], users: float) -> NDArray[np.float64]:
    """[K] affected / users, 0 for a group without users."""
    if users <= 0:
        return np.zeros_like(np.asarray(affected, dtype=np.float64))
    return np.asarray(affected, dtype=np.float64) / users


def rounded(value: Any) -> Any:
    """Round every float inside ``value`` (mappings, lists) to 10 significant digits; leave the rest alone."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float | np.floating):
        return round_sig(float(value))
    if isinstance(value, Mapping):
        return {str(k): rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def method_entry(
    name: str,
    value: float,
    formula: str,
    parameters: Mapping[str, Any],
    sources: Mapping[str, str],
    **extra: float,
) -> dict[str, Any]:
    """One method's record: its name, figure (USD), formula, parameters and their sources.

    ``extra`` figures (e.g. ``per_point_of_share``, USD) sit beside ``value``.
    """
    return {
        "method": name,
        "value": round_sig(value),
        **{key: round_sig(v) for key, v in extra.items()},
        "formula": formula,
        "parameters": rounded(dict(parameters)),
        "sources": dict(sources),
    }


def daily_gdp_source(spec: CostSpec) -> str:
    """Where ``D`` comes from: the GDP and, for a GDP not in USD, the exchange rate."""
    text = f"GDP: {spec.gdp_per_year.provenance()}"
    if spec.gdp_per_year.currency != "USD" and spec.exchange_rate is not None:
        rate = spec.exchange_rate
        text += f"; exchange rate {rate.per_usd:g} {rate.currency}/USD: {rate.provenance()}"
    return text

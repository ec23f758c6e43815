"""Deloitte for GNI (2016): a share of daily GDP per day of full shutdown, by connectivity tier.

``D * p / 100 * ∫ (1 - index_pct / 100) dt``, ``p`` the percent of daily GDP a full shutdown
costs per day in the country's tier (1.9 high, 1.0 medium, 0.4 low); the other tiers' figures
are reported under the parameters but are not in the range.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simkz.impact.costs.helpers import daily_gdp_source, integral_days, method_entry
from simkz.impact.costs.inputs import CostInputs
from simkz.topology.costs import TIERS, CostSpec

__all__ = ["deloitte"]


def deloitte(spec: CostSpec, inputs: CostInputs) -> dict[str, Any]:
    """Deloitte for GNI (2016), scaled by the connectivity lost; USD (the named tier only)."""
    days = inputs.days()
    lost = 1.0 - np.asarray(inputs.index_pct, dtype=np.float64) / 100.0
    lost_days = integral_days(lost, days)
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
        "daily_gdp_usd": daily_gdp_source(spec),
        "tier": spec.deloitte.tier.provenance(),
        "percent_of_daily_gdp": percents.provenance(),
        "connectivity_lost_days": "the run: ∫ (1 - national connectivity index / 100) dt, days",
        "other_tiers": "the same formula with the other tiers' percentages; not in the range",
    }
    return method_entry(
        "Deloitte for GNI (2016), scaled by the connectivity lost",
        figures[tier],
        "D * p / 100 * ∫ (1 - index_pct(t) / 100) dt; p % of daily GDP a full shutdown costs per day "
        "in the country's connectivity tier, t in days",
        parameters,
        sources,
    )

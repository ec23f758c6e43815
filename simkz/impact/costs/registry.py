"""The one registry of cost methods, the methods dropped on purpose, and :func:`estimate_costs`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from simkz.impact.costs.deloitte import deloitte
from simkz.impact.costs.inputs import CostInputs
from simkz.impact.costs.netblocks import netblocks_app_only, netblocks_cost, netblocks_mobile_only
from simkz.results.table import round_sig
from simkz.topology.costs import CostSpec

__all__ = ["DROPPED", "METHODS", "CostMethod", "estimate_costs"]

#: A cost method: the costs file and a run's figures in, one method record (USD) out.
CostMethod = Callable[[CostSpec, CostInputs], dict[str, Any]]

#: Method key -> method, in the order they are reported.
METHODS: Mapping[str, CostMethod] = MappingProxyType(
    {
        "netblocks-cost": netblocks_cost,
        "netblocks-cost-mobile-only": netblocks_mobile_only,
        "netblocks-cost-app-only": netblocks_app_only,
        "deloitte": deloitte,
    }
)

#: Method key -> why it is not computed; reported with every estimate so that nobody re-adds it by mistake.
DROPPED: Mapping[str, str] = MappingProxyType(
    {
        "netloss": (
            "Internet Society NetLoss (Tagat, Phokeer, Kreitem 2024) cannot be reproduced: its calculator's "
            "coefficients and inputs are not published, and a fixed sum per person-day overstates it by two to three "
            "orders of magnitude. The NetLoss calculator is an "
            "econometric model (effects on GDP, unemployment and foreign direct investment, from shutdown, protest, "
            "election and World Bank data, with coefficients re-estimated every year); its coefficients and country "
            "inputs are not published in a form this project can source. The paper's '$86.58 per person per "
            "additional shutdown day' is a 92-country average, not the calculator: applied per affected internet "
            "user it gives about 8 billion USD for January 2022, two to three orders of magnitude above what NetLoss "
            "publishes for comparable events (a little over 17 million USD for Pakistan's 9-12 May 2023 shutdown). "
            "The Internet Society itself took the calculator out of its navigation in June 2026 and advises caution. "
            "Sources: https://pulse.internetsociety.org/en/netloss/ ; https://doi.org/10.1145/3659466 ; "
            "https://circleid.com/posts/20230628-quantifying-internet-shutdowns-isoc-introduces-the-netloss-calculator"
            " ; https://pulse.internetsociety.org/en/release-notes/01-june-2026/"
        ),
    }
)


def estimate_costs(spec: CostSpec, inputs: CostInputs) -> dict[str, Any]:
    """Every method's figure (USD) with its formula, parameters and sources, their range, and the dropped methods.

    The range is the lowest and highest method figure; Deloitte's other tiers are reported under
    its parameters but are not in the range. Floats have 10 significant digits; the result is JSON-ready.
    """
    methods = {key: method(spec, inputs) for key, method in METHODS.items()}
    values = [m["value"] for m in methods.values()]
    return {
        "currency": spec.currency,
        "range": {"low": round_sig(min(values)), "high": round_sig(max(values))},
        "methods": methods,
        "dropped": dict(DROPPED),
    }

"""What a shutdown costs, by the published methods: pure functions on a run's figures.

Every figure comes with its method, formula, parameters and their sources; the spread of the
methods is reported as a range, never as one "true" cost. The methods are registered in one
place, :data:`~simkz.impact.costs.registry.METHODS` (its order is the report's order):

* ``netblocks-cost``, ``netblocks-cost-mobile-only``, ``netblocks-cost-app-only``: NetBlocks COST on
  the Brookings method (West 2016), with Top10VPN's regional and partial scaling
  (:mod:`~simkz.impact.costs.netblocks`). https://netblocks.org/projects/cost ;
  https://www.technologyreview.com/2016/10/24/156479/shut-down-the-internet-and-the-economy-goes-with-it/
* ``deloitte``: Deloitte for GNI (2016) (:mod:`~simkz.impact.costs.deloitte`).
  https://www.deloitte.com/ng/en/Industries/tmt/perspectives/the-economic-impact-of-disruptions-to-internet-connectivity-report-for-facebook.html

Dropped on purpose (:data:`~simkz.impact.costs.registry.DROPPED`, reported in every estimate's
``dropped``): **Internet Society NetLoss** (Tagat, Phokeer, Kreitem 2024). Its calculator
(https://pulse.internetsociety.org/en/netloss/) is an econometric model of a shutdown's effect on
GDP, unemployment and foreign direct investment, fitted on a panel of 92 countries with shutdown,
protest, election and World Bank data and re-estimated every year; the coefficients and country
inputs it applies are not published in a form that can be sourced here, so it cannot be
reproduced. Its paper's headline "$86.58 per person per additional shutdown day" is a panel
average, not the calculator: applied per affected internet user it gave 7.96 billion USD for
January 2022, while NetLoss itself publishes a little over 17 million USD for Pakistan's 9-12 May
2023 shutdown (circleid.com, 28 June 2023) and nearly 500,000 USD for Guinea's 1-7 June 2023 one,
two to three orders of magnitude less. In June 2026 the Internet Society took the calculator out of
its navigation and advised caution (https://pulse.internetsociety.org/en/release-notes/01-june-2026/).
Do not re-add it as a fixed sum per person-day.

Notation: ``D`` daily GDP in USD (``gdp_per_year / 365``, converted with the costs file's exchange
rate), ``i`` the internet's share of GDP, ``x[k]`` a value at change point ``k`` held for
``durations_h[k]`` hours, ``∫ x dt = sum_k x[k] * durations_h[k] / 24`` in days. Units: money in
USD, persons, time in days (inputs in hours). The numbers of a country live in its costs file
(``topologies/costs/*.yaml``, schema :mod:`simkz.topology.costs`), each with its source or assumption.
"""

from simkz.impact.costs.inputs import CostInputs
from simkz.impact.costs.registry import DROPPED, METHODS, CostMethod, estimate_costs

__all__ = ["DROPPED", "METHODS", "CostInputs", "CostMethod", "estimate_costs"]

"""Demand: how much traffic each cohort offers to each service at a given hour.

``demand[c, s] = users(c) x peak_gbps(tech(c)) x hourly(tech(c))[local hour of c's region]
x traffic_share(s)``, in Gbps.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from simkz.topology.network import Topology

__all__ = ["DemandModel"]


class DemandModel:
    """Offered traffic per cohort and service for each combination of local hours (cached)."""

    def __init__(self, topology: Topology) -> None:
        self._users = topology.users()
        self._peak = np.array([topology.demand[c.tech].peak_gbps for c in topology.cohorts])
        self._hourly = np.array([topology.demand[c.tech].hourly for c in topology.cohorts])  # [cohort, 24]
        self._share = np.array([s.traffic_share for s in topology.services])
        self._rows = np.arange(len(topology.cohorts))

    def gbps(self, local_hours: NDArray[np.int64]) -> NDArray[np.float64]:
        """``[cohort, service]`` offered traffic, Gbps, given every cohort's local hour."""
        per_cohort = self._users * self._peak * self._hourly[self._rows, local_hours]
        out: NDArray[np.float64] = per_cohort[:, None] * self._share[None, :]
        return out

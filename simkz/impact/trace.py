"""The trace of a run: the network's outputs at every change point.

Between two change points nothing changes, so the trace describes the whole
run exactly; time series on a regular step are samples of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["EMPTY_BACKLOG", "Trace"]

#: A backlog at or below this many requests counts as empty.
EMPTY_BACKLOG = 1e-6


@dataclass(frozen=True)
class Trace:
    """Outputs at ``K`` change points, ``times_s[k]`` seconds after the start, until ``end_s``."""

    times_s: NDArray[np.float64]  #: [K] seconds since start
    end_s: float  #: the run's length, seconds
    served: NDArray[np.float64]  #: [K, cohort, service] served share (the network's, no dependencies), 0-1
    effective: NDArray[np.float64]  #: [K, cohort, service] effective served share (dependencies applied), 0-1
    traffic_gbps: NDArray[np.float64]  #: [K, cohort] served traffic, Gbps
    baseline_gbps: NDArray[np.float64]  #: [K, cohort] traffic the same hour carries with no action, Gbps
    vpn_share: NDArray[np.float64]  #: [K] share of internet users with a working VPN, 0-1
    backlog: NDArray[np.float64]  #: [K, service] failed requests waiting to be retried (0 without a backlog)
    connected: NDArray[np.float64]  #: [K, cohort] share of users not cut off by a partial shutdown, 0-1
    probe: NDArray[np.float64]  #: [K, cohort] share of ordinarily responsive /24 blocks that answer probes, 0-1
    bgp_visible: NDArray[np.float64]  #: [K, cohort] 1 while the cohort's routes are seen from abroad

    @property
    def durations_s(self) -> NDArray[np.float64]:
        """How long each change point's values hold, seconds."""
        return np.diff(np.append(self.times_s, self.end_s))

    def sample_index(self, times_s: NDArray[np.float64]) -> NDArray[np.int64]:
        """For each time, the change point in force then."""
        return np.searchsorted(self.times_s, times_s, side="right").astype(np.int64) - 1

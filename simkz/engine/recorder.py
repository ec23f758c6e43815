"""The recorder: keeps the network's outputs at every change point.

It is called after all events of one instant have run, so one instant gives one
record however many actions it holds. Sampling on the regular step grid happens
afterwards, vectorised (:meth:`Trace.sample_index`), so a finer step costs
almost nothing.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from simkz.impact.trace import Trace

__all__ = ["Recorder"]


class Recorder:
    """Collects change points; :meth:`trace` returns them as arrays."""

    def __init__(self) -> None:
        self._times: list[float] = []
        self._served: list[NDArray[np.float64]] = []
        self._traffic: list[NDArray[np.float64]] = []
        self._baseline: list[NDArray[np.float64]] = []
        self._vpn: list[float] = []
        self._backlog: list[NDArray[np.float64]] = []

    def __len__(self) -> int:
        return len(self._times)

    def record(
        self,
        time_s: float,
        served: NDArray[np.float64],
        traffic_gbps: NDArray[np.float64],
        baseline_gbps: NDArray[np.float64],
        vpn_share: float,
        backlog: NDArray[np.float64],
    ) -> None:
        """Record the outputs in force from ``time_s`` (seconds since start) on."""
        if self._times and time_s < self._times[-1]:
            raise ValueError(f"records must not go back in time ({time_s} < {self._times[-1]})")
        if self._times and time_s == self._times[-1]:
            for seq in (self._times, self._served, self._traffic, self._baseline, self._vpn, self._backlog):
                seq.pop()
        self._times.append(float(time_s))
        self._served.append(served)
        self._traffic.append(traffic_gbps)
        self._baseline.append(baseline_gbps)
        self._vpn.append(float(vpn_share))
        self._backlog.append(backlog)

    def trace(self, end_s: float) -> Trace:
        """The records as a :class:`Trace` ending at ``end_s`` seconds."""
        if not self._times:
            raise ValueError("nothing was recorded")
        return Trace(
            times_s=np.array(self._times),
            end_s=float(end_s),
            served=np.stack(self._served),
            traffic_gbps=np.stack(self._traffic),
            baseline_gbps=np.stack(self._baseline),
            vpn_share=np.array(self._vpn),
            backlog=np.stack(self._backlog),
        )

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


#: What is recorded at every change point, in the order :meth:`Recorder.record` takes it.
FIELDS = (
    "served",
    "effective",
    "traffic_gbps",
    "baseline_gbps",
    "vpn_share",
    "backlog",
    "connected",
    "probe",
    "bgp_visible",
)


class Recorder:
    """Collects change points; :meth:`trace` returns them as arrays."""

    def __init__(self) -> None:
        self._times: list[float] = []
        self._rows: list[dict[str, NDArray[np.float64] | float]] = []

    def __len__(self) -> int:
        return len(self._times)

    def record(self, time_s: float, **values: NDArray[np.float64] | float) -> None:
        """Record the outputs in force from ``time_s`` (seconds since start) on; ``values`` are the :data:`FIELDS`
        (see :class:`~simkz.impact.trace.Trace` for their shapes and units)."""
        if set(values) != set(FIELDS):
            raise ValueError(f"record() takes exactly {', '.join(FIELDS)}")
        if self._times and time_s < self._times[-1]:
            raise ValueError(f"records must not go back in time ({time_s} < {self._times[-1]})")
        if self._times and time_s == self._times[-1]:
            self._times.pop()
            self._rows.pop()
        self._times.append(float(time_s))
        self._rows.append(values)

    def trace(self, end_s: float) -> Trace:
        """The records as a :class:`Trace` ending at ``end_s`` seconds."""
        if not self._times:
            raise ValueError("nothing was recorded")
        arrays = {name: np.stack([np.asarray(row[name], dtype=np.float64) for row in self._rows]) for name in FIELDS}
        return Trace(times_s=np.array(self._times), end_s=float(end_s), **arrays)

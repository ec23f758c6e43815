"""What the cost methods need from a run: :class:`CostInputs`, one value per change point."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["CostInputs"]


@dataclass(frozen=True)
class CostInputs:
    """What the cost methods need from a run; every array has one value per change point k."""

    durations_h: NDArray[np.float64]  #: [K] hours each change point's values hold
    internet_users: float  #: persons, whole country
    index_pct: NDArray[np.float64]  #: [K] national connectivity index, 0-100
    region_users: Mapping[str, float]  #: internet users per region, persons
    region_affected: Mapping[str, NDArray[np.float64]]  #: [K] per region: user equivalents of lost traffic, persons
    region_gdp_share: Mapping[str, float | None]  #: region's share of national GDP, or None where unknown
    tech_users: Mapping[str, float]  #: "fixed", "mobile": internet users, persons
    tech_affected: Mapping[str, NDArray[np.float64]]  #: [K] per technology, persons
    service_affected: Mapping[str, NDArray[np.float64]]  #: [K] per service: users of the service not served, persons
    service_users: Mapping[str, float]  #: users of each service (internet users x adoption), persons
    service_kind: Mapping[str, str]  #: e.g. "messenger", "social", "video", "government", ...

    def __post_init__(self) -> None:
        k = np.shape(self.durations_h)
        if len(k) != 1:
            raise ValueError(f"durations_h must be one-dimensional, got shape {k}")
        if np.shape(self.index_pct) != k:
            raise ValueError(f"index_pct has shape {np.shape(self.index_pct)}, durations_h {k}")
        for name, users, series in (
            ("region", self.region_users, self.region_affected),
            ("tech", self.tech_users, self.tech_affected),
            ("service", self.service_users, self.service_affected),
        ):
            if set(users) != set(series):
                raise ValueError(f"{name}_users and {name}_affected name different groups")
            for key, values in series.items():
                if np.shape(values) != k:
                    raise ValueError(f"{name}_affected[{key!r}] has shape {np.shape(values)}, durations_h {k}")
        if set(self.service_kind) != set(self.service_users):
            raise ValueError("service_kind and service_users name different services")

    def days(self) -> NDArray[np.float64]:
        """[K] how long each change point's values hold, days."""
        return np.asarray(self.durations_h, dtype=np.float64) / 24.0

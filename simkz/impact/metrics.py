"""Headline metrics from a trace: pure functions, evaluated at every change point.

Definitions (``u`` users of a cohort, ``a`` adoption of a service, ``served`` served share):

* affected users of service s: ``sum_c u_c * a_s * (1 - served[c, s])``;
* a cohort is **cut off** when it reaches no service, **cut off abroad** when it
  reaches no service hosted abroad;
* the **connectivity index** of a group: ``100 * served traffic / baseline traffic``;
* the **affected persons** of a group: ``sum_c u_c * (1 - traffic_c / baseline_c)``,
  the internet users equivalent to the ordinary traffic lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simkz.impact.trace import Trace
from simkz.topology.network import Topology

__all__ = ["CohortMetrics", "GroupMetrics", "cohort_metrics", "group_metrics", "groupings"]

#: A served share at or below this counts as nothing served.
NOTHING = 1e-9


@dataclass(frozen=True)
class CohortMetrics:
    """Per change point and cohort (and service)."""

    users: NDArray[np.float64]  #: [C] persons
    affected: NDArray[np.float64]  #: [K, C] user equivalents of lost traffic, persons
    cut_off: NDArray[np.bool_]  #: [K, C]
    cut_off_abroad: NDArray[np.bool_]  #: [K, C]
    service_affected: NDArray[np.float64]  #: [K, S] persons
    service_share: NDArray[np.float64]  #: [K, S] user-weighted served share, 0-1


def cohort_metrics(topology: Topology, trace: Trace) -> CohortMetrics:
    users = topology.users()
    adoption = np.array([s.adoption for s in topology.services])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(trace.baseline_gbps > 0, trace.traffic_gbps / trace.baseline_gbps, 1.0)
    affected = users[None, :] * (1.0 - np.clip(share, 0.0, 1.0))
    best = trace.served.max(axis=2)
    abroad = np.array([s.abroad for s in topology.services])
    best_abroad = trace.served[:, :, abroad].max(axis=2) if abroad.any() else best
    service_affected = np.einsum("c,kcs->ks", users, 1.0 - trace.served) * adoption[None, :]
    service_share = np.einsum("c,kcs->ks", users, trace.served) / users.sum()
    return CohortMetrics(users, affected, best <= NOTHING, best_abroad <= NOTHING, service_affected, service_share)


def groupings(topology: Topology) -> dict[str, dict[str, NDArray[np.bool_]]]:
    """Cohort membership masks: ``{"region": {"north": mask, ...}, "operator": ..., "technology": ...}``."""
    out: dict[str, dict[str, NDArray[np.bool_]]] = {}
    for kind, attr in (("region", "region"), ("operator", "operator"), ("technology", "tech")):
        values = np.array([getattr(c, attr) for c in topology.cohorts])
        out[kind] = {v: values == v for v in sorted(set(values.tolist()))}
    return out


@dataclass(frozen=True)
class GroupMetrics:
    """Per change point, for one group of cohorts (or the whole country)."""

    users: float
    index_pct: NDArray[np.float64]  #: [K]
    traffic_gbps: NDArray[np.float64]  #: [K]
    baseline_gbps: NDArray[np.float64]  #: [K]
    affected: NDArray[np.float64]  #: [K] persons
    cut_off: NDArray[np.float64]  #: [K] persons
    cut_off_abroad: NDArray[np.float64]  #: [K] persons


def group_metrics(
    trace: Trace, cm: CohortMetrics, mask: NDArray[np.bool_] | Sequence[bool] | None = None
) -> GroupMetrics:
    m = np.ones(cm.users.shape[0], dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    users = cm.users[m]
    traffic = trace.traffic_gbps[:, m].sum(axis=1)
    baseline = trace.baseline_gbps[:, m].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(baseline > 0, 100.0 * traffic / baseline, 100.0)
    return GroupMetrics(
        users=float(users.sum()),
        index_pct=index,
        traffic_gbps=traffic,
        baseline_gbps=baseline,
        affected=cm.affected[:, m].sum(axis=1),
        cut_off=(cm.cut_off[:, m] * users).sum(axis=1),
        cut_off_abroad=(cm.cut_off_abroad[:, m] * users).sum(axis=1),
    )

"""Headline metrics from a trace: pure functions, evaluated at every change point.

Definitions (``u`` users of a cohort, ``a`` adoption of a service, ``eff`` effective served
share, see :mod:`simkz.impact.disruption`):

* affected users of service s: ``sum_c u_c * a_s * (1 - eff[c, s])``;
* a cohort is **cut off** when it reaches no service, **cut off abroad** when it
  reaches no service hosted abroad (network shares, before dependencies);
* the **connectivity index** of a group: ``100 * served traffic / baseline traffic``;
* the **affected persons** of a group: ``sum_c w_c * u_c * (1 - traffic_c / baseline_c)``,
  the internet users equivalent to the ordinary traffic lost, where ``w_c`` is the share of the
  cohort in the group (1 or 0 for regions, operators and technologies; the disability share of
  the cohort's region for persons with disabilities);
* **messaging fallback**: users who lose their messengers and still have calls and SMS:
  ``telephony_availability x max over messengers of their affected users`` (a lower bound:
  WhatsApp users are nearly all messenger users).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simkz.impact.disruption import effective_served
from simkz.impact.trace import Trace
from simkz.topology.network import Topology

__all__ = [
    "CohortMetrics",
    "GroupMetrics",
    "cohort_metrics",
    "group_metrics",
    "group_weights",
    "messaging_fallback",
]

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
    service_share: NDArray[np.float64]  #: [K, S] user-weighted effective served share, 0-1
    network_share: NDArray[np.float64]  #: [K, S] user-weighted network served share (no dependencies), 0-1


def cohort_metrics(topology: Topology, trace: Trace) -> CohortMetrics:
    users = topology.users()
    adoption = np.array([s.adoption for s in topology.services])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(trace.baseline_gbps > 0, trace.traffic_gbps / trace.baseline_gbps, 1.0)
    affected = users[None, :] * (1.0 - np.clip(share, 0.0, 1.0))
    best = trace.served.max(axis=2)
    abroad = np.array([s.abroad for s in topology.services])
    best_abroad = trace.served[:, :, abroad].max(axis=2) if abroad.any() else best
    eff = effective_served(topology, trace.served)
    service_affected = np.einsum("c,kcs->ks", users, 1.0 - eff) * adoption[None, :]
    return CohortMetrics(
        users=users,
        affected=affected,
        cut_off=best <= NOTHING,
        cut_off_abroad=best_abroad <= NOTHING,
        service_affected=service_affected,
        service_share=np.einsum("c,kcs->ks", users, eff) / users.sum(),
        network_share=np.einsum("c,kcs->ks", users, trace.served) / users.sum(),
    )


def group_weights(topology: Topology) -> dict[str, dict[str, NDArray[np.float64]]]:
    """Each cohort's share in each group: ``{"region": {"north": w, ...}, "operator": ..., "technology": ...}``."""
    out: dict[str, dict[str, NDArray[np.float64]]] = {}
    for kind, attr in (("region", "region"), ("operator", "operator"), ("technology", "tech")):
        values = np.array([getattr(c, attr) for c in topology.cohorts])
        out[kind] = {v: (values == v).astype(np.float64) for v in sorted(set(values.tolist()))}
    return out


@dataclass(frozen=True)
class GroupMetrics:
    """Per change point, for one group of people (or the whole country)."""

    users: float  #: internet users in the group, persons
    index_pct: NDArray[np.float64]  #: [K]
    traffic_gbps: NDArray[np.float64]  #: [K]
    baseline_gbps: NDArray[np.float64]  #: [K]
    affected: NDArray[np.float64]  #: [K] persons
    cut_off: NDArray[np.float64]  #: [K] persons
    cut_off_abroad: NDArray[np.float64]  #: [K] persons


def group_metrics(trace: Trace, cm: CohortMetrics, weights: NDArray[np.float64] | None = None) -> GroupMetrics:
    """Metrics of the people given by ``weights`` (each cohort's share in the group; default: everyone)."""
    w = np.ones(cm.users.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    traffic = trace.traffic_gbps @ w
    baseline = trace.baseline_gbps @ w
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(baseline > 0, 100.0 * traffic / baseline, 100.0)
    return GroupMetrics(
        users=float(cm.users @ w),
        index_pct=index,
        traffic_gbps=traffic,
        baseline_gbps=baseline,
        affected=cm.affected @ w,
        cut_off=cm.cut_off @ (cm.users * w),
        cut_off_abroad=cm.cut_off_abroad @ (cm.users * w),
    )


def messaging_fallback(topology: Topology, cm: CohortMetrics, telephony_availability: float) -> NDArray[np.float64]:
    """[K] users who lost their messengers and fall back to calls and SMS, persons."""
    messengers = [i for i, s in enumerate(topology.services) if s.kind == "messenger"]
    if not messengers:
        return np.zeros(cm.service_affected.shape[0])
    lost: NDArray[np.float64] = cm.service_affected[:, messengers].max(axis=1)
    return telephony_availability * lost

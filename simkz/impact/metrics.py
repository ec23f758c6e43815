"""Headline metrics from a trace: pure functions, evaluated at every change point.

Definitions (``u`` users of a cohort, ``a`` adoption of a service, ``eff`` effective served
share, see :mod:`simkz.impact.disruption`; ``k`` the share of the cohort's users left connected by
partial shutdowns; ``w_c`` the share of the cohort in a group: 1 or 0 for regions, operators and
technologies, the disability share of the cohort's region for persons with disabilities):

* affected users of service s: ``sum_c u_c * a_s * (1 - eff[c, s])``;
* **cut off**: the users whose whole demand is lost: the ``1 - k`` cut by partial shutdowns, plus
  all the others when the rest of the cohort reaches no service; **cut off abroad** likewise for
  services hosted abroad (network shares, before dependencies);
* **affected persons** of a group: every user who loses any traffic: the ``1 - k`` cut off, plus
  all the others when the rest of the cohort's traffic falls below its ordinary level (so every
  user of a degraded or filtered node is affected): ``sum_c w_c * u_c * affected share_c``;
* **user equivalents lost** of a group: ``sum_c w_c * u_c * (1 - traffic_c / baseline_c)``, the
  internet users equivalent to the ordinary traffic lost (what user-hours lost and costs use);
* the **connectivity index** of a group: ``100 * served traffic / baseline traffic``;
* the **probing** signal of a group (IODA-like): ``100 * sum_c w_c b_c r_c probe_c / sum_c w_c b_c r_c``
  with ``b`` the cohort's /24 blocks and ``r`` their ordinary responsive share; the **BGP** signal:
  ``100 * sum_c w_c b_c visible_c / sum_c w_c b_c`` (both 100 for a group without blocks);
* **messaging fallback**: users who lose their messengers and still have calls and SMS:
  ``telephony_availability x max over messengers of their affected users`` (a lower bound:
  WhatsApp users are nearly all messenger users).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simkz.impact.trace import Trace
from simkz.topology.network import Topology

__all__ = [
    "GROUP_KINDS",
    "CohortMetrics",
    "GroupIndex",
    "GroupMetrics",
    "cohort_metrics",
    "group_index",
    "group_metrics",
    "grouped_metrics",
    "messaging_fallback",
]

#: A served share at or below this counts as nothing served.
NOTHING = 1e-9
#: A cohort whose traffic is below ``1 - LOSS`` of its ordinary level counts as affected.
LOSS = 1e-6


@dataclass(frozen=True)
class CohortMetrics:
    """Per change point and cohort (and service)."""

    users: NDArray[np.float64]  #: [C] persons
    affected: NDArray[np.float64]  #: [K, C] share of the cohort's users who lose any traffic, 0-1
    equivalents_lost: NDArray[np.float64]  #: [K, C] user equivalents of lost traffic, persons
    cut_off: NDArray[np.float64]  #: [K, C] share of the cohort's users cut off entirely, 0-1
    cut_off_abroad: NDArray[np.float64]  #: [K, C] share cut off from every service abroad, 0-1
    probe_weight: NDArray[np.float64]  #: [C] ordinarily responsive /24 blocks (blocks x responsive share)
    blocks: NDArray[np.float64]  #: [C] /24 blocks
    service_affected: NDArray[np.float64]  #: [K, S] persons
    service_share: NDArray[np.float64]  #: [K, S] user-weighted effective served share, 0-1
    network_share: NDArray[np.float64]  #: [K, S] user-weighted network served share (no dependencies), 0-1


def _whole_loss(served: NDArray[np.float64], connected: NDArray[np.float64]) -> NDArray[np.float64]:
    """[K, C] share cut off: the users cut by partial shutdowns, and the rest too if they are served nothing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rest = np.where(connected > 0, served / connected, 0.0)
    return 1.0 - connected + connected * (rest <= NOTHING)


def cohort_metrics(topology: Topology, trace: Trace) -> CohortMetrics:
    users = topology.users()
    adoption = np.array([s.adoption for s in topology.services])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(trace.baseline_gbps > 0, trace.traffic_gbps / trace.baseline_gbps, 1.0)
        rest = np.where(trace.connected > 0, share / trace.connected, 1.0)
    k = trace.connected
    best = trace.served.max(axis=2)
    abroad = np.array([s.abroad for s in topology.services])
    best_abroad = trace.served[:, :, abroad].max(axis=2) if abroad.any() else best
    eff = trace.effective
    service_affected = np.einsum("c,kcs->ks", users, 1.0 - eff) * adoption[None, :]
    blocks = np.array([c.blocks_24 for c in topology.cohorts], dtype=np.float64)
    return CohortMetrics(
        users=users,
        affected=1.0 - k + k * (rest < 1.0 - LOSS),
        equivalents_lost=users[None, :] * (1.0 - np.clip(share, 0.0, 1.0)),
        cut_off=_whole_loss(best, k),
        cut_off_abroad=_whole_loss(best_abroad, k),
        probe_weight=blocks * np.array([c.responsive_share for c in topology.cohorts]),
        blocks=blocks,
        service_affected=service_affected,
        service_share=np.einsum("c,kcs->ks", users, eff) / users.sum(),
        network_share=np.einsum("c,kcs->ks", users, trace.served) / users.sum(),
    )


#: Group kinds, each with the key columns that name one of its groups (cohort attributes).
GROUP_KINDS: dict[str, tuple[str, ...]] = {
    "region": ("region",),
    "operator": ("operator",),
    "technology": ("technology",),
    "region_technology": ("region", "technology"),
}
_COHORT_ATTR = {"region": "region", "operator": "operator", "technology": "tech"}


@dataclass(frozen=True)
class GroupIndex:
    """The groups of one kind and the group of every cohort (memory: one integer per cohort, one name per group)."""

    names: tuple[tuple[str, ...], ...]  #: the groups' key values, sorted
    of_cohort: NDArray[np.int64]  #: [C] the place in ``names`` of each cohort's group


def group_index(topology: Topology) -> dict[str, GroupIndex]:
    """Each cohort's group of each kind: ``{"region": GroupIndex((("north",), ...), [0, 0, 1, ...]), ...,
    "region_technology": GroupIndex((("north", "fixed"), ...), ...)}``, groups in sorted order."""
    out: dict[str, GroupIndex] = {}
    for kind, keys in GROUP_KINDS.items():
        names = [tuple(str(getattr(c, _COHORT_ATTR[k])) for k in keys) for c in topology.cohorts]
        groups = sorted(set(names))
        place = {g: i for i, g in enumerate(groups)}
        out[kind] = GroupIndex(tuple(groups), np.array([place[n] for n in names], dtype=np.int64))
    return out


@dataclass(frozen=True)
class GroupMetrics:
    """Per change point, for one group of people (or the whole country)."""

    users: float  #: internet users in the group, persons
    index_pct: NDArray[np.float64]  #: [K]
    traffic_gbps: NDArray[np.float64]  #: [K]
    baseline_gbps: NDArray[np.float64]  #: [K]
    affected: NDArray[np.float64]  #: [K] persons who lose any traffic
    equivalents_lost: NDArray[np.float64]  #: [K] user equivalents of the traffic lost, persons
    cut_off: NDArray[np.float64]  #: [K] persons
    cut_off_abroad: NDArray[np.float64]  #: [K] persons
    probing_pct: NDArray[np.float64]  #: [K] ordinarily responsive /24 blocks still answering probes, %
    bgp_visible_pct: NDArray[np.float64]  #: [K] /24 blocks whose routes are seen from abroad, %


def group_metrics(trace: Trace, cm: CohortMetrics, weights: NDArray[np.float64] | None = None) -> GroupMetrics:
    """Metrics of the people given by ``weights`` (each cohort's share in the group, e.g. fractional for persons
    with disabilities; default: everyone), as dot products over the cohorts (one group: memory O(cohorts));
    :func:`grouped_metrics` gives many groups at once."""
    w = np.ones(cm.users.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    traffic = trace.traffic_gbps @ w
    baseline = trace.baseline_gbps @ w
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(baseline > 0, 100.0 * traffic / baseline, 100.0)
    probe_w, blocks_w = cm.probe_weight * w, cm.blocks * w
    return GroupMetrics(
        users=float(cm.users @ w),
        index_pct=index,
        traffic_gbps=traffic,
        baseline_gbps=baseline,
        affected=cm.affected @ (cm.users * w),
        equivalents_lost=cm.equivalents_lost @ w,
        cut_off=cm.cut_off @ (cm.users * w),
        cut_off_abroad=cm.cut_off_abroad @ (cm.users * w),
        probing_pct=_signal_pct((trace.probe @ probe_w)[:, None], np.array([probe_w.sum()]))[:, 0],
        bgp_visible_pct=_signal_pct((trace.bgp_visible @ blocks_w)[:, None], np.array([blocks_w.sum()]))[:, 0],
    )


def grouped_metrics(
    trace: Trace,
    cm: CohortMetrics,
    of_cohort: NDArray[np.int64],
    n_groups: int,
    weights: NDArray[np.float64] | None = None,
) -> list[GroupMetrics]:
    """Metrics of ``n_groups`` groups at once: cohort ``c`` counts in group ``of_cohort[c]`` with its share
    ``weights[c]`` (default 1). Every sum is a weighted :func:`numpy.bincount` over the cohorts; no
    [group, cohort] matrix is made. The metrics of group ``g`` are views of [K, group] arrays."""
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    users_w = cm.users if w is None else cm.users * w

    def sums(values: NDArray[np.float64], scale: NDArray[np.float64] | None) -> NDArray[np.float64]:
        return _group_sums(values, of_cohort, n_groups, scale)

    traffic, baseline = sums(trace.traffic_gbps, w), sums(trace.baseline_gbps, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(baseline > 0, 100.0 * traffic / baseline, 100.0)
    users = np.bincount(of_cohort, weights=users_w, minlength=n_groups).astype(np.float64, copy=False)
    probe_w = cm.probe_weight if w is None else cm.probe_weight * w
    blocks_w = cm.blocks if w is None else cm.blocks * w
    probe_totals = np.bincount(of_cohort, weights=probe_w, minlength=n_groups).astype(np.float64, copy=False)
    blocks_totals = np.bincount(of_cohort, weights=blocks_w, minlength=n_groups).astype(np.float64, copy=False)
    affected, lost = sums(cm.affected, users_w), sums(cm.equivalents_lost, w)
    cut_off, cut_off_abroad = sums(cm.cut_off, users_w), sums(cm.cut_off_abroad, users_w)
    probing = _signal_pct(sums(trace.probe, probe_w), probe_totals)
    bgp = _signal_pct(sums(trace.bgp_visible, blocks_w), blocks_totals)
    return [
        GroupMetrics(
            users=float(users[g]),
            index_pct=index[:, g],
            traffic_gbps=traffic[:, g],
            baseline_gbps=baseline[:, g],
            affected=affected[:, g],
            equivalents_lost=lost[:, g],
            cut_off=cut_off[:, g],
            cut_off_abroad=cut_off_abroad[:, g],
            probing_pct=probing[:, g],
            bgp_visible_pct=bgp[:, g],
        )
        for g in range(n_groups)
    ]


def _group_sums(
    values: NDArray[np.float64], of_cohort: NDArray[np.int64], n_groups: int, scale: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """[K, group] ``sum over the group's cohorts c of values[k, c] * scale[c]`` (scale default 1), summed in cohort
    order by one weighted :func:`numpy.bincount` over (change point, group) bins."""
    k = values.shape[0]
    scaled = values if scale is None else values * scale[None, :]
    bins = (np.arange(k, dtype=np.int64)[:, None] * n_groups + of_cohort[None, :]).ravel()
    out = np.bincount(bins, weights=scaled.ravel(), minlength=k * n_groups).astype(np.float64, copy=False)
    return out.reshape(k, n_groups)


def _signal_pct(weighted: NDArray[np.float64], totals: NDArray[np.float64]) -> NDArray[np.float64]:
    """[K, group] ``100 * weighted / totals`` (``weighted``: [K, group] weighted sums of a signal, ``totals``: [group]
    sums of the weights); 100 where the group has no weight."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out: NDArray[np.float64] = np.where(totals[None, :] > 0, 100.0 * weighted / totals[None, :], 100.0)
    return out


def messaging_fallback(topology: Topology, cm: CohortMetrics, telephony_availability: float) -> NDArray[np.float64]:
    """[K] users who lost their messengers and fall back to calls and SMS, persons."""
    messengers = [i for i, s in enumerate(topology.services) if s.kind == "messenger"]
    if not messengers:
        return np.zeros(cm.service_affected.shape[0])
    lost: NDArray[np.float64] = cm.service_affected[:, messengers].max(axis=1)
    return telephony_availability * lost

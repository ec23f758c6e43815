"""Pairs of failures under valley-free routing: the users two elements failing together cut off from abroad that
neither cuts alone (the same table as :mod:`simkz.analysis.structure.pairs`, on valley-free paths).

Only elements on some user's valley-free path abroad (the *candidates* of
:mod:`simkz.analysis.structure.valley_single`) can add to a cut: with ``a`` off every path, the pair cuts off
exactly what ``b`` cuts alone, and no joint users. Those pairs are counted without a search; a pair of
candidates is searched again with both failed (:func:`~simkz.analysis.structure.valley.starts_reaching`,
many pairs per search, about 35 ns per arc of the users' paths and pair on 2 cores).

* **Exact** (every pair of candidates searched) when the graph has at most ``max_exact`` elements and the
  work, ``pairs of candidates x arcs of the users' paths``, is at most :data:`VALLEY_EXACT_WORK`; or when
  the sample would hold every pair of candidates anyway.
* **Sample** otherwise: ``sample`` distinct pairs *of candidates*, drawn uniformly with the seed (numpy's
  PCG64), each searched. A figure over all pairs is the exact part of the other pairs plus the candidates'
  share of all pairs times the sample's mean, with the sample's 95% interval (Wilson for the share of pairs
  with joint users, mean +- 1.96 standard errors otherwise) scaled the same way. On a graph where most
  elements are far from the country's users (the 75,000-AS graph: 1,705 candidates of 575,600 elements)
  a uniform sample of all pairs would almost never meet two candidates.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from simkz.analysis.structure.graph import ElementGraph
from simkz.analysis.structure.pairs import (
    Estimate,
    PairFailures,
    _draw_pairs,
    _exact,
    _normal,
    _result,
    _wilson,
)
from simkz.analysis.structure.valley import starts_reaching
from simkz.analysis.structure.valley_single import ValleyCuts

__all__ = [
    "VALLEY_EXACT_WORK",
    "candidate_pairs",
    "exact_work",
    "valley_exact_pairs",
    "valley_pair_failures",
    "valley_sampled_pairs",
]

#: Exact pairs under valley-free routing: at most this many arcs searched in all (candidate pairs x arcs of the
#: users' paths); about 7 s at this size.
VALLEY_EXACT_WORK = 200_000_000
#: Pairs of one search's result held at once ([pair, start] booleans), bounded to some 50 MB.
_CHUNK_CELLS = 50_000_000


def exact_work(cuts: ValleyCuts) -> int:
    """Arcs searched by the exact pass: candidate pairs x arcs of the users' paths."""
    return candidate_pairs(cuts) * max(int(cuts.paths.src.shape[0]), 1)


def candidate_pairs(cuts: ValleyCuts) -> int:
    """Pairs of elements both on some user's valley-free path to the targets: the only ones searched."""
    c = int(cuts.paths.column_element.shape[0])
    return c * (c - 1) // 2


def valley_pair_failures(
    graph: ElementGraph, cuts: ValleyCuts, *, sample: int, seed: int, max_exact: int
) -> PairFailures:
    """Every pair if the graph has at most ``max_exact`` elements and the work is small, or if the sample would
    hold every pair of candidates; else a sample of the pairs of candidates."""
    small = graph.n_elements <= max_exact and exact_work(cuts) <= VALLEY_EXACT_WORK
    if small or candidate_pairs(cuts) <= sample:
        return valley_exact_pairs(graph, cuts)
    return valley_sampled_pairs(graph, cuts, sample=sample, seed=seed)


def _single_lost(cuts: ValleyCuts) -> NDArray[np.bool_]:
    """``[column, start]``: the starts each candidate cuts off alone (plus an all-false last row)."""
    paths = cuts.paths
    start_of = np.full(paths.n_nodes, -1, dtype=np.int64)
    start_of[paths.start_node] = np.arange(paths.start_node.shape[0])
    lost = np.zeros((paths.column_element.shape[0] + 1, paths.start_node.shape[0]), dtype=bool)
    lost[paths.element_column[cuts.cut_element], start_of[cuts.cut_node]] = True
    return lost


def _pair_cuts(
    graph: ElementGraph, cuts: ValleyCuts, a: NDArray[np.int64], b: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Persons cut off by each pair of candidates ``(a[k], b[k])`` failing together, and those neither cuts alone.

    Both are sums of the users of whole starts (no difference of sums, as in the structural pairs): a pair's
    joint users are 0 exactly when it cuts off no one with users that neither cuts alone, so a pair has joint
    users when they are positive, however few (no rounding tolerance, which would drop real ones).
    """
    paths = cuts.paths
    single = _single_lost(cuts)
    users = graph.node_users[paths.start_node]
    cut = np.zeros(a.shape[0], dtype=np.float64)
    joint = np.zeros(a.shape[0], dtype=np.float64)
    step = max(1, _CHUNK_CELLS // max(users.shape[0], 1))
    for first in range(0, a.shape[0], step):
        x, y = a[first : first + step], b[first : first + step]
        lost = ~starts_reaching(paths, list(np.stack([x, y], axis=1)))
        only = lost & ~single[paths.element_column[x]] & ~single[paths.element_column[y]]
        cut[first : first + step] = lost @ users
        joint[first : first + step] = only @ users
    return cut, joint


def valley_exact_pairs(graph: ElementGraph, cuts: ValleyCuts) -> PairFailures:
    """Every pair of elements, exactly: each pair of candidates searched, the others counted."""
    size = graph.n_elements
    candidates = cuts.paths.column_element  # sorted
    i, j = np.triu_indices(candidates.shape[0], 1)
    a, b = candidates[i].astype(np.int64), candidates[j].astype(np.int64)
    cut, joint = _pair_cuts(graph, cuts, a, b)
    hit = joint > 0.0  # exact: see _pair_cuts
    # a pair with an element off every path cuts what the other cuts alone
    off_path = size - candidates.shape[0]
    sum_cut = float(cut.sum()) + off_path * float(cuts.cut_users[candidates].sum())
    total = size * (size - 1) // 2
    denominator = max(total, 1)
    share, joint_mean = _exact(int(hit.sum()) / denominator), _exact(float(joint[hit].sum()) / denominator)
    found = [(a[hit], b[hit], cut[hit], joint[hit])]
    return _result("exact", graph, total, total, None, found, share, joint_mean, _exact(sum_cut / denominator))


def valley_sampled_pairs(graph: ElementGraph, cuts: ValleyCuts, *, sample: int, seed: int) -> PairFailures:
    """``sample`` distinct pairs of candidates drawn uniformly with ``seed``, each evaluated exactly; the pairs with
    an element off the paths counted exactly. The figures are over all pairs: the counted part plus the
    sample's estimate (and its 95% interval) scaled to the pairs of candidates."""
    size = graph.n_elements
    total, candidates = size * (size - 1) // 2, cuts.paths.column_element
    among = candidates.shape[0] * (candidates.shape[0] - 1) // 2  # pairs of candidates
    drawn = _draw_pairs(candidates.shape[0], min(sample, among), seed)
    a, b = candidates[drawn[:, 0]].astype(np.int64), candidates[drawn[:, 1]].astype(np.int64)
    cut, joint = _pair_cuts(graph, cuts, a, b)
    hit = joint > 0.0  # exact: see _pair_cuts
    off_path_cut = (size - candidates.shape[0]) * float(cuts.cut_users[candidates].sum())
    k, n, weight = int(hit.sum()), drawn.shape[0], among / max(total, 1)
    return _result(
        "sample",
        graph,
        total,
        n,
        seed,
        [(a[hit], b[hit], cut[hit], joint[hit])],
        _scaled(_wilson(k, n), weight, 0.0),
        _scaled(_normal(np.where(hit, joint, 0.0)), weight, 0.0),
        _scaled(_normal(cut), weight, off_path_cut / max(total, 1)),
    )


def _scaled(e: Estimate, weight: float, offset: float) -> Estimate:
    """``offset + weight x`` of a figure and its interval (a mean over the pairs of candidates, made one over all
    pairs: ``weight`` the candidates' share of the pairs, ``offset`` the other pairs' exact part)."""
    return Estimate(offset + weight * e.value, offset + weight * e.low, offset + weight * e.high)

"""Pairs of failures: the users two elements failing together cut off from abroad that neither cuts alone.

For a pair ``{a, b}`` with single cut sets ``A`` and ``B`` (persons cut off from abroad by each alone) and
joint cut set ``C`` (both failed), the *joint users* are the persons of ``C`` outside ``A | B`` (the union).

* **Exact** (at most :data:`EXACT_PAIRS_MAX_ELEMENTS` elements): for each element ``a``, one search of
  the graph without ``a`` (:func:`~simkz.analysis.structure.separation.separation`) gives what every
  other element ``b`` cuts off on top of ``A``; then ``joint = cut_{G-a}(b) - |B| + |A & B|``, with
  ``|A & B|`` (the intersection) from ``B``'s ranges over the prefix sums of ``A``'s users. Every pair,
  no sampling.
* **Sample** (above the threshold): a uniform sample of distinct pairs (numpy's PCG64 generator with the
  stated seed); each pair is evaluated exactly by :meth:`~simkz.analysis.structure.local.PairSearch.pair_cut`. The
  share of pairs with joint users comes with a Wilson 95% interval, the means with normal 95%
  intervals (mean ± 1.96 standard errors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simkz.analysis.structure.graph import Adjacency, ElementGraph
from simkz.analysis.structure.local import PairSearch
from simkz.analysis.structure.separation import Separation, separation

__all__ = [
    "DEFAULT_PAIRS_SAMPLE",
    "EXACT_PAIRS_MAX_ELEMENTS",
    "Estimate",
    "PairFailures",
    "exact_pairs",
    "pair_failures",
    "sampled_pairs",
]

#: Graphs with at most this many elements (nodes + links) get every pair, exactly: one linear search per
#: element, about 2 s at the threshold (4,000 nodes and links searched 2,000 times).
EXACT_PAIRS_MAX_ELEMENTS = 2000
#: Pairs drawn above the threshold, unless told otherwise.
DEFAULT_PAIRS_SAMPLE = 10_000
_Z95 = 1.959963984540054  #: the standard normal's 97.5% quantile


@dataclass(frozen=True)
class Estimate:
    """A figure with its 95% interval (equal to the figure when every pair was evaluated)."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class PairFailures:
    """Pairs of elements whose joint failure cuts off users that neither cuts alone, and how common they are."""

    method: str  #: ``exact`` (every pair) or ``sample``
    n_elements: int
    total_pairs: int  #: n (n - 1) / 2
    evaluated: int  #: pairs evaluated
    seed: int | None  #: of the sample
    a: NDArray[np.int64]  #: first element of each pair with joint users (among those evaluated)
    b: NDArray[np.int64]
    cut_users: NDArray[np.float64]  #: persons cut off from abroad by the pair
    joint_users: NDArray[np.float64]  #: of those, persons neither element cuts off alone
    share_with_joint: Estimate  #: share of pairs with joint users, 0-1
    mean_joint_users: Estimate  #: joint users per pair, persons
    mean_cut_users: Estimate  #: users cut off per pair, persons


def pair_failures(
    graph: ElementGraph, adj: Adjacency, base: Separation, *, sample: int, seed: int, max_exact: int
) -> PairFailures:
    """Every pair if the graph has at most ``max_exact`` elements, else ``sample`` pairs drawn with ``seed``."""
    if graph.n_elements <= max_exact:
        return exact_pairs(graph, adj, base)
    return sampled_pairs(graph, adj, base, sample=sample, seed=seed)


def _tolerance(graph: ElementGraph) -> float:
    """Joint users below this are rounding (persons): 1e-9 of all users."""
    return 1e-9 * max(graph.total_users, 1.0)


def exact_pairs(graph: ElementGraph, adj: Adjacency, base: Separation) -> PairFailures:
    """Every pair of elements, exactly (one search of the graph without each element)."""
    size, tol = graph.n_elements, _tolerance(graph)
    found: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]] = []
    n_joint, sum_joint, sum_cut = 0, 0.0, 0.0
    for a in range(size - 1):
        without = separation(graph, adj, down=a)
        lost = base.reached & ~without.reached  # A: the nodes a cuts off
        inter = _users_within(base, lost, size)  # |A & B| for every b
        b = np.arange(a + 1, size)
        joint = without.cut_users[b] - base.cut_users[b] + inter[b]
        cut = base.cut_users[a] + without.cut_users[b]
        hit = joint > tol
        n_joint += int(hit.sum())
        sum_joint += float(joint[hit].sum())
        sum_cut += float(cut.sum())
        if hit.any():
            found.append((np.full(int(hit.sum()), a, dtype=np.int64), b[hit], cut[hit], joint[hit]))
    total = size * (size - 1) // 2
    denominator = max(total, 1)
    share, joint_mean, cut_mean = (_exact(x / denominator) for x in (n_joint, sum_joint, sum_cut))
    return _result("exact", graph, total, total, None, found, share, joint_mean, cut_mean)


def _users_within(base: Separation, mask: NDArray[np.bool_], size: int) -> NDArray[np.float64]:
    """[element] persons of each element's single cut set that lie in the nodes of ``mask``."""
    nodes = np.flatnonzero(mask)
    weights = np.zeros(base.prefix_users.shape[0] - 1, dtype=np.float64)
    weights[base.pre[nodes]] = np.diff(base.prefix_users)[base.pre[nodes]]
    prefix = np.concatenate([[0.0], np.cumsum(weights)])
    within = prefix[base.range_hi] - prefix[base.range_lo]
    return np.bincount(base.range_element, weights=within, minlength=size).astype(np.float64)


def sampled_pairs(graph: ElementGraph, adj: Adjacency, base: Separation, *, sample: int, seed: int) -> PairFailures:
    """``sample`` distinct pairs drawn uniformly with ``seed``, each evaluated exactly."""
    size, tol = graph.n_elements, _tolerance(graph)
    total = size * (size - 1) // 2
    pairs = _draw_pairs(size, min(sample, total), seed)
    search = PairSearch(graph, adj, base)
    cut = np.zeros(len(pairs), dtype=np.float64)
    joint = np.zeros(len(pairs), dtype=np.float64)
    for k, (a, b) in enumerate(pairs):
        cut[k], joint[k] = search.pair_cut(int(a), int(b))
    hit = joint > tol
    found = [(pairs[hit, 0], pairs[hit, 1], cut[hit], joint[hit])]
    k, n = int(hit.sum()), len(pairs)
    return _result(
        "sample", graph, total, n, seed, found, _wilson(k, n), _normal(np.where(hit, joint, 0.0)), _normal(cut)
    )


def _draw_pairs(size: int, count: int, seed: int) -> NDArray[np.int64]:
    """``count`` distinct unordered pairs ``[a, b]`` (``a < b``) of ``range(size)``, uniformly, in draw order."""
    rng = np.random.default_rng(seed)
    chosen: dict[tuple[int, int], None] = {}
    while len(chosen) < count:
        need = count - len(chosen)
        a = rng.integers(0, size, size=need)
        b = rng.integers(0, size - 1, size=need)
        b = np.where(b >= a, b + 1, b)
        for x, y in zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist(), strict=True):
            if len(chosen) < count:
                chosen.setdefault((x, y))
    return np.array(list(chosen), dtype=np.int64).reshape(-1, 2)


def _result(
    method: str,
    graph: ElementGraph,
    total: int,
    evaluated: int,
    seed: int | None,
    found: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]],
    share: Estimate,
    mean_joint: Estimate,
    mean_cut: Estimate,
) -> PairFailures:
    """The pairs with joint users, most joint users first (then by elements)."""
    a, b, cut, joint = (np.concatenate([f[i] for f in found]) if found else np.zeros(0) for i in range(4))
    order = np.lexsort((b, a, -joint))
    return PairFailures(
        method=method,
        n_elements=graph.n_elements,
        total_pairs=total,
        evaluated=evaluated,
        seed=seed,
        a=a[order].astype(np.int64),
        b=b[order].astype(np.int64),
        cut_users=cut[order].astype(np.float64),
        joint_users=joint[order].astype(np.float64),
        share_with_joint=share,
        mean_joint_users=mean_joint,
        mean_cut_users=mean_cut,
    )


def _exact(value: float) -> Estimate:
    return Estimate(value, value, value)


def _wilson(k: int, n: int) -> Estimate:
    """The share ``k / n`` with its Wilson score 95% interval (sound at 0 and 1, unlike the normal one)."""
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan)
    p, z2 = k / n, _Z95 * _Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return Estimate(p, low, high)


def _normal(values: NDArray[np.float64]) -> Estimate:
    """The mean with mean ± 1.96 standard errors (sample standard deviation / sqrt(n)); the values are
    persons, never negative, so the interval is cut at 0."""
    n = values.shape[0]
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan)
    mean = float(values.mean())
    half = _Z95 * float(values.std(ddof=1)) / math.sqrt(n) if n > 1 else math.inf
    return Estimate(mean, max(0.0, mean - half), mean + half)

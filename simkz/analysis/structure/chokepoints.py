"""User-weighted chokepoint metrics, comparable to AS hegemony and to national chokepoint potential.

Paths are the model's ECMP routing towards abroad (:mod:`simkz.analysis.structure.paths`), not BGP
feeds; viewpoints are the country's user cohorts (access nodes with users and a path abroad), not BGP
monitors; ``h_c(v)`` is the share of cohort ``c``'s traffic abroad that crosses node ``v``.

**Hegemony-like score** (after R. Fontugne, A. Shah, E. Aben, "The (thin) Bridges of AS Connectivity:
Measuring Dependency using AS Hegemony", Passive and Active Measurement (PAM 2018), LNCS 10771,
https://doi.org/10.1007/978-3-319-76481-8_16, arXiv https://arxiv.org/abs/1711.02805; the Internet Health
Report computes it at https://ihr.iijlab.net/ihr/hegemony/). AS hegemony is the mean over viewpoints of
the share of paths crossing an AS, trimmed of the lowest and highest ``alpha = 0.1`` of the viewpoints to
remove the bias of their locations:
``H(v) = 1 / (k - 2 floor(alpha k)) * sum_{i = floor(alpha k) + 1}^{k - floor(alpha k)} h_(i)(v)``,
``h_(i)`` sorted increasingly over the ``k`` viewpoints. We give it (``hegemony_trimmed``) and the
user-weighted mean ``sum_c users_c h_c(v) / sum_c users_c`` (``hegemony_user_weighted``), as IHR's
country dependency weights each origin network by its share of the country's users
(https://github.com/InternetHealthReport/country-as-hegemony). A cohort's own access node is left out of
its own values (it is on all its paths), as country hegemony can leave the origin networks out.
Differences from IHR: paths from the routing model rather than BGP AS paths; cohorts (users behind an
access node) rather than BGP peers as viewpoints; the destination is "abroad" (the first foreign node),
not one origin AS.

**Chokepoint potential** (after K. G. Leyba, B. Edwards, C. Freeman, J. R. Crandall, S. Forrest, "Borders
and Gateways: Measuring and Analyzing National AS Chokepoints", ACM SIGCAS Conference on Computing and
Sustainable Societies (COMPASS '19), 2019, https://doi.org/10.1145/3314344.3332502). A border AS is one
with a neighbour in another country; its chokepoint potential is the share of the country's
border-crossing paths it lies on, ``cp(a) = |{p in P : a in p}| / |P|``; the national chokepoint
potential for a fraction ``f`` is ``CP(c, f) = 1 / j``, with ``j`` the fewest border ASes (largest ``cp``
first) whose ``cp`` sum above ``f``. Here a border node is a domestic node with a foreign neighbour, and
``P`` is the user-weighted ECMP traffic abroad: ``cp(a) = sum_c users_c h_c(a) / sum_c users_c`` (a
cohort's own node counts: its paths contain it). We report ``CP`` for ``f = 0.5`` and ``f = 0.9``. The
paper derives paths from simulated BGP on CAIDA's AS graph and counts paths between AS pairs, unweighted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simkz.analysis.structure.graph import ElementGraph
from simkz.analysis.structure.paths import AbroadPaths
from simkz.topology.network import Topology

__all__ = ["ALPHA", "NCP_FRACTIONS", "Chokepoints", "chokepoints", "trimmed_mean"]

#: Share of the viewpoints trimmed at each end (IHR's AS hegemony uses 0.1).
ALPHA = 0.1
#: Fractions ``f`` of border-crossing traffic for the national chokepoint potential.
NCP_FRACTIONS = (0.5, 0.9)


@dataclass(frozen=True)
class Chokepoints:
    """Per node (those on some cohort's paths abroad), its hegemony-like scores and chokepoint potential."""

    nodes: NDArray[np.int64]  #: node indices, highest user-weighted hegemony first
    hegemony_user_weighted: NDArray[np.float64]  #: 0-1
    hegemony_trimmed: NDArray[np.float64]  #: 0-1
    border: NDArray[np.bool_]  #: a domestic node with a foreign neighbour
    potential: NDArray[np.float64]  #: chokepoint potential cp, 0-1 (0 off the border)
    viewpoints: int  #: cohorts used as viewpoints
    national: dict[float, float]  #: f -> CP(c, f) = 1 / j (nan without border traffic)
    national_j: dict[float, int]  #: f -> j, the fewest border nodes carrying more than f


def chokepoints(topology: Topology, graph: ElementGraph, paths: AbroadPaths) -> Chokepoints:
    """The chokepoint metrics of ``topology``."""
    users = topology.users()
    view = np.flatnonzero(paths.reaches & (users > 0))
    shares = paths.crossing(view)  # [local, viewpoint], own nodes included
    weights = users[view] / users[view].sum() if view.size else np.zeros(0)
    potential_all = shares @ weights
    own = paths.cohort_local[view]
    shares[own, np.arange(view.shape[0])] = 0.0
    weighted, trimmed = shares @ weights, trimmed_mean(shares, ALPHA)
    border = _border_nodes(graph)[paths.nodes]
    potential = np.where(border, potential_all, 0.0)
    keep = np.flatnonzero((weighted > 0) | (trimmed > 0) | (potential > 0))
    order = keep[np.lexsort((paths.nodes[keep], -potential[keep], -weighted[keep]))]
    national, needed = _national(potential[border])
    return Chokepoints(
        nodes=paths.nodes[order],
        hegemony_user_weighted=weighted[order],
        hegemony_trimmed=trimmed[order],
        border=border[order],
        potential=potential[order],
        viewpoints=int(view.shape[0]),
        national=national,
        national_j=needed,
    )


def trimmed_mean(values: NDArray[np.float64], alpha: float) -> NDArray[np.float64]:
    """Row-wise mean of ``values`` ``[row, viewpoint]`` without the ``floor(alpha k)`` lowest and highest."""
    k = values.shape[1]
    if k == 0:
        return np.zeros(values.shape[0], dtype=np.float64)
    cut = math.floor(alpha * k)
    kept = np.sort(values, axis=1)[:, cut : k - cut]
    out: NDArray[np.float64] = kept.mean(axis=1).astype(np.float64)
    return out


def _border_nodes(graph: ElementGraph) -> NDArray[np.bool_]:
    """[node] a domestic node with at least one foreign neighbour."""
    a, b = graph.ends[:, 0], graph.ends[:, 1]
    border = np.zeros(graph.n_nodes, dtype=bool)
    border[a[graph.foreign[b] & ~graph.foreign[a]]] = True
    border[b[graph.foreign[a] & ~graph.foreign[b]]] = True
    return border


def _national(potential: NDArray[np.float64]) -> tuple[dict[float, float], dict[float, int]]:
    """``CP(c, f) = 1 / j`` for each ``f`` in :data:`NCP_FRACTIONS` (nan, j = 0 if no border node carries
    more than ``f``)."""
    running = np.cumsum(np.sort(potential)[::-1])
    national, needed = {}, {}
    for f in NCP_FRACTIONS:
        above = np.flatnonzero(running > f + 1e-12)
        j = int(above[0]) + 1 if above.size else 0
        national[f], needed[f] = (1.0 / j if j else math.nan), j
    return national, needed

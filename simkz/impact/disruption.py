"""Disrupted services: below the served-share threshold, or needing a service that is.

A dependency cycle cannot get here: the topology checks refuse it.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from simkz.topology.network import Topology

__all__ = ["disrupted", "intervals"]


def disrupted(
    topology: Topology, service_share: NDArray[np.float64], threshold: float
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """``(disrupted, direct)`` per change point and service ([K, S] each).

    ``direct``: the service's own user-weighted served share is below ``threshold``.
    ``disrupted``: direct, or any service it depends on (transitively) is disrupted.
    """
    direct = service_share < threshold
    keys = topology.service_keys
    index = {k: i for i, k in enumerate(keys)}
    deps = nx.DiGraph()
    deps.add_nodes_from(keys)
    deps.add_edges_from((d, s.key) for s in topology.services for d in s.depends_on)
    out = direct.copy()
    for key in nx.lexicographical_topological_sort(deps):
        i = index[key]
        for d in deps.predecessors(key):
            out[:, i] |= out[:, index[d]]
    return out, direct


def intervals(times_s: NDArray[np.float64], end_s: float, flags: NDArray[np.bool_]) -> list[tuple[float, float]]:
    """Maximal intervals ``(start_s, end_s)`` during which ``flags`` (one per change point) hold."""
    out: list[tuple[float, float]] = []
    bounds = np.append(times_s, end_s)
    start: float | None = None
    for k, flag in enumerate(flags):
        if flag and start is None:
            start = float(bounds[k])
        elif not flag and start is not None:
            out.append((start, float(bounds[k])))
            start = None
    if start is not None:
        out.append((start, float(end_s)))
    return out

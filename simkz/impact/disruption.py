"""Service dependencies and disrupted services.

A request to a service works only if the service is reached and every service it needs works.
With ``served`` the network's served share and ``deps(s)`` the services ``s`` needs (each with
the share ``p`` of requests that need it), the **effective** served share is, per cohort,
``eff(s) = served(s) x prod over deps (1 - p + p x eff(d))`` (independent failures assumed).

A service is **disrupted** while its user-weighted effective share is below the threshold, while
a service it always needs (``p = 1``) is disrupted, or while a backlog of failed requests is still
draining after the network came back.
A dependency cycle cannot get here: the topology checks refuse it.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from simkz.topology.network import Topology

__all__ = ["Dependency", "dependencies", "dependency_order", "disrupted", "effective_served", "intervals"]


#: (service, service it depends on, share of requests that need it), by service indices.
Dependency = tuple[int, int, float]


def dependency_order(topology: Topology) -> list[int]:
    """Service indices with every service after those it depends on (ties by name); sorted once per topology."""
    return list(topology.memo("impact.dependency_order", lambda: _dependency_order(topology)))


def _dependency_order(topology: Topology) -> tuple[int, ...]:
    keys = topology.service_keys
    graph = nx.DiGraph()
    graph.add_nodes_from(keys)
    graph.add_edges_from((d, s.key) for s in topology.services for d, _ in s.depends_on)
    index = {k: i for i, k in enumerate(keys)}
    return tuple(index[k] for k in nx.lexicographical_topological_sort(graph))


def dependencies(topology: Topology) -> tuple[Dependency, ...]:
    """Every dependency, in the order :func:`effective_served` applies them (that of :func:`dependency_order`)."""

    def make() -> tuple[Dependency, ...]:
        index = {k: i for i, k in enumerate(topology.service_keys)}
        return tuple(
            (i, index[dep], share) for i in dependency_order(topology) for dep, share in topology.services[i].depends_on
        )

    return topology.memo("impact.dependencies", make)


def effective_served(topology: Topology, served: NDArray[np.float64]) -> NDArray[np.float64]:
    """Effective served shares; ``served`` has services on its last axis (any leading shape)."""
    eff = np.array(served, dtype=np.float64, copy=True)
    for i, dep, share in dependencies(topology):
        eff[..., i] *= 1.0 - share + share * eff[..., dep]
    return eff


def disrupted(
    topology: Topology,
    effective_share: NDArray[np.float64],
    threshold: float,
    backlog: NDArray[np.bool_] | None = None,
) -> NDArray[np.bool_]:
    """[K, S]: the user-weighted effective share is below ``threshold``, a backlog is draining,
    or a service it always needs is disrupted."""
    out = effective_share < threshold
    if backlog is not None:
        out |= backlog
    for i, dep, share in dependencies(topology):
        if share >= 1.0:
            out[:, i] |= out[:, dep]
    return out


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

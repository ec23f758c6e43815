"""Single points of failure, exactly: the users each node or link cuts off, failing alone, from abroad and
from each service (see :mod:`simkz.analysis.structure.separation` for the method).

This module is the structural search (any working link carries traffic); a ``routing: valley-free`` topology
gets the same table from :mod:`simkz.analysis.structure.valley_single`.

Abroad is the set of foreign nodes; a service is reached through any of its hosts. Services with the
same hosts share one search. Users already without a path when nothing fails are counted apart
(``base_cut_*``), never as cut by an element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from simkz.analysis.structure.graph import ElementGraph, adjacency
from simkz.analysis.structure.separation import Separation, separation
from simkz.topology.network import Topology

if TYPE_CHECKING:
    from simkz.analysis.structure.valley_single import ValleyCuts

__all__ = ["SingleFailures", "single_failures"]


@dataclass(frozen=True)
class SingleFailures:
    """Users cut off by each element failing alone (persons), from abroad and from each service."""

    abroad: Separation | ValleyCuts  #: structural (one search), or valley-free (one search per candidate element)
    service_keys: tuple[str, ...]
    by_service: NDArray[np.float64]  #: [service, element] persons cut off from the service
    base_cut_abroad: float  #: persons with no path abroad when nothing fails
    base_cut_service: NDArray[np.float64]  #: [service] persons with no path to the service when nothing fails

    def ranking(self) -> NDArray[np.int64]:
        """Elements by users cut off from abroad (most first), then by the most users cut off from one
        service, then nodes before links, then element index."""
        cut = self.abroad.cut_users
        worst = self.by_service.max(axis=0) if self.by_service.size else np.zeros_like(cut)
        index = np.arange(cut.shape[0])
        return np.lexsort((index, -worst, -cut)).astype(np.int64)


def single_failures(topology: Topology, graph: ElementGraph) -> SingleFailures:
    """Exact single-failure cuts of ``topology`` (whose arrays are ``graph``)."""
    index = topology.node_index
    abroad = separation(graph, adjacency(graph, np.flatnonzero(graph.foreign)))
    searched: dict[tuple[int, ...], Separation] = {}
    rows = []
    base = []
    for service in topology.services:
        hosts = tuple(sorted({index[h] for h in service.hosts}))
        if hosts not in searched:
            searched[hosts] = separation(graph, adjacency(graph, np.array(hosts, dtype=np.int64)))
        sep = searched[hosts]
        rows.append(sep.cut_users)
        base.append(_unreached_users(graph, sep))
    by_service = np.array(rows, dtype=np.float64).reshape(len(rows), graph.n_elements)
    return SingleFailures(
        abroad=abroad,
        service_keys=topology.service_keys,
        by_service=by_service,
        base_cut_abroad=_unreached_users(graph, abroad),
        base_cut_service=np.array(base, dtype=np.float64),
    )


def _unreached_users(graph: ElementGraph, sep: Separation) -> float:
    return float(graph.node_users[~sep.reached].sum())

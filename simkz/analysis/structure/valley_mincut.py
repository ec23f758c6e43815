"""Minimum cuts between each region's users and abroad under valley-free routing, exactly, with the elements named.

On the phase-expanded graph (:mod:`simkz.analysis.structure.valley`) a failed node removes *both* its states,
and a failed link all its arcs (up to four). A maximum flow with one unit of capacity per state or per arc
would count such an element twice; one shared unit per node (a single ``in -> out`` arc for both states)
would let paths enter a node going down and leave it going up, a valley. So the cut is found as what it is,
a small integer programme on the part of the graph on the region's paths abroad, solved exactly by
branch and bound (:func:`scipy.optimize.milp`, the HiGHS solver, relative gap 0):

* a binary ``y_e`` per element that may be cut (vertex cut: the domestic nodes, access nodes included;
  edge cut: the links), the others fixed at 0;
* a reach variable ``r_s`` in ``[0, 1]`` per state: ``r_s + y_node(s) >= 1`` at each user's start state,
  ``r_v >= r_u - y_node(v) - y_link(u, v)`` for each arc, ``r_u <= y_node(u)`` at each target state
  (with ``y`` fixed, a feasible ``r`` exists exactly when no path from a start to a target avoids the cut
  elements: along such a path ``r`` would have to stay 1 into a target);
* minimise ``sum_e y_e (1 + eps d_e)``, ``d_e`` the element's distance from abroad in arcs and
  ``eps sum_e d_e < 1``: the fewest elements, and among minimum cuts (seldom unique) the one nearest abroad,
  as the structural cut names (:mod:`simkz.analysis.structure.mincut`).

The programme has a variable per state and element and a constraint per arc on the region's paths: for an
AS-level country, some thousands.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import shortest_path

from simkz.analysis.structure.graph import ElementGraph
from simkz.analysis.structure.mincut import MinCut, region_sources
from simkz.analysis.structure.valley import ValleyPaths, valley_paths
from simkz.topology.network import Topology

__all__ = ["valley_cut", "valley_min_cuts"]


def valley_min_cuts(topology: Topology, graph: ElementGraph) -> tuple[MinCut, ...]:
    """The minimum vertex and edge cuts of every region with at least one access node, in region key order."""
    out = []
    for region, users, sources in region_sources(topology):
        paths = valley_paths(topology, graph, np.flatnonzero(graph.foreign), sources)
        out.append(
            MinCut(
                region=region,
                users=users,
                access_nodes=len(sources),
                vertex_cut=tuple(graph.nodes[e] for e in valley_cut(graph, paths, by_node=True)),
                edge_cut=tuple(graph.links[e - graph.n_nodes] for e in valley_cut(graph, paths, by_node=False)),
            )
        )
    return tuple(out)


def valley_cut(graph: ElementGraph, paths: ValleyPaths, *, by_node: bool) -> list[int]:
    """The elements (node indices, or ``n_nodes +`` link index) of a minimum cut between the starts and the
    targets of ``paths``, nearest abroad among the minimum ones; sorted."""
    if not paths.starts.size:
        return []
    n_states, elements = paths.size - 1, paths.column_element  # the sink needs no variable
    is_node = elements < graph.n_nodes
    domestic = is_node & ~graph.foreign[np.where(is_node, elements, 0)]
    cuttable = domestic if by_node else ~is_node
    depth = _depth(paths)
    weight = 1.0 + depth / (float(depth.sum()) + 1.0)
    cost = np.concatenate([np.zeros(n_states), np.where(cuttable, weight, 0.0)])
    matrix, lower = _constraints(paths, n_states)
    result = milp(
        cost,
        integrality=np.concatenate([np.zeros(n_states), np.ones(elements.shape[0])]),
        bounds=Bounds(np.zeros(cost.shape[0]), np.concatenate([np.ones(n_states), cuttable.astype(np.float64)])),
        constraints=LinearConstraint(matrix, lower, np.full(lower.shape[0], np.inf)),
        options={"mip_rel_gap": 0.0},
    )
    if result.status != 0 or result.x is None:  # pragma: no cover - every element cut is feasible
        raise RuntimeError(f"minimum cut: the solver failed ({result.message})")
    chosen = result.x[n_states:] > 0.5
    return sorted(int(e) for e in elements[chosen])


def _constraints(paths: ValleyPaths, n_states: int) -> tuple[sp.csr_matrix, NDArray[np.float64]]:
    """The rows ``A x >= lower`` over ``x = (r per state, y per element column)``: one per arc, one per start."""
    column = paths.arc_columns  # [tail node, head node, link], -1: none
    arcs = np.arange(paths.src.shape[0])
    into_sink = paths.dst == paths.sink
    y = n_states  # offset of the element columns
    # an arc u -> v: r_v - r_u + y_head + y_link >= 0; into the sink: -r_u + y_tail >= 0
    rows = [arcs[~into_sink], arcs, arcs[into_sink]]
    cols = [paths.dst[~into_sink], paths.src, y + column[0][into_sink]]
    vals = [np.ones((~into_sink).sum()), -np.ones(arcs.shape[0]), np.ones(into_sink.sum())]
    for part in (column[1], column[2]):
        use = ~into_sink & (part >= 0)
        rows, cols, vals = [*rows, arcs[use]], [*cols, y + part[use]], [*vals, np.ones(use.sum())]
    # a start: r_s + y_node(s) >= 1
    start_rows = arcs.shape[0] + np.arange(paths.starts.shape[0])
    rows += [start_rows, start_rows]
    cols += [paths.starts, y + paths.element_column[paths.start_node]]
    vals += [np.ones(paths.starts.shape[0]), np.ones(paths.starts.shape[0])]
    shape = (arcs.shape[0] + paths.starts.shape[0], n_states + paths.column_element.shape[0])
    matrix = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=shape)
    lower = np.concatenate([np.zeros(arcs.shape[0]), np.ones(paths.starts.shape[0])])
    return matrix, lower


def _depth(paths: ValleyPaths) -> NDArray[np.float64]:
    """[column] the element's distance from abroad in arcs: from a node's nearest state to a target state (0 at a
    target), from a link's nearest arc head to the sink."""
    h = paths.size
    reverse = sp.csr_matrix((np.ones(paths.src.shape[0]), (paths.dst, paths.src)), shape=(h, h))
    hops = np.asarray(shortest_path(reverse, directed=True, unweighted=True, indices=paths.sink), dtype=np.float64)
    depth = np.full(paths.column_element.shape[0], np.inf)
    nodes, links = paths.arc_columns[0], paths.arc_columns[2]
    np.minimum.at(depth, nodes, hops[paths.src] - 1.0)  # every state but the sink has an arc out
    np.minimum.at(depth, links[links >= 0], hops[paths.dst[links >= 0]])
    return np.where(np.isfinite(depth), depth, 0.0)

"""One pair of failures, exactly, by searches near the two elements only (for sampled pairs on large graphs).

With the elements of ``D = {a, b}`` down, a node is cut off iff its component of the graph without ``D``
holds no target. Every such component (among nodes that reach a target when nothing fails) touches ``D``:
it holds a neighbour of a failed node or an end of a failed link. So the search starts from those
nodes only, and a search stops as soon as it meets a node known to reach the targets: the super node,
or a node whose path in a breadth-first tree of the whole graph (from the super node) avoids ``D``.
Components that never meet one are cut off. The cost is that of the cut components plus a few steps
per start, not that of the graph.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.csgraph import breadth_first_order

from simkz.analysis.structure.graph import Adjacency, ElementGraph
from simkz.analysis.structure.separation import Separation

__all__ = ["PairSearch"]


class PairSearch:
    """Evaluates pairs of failed elements on one graph (the single-failure ``base`` of its targets)."""

    def __init__(self, graph: ElementGraph, adj: Adjacency, base: Separation) -> None:
        self.graph, self.adj, self.base = graph, adj, base
        _, pred = breadth_first_order(adj.matrix(), adj.super_node, directed=True, return_predecessors=True)
        self._tree = pred.tolist()  #: breadth-first parent towards the super node (-9999: none)
        self._ends = graph.ends.tolist()
        self._users = graph.node_users.tolist()
        self._reached = base.reached.tolist()
        order = np.argsort(base.range_element, kind="stable")
        counts = np.bincount(base.range_element, minlength=graph.n_elements)
        self._starts = np.concatenate([[0], np.cumsum(counts)]).tolist()
        self._lo = base.range_lo[order].tolist()
        self._hi = base.range_hi[order].tolist()
        self._pre = base.pre.tolist()

    def pair_cut(self, a: int, b: int) -> tuple[float, float]:
        """Persons cut off from the targets by ``a`` and ``b`` failing together, and those of them that
        neither cuts off alone."""
        n = self.graph.n_nodes
        down_nodes = {e for e in (a, b) if e < n}
        down_links = {tuple(sorted(self._ends[e - n])) for e in (a, b) if e >= n}
        cut = [v for v in down_nodes if self._reached[v]]
        cut += self._cut_components(self._starts_of((a, b), down_nodes), down_nodes, down_links)
        total = sum(self._users[v] for v in cut)
        joint = sum(self._users[v] for v in cut if not (self._in_cut_set(a, v) or self._in_cut_set(b, v)))
        return total, joint

    def _starts_of(self, elements: tuple[int, int], down_nodes: set[int]) -> list[int]:
        """The neighbours of failed nodes and the ends of failed links (not failed themselves)."""
        n, adj = self.graph.n_nodes, self.adj
        starts: list[int] = []
        for e in elements:
            if e < n:
                starts += adj.neighbour[adj.indptr[e] : adj.indptr[e + 1]]
            else:
                starts += self._ends[e - n]
        return [v for v in starts if v not in down_nodes and v != adj.super_node and self._reached[v]]

    def _cut_components(self, starts: list[int], down_nodes: set[int], down_links: set[tuple[int, ...]]) -> list[int]:
        """The nodes of the components, among those of ``starts``, that no longer reach the targets."""
        adj = self.adj
        safe: dict[int, bool] = {}  # node -> reaches the targets
        cut: list[int] = []
        for start in starts:
            if start in safe:
                continue
            seen, queue, escaped = {start}, [start], self._tree_escapes(start, down_nodes, down_links, safe)
            while queue and not escaped:
                x = queue.pop()
                for i in range(adj.indptr[x], adj.indptr[x + 1]):
                    y = adj.neighbour[i]
                    if y in seen or y in down_nodes or (x < y and (x, y) in down_links) or (y, x) in down_links:
                        continue
                    if y == adj.super_node or safe.get(y) or self._tree_escapes(y, down_nodes, down_links, safe):
                        escaped = True
                        break
                    seen.add(y)
                    queue.append(y)
            safe.update(dict.fromkeys(seen, escaped))
            if not escaped:
                cut += seen
        return cut

    def _tree_escapes(
        self, v: int, down_nodes: set[int], down_links: set[tuple[int, ...]], safe: dict[int, bool]
    ) -> bool:
        """Whether ``v``'s path in the breadth-first tree reaches the super node avoiding the failed elements
        (known safe nodes end the walk early)."""
        s, tree = self.adj.super_node, self._tree
        path = []
        x = v
        while x != s and not safe.get(x, False):
            p = tree[x]
            if x in down_nodes or p < 0 or (min(x, p), max(x, p)) in down_links:
                return False
            path.append(x)
            x = p
        safe.update(dict.fromkeys(path, True))
        return True

    def _in_cut_set(self, element: int, v: int) -> bool:
        """Whether node ``v`` is in the single cut set of ``element`` (one of its discovery-time ranges)."""
        t = self._pre[v]
        return any(self._lo[k] <= t < self._hi[k] for k in range(self._starts[element], self._starts[element + 1]))

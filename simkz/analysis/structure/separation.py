"""Exact single points of failure: what one failing element cuts off from a target set, by one search.

Root a depth-first search at the super node of :class:`~simkz.analysis.structure.graph.Adjacency` (joined
to every target). With ``disc`` the discovery time, ``low`` the low point (the earliest discovery time
reachable from a vertex's subtree by one back edge) and ``T(c)`` the subtree of ``c`` (Hopcroft and
Tarjan, "Algorithm 447: efficient algorithms for graph manipulation", Communications of the ACM 16(6),
1973, https://doi.org/10.1145/362248.362272):

* a node ``x`` cuts off its own users and, for every child ``c`` with ``low(c) >= disc(x)``, the users
  of ``T(c)``: those vertices reach the super node only through ``x`` (``x`` is an articulation point of
  the graph rooted at the super node, i.e. it dominates them);
* a link from ``p`` to its child ``c`` cuts off ``T(c)`` when ``low(c) > disc(p)`` (a bridge); a link
  off the search tree cuts no one.

Subtrees are ranges of discovery times, so each element's cut set is a few ranges
(:attr:`Separation.range_element`, ``range_lo``, ``range_hi``) and its users a difference of prefix
sums. The search is iterative and linear in nodes plus links: no element is removed and the graph
searched again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simkz.analysis.structure.graph import Adjacency, ElementGraph

__all__ = ["Separation", "separation"]


@dataclass(frozen=True)
class Separation:
    """What each element, failing alone, cuts off from the targets (on a graph with at most one element down)."""

    reached: NDArray[np.bool_]  #: [node] has an up path to a target
    cut_users: NDArray[np.float64]  #: [element] persons newly cut off when the element alone fails
    separates: NDArray[np.bool_]  #: [element] an articulation point or a bridge (cuts off more than itself)
    pre: NDArray[np.int64]  #: [node] discovery time (the super node is 0), -1 if not reached
    range_element: NDArray[np.int64]  #: element whose cut set holds the range
    range_lo: NDArray[np.int64]  #: first discovery time of the range
    range_hi: NDArray[np.int64]  #: one past the last
    prefix_users: NDArray[np.float64]  #: [t] persons at discovery times below t


def separation(graph: ElementGraph, adj: Adjacency, down: int = -1) -> Separation:
    """What each element cuts off from ``adj``'s targets, with element ``down`` (if not -1) already failed."""
    n = graph.n_nodes
    down_node = down if 0 <= down < n else -1
    down_link = down - n if down >= n else -1
    disc_l, low_l, parent_l, plink_l, fin_l = _search(adj, down_node, down_link)
    disc, low = np.array(disc_l, dtype=np.int64), np.array(low_l, dtype=np.int64)
    parent, plink, fin = (np.array(x, dtype=np.int64) for x in (parent_l, plink_l, fin_l))
    reached = disc[:n] >= 0
    nodes = np.flatnonzero(reached)
    users_pre = np.zeros(int(disc.max()) + 1, dtype=np.float64)
    users_pre[disc[nodes]] = graph.node_users[nodes]
    prefix = np.concatenate([[0.0], np.cumsum(users_pre)])
    child = nodes[parent[nodes] != n]  # vertices below a real node
    up = parent[child]
    sep = low[child] >= disc[up]
    bridge = low[child] > disc[up]
    element = np.concatenate([nodes, up[sep], n + plink[child[bridge]]])
    lo = np.concatenate([disc[nodes], disc[child[sep]], disc[child[bridge]]])
    hi = np.concatenate([disc[nodes] + 1, fin[child[sep]], fin[child[bridge]]])
    size = graph.n_elements
    cut = np.bincount(element, weights=prefix[hi] - prefix[lo], minlength=size)
    separates = np.zeros(size, dtype=bool)
    separates[up[sep]] = True
    separates[n + plink[child[bridge]]] = True
    return Separation(
        reached=reached,
        cut_users=cut.astype(np.float64),
        separates=separates,
        pre=disc[:n],
        range_element=element,
        range_lo=lo,
        range_hi=hi,
        prefix_users=prefix,
    )


def _search(adj: Adjacency, down_node: int, down_link: int) -> tuple[list[int], ...]:
    """Iterative depth-first search from the super node, skipping ``down_node`` and ``down_link``.

    Returns, per vertex (the super node last), the discovery time, the low point, the parent, the link to
    the parent and the finish time (one past the last discovery time in its subtree); -1 where not reached.
    """
    nbr, lnk, ptr = adj.neighbour, adj.link, adj.indptr
    size = len(ptr) - 1
    s = adj.super_node
    disc, low, parent, plink, fin = ([-1] * size for _ in range(5))
    nxt, end = ptr[:-1], ptr[1:]
    disc[s] = low[s] = 0
    t, stack = 1, [s]
    while stack:
        v = stack[-1]
        i = nxt[v]
        if i < end[v]:
            nxt[v] = i + 1
            w, link = nbr[i], lnk[i]
            if w == down_node or link == down_link:
                continue
            dw = disc[w]
            if dw < 0:
                disc[w] = low[w] = t
                t += 1
                parent[w], plink[w] = v, link
                stack.append(w)
            elif link != plink[v] and dw < low[v]:
                low[v] = dw
        else:
            stack.pop()
            fin[v] = t
            if stack and low[v] < low[stack[-1]]:
                low[stack[-1]] = low[v]
    return disc, low, parent, plink, fin

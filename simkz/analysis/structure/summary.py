"""The summary of an analysis (``analysis.json``) and its headline figures (for side-by-side comparison).

Numbers are rounded to 10 significant digits (stable files); a figure that does not exist (no border
traffic for the chokepoint potential) is ``null``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from simkz._version import __version__
from simkz.analysis.structure.analysis import StructureAnalysis
from simkz.analysis.structure.chokepoints import ALPHA
from simkz.analysis.structure.control import OneOrder, strongest
from simkz.analysis.structure.pairs import Estimate
from simkz.analysis.structure.valley_pairs import VALLEY_EXACT_WORK, candidate_pairs, exact_work
from simkz.analysis.structure.valley_single import ValleyCuts
from simkz.results.table import round_sig

__all__ = ["HEADLINE_CONTROLLERS", "Headline", "headline", "summary", "top_domestic_chokepoints"]

#: (metric, unit, value) of one topology, for the side-by-side table.
Headline = list[tuple[str, str, str | float | int | None]]
#: Controllers whose one order gets rows of their own in the side-by-side table (the strongest).
HEADLINE_CONTROLLERS = 10
#: Elements cutting at least this share of the users off from abroad count as major single points of failure.
MAJOR_SHARE = 0.01


def _num(value: float) -> float | None:
    return None if not math.isfinite(value) else round_sig(float(value))


def _estimate(e: Estimate) -> dict[str, float | None]:
    return {"value": _num(e.value), "low95": _num(e.low), "high95": _num(e.high)}


def summary(a: StructureAnalysis, top: int = 10) -> dict[str, Any]:
    """The contents of ``analysis.json``: sizes, the method of each analysis and the headline findings."""
    t, g = a.topology, a.graph
    return {
        "simkz_version": __version__,
        "topology": {
            "name": t.name,
            "description": t.description,
            "path": None if t.path is None else str(t.path),
            "files": [{"path": str(p), "sha256": digest} for p, digest in t.files],
        },
        "sizes": {
            "nodes": g.n_nodes,
            "links": g.n_links,
            "elements": g.n_elements,
            "foreign_nodes": int(g.foreign.sum()),
            "cohorts": len(t.cohorts),
            "services": len(t.services),
            "regions": len(t.regions),
            "internet_users_persons": _num(g.total_users),
        },
        "units": "users in persons (internet users); shares 0-1 of all internet users; capacity Gbps; HHI 0-10,000",
        "reachability": a.reachability,
        "single_failures": _single(a, top),
        "pairs": _pairs(a),
        "min_cuts": _min_cuts(a),
        "one_order": {
            "controllers": len(a.one_order),
            "strongest": [_order(a, o) for o in strongest(a.one_order, top)],
        },
        "concentration": {
            "total_gbps": _num(a.concentration.total_gbps),
            "cross_border_links": a.concentration.links,
            "hhi": {k: _num(v) for k, v in a.concentration.hhi.items()},
        },
        "chokepoints": _chokepoints(a, top),
    }


def _share(a: StructureAnalysis, persons: float) -> float | None:
    total = a.graph.total_users
    return _num(persons / total) if total > 0 else None


#: How single failures are found, by reachability (``articulation_points`` and ``bridges`` count the nodes and
#: links that cut off users other than their own, which under valley-free routing need not be articulation points).
_SINGLE_METHOD = {
    "structural": "exact: one depth-first search per target set (articulation points and bridges of the graph "
    "joined to a super node at the targets)",
    "valley-free": "exact: valley-free reachability on the phase-expanded directed graph, searched again without "
    "each element on some user's valley-free path to the targets",
}
#: How minimum cuts are found, by reachability.
_CUT_METHOD = {
    "structural": "maximum flow with node splitting (scipy maximum_flow); the minimum cut nearest abroad",
    "valley-free": "integer programme on the phase-expanded directed graph (scipy milp, HiGHS, gap 0); "
    "a minimum cut nearest abroad",
}


def _single(a: StructureAnalysis, top: int) -> dict[str, Any]:
    s, g = a.single, a.graph
    cut, n = s.abroad.cut_users, g.n_nodes
    order = [int(e) for e in s.ranking()[:top] if cut[e] > 0]
    return {
        "method": _SINGLE_METHOD[a.reachability],
        "users_without_path_abroad_persons": _num(s.base_cut_abroad),
        "elements_cutting_users_abroad": int((cut > 0).sum()),
        "elements_cutting_over_1pct": int((cut >= MAJOR_SHARE * g.total_users).sum()) if g.total_users > 0 else 0,
        "articulation_points": int(s.abroad.separates[:n].sum()),
        "bridges": int(s.abroad.separates[n:].sum()),
        "top": [
            {
                "element": g.name(e),
                "element_type": g.kind(e),
                "users_cut_abroad_persons": _num(float(cut[e])),
                "share": _share(a, float(cut[e])),
            }
            for e in order
        ],
    }


def _pairs(a: StructureAnalysis) -> dict[str, Any]:
    p, g = a.pairs, a.graph
    largest = None
    if p.a.size:
        largest = {
            "elements": [g.name(int(p.a[0])), g.name(int(p.b[0]))],
            "joint_users_persons": _num(float(p.joint_users[0])),
            "users_cut_persons": _num(float(p.cut_users[0])),
        }
    return {
        "method": p.method,
        "exact_up_to_elements": a.options.max_exact,
        **_valley_work(a),
        "elements": p.n_elements,
        "total_pairs": p.total_pairs,
        "evaluated": p.evaluated,
        "seed": p.seed,
        "pairs_with_joint_users": int(p.a.size),
        "share_with_joint_users": _estimate(p.share_with_joint),
        "mean_joint_users_persons": _estimate(p.mean_joint_users),
        "mean_users_cut_persons": _estimate(p.mean_cut_users),
        "intervals": "exact (every pair)" if p.method == "exact" else "95%: Wilson for the share, mean +- 1.96 s.e.",
        "largest": largest,
    }


def _valley_work(a: StructureAnalysis) -> dict[str, int | str]:
    """Under valley-free routing, exact pairs also need the work (arcs searched) within a limit, and a sample is
    drawn among the pairs of candidates."""
    if not isinstance(a.single.abroad, ValleyCuts):
        return {}
    return {
        "exact_up_to_arcs_searched": VALLEY_EXACT_WORK,
        "arcs_searched_if_exact": exact_work(a.single.abroad),
        "candidate_pairs": candidate_pairs(a.single.abroad),
        "sampled_from": "pairs of elements both on some user's valley-free path abroad (candidate_pairs); the "
        "other pairs cut what one element cuts alone and are counted exactly",
    }


def _min_cuts(a: StructureAnalysis) -> dict[str, Any]:
    if not a.min_cuts:
        return {"regions": 0, "method": _CUT_METHOD[a.reachability]}
    vertex = min(a.min_cuts, key=lambda c: (len(c.vertex_cut), c.region))
    edge = min(a.min_cuts, key=lambda c: (len(c.edge_cut), c.region))
    return {
        "regions": len(a.min_cuts),
        "method": _CUT_METHOD[a.reachability],
        "smallest_vertex_cut": {
            "region": vertex.region,
            "size": len(vertex.vertex_cut),
            "nodes": list(vertex.vertex_cut),
        },
        "smallest_edge_cut": {"region": edge.region, "size": len(edge.edge_cut), "links": list(edge.edge_cut)},
    }


def _order(a: StructureAnalysis, o: OneOrder) -> dict[str, Any]:
    return {
        "controller": o.controller,
        "nodes": len(o.nodes),
        "cut_off_persons": _num(o.cut_users),
        "cut_off_share": _share(a, o.cut_users),
        "filter_persons": _num(o.filter_users),
        "filter_share": _share(a, o.filter_users),
    }


def top_domestic_chokepoints(a: StructureAnalysis, top: int) -> list[int]:
    """Positions in :attr:`Chokepoints.nodes` of the ``top`` domestic nodes of highest user-weighted hegemony."""
    c = a.chokepoints
    return [i for i, v in enumerate(c.nodes) if not a.graph.foreign[v]][:top]


def _chokepoints(a: StructureAnalysis, top: int) -> dict[str, Any]:
    c, g = a.chokepoints, a.graph
    return {
        "viewpoints": c.viewpoints,
        "alpha": ALPHA,
        "national_chokepoint_potential": {
            str(f): {"value": _num(c.national[f]), "border_nodes_needed": c.national_j[f]} for f in c.national
        },
        "top_domestic": [
            {
                "node": g.nodes[c.nodes[i]],
                "hegemony_user_weighted": _num(float(c.hegemony_user_weighted[i])),
                "hegemony_trimmed": _num(float(c.hegemony_trimmed[i])),
                "chokepoint_potential": _num(float(c.potential[i])),
            }
            for i in top_domestic_chokepoints(a, top)
        ],
    }


def headline(a: StructureAnalysis, controllers: Sequence[str] | None = None) -> Headline:
    """The figures compared side by side: ``(metric, unit, value)``, the same metrics for every topology.

    ``controllers``: those whose one order gets a row (default: the :data:`HEADLINE_CONTROLLERS` strongest).
    """
    g = a.graph
    rows: Headline = [
        ("internet users", "persons", g.total_users),
        ("nodes", "count", g.n_nodes),
        ("links", "count", g.n_links),
        *_headline_single(a),
    ]
    rows += _headline_pairs(a) + _headline_orders(a, controllers)
    rows += [(f"HHI of capacity abroad by {d}", "0-10,000", v) for d, v in a.concentration.hhi.items()]
    rows += [(f"national chokepoint potential CP(f={f})", "1/j", _finite(v)) for f, v in a.chokepoints.national.items()]
    top = top_domestic_chokepoints(a, 1)
    if top:
        c = a.chokepoints
        rows.append(("top domestic chokepoint", "node", g.nodes[c.nodes[top[0]]]))
        rows.append(("its user-weighted hegemony", "share", float(c.hegemony_user_weighted[top[0]])))
    return rows + _headline_cuts(a)


def _headline_cuts(a: StructureAnalysis) -> Headline:
    """The smallest and largest minimum cuts over the regions (each region's are in ``min_cuts.csv``)."""
    if not a.min_cuts:
        return []
    vertex = sorted(len(c.vertex_cut) for c in a.min_cuts)
    edge = sorted(len(c.edge_cut) for c in a.min_cuts)
    return [
        ("min vertex cut to abroad, smallest region", "nodes", vertex[0]),
        ("min vertex cut to abroad, largest region", "nodes", vertex[-1]),
        ("min edge cut to abroad, smallest region", "links", edge[0]),
        ("min edge cut to abroad, largest region", "links", edge[-1]),
    ]


def _headline_single(a: StructureAnalysis) -> Headline:
    g, s = a.graph, a.single
    cut, total = s.abroad.cut_users, g.total_users
    worst = int(s.ranking()[0]) if g.n_elements else -1
    if worst >= 0 and cut[worst] <= 0:
        worst = -1  # no element cuts anyone off
    major = int((cut >= MAJOR_SHARE * total).sum()) if total > 0 else 0
    return [
        ("users without a path abroad, nothing failed", "persons", s.base_cut_abroad),
        ("elements cutting >= 1% of users off abroad", "count", major),
        ("largest single failure", "element", g.name(worst) if worst >= 0 else None),
        ("users cut off by the largest single failure", "share", float(cut[worst]) / total if worst >= 0 else 0.0),
    ]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _headline_pairs(a: StructureAnalysis) -> Headline:
    p = a.pairs
    return [
        ("pairs evaluated", p.method, p.evaluated),
        ("pairs cutting users neither cuts alone", "share", p.share_with_joint.value),
        ("largest joint cut of a pair", "persons", float(p.joint_users[0]) if p.joint_users.size else 0.0),
    ]


def _headline_orders(a: StructureAnalysis, controllers: Sequence[str] | None) -> Headline:
    total = a.graph.total_users or 1.0
    if controllers is None:
        controllers = [o.controller for o in strongest(a.one_order, HEADLINE_CONTROLLERS)]
    known = {o.controller: o for o in a.one_order}
    rows: Headline = []
    for who in controllers:
        o = known.get(who)
        rows.append((f"one order of {who}: cut off", "share", None if o is None else o.cut_users / total))
        rows.append((f"one order of {who}: filter", "share", None if o is None else o.filter_users / total))
    if a.one_order:
        most = strongest(a.one_order, 1)[0]
        rows.append(("largest one-order cut off", "share", most.cut_users / total))
        rows.append(("its controller", "name", most.controller))
    return rows

"""The findings `simkz analyze` prints: readable text tables (one topology, or several side by side)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from simkz.analysis.structure.analysis import StructureAnalysis
from simkz.analysis.structure.control import strongest
from simkz.analysis.structure.summary import HEADLINE_CONTROLLERS, Headline, headline, top_domestic_chokepoints
from simkz.analysis.structure.valley_pairs import candidate_pairs
from simkz.analysis.structure.valley_single import ValleyCuts

__all__ = ["comparison_lines", "format_value", "report_lines", "text_table"]


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Rows as aligned columns separated by `` | ``, with a rule under the header."""
    widths = [max(len(r[c]) for r in (header, *rows)) for c in range(len(header))]
    lines = [indent + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    head = indent + " | ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True)).rstrip()
    return [head, indent + "-+-".join("-" * w for w in widths), *lines]


def _count(k: int, noun: str) -> str:
    return f"{k:,} {noun}" + ("" if k == 1 else "s")


def _persons(x: float) -> str:
    return f"{x / 1e6:,.2f} M" if abs(x) >= 1e5 else f"{x:,.0f}"


def format_value(unit: str, value: str | float | int | None) -> str:
    """A figure for a printed table, by its unit (persons in millions, shares in percent)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, str):
        return value
    if unit == "persons":
        return _persons(float(value))
    if unit == "share":
        pct = 100 * float(value)
        return f"{pct:.2g}%" if 0 < abs(pct) < 1 else f"{pct:.1f}%"
    if unit == "0-10,000":
        return f"{float(value):,.0f}"
    if unit == "1/j":
        return f"{float(value):.3g}"
    return f"{value:,}" if isinstance(value, int) else f"{float(value):.4g}"


#: What "a path" means in the cut-off figures (single failures, pairs, minimum cuts, one order's cut off).
_REACHABILITY = {
    "structural": "structural (any working link carries traffic, as ECMP routing assumes)",
    "valley-free": "valley-free (routing: valley-free; a user's path climbs to providers, crosses at most one "
    "peer link, then descends to customers)",
}


def report_lines(a: StructureAnalysis, top: int = 10) -> list[str]:
    """The top findings of one topology."""
    g, t = a.graph, a.topology
    lines = [
        f"{t.name}: {g.n_nodes:,} nodes ({int(g.foreign.sum()):,} abroad), {g.n_links:,} links; "
        f"{_persons(g.total_users)} internet users in {len(t.cohorts):,} cohorts",
        f"Reachability: {_REACHABILITY[a.reachability]}",
    ]
    for section in (_single, _pairs, _orders, _concentration, _cuts, _chokepoints):
        lines += section(a, top)
    return lines


def _single(a: StructureAnalysis, top: int) -> list[str]:
    g, s = a.graph, a.single
    cut = s.abroad.cut_users
    total = g.total_users or 1.0
    rows = [
        [str(i + 1), g.name(int(e)), g.kind(int(e)), _persons(float(cut[e])), f"{100 * cut[e] / total:.1f}%"]
        for i, e in enumerate(s.ranking()[:top])
        if cut[e] > 0
    ]
    head = "Single points of failure (exact): users cut off from abroad if one element fails"
    if s.base_cut_abroad > 0:
        head += f" ({_persons(s.base_cut_abroad)} have no path abroad even with nothing failed)"
    if not rows:
        return [head + ": none"]
    return [head, *text_table(["rank", "element", "type", "users cut off", "share"], rows)]


def _pairs(a: StructureAnalysis, top: int) -> list[str]:
    p, g = a.pairs, a.graph
    if p.method == "exact":
        how = f"exact, every one of the {p.total_pairs:,} pairs of {p.n_elements:,} elements"
        share = f"{100 * p.share_with_joint.value:.3g}%"
    else:
        e = p.share_with_joint
        how = f"uniform sample of {p.evaluated:,} of {p.total_pairs:,} pairs, seed {p.seed}; 95% Wilson interval"
        if isinstance(a.single.abroad, ValleyCuts):
            among = candidate_pairs(a.single.abroad)
            how = (
                f"uniform sample of {p.evaluated:,} of the {among:,} pairs of elements on users' valley-free paths, "
                f"the other {p.total_pairs - among:,} pairs counted exactly, seed {p.seed}; 95% Wilson interval"
            )
        share = f"{100 * e.value:.3g}% [{100 * e.low:.3g}%, {100 * e.high:.3g}%]"
    lines = [f"Pairs of failures ({how}): {share} of pairs cut off users that neither element cuts off alone"]
    rows = [
        [g.name(int(x)), g.name(int(y)), _persons(float(j)), _persons(float(c))]
        for x, y, j, c in list(zip(p.a, p.b, p.joint_users, p.cut_users, strict=True))[: min(top, 5)]
    ]
    if rows:
        lines += text_table(["element a", "element b", "joint users", "users cut off by both"], rows)
    return lines


def _orders(a: StructureAnalysis, top: int) -> list[str]:
    total = a.graph.total_users or 1.0
    rows = [
        [
            o.controller,
            str(len(o.nodes)),
            _persons(o.cut_users),
            f"{100 * o.cut_users / total:.1f}%",
            f"{100 * o.filter_users / total:.1f}%",
        ]
        for o in strongest(a.one_order, top)
    ]
    if not rows:
        return ["One order: no node has a controller (controlled_by)"]
    header = ["controller", "nodes", "can cut off", "share", "can filter (share of traffic abroad)"]
    more = len(a.one_order) - len(rows)
    title = "One order (every node a controller controls, at once)" + (
        f"; {more} more in one_order.csv" if more else ""
    )
    return [title + ":", *text_table(header, rows)]


def _concentration(a: StructureAnalysis, top: int) -> list[str]:
    c = a.concentration
    hhi = "; ".join(f"by {d} {v:,.0f}" for d, v in c.hhi.items())
    return [
        f"Concentration of international capacity ({c.total_gbps:,.0f} Gbps over {c.links} cross-border links), "
        f"HHI on 0-10,000: {hhi}"
    ]


def _cuts(a: StructureAnalysis, top: int) -> list[str]:
    if not a.min_cuts:
        return []
    vertex = min(a.min_cuts, key=lambda c: (len(c.vertex_cut), c.region))
    edge = min(a.min_cuts, key=lambda c: (len(c.edge_cut), c.region))
    return [
        f"Minimum cuts between a region's users and abroad (the smallest over {_count(len(a.min_cuts), 'region')}): "
        f"{len(vertex.vertex_cut)} nodes ({vertex.region}: {_names(vertex.vertex_cut)}); "
        f"{len(edge.edge_cut)} links ({edge.region}: {_names(edge.edge_cut)})"
    ]


def _names(names: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def _chokepoints(a: StructureAnalysis, top: int) -> list[str]:
    c, g = a.chokepoints, a.graph
    rows = [
        [
            g.nodes[c.nodes[i]],
            f"{c.hegemony_user_weighted[i]:.3f}",
            f"{c.hegemony_trimmed[i]:.3f}",
            f"{c.potential[i]:.3f}" if c.border[i] else "-",
        ]
        for i in top_domestic_chokepoints(a, top)
    ]
    ncp = "; ".join(
        f"CP(f={f}) = {v:.3g} ({_count(c.national_j[f], 'border node')})" if math.isfinite(v) else f"CP(f={f}) = n/a"
        for f, v in c.national.items()
    )
    lines = [f"Chokepoints over {c.viewpoints} cohorts (hegemony-like, alpha 0.1; potential after Leyba et al.): {ncp}"]
    header = ["node", "hegemony, user-weighted", "hegemony, trimmed", "chokepoint potential"]
    return lines + (text_table(header, rows) if rows else [])


def comparison_lines(analyses: Sequence[StructureAnalysis]) -> list[str]:
    """The headline figures of several topologies side by side (a column each)."""
    names, table = comparison_table(analyses)
    rows = [[metric, unit, *(format_value(unit, v) for v in values)] for metric, unit, values in table]
    return text_table(["metric", "unit", *names], rows)


def comparison_table(
    analyses: Sequence[StructureAnalysis],
) -> tuple[list[str], list[tuple[str, str, list[str | float | int | None]]]]:
    """Topology names and ``(metric, unit, [value per topology])`` in first-seen order (None where a topology
    lacks the metric, e.g. a controller it does not have)."""
    chosen = {o.controller: None for a in analyses for o in strongest(a.one_order, HEADLINE_CONTROLLERS)}
    heads: list[Headline] = [headline(a, sorted(chosen)) for a in analyses]
    keys: dict[tuple[str, str], None] = {}
    for h in heads:
        keys.update(dict.fromkeys((m, u) for m, u, _ in h))
    lookup = [{(m, u): v for m, u, v in h} for h in heads]
    table = [(m, u, [values.get((m, u)) for values in lookup]) for m, u in keys]
    return [a.topology.name for a in analyses], table

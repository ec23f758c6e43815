"""The analysis as CSV tables: one per analysis, floats written with 10 significant digits (stable bytes).

Users are persons (internet users of the cohorts), shares 0-1 of all the topology's internet users,
capacity Gbps. Element lists in a cell are joined with ``;``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simkz.analysis.structure.analysis import StructureAnalysis
from simkz.results.table import format_number

__all__ = ["TABLE_NAMES", "Cell", "CsvTable", "analysis_tables", "write_table"]

Cell = str | int | float | None
#: The tables of one topology's folder, in the order they are written.
TABLE_NAMES = (
    "single_failures",
    "single_failures_by_service",
    "pair_failures",
    "min_cuts",
    "one_order",
    "concentration",
    "chokepoints",
)


@dataclass(frozen=True)
class CsvTable:
    """A header and rows of cells (text, whole numbers, floats; None is an empty cell)."""

    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def write_table(path: Path, table: CsvTable) -> None:
    """Write ``table`` as CSV: header, one line per row, each ending in a newline."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(table.header)
        writer.writerows([_cell(c) for c in row] for row in table.rows)


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return format_number(float(value))
    return str(value)


def analysis_tables(a: StructureAnalysis) -> dict[str, CsvTable]:
    """Every table of one topology's analysis, by name (:data:`TABLE_NAMES`)."""
    return {
        "single_failures": _single(a),
        "single_failures_by_service": _by_service(a),
        "pair_failures": _pairs(a),
        "min_cuts": _min_cuts(a),
        "one_order": _one_order(a),
        "concentration": _concentration(a),
        "chokepoints": _chokepoints(a),
    }


def _share(a: StructureAnalysis, persons: float) -> float:
    total = a.graph.total_users
    return persons / total if total > 0 else 0.0


def _attribute(a: StructureAnalysis, element: int, key: str) -> str | None:
    """A node attribute of an element (links have none)."""
    if element >= a.graph.n_nodes:
        return None
    value = a.topology.graph.nodes[a.graph.nodes[element]].get(key)
    return None if value is None else str(value)


def _kind(a: StructureAnalysis, element: int) -> str:
    g, n = a.topology.graph, a.graph.n_nodes
    if element < n:
        return str(g.nodes[a.graph.nodes[element]].get("kind", ""))
    u, v = a.topology.link_ends[element - n]
    return str(g.edges[u, v].get("kind", ""))


def _single(a: StructureAnalysis) -> CsvTable:
    """Every element that cuts anyone off (from abroad or from a service), ranked."""
    s = a.single
    cut = s.abroad.cut_users
    by_service = s.by_service
    services_cut = (by_service > 0).sum(axis=0) if by_service.size else np.zeros_like(cut, dtype=np.int64)
    worst = by_service.max(axis=0) if by_service.size else np.zeros_like(cut)
    rows: list[tuple[Cell, ...]] = []
    for e in s.ranking():
        if cut[e] <= 0 and worst[e] <= 0:
            continue
        rows.append(
            (
                len(rows) + 1,
                a.graph.name(e),
                a.graph.kind(e),
                _kind(a, e),
                _attribute(a, e, "operator"),
                _attribute(a, e, "controlled_by"),
                float(cut[e]),
                _share(a, float(cut[e])),
                bool(s.abroad.separates[e]),
                int(services_cut[e]),
                float(worst[e]),
            )
        )
    header = (
        "rank",
        "element",
        "element_type",
        "kind",
        "operator",
        "controlled_by",
        "users_cut_abroad_persons",
        "users_cut_abroad_share",
        "articulation_or_bridge",
        "services_cut",
        "max_users_cut_one_service_persons",
    )
    return CsvTable(header, rows)


def _by_service(a: StructureAnalysis) -> CsvTable:
    s = a.single
    rows: list[tuple[Cell, ...]] = []
    for k, key in enumerate(s.service_keys):
        cut = s.by_service[k]
        for e in np.lexsort((np.arange(cut.shape[0]), -cut)):
            if cut[e] <= 0:
                break
            rows.append((key, a.graph.name(e), a.graph.kind(e), float(cut[e]), _share(a, float(cut[e]))))
    return CsvTable(("service", "element", "element_type", "users_cut_persons", "users_cut_share"), rows)


def _pairs(a: StructureAnalysis) -> CsvTable:
    p, single = a.pairs, a.single.abroad.cut_users
    rows: list[tuple[Cell, ...]] = [
        (
            a.graph.name(x),
            a.graph.kind(x),
            a.graph.name(y),
            a.graph.kind(y),
            float(cut),
            float(single[x]),
            float(single[y]),
            float(joint),
            _share(a, float(joint)),
        )
        for x, y, cut, joint in zip(p.a, p.b, p.cut_users, p.joint_users, strict=True)
    ]
    header = (
        "element_a",
        "type_a",
        "element_b",
        "type_b",
        "users_cut_persons",
        "users_cut_a_persons",
        "users_cut_b_persons",
        "joint_users_persons",
        "joint_users_share",
    )
    return CsvTable(header, rows)


def _min_cuts(a: StructureAnalysis) -> CsvTable:
    rows: list[tuple[Cell, ...]] = [
        (
            c.region,
            c.users,
            c.access_nodes,
            len(c.vertex_cut),
            ";".join(c.vertex_cut),
            len(c.edge_cut),
            ";".join(c.edge_cut),
        )
        for c in a.min_cuts
    ]
    header = ("region", "users_persons", "access_nodes", "vertex_cut_size", "vertex_cut", "edge_cut_size", "edge_cut")
    return CsvTable(header, rows)


def _one_order(a: StructureAnalysis) -> CsvTable:
    rows: list[tuple[Cell, ...]] = [
        (
            o.controller,
            len(o.nodes),
            ";".join(o.nodes),
            o.cut_users,
            _share(a, o.cut_users),
            o.filter_users,
            _share(a, o.filter_users),
        )
        for o in a.one_order
    ]
    header = (
        "controller",
        "nodes_count",
        "nodes",
        "cut_off_persons",
        "cut_off_share",
        "filter_persons",
        "filter_share",
    )
    return CsvTable(header, rows)


def _concentration(a: StructureAnalysis) -> CsvTable:
    c = a.concentration
    rows: list[tuple[Cell, ...]] = [
        (s.dimension, s.group, s.links, s.capacity_gbps, s.share, c.hhi[s.dimension]) for s in c.shares
    ]
    return CsvTable(("dimension", "group", "links", "capacity_gbps", "share", "dimension_hhi"), rows)


def _chokepoints(a: StructureAnalysis) -> CsvTable:
    c, g = a.chokepoints, a.graph
    rows: list[tuple[Cell, ...]] = [
        (
            g.nodes[v],
            _kind(a, int(v)),
            _attribute(a, int(v), "operator"),
            _attribute(a, int(v), "controlled_by"),
            bool(g.foreign[v]),
            bool(c.border[i]),
            float(c.hegemony_user_weighted[i]),
            float(c.hegemony_trimmed[i]),
            float(c.potential[i]),
        )
        for i, v in enumerate(c.nodes)
    ]
    header = (
        "node",
        "kind",
        "operator",
        "controlled_by",
        "foreign",
        "border",
        "hegemony_user_weighted",
        "hegemony_trimmed",
        "chokepoint_potential",
    )
    return CsvTable(header, rows)

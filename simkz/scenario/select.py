"""Resolve a selector (``{operators: [...], regions: all, except: {...}}``) to nodes and links."""

from __future__ import annotations

from pathlib import Path

from simkz.errors import InputError
from simkz.scenario.schema import SelectorSpec, _SelectorFields
from simkz.topology.network import Topology
from simkz.topology.schema import NODE_KINDS, TECHNOLOGIES

__all__ = ["Selection", "check_names", "select"]

Selection = tuple[frozenset[str], frozenset[str]]  # (nodes, links)

_NODE_KEYS: dict[str, str] = {
    "operators": "operator",
    "regions": "region",
    "tech": "tech",
    "kind": "kind",
    "controlled_by": "controlled_by",
}


def _criteria(sel: _SelectorFields) -> dict[str, list[str] | str]:
    return {k: getattr(sel, k) for k in (*_NODE_KEYS, "nodes") if getattr(sel, k) is not None}


def _match(topology: Topology, sel: _SelectorFields) -> Selection:
    crit = _criteria(sel)
    nodes: set[str] = set()
    if crit or sel.links is None:
        for name in topology.nodes:
            data = topology.graph.nodes[name]
            ok = True
            for key, wanted in crit.items():
                have = name if key == "nodes" else data.get(_NODE_KEYS[key])
                ok = have is not None if wanted == "all" else have in wanted
                if not ok:
                    break
            if ok:
                nodes.add(name)
    every_link = sel.links == "all" or (not crit and sel.links is None)
    links = frozenset(topology.links) if every_link else frozenset(sel.links or ())
    return frozenset(nodes), links


def select(topology: Topology, sel: SelectorSpec) -> Selection:
    """The nodes and links ``sel`` names on ``topology`` (names are assumed checked)."""
    nodes, links = _match(topology, sel)
    if sel.except_ is not None:
        ex_nodes, ex_links = (
            _match(topology, sel.except_) if _criteria(sel.except_) or sel.except_.links else (frozenset(), frozenset())
        )
        nodes, links = nodes - ex_nodes, links - ex_links
    return nodes, links


def check_names(topology: Topology, sel: _SelectorFields, file: Path | str | None, path: tuple[str | int, ...]) -> None:
    """Raise :class:`InputError` for a name the topology does not have."""
    known: dict[str, set[str]] = {
        "operators": set(topology.operators),
        "regions": set(topology.regions),
        "tech": set(TECHNOLOGIES),
        "kind": set(NODE_KINDS),
        "nodes": set(topology.nodes),
        "controlled_by": set(topology.control_points().values()),
        "links": set(topology.links),
    }
    for key, allowed in known.items():
        wanted = getattr(sel, key)
        if wanted is None or wanted == "all":
            continue
        for i, name in enumerate(wanted):
            if name not in allowed:
                what = {
                    "operators": "operator",
                    "regions": "region",
                    "kind": "node kind",
                    "nodes": "node",
                    "links": "link",
                    "tech": "technology",
                    "controlled_by": "controller",
                }[key]
                raise InputError(
                    file, (*path, key, i), f"unknown {what} in topology {topology.name!r}", value=name, allowed=allowed
                )
    if isinstance(sel, SelectorSpec) and sel.except_ is not None:
        check_names(topology, sel.except_, file, (*path, "except"))

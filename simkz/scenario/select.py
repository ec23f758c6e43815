"""Resolve a selector (``{operators: [...], regions: all, except: {...}}``) to nodes and links.

:class:`Selector` does it for many actions on one topology: it checks and resolves
each distinct selector once (a scenario of 100,000 actions names few distinct ones).
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

from simkz.errors import InputError
from simkz.scenario.schema import SelectorSpec, _SelectorFields
from simkz.topology.network import Topology
from simkz.topology.schema import NODE_KINDS, TECHNOLOGIES

__all__ = ["Selection", "Selector", "check_names", "known_names", "select", "selector_key"]

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


_WHAT = {
    "operators": "operator",
    "regions": "region",
    "kind": "node kind",
    "nodes": "node",
    "links": "link",
    "tech": "technology",
    "controlled_by": "controller",
}


def known_names(topology: Topology) -> dict[str, frozenset[str]]:
    """For each selector key, the names ``topology`` has."""
    return {
        "operators": frozenset(topology.operators),
        "regions": frozenset(topology.regions),
        "tech": frozenset(TECHNOLOGIES),
        "kind": frozenset(NODE_KINDS),
        "nodes": frozenset(topology.nodes),
        "controlled_by": frozenset(topology.control_points().values()),
        "links": frozenset(topology.links),
    }


def check_names(
    topology: Topology,
    sel: _SelectorFields,
    file: Path | str | None,
    path: tuple[str | int, ...],
    known: dict[str, frozenset[str]] | None = None,
) -> None:
    """Raise :class:`InputError` for a name the topology does not have (``known``: :func:`known_names`)."""
    known = known if known is not None else known_names(topology)
    for key, allowed in known.items():
        wanted = getattr(sel, key)
        if wanted is None or wanted == "all":
            continue
        for i, name in enumerate(wanted):
            if name not in allowed:
                raise InputError(
                    file,
                    (*path, key, i),
                    f"unknown {_WHAT[key]} in topology {topology.name!r}",
                    value=name,
                    allowed=allowed,
                )
    if isinstance(sel, SelectorSpec) and sel.except_ is not None:
        check_names(topology, sel.except_, file, (*path, "except"), known)


def selector_key(sel: _SelectorFields) -> Hashable:
    """What a selection depends on, as a hashable value: equal keys select the same nodes and links."""
    fields = tuple(
        v if v is None or isinstance(v, str) else tuple(v)
        for v in (getattr(sel, k) for k in (*_NODE_KEYS, "nodes", "links"))
    )
    ex = sel.except_ if isinstance(sel, SelectorSpec) else None
    return (fields, None if ex is None else selector_key(ex))


class Selector:
    """Checks and resolves selectors on one topology, each distinct selector once."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.known = known_names(topology)
        self.services = frozenset(topology.service_keys)
        self._cache: dict[Hashable, Selection] = {}
        self._non_access: dict[frozenset[str], list[str]] = {}

    def __call__(self, sel: SelectorSpec, file: Path | str | None, path: tuple[str | int, ...]) -> Selection:
        """The nodes and links ``sel`` selects; :class:`InputError` (at ``path``) for a name the topology lacks."""
        key = selector_key(sel)
        found = self._cache.get(key)
        if found is None:
            check_names(self.topology, sel, file, path, self.known)
            found = self._cache[key] = select(self.topology, sel)
        return found

    def non_access(self, nodes: frozenset[str]) -> list[str]:
        """The nodes of ``nodes`` that are not access nodes, sorted."""
        found = self._non_access.get(nodes)
        if found is None:
            graph = self.topology.graph
            found = self._non_access[nodes] = sorted(n for n in nodes if graph.nodes[n].get("kind") != "access")
        return found

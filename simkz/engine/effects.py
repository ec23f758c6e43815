"""What each kind of action does to the network state.

The state at any moment is the fold of the actions in force, applied to an
untouched network in the order they came into force (earlier first; ties by
their place in the file). Ending a window removes the action from the fold,
so a restore window that closes brings back whatever it had lifted.
"""

from __future__ import annotations

from collections.abc import Iterable

from simkz.model.state import NetworkState, StateBuilder
from simkz.scenario.load import Action
from simkz.topology.network import Topology

__all__ = ["apply", "fold"]


def _links_of(topology: Topology, action: Action) -> set[str]:
    links = set(action.links)
    for node in action.nodes:
        links.update(name for _, _, name in topology.graph.edges(node, data="name"))
    return links


def _shutdown(action: Action, state: StateBuilder) -> None:
    assert action.spec.shutdown is not None
    share = action.spec.shutdown.share
    if share >= 1.0:
        state.down_nodes |= action.nodes
        state.down_links |= action.links
        return
    for node in action.nodes:  # access nodes only (checked at load); partial cuts compound
        state.cut_share[node] = 1.0 - (1.0 - state.cut_share.get(node, 0.0)) * (1.0 - share)


def _block(action: Action, state: StateBuilder) -> None:
    assert action.spec.block is not None
    for node in action.nodes:
        rules = state.blocks.setdefault(node, {})
        for service in action.spec.block.services:
            rules[service] = action.spec.block.effectiveness


def _restore(topology: Topology, action: Action, state: StateBuilder) -> None:
    assert action.spec.restore is not None
    lift = set(action.spec.restore.lift)
    if "shutdown" in lift:
        state.down_nodes -= action.nodes
        state.down_links -= action.links
        for node in action.nodes:
            state.cut_share.pop(node, None)
    if "throttle" in lift:
        for link in _links_of(topology, action):
            state.link_factor.pop(link, None)
    if "withdraw" in lift:
        state.withdrawn -= action.nodes
    services = set(action.spec.restore.services) if action.spec.restore.services else None
    for node in action.nodes:
        if "degrade" in lift:
            state.degrade.pop(node, None)
        if "block" in lift and node in state.blocks:
            rules = state.blocks[node]
            for service in list(rules):
                if services is None or service in services:
                    del rules[service]
            if not rules:
                del state.blocks[node]
        if "whitelist" in lift and node in state.whitelists:
            del state.whitelists[node]


def apply(topology: Topology, action: Action, state: StateBuilder) -> None:
    """Apply one action to ``state`` in place."""
    spec = action.spec
    if action.kind == "shutdown":
        _shutdown(action, state)
    elif action.kind == "throttle":
        assert spec.throttle is not None
        for link in _links_of(topology, action):
            state.link_factor[link] = spec.throttle.factor
    elif action.kind == "degrade":
        assert spec.degrade is not None
        for node in action.nodes:  # several degrades of one node compound
            state.degrade[node] = state.degrade.get(node, 1.0) * spec.degrade.pass_
    elif action.kind == "withdraw":
        state.withdrawn |= action.nodes
    elif action.kind == "block":
        _block(action, state)
    elif action.kind == "whitelist":
        assert spec.whitelist is not None
        for node in action.nodes:
            state.whitelists[node] = (frozenset(spec.whitelist.services), spec.whitelist.effectiveness)
    elif action.kind == "restore":
        _restore(topology, action, state)
    else:  # pragma: no cover - the schema admits no other kind
        raise ValueError(f"unknown action kind {action.kind!r}")


def fold(topology: Topology, actions: Iterable[Action]) -> NetworkState:
    """The network state with ``actions`` in force, applied in the given order."""
    state = StateBuilder()
    for action in actions:
        apply(topology, action, state)
    return state.freeze()

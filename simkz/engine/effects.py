"""What each kind of action does to the network state.

The state at any moment is the fold of the actions in force, applied to an
untouched network in the order they came into force (earlier first; ties by
their place in the file). Ending a window removes the action from the fold,
so a restore window that closes brings back whatever it had lifted.
:class:`ActiveFold` keeps that fold up to date event by event without refolding
every action in force each time.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable

from simkz.model.state import NetworkState, StateBuilder
from simkz.scenario.distributions import number
from simkz.scenario.load import Action
from simkz.topology.network import Topology

__all__ = ["ActionKey", "ActiveFold", "apply", "fold"]

#: Orders the actions in force: (unclipped start of the window, s; the action's place in the file; the window's
#: number).
ActionKey = tuple[float, int, int]


#: The most selections whose links are kept per topology.
_MAX_LINK_SELECTIONS = 4096


def _links_of(topology: Topology, action: Action) -> frozenset[str]:
    """The links an action's selection covers: its links and every link at its nodes.

    Found once per selection (kept with the topology, so refolds and runs sharing the topology reuse it).
    """
    known: dict[tuple[frozenset[str], frozenset[str]], frozenset[str]] = topology.memo("engine.links_of", dict)
    key = (action.nodes, action.links)
    links = known.get(key)
    if links is None:
        found = set(action.links)
        for node in action.nodes:
            found.update(name for _, _, name in topology.graph.edges(node, data="name"))
        links = frozenset(found)
        if len(known) >= _MAX_LINK_SELECTIONS:
            known.clear()
        known[key] = links
    return links


def _shutdown(action: Action, state: StateBuilder) -> None:
    assert action.spec.shutdown is not None
    share = number(action.spec.shutdown.share)
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
            rules[service] = number(action.spec.block.effectiveness)


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
            state.link_factor[link] = number(spec.throttle.factor)
    elif action.kind == "degrade":
        assert spec.degrade is not None
        for node in action.nodes:  # several degrades of one node compound
            state.degrade[node] = state.degrade.get(node, 1.0) * number(spec.degrade.pass_)
    elif action.kind == "withdraw":
        state.withdrawn |= action.nodes
    elif action.kind == "block":
        _block(action, state)
    elif action.kind == "whitelist":
        assert spec.whitelist is not None
        for node in action.nodes:
            state.whitelists[node] = (frozenset(spec.whitelist.services), number(spec.whitelist.effectiveness))
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


def _copy(state: StateBuilder) -> StateBuilder:
    """An independent copy of ``state`` (its nested block rules too)."""
    return StateBuilder(
        down_nodes=set(state.down_nodes),
        down_links=set(state.down_links),
        link_factor=dict(state.link_factor),
        cut_share=dict(state.cut_share),
        blocks={node: dict(rules) for node, rules in state.blocks.items()},
        whitelists=dict(state.whitelists),
        degrade=dict(state.degrade),
        withdrawn=set(state.withdrawn),
    )


class ActiveFold:
    """The fold of the actions in force, kept up to date as actions come into and go out of force.

    Gives exactly ``fold(topology, actions in key order)`` at every moment, without folding every
    action in force at every event: an action whose key sorts after every other in force (the usual
    case: actions come into force in time order) is applied to the current state; otherwise, and
    when an action goes out of force, the fold restarts from the last checkpoint before its place
    (a copy of the state is kept after every ``every`` actions in force).
    """

    def __init__(self, topology: Topology, every: int = 32) -> None:
        if every < 1:
            raise ValueError(f"checkpoint interval must be at least 1, got {every}")
        self.topology = topology
        self.every = every
        self._keys: list[ActionKey] = []
        self._actions: dict[ActionKey, Action] = {}
        self._marks: list[StateBuilder] = [StateBuilder()]  #: state after the first i * every actions
        self._state = StateBuilder()

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: ActionKey, action: Action) -> None:
        """Put ``action`` in force under ``key`` (keys order the fold; a key must not be in force)."""
        if key in self._actions:
            raise KeyError(f"action key {key!r} is already in force")
        self._actions[key] = action
        if not self._keys or self._keys[-1] < key:
            self._keys.append(key)
            apply(self.topology, action, self._state)
            self._mark(len(self._keys))
        else:
            insort(self._keys, key)
            self._refold_from(bisect_left(self._keys, key))

    def remove(self, key: ActionKey) -> None:
        """Take the action under ``key`` out of force."""
        del self._actions[key]
        place = bisect_left(self._keys, key)
        del self._keys[place]
        self._refold_from(place)

    def state(self) -> NetworkState:
        """The network state with the actions in force."""
        return self._state.freeze()

    def _mark(self, applied: int) -> None:
        if applied % self.every == 0:
            self._marks.append(_copy(self._state))

    def _refold_from(self, place: int) -> None:
        """Re-apply the actions from ``place`` on, starting at the last checkpoint at or before it."""
        mark = place // self.every
        del self._marks[mark + 1 :]
        self._state = _copy(self._marks[mark])
        for i in range(mark * self.every, len(self._keys)):
            apply(self.topology, self._actions[self._keys[i]], self._state)
            self._mark(i + 1)

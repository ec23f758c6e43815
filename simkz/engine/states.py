"""The network states the engine applied, and the state of each node and link in them (``network_states.csv``).

:class:`StateRecorder` keeps the :class:`~simkz.model.state.NetworkState` in force after every instant at
which it changed: the world's state (:class:`~simkz.engine.processes.World`), i.e. the fold of the actions
in force with the elements down by a random failure on top. The simulation calls it once per evaluated
instant, after every event of the instant has run. After the run, :meth:`StateRecorder.log` turns the
states into the rows of the event log (:mod:`simkz.results.network` gives the states and their order of
precedence): at the start a row for every element not in its ordinary state, then a row each time an
element's state or value changes.

The value of a ``filtered`` node is the share of the **ordinary** traffic through it that its rules let
pass: the traffic of an ordinary day (no action; each cohort's demand summed over the 24 local hours)
routed through the network with nothing down, weighted by service, times each service's pass share at
the node (:func:`~simkz.model.flows.pass_shares`: blocks, whitelists and degrades compound). It does not
depend on the hour, on other actions or on VPNs; a node no ordinary traffic crosses has no value.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from simkz.engine.network import SharedCache
from simkz.model.flows import Paths, pass_shares
from simkz.model.routing import route
from simkz.model.state import NetworkState
from simkz.results.network import ElementState, StateChange, StateLog
from simkz.results.table import round_sig
from simkz.topology.network import Topology

__all__ = ["FilterValues", "StateRecorder", "element_states", "ordinary_through"]

#: Key of an element: (0 for a node or 1 for a link, its key); sorts nodes first, each kind by key.
_Element = tuple[int, str]
_TYPES = ("node", "link")


class StateRecorder:
    """The network states in force, each from the instant it came into force (seconds since the start)."""

    def __init__(self) -> None:
        self.times_s: list[float] = []
        self.states: list[NetworkState] = []

    def __len__(self) -> int:
        return len(self.states)

    def record(self, time_s: float, state: NetworkState) -> None:
        """Note ``state`` as in force from ``time_s`` on (nothing is noted if it is the state already in force)."""
        if self.states:
            last = self.states[-1]
            if state is last or state == last:
                return
            if time_s < self.times_s[-1]:
                raise ValueError(f"states must not go back in time ({time_s} < {self.times_s[-1]})")
            if time_s == self.times_s[-1]:
                self.times_s.pop()
                self.states.pop()
        self.times_s.append(float(time_s))
        self.states.append(state)

    def log(self, topology: Topology, start: datetime, zone: ZoneInfo) -> StateLog:
        """The event log of every element's state (times local to ``zone``, from the run's ``start``)."""
        values = FilterValues(topology)
        rows: list[StateChange] = []
        before: dict[_Element, ElementState] = {}
        for time_s, state in zip(self.times_s, self.states, strict=True):
            now = {k: _rounded(s) for k, s in element_states(state, values).items()}  # values as the file has them
            changed = sorted([k for k, s in now.items() if before.get(k) != s] + [k for k in before if k not in now])
            if not changed:
                continue
            # as the file holds them: whole seconds, 10 significant digits
            when = (start + timedelta(seconds=time_s)).astimezone(zone).replace(microsecond=0)
            hours = round_sig(time_s / 3600.0)
            for key in changed:
                state_now = now.get(key, ElementState("up"))
                rows.append(StateChange(when, hours, key[1], _TYPES[key[0]], state_now.state, state_now.value))
            before = now
        return StateLog(tuple(rows))


def _rounded(state: ElementState) -> ElementState:
    return state if state.value is None else ElementState(state.state, round_sig(state.value))


def element_states(state: NetworkState, values: FilterValues | None = None) -> dict[_Element, ElementState]:
    """The state of every node and link not ``up`` in ``state`` (``filtered`` nodes valued by ``values``, left
    without a value when it is None)."""
    nodes: dict[str, ElementState] = {}
    filtered = sorted(
        {n for n, _, _ in state.blocks} | {n for n, _, _ in state.whitelists} | {n for n, _ in state.degrade}
    )
    shares = values.shares(state, filtered) if values is not None and filtered else {}
    for node in filtered:  # the lowest precedence first: a later kind overrides an earlier one
        nodes[node] = ElementState("filtered", shares.get(node))
    for node, cut in state.cut_share:
        nodes[node] = ElementState("partial", 1.0 - cut)
    for node in state.withdrawn:
        nodes[node] = ElementState("withdrawn")
    for node in state.down_nodes:
        nodes[node] = ElementState("down")
    links: dict[str, ElementState] = {link: ElementState("throttled", f) for link, f in state.link_factor}
    for link in state.down_links:
        links[link] = ElementState("down")
    return {**{(0, k): s for k, s in nodes.items()}, **{(1, k): s for k, s in links.items()}}


def ordinary_through(topology: Topology) -> NDArray[np.float64]:
    """``[service * n_nodes + node]``: the ordinary day's traffic of each service through each node (no action,
    nothing down; each cohort's demand summed over the 24 hours of its profile), Gbps x h."""
    n, services = len(topology.nodes), topology.services
    daily = np.array(
        [c.users * topology.demand[c.tech].peak_gbps * sum(topology.demand[c.tech].hourly) for c in topology.cohorts],
        dtype=np.float64,
    )
    demand = daily[:, None] * np.array([s.traffic_share for s in services], dtype=np.float64)[None, :]
    nodes = np.array([topology.node_index[c.node] for c in topology.cohorts], dtype=np.int64)
    stacked = np.arange(len(services), dtype=np.int64)[None, :] * n + nodes[:, None]
    mass = np.zeros(n * len(services), dtype=np.float64)
    np.add.at(mass, stacked.ravel(), demand.ravel())
    ordinary = NetworkState().topology_key  # the routing every run computes for its baselines: shared, not redone
    routing = SharedCache.of(topology).routes.get(ordinary, lambda: route(topology, *ordinary))
    Paths(routing, np.ones(n * len(services), dtype=np.float64)).push(
        mass, np.zeros(len(topology.links), dtype=np.float64)
    )
    mass.flags.writeable = False
    return mass


class FilterValues:
    """The pass share of the ordinary traffic through filtering nodes (see the module docstring)."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self._through: NDArray[np.float64] | None = None
        self._known: dict[tuple[object, ...], dict[str, float | None]] = {}

    def shares(self, state: NetworkState, nodes: list[str]) -> dict[str, float | None]:
        """The value of each of ``nodes`` (the nodes with rules in ``state``)."""
        key = state.policy_key
        found = self._known.get(key)
        if found is None:
            topo = self.topology
            if self._through is None:
                self._through = topo.memo("engine.states.ordinary_through", lambda: ordinary_through(topo))
            n = len(topo.nodes)
            through = self._through.reshape(-1, n)
            passes = pass_shares(topo, state).reshape(-1, n)
            index = [topo.node_index[node] for node in nodes]
            total = through[:, index].sum(axis=0)
            passed = (through[:, index] * passes[:, index]).sum(axis=0)
            found = {node: (float(passed[i] / total[i]) if total[i] > 0 else None) for i, node in enumerate(nodes)}
            self._known[key] = found
        return found

"""SimPy processes: the scenario's actions and their windows, and the daily demand clock.

Processes only change the :class:`World`; they never compute network outputs.
The simulation loop evaluates the world once per instant at which it changed.
Random failures (:mod:`simkz.engine.failures`) mark elements failed in the world: a failed element is
down whatever the actions in force do (a restore does not repair it), and an element both shut down
and failed stays down until both end.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import simpy

from simkz.engine.effects import ActionKey, ActiveFold
from simkz.model.state import NetworkState
from simkz.scenario.load import Action, Window
from simkz.topology.network import Topology

__all__ = ["World", "action_window", "demand_clock"]

#: Demand profiles are hourly in local time; zones differ by whole or quarter hours.
CLOCK_TICK_S = 15 * 60


class World:
    """What the processes change: the actions in force, and whether demand moved on."""

    def __init__(self, topology: Topology, vpn_share: float = 0.0) -> None:
        self.topology = topology
        self._active = ActiveFold(topology)
        self.state = NetworkState()
        self.vpn_share = vpn_share  #: share of internet users with a working VPN, 0-1
        self.state_changed = True
        self.demand_changed = True
        self.events = 0  #: actions coming into or going out of force
        self.failed_nodes: set[str] = set()  #: nodes down by a random failure, until repaired
        self.failed_links: set[str] = set()  #: links down by a random failure, until repaired

    def activate(self, key: ActionKey, action: Action) -> None:
        """Put ``action`` in force; ``key`` orders it among the actions in force."""
        self._active.add(key, action)
        self._changed()

    def deactivate(self, key: ActionKey) -> None:
        """Take the action under ``key`` out of force."""
        self._active.remove(key)
        self._changed()

    def fail(self, element_type: str, key: str) -> None:
        """Take the node or link ``key`` down by a random failure (``element_type``: ``node`` or ``link``)."""
        (self.failed_nodes if element_type == "node" else self.failed_links).add(key)
        self._refresh()

    def repair(self, element_type: str, key: str) -> None:
        """End the random failure of the node or link ``key``."""
        (self.failed_nodes if element_type == "node" else self.failed_links).discard(key)
        self._refresh()

    def _changed(self) -> None:
        self.events += 1
        self._refresh()

    def _refresh(self) -> None:
        """The state of the actions in force, with the failed elements down on top of it."""
        state = self._active.state()
        if self.failed_nodes or self.failed_links:
            state = replace(
                state,
                down_nodes=state.down_nodes | self.failed_nodes,
                down_links=state.down_links | self.failed_links,
            )
        if state != self.state:
            self.state = state
            self.state_changed = True


def action_window(
    env: simpy.Environment, world: World, action: Action, number: int, window: Window
) -> Generator[simpy.Event, Any, None]:
    """Put ``action`` in force during ``window``."""
    key = (window.order, action.index, number)
    if window.on > env.now:
        yield env.timeout(window.on - env.now)
    world.activate(key, action)
    if window.off is not None:
        yield env.timeout(window.off - env.now)
        world.deactivate(key)


def demand_clock(env: simpy.Environment, world: World, start: datetime) -> Generator[simpy.Event, Any, None]:
    """Wake at every quarter hour (UTC) and flag a demand change when a local hour turned."""
    hours = world.topology.local_hours(start)
    offset = start.timestamp() % CLOCK_TICK_S
    first = CLOCK_TICK_S - offset if offset else CLOCK_TICK_S
    yield env.timeout(first)
    while True:
        now = world.topology.local_hours(start + timedelta(seconds=env.now))
        if (now != hours).any():
            hours = now
            world.demand_changed = True
        yield env.timeout(CLOCK_TICK_S)

"""One run of one scenario: ``Simulation(scenario).run().result``.

Lifecycle: ``initialize`` (draw parameters, build the SimPy environment and
processes) -> ``run`` (advance event by event, evaluate the network once per
instant at which something changed) -> ``finalize`` (turn the trace into a
:class:`~simkz.results.run.RunResult`). A simulation runs once.
"""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np
import simpy

from simkz.engine.backlog import BacklogQueue
from simkz.engine.circumvention import vpn_adoption
from simkz.engine.network import NetworkModel
from simkz.engine.processes import World, action_window, demand_clock
from simkz.engine.recorder import Recorder
from simkz.errors import LifecycleError
from simkz.impact.disruption import effective_served
from simkz.impact.report import build_result
from simkz.results.run import RunResult
from simkz.scenario.load import Scenario
from simkz.scenario.parameters import draw_parameters

__all__ = ["Simulation"]


class Simulation:
    """Run one scenario once.

    Parameters
    ----------
    scenario: a loaded scenario (see :func:`simkz.load_scenario`).
    seed: overrides the scenario's seed.
    """

    def __init__(self, scenario: Scenario, *, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else int(seed)
        self.rng = np.random.default_rng(self.seed)
        self.phase = "created"
        self.parameters: dict[str, float] = {}
        self.network = NetworkModel(scenario.topology)
        self.recorder = Recorder()
        self.wall_time_s = 0.0
        self._result: RunResult | None = None

    def initialize(self) -> Simulation:
        """Draw the parameters and set up the SimPy processes."""
        if self.phase != "created":
            raise LifecycleError(f"initialize() called in phase {self.phase!r}")
        self.parameters = draw_parameters(self.scenario.parameters, self.rng)
        self.network.set_caches(self.parameters["cache_serves_without_origin"])
        topology = self.scenario.topology
        self.env = simpy.Environment()
        vpn = self.network.vpn_service
        self.world = World(topology, vpn_share=topology.services[vpn].adoption if vpn is not None else 0.0)
        for action in self.scenario.actions:
            for number, window in enumerate(action.windows):
                self.env.process(action_window(self.env, self.world, action, number, window))
        self.env.process(demand_clock(self.env, self.world, self.scenario.start))
        if vpn is not None:
            p = self.parameters
            self.env.process(vpn_adoption(self.env, self.world, p["vpn_adoption_per_day"], p["vpn_max_share"]))
        self._users = topology.users()
        self.queues = {
            i: BacklogQueue(self.env, s, float(self._users.sum()), on_empty=self._queue_emptied)
            for i, s in enumerate(topology.services)
            if s.backlog is not None
        }
        self.phase = "initialized"
        return self

    def run(self) -> Simulation:
        """Advance to the end of the scenario, then finalize."""
        if self.phase == "created":
            self.initialize()
        if self.phase != "initialized":
            raise LifecycleError(f"a simulation runs once; this one is {self.phase!r}")
        self.phase = "running"
        began = time.perf_counter()
        end = self.scenario.duration_s
        env = self.env
        while env.peek() < end:
            now = env.peek()
            while env.peek() == now:
                env.step()
            self._evaluate(now)
        self.wall_time_s = time.perf_counter() - began
        self.phase = "ran"
        return self.finalize()

    def _queue_emptied(self) -> None:
        self.world.state_changed = True  # a recovery is a change point

    def _evaluate(self, now: float) -> None:
        world = self.world
        if not (world.state_changed or world.demand_changed):
            return
        hours = self.network.local_hours(self.scenario.start + timedelta(seconds=now))
        demand = self.network.demand.gbps(hours)
        flows = self.network.flows(world.state, demand, world.vpn_share)
        effective = effective_served(self.scenario.topology, flows.served)
        backlog = np.zeros(len(self.scenario.topology.services))
        if self.queues:
            share = self._users @ effective / self._users.sum()
            for i, queue in self.queues.items():
                queue.update(float(share[i]))
                backlog[i] = queue.level
        probe, visible = self.network.signals(world.state)
        self.recorder.record(
            now,
            served=flows.served,
            effective=effective,
            traffic_gbps=(flows.served * demand).sum(axis=1),
            baseline_gbps=self.network.baseline_gbps(hours),
            vpn_share=world.vpn_share,
            backlog=backlog,
            connected=self.network.connected(world.state),
            probe=probe,
            bgp_visible=visible,
        )
        world.state_changed = world.demand_changed = False

    def finalize(self) -> Simulation:
        """Build the result from the recorded trace."""
        if self.phase != "ran":
            raise LifecycleError(f"finalize() needs a finished run; this one is {self.phase!r}")
        self._result = build_result(
            self.scenario,
            self.recorder.trace(self.scenario.duration_s),
            seed=self.seed,
            parameters=self.parameters,
            stats={
                "change_points": len(self.recorder),
                "evaluations": self.network.evaluations,
                "action_events": self.world.events,
            },
        )
        self.phase = "finalized"
        return self

    @property
    def result(self) -> RunResult:
        """The run's result (after :meth:`run`)."""
        if self._result is None:
            raise LifecycleError("no result yet: call run() first")
        return self._result

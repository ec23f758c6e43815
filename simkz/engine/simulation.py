"""One run of one scenario: ``Simulation(scenario).run().result``.

Lifecycle: ``initialize`` (realise the scenario: draw its parameters and uncertain action numbers
and shifts; build the SimPy environment and processes, with one process per element that can fail
when the scenario has random failures) -> ``run`` (advance event by event, evaluate the network
once per instant at which something changed) -> ``finalize`` (turn the trace into a
:class:`~simkz.results.run.RunResult`, with the failures table and summary block of a run with
random failures, and the record of the network: its phases, its map and the states the engine applied,
see :mod:`simkz.engine.network_record`). A simulation runs once.
"""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np
import simpy

from simkz.engine.backlog import BacklogQueue
from simkz.engine.circumvention import vpn_adoption
from simkz.engine.failures import FailureLog, start_failures
from simkz.engine.network import NetworkModel
from simkz.engine.network_record import network_record
from simkz.engine.processes import World, action_window, demand_clock
from simkz.engine.recorder import Recorder
from simkz.engine.states import StateRecorder
from simkz.errors import LifecycleError
from simkz.impact.report import build_result
from simkz.results.run import RunResult
from simkz.scenario.load import Scenario
from simkz.scenario.realise import Realised, realise, seed_record

__all__ = ["Simulation"]


class Simulation:
    """Run one scenario once.

    Parameters
    ----------
    scenario: a loaded scenario (see :func:`simkz.load_scenario`); after :meth:`initialize`, the
        realised one (every uncertain number drawn).
    seed: overrides the scenario's seed: an int, or a :class:`numpy.random.SeedSequence` (e.g. one of
        ``SeedSequence(seed).spawn(n)``, for replications). The generator is ``numpy.random.default_rng(seed)``;
        ``self.seed`` is its JSON record (an int, or ``{"entropy": ..., "spawn_key": [...]}``).
    """

    def __init__(self, scenario: Scenario, *, seed: int | np.random.SeedSequence | None = None) -> None:
        self.scenario = scenario
        chosen = scenario.seed if seed is None else seed
        chosen = chosen if isinstance(chosen, np.random.SeedSequence) else int(chosen)
        self.seed = seed_record(chosen)
        self.rng = np.random.default_rng(chosen)
        self.realised: Realised | None = None
        self.phase = "created"
        self.parameters: dict[str, float] = {}
        self.network = NetworkModel(scenario.topology)
        self.recorder = Recorder()
        self.states = StateRecorder()  #: the network states the engine applied, at the instants they changed
        self.wall_time_s = 0.0
        self.failures: FailureLog | None = None  #: the random failures of the run, if the scenario has them
        self._result: RunResult | None = None

    def initialize(self) -> Simulation:
        """Realise the scenario (draw its parameters, action numbers and shifts) and set up the SimPy processes."""
        if self.phase != "created":
            raise LifecycleError(f"initialize() called in phase {self.phase!r}")
        self.realised = realise(self.scenario, self.rng)
        self.scenario = self.realised.scenario
        self.parameters = self.realised.parameters
        self.network.set_caches(self.parameters["cache_serves_without_origin"])
        topology = self.scenario.topology
        self.env = simpy.Environment()
        vpn = self.network.vpn_service
        self.world = World(topology, vpn_share=topology.services[vpn].adoption if vpn is not None else 0.0)
        for action in self.scenario.actions:
            for number, window in enumerate(action.windows):
                self.env.process(action_window(self.env, self.world, action, number, window))
        self.env.process(demand_clock(self.env, self.world, self.scenario.start))
        if self.scenario.failures is not None:
            self.failures = start_failures(self.env, self.world, self.scenario.failures, topology, self.rng)
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
        snapshot = self.network.snapshot(world.state, hours, world.vpn_share)
        effective = snapshot.effective
        backlog = np.zeros(len(self.scenario.topology.services))
        if self.queues:
            share = self._users @ effective / self._users.sum()
            for i, queue in self.queues.items():
                queue.update(float(share[i]))
                backlog[i] = queue.level
        self.states.record(now, world.state)
        probe, visible = self.network.signals(world.state)
        self.recorder.record(
            now,
            served=snapshot.served,
            effective=effective,
            traffic_gbps=snapshot.traffic_gbps,
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
        if self.failures is not None:
            self._add_failures(self._result, self.failures)
        self._result.network = network_record(self.scenario, self.states)
        self.phase = "finalized"
        return self

    def _add_failures(self, result: RunResult, log: FailureLog) -> None:
        """The ``failures`` table, and the ``failures`` block of the summary (before its warnings)."""
        scenario, end = self.scenario, self.scenario.duration_s
        result.tables["failures"] = log.table(scenario.start, scenario.zone, end)
        summary = {k: v for k, v in result.summary.items() if k != "warnings"}
        result.summary = {**summary, "failures": log.summary(end), "warnings": result.summary.get("warnings", [])}

    @property
    def result(self) -> RunResult:
        """The run's result (after :meth:`run`)."""
        if self._result is None:
            raise LifecycleError("no result yet: call run() first")
        return self._result

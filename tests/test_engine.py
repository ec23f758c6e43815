"""The engine: event-driven cost, lifecycle."""

from __future__ import annotations

import pytest

from simkz import Simulation, load_scenario
from simkz.errors import LifecycleError


def test_cost_follows_state_changes_not_steps(toy_scenario):
    actions = [
        {"at": "2022-01-05T14:00+06:00", "shutdown": {"kind": "gateway"}},
        {"daily": {"from": "08:00", "to": "09:00"}, "between": ["2022-01-06", "2022-01-09"], "restore": {}},
    ]
    counts = []
    for step in ("1min", "1h"):
        sim = Simulation(load_scenario(toy_scenario(actions, duration="5d", step=step))).run()
        counts.append((sim.network.evaluations, len(sim.recorder)))
        assert len(sim.result.tables["national"]) == 5 * 24 * (60 if step == "1min" else 1)
    assert counts[0] == counts[1]
    # one record per hour (demand) at most, plus the action instants that fall between hours
    assert counts[0][1] <= 5 * 24 + 2


def test_a_simulation_runs_once(toy_scenario):
    sim = Simulation(load_scenario(toy_scenario([])))
    sim.run()
    with pytest.raises(LifecycleError):
        sim.run()


def test_result_before_run_is_an_error(toy_scenario):
    with pytest.raises(LifecycleError):
        _ = Simulation(load_scenario(toy_scenario([]))).result


def test_seed_override_is_recorded(toy_scenario):
    sim = Simulation(load_scenario(toy_scenario([])), seed=42).run()
    assert sim.result.summary["scenario"]["seed"] == 42
    assert sim.result.manifest["seed"] == 42

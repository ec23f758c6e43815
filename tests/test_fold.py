"""The incremental fold of the actions in force gives exactly the state of a full fold, in near-linear time."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simkz.engine.effects as effects
from simkz import Simulation, load_scenario
from simkz.engine.effects import ActionKey, ActiveFold, fold
from simkz.engine.processes import World
from simkz.inputs import validate_model
from simkz.scenario.load import Action, bind_scenario
from simkz.scenario.schema import ScenarioFile
from simkz.topology.load import load_topology
from tests.conftest import TOY

TOPO = load_topology(TOY)
START = datetime.fromisoformat("2022-01-05T12:00+06:00")  #: the toy scenarios' start
ACCESS = ["north-a-fixed", "north-a-mobile", "north-b-mobile", "south-a-fixed", "south-a-mobile", "south-b-mobile"]

#: Every kind of action, with selections that overlap, so that order matters.
SPECS: list[dict[str, Any]] = [
    {"shutdown": {"nodes": ["north-a-fixed", "gw-1"]}},
    {"shutdown": {"nodes": ACCESS[:3], "share": 0.3}},
    {"shutdown": {"nodes": ACCESS[1:4], "share": 0.6}},
    {"shutdown": {"links": ["gw-2--abroad"]}},
    {"throttle": {"nodes": ["gw-1"], "factor": 0.5}},
    {"throttle": {"links": ["gw-1--abroad", "a-core--gw-1"], "factor": 0.25}},
    {"degrade": {"nodes": ["a-core", "gw-2"], "pass": 0.5}},
    {"degrade": {"nodes": ["a-core"], "pass": 0.8}},
    {"withdraw": {"nodes": ACCESS[2:5]}},
    {"block": {"services": ["chat", "video"], "at": {"nodes": ["gw-1", "gw-2"]}, "effectiveness": 0.9}},
    {"block": {"services": ["chat"], "at": {"nodes": ["gw-1"]}}},
    {"whitelist": {"services": ["bank"], "at": {"nodes": ["gw-2"]}, "effectiveness": 0.7}},
    {"restore": {"nodes": ["north-a-fixed", "north-a-mobile", "gw-1"]}},
    {"restore": {"nodes": ["gw-1", "gw-2"], "lift": ["block"], "services": ["chat"]}},
    {"restore": {"nodes": ["gw-2"], "lift": ["whitelist", "block", "degrade"]}},
    {"restore": {"links": ["gw-2--abroad", "gw-1--abroad"], "lift": ["shutdown", "throttle"]}},
]
SCENARIO = validate_model(
    ScenarioFile,
    {
        "name": "fold",
        "topology": "toy",
        "start": "2022-01-05T12:00+06:00",
        "duration": "1d",
        "actions": [{**spec, "assumption": "test"} for spec in SPECS],
    },
    None,
)
ACTIONS: tuple[Action, ...] = bind_scenario(SCENARIO, TOPO).actions

#: One step: add action i with start s (True, i, s), or remove the k-th action in force, modulo their count.
Step = tuple[bool, int, int]
steps = st.lists(st.tuples(st.booleans(), st.integers(0, len(ACTIONS) - 1), st.integers(0, 6)), min_size=1, max_size=60)


def full_fold(active: dict[ActionKey, Action]) -> Any:
    return fold(TOPO, (active[k] for k in sorted(active)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps, every=st.sampled_from([1, 2, 3, 5, 32]))
def test_incremental_fold_equals_the_full_fold(steps: list[Step], every: int) -> None:
    incremental = ActiveFold(TOPO, every=every)
    active: dict[ActionKey, Action] = {}
    for number, (add, i, start) in enumerate(steps):
        if add or not active:
            key = (float(start), ACTIONS[i].index, number)  # starts repeat: ties are ordered by the file
            incremental.add(key, ACTIONS[i])
            active[key] = ACTIONS[i]
        else:
            key = sorted(active)[i % len(active)]
            incremental.remove(key)
            del active[key]
        assert len(incremental) == len(active)
        assert incremental.state() == full_fold(active)


def test_actions_coming_into_force_in_order_are_applied_once(monkeypatch):
    calls = []
    real = effects.apply

    def counting(*args: Any) -> None:
        calls.append(1)
        real(*args)

    monkeypatch.setattr(effects, "apply", counting)
    incremental = ActiveFold(TOPO, every=32)
    n = 2_000
    for k in range(n):
        incremental.add((float(k), k % len(ACTIONS), 0), ACTIONS[k % len(ACTIONS)])
    assert len(calls) == n  # a full fold at every event would apply n (n + 1) / 2 actions
    calls.clear()
    incremental.remove((float(n - 1), (n - 1) % len(ACTIONS), 0))
    assert len(calls) < 32  # the last checkpoint is at most 31 actions back


def test_a_key_in_force_cannot_come_into_force_again():
    incremental = ActiveFold(TOPO)
    incremental.add((0.0, 0, 0), ACTIONS[0])
    with pytest.raises(KeyError):
        incremental.add((0.0, 0, 0), ACTIONS[0])
    with pytest.raises(ValueError, match="at least 1"):
        ActiveFold(TOPO, every=0)


def test_a_run_gives_the_same_results_as_with_a_full_fold_at_every_event(toy_scenario, monkeypatch):
    timed = []
    for k in range(120):
        spec = copy.deepcopy(SPECS[k % len(SPECS)])  # no shared objects: YAML would write them as anchors
        at = START + timedelta(minutes=60 + 7 * k)
        entry = {"at": at.isoformat(), **spec, "assumption": "test"}
        if k % 3:  # two in three end after 20 min to 7 h; the others stay in force
            entry["until"] = (at + timedelta(minutes=20 + (53 * k) % 400)).isoformat()
        timed.append(entry)
    scenario = load_scenario(toy_scenario(timed, duration="24h", step="15min"))
    incremental = Simulation(scenario).run().result

    def full(self: World) -> None:  # the fold before the incremental one: every action in force, every event
        self.events += 1
        state = fold(self.topology, (self._active._actions[k] for k in sorted(self._active._actions)))
        if state != self.state:
            self.state, self.state_changed = state, True

    monkeypatch.setattr(World, "_changed", full)
    reference = Simulation(scenario).run().result
    assert incremental.manifest["engine"]["action_events"] == 120 + 80
    assert incremental.summary == reference.summary
    for name, table in reference.tables.items():
        for column in table.names:
            assert list(incremental.tables[name][column]) == list(table[column]), (name, column)

"""Every shipped scenario and topology validates and runs."""

from __future__ import annotations

import pytest

from simkz import Simulation, load_scenario
from simkz.topology.load import load_topology
from tests.conftest import SCENARIOS, TOPOLOGIES

SHIPPED_SCENARIOS = sorted(SCENARIOS.glob("*.yaml"))
SHIPPED_TOPOLOGIES = sorted(TOPOLOGIES.glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED_TOPOLOGIES, ids=lambda p: p.stem)
def test_topology_loads_without_warnings(path):
    assert load_topology(path).warnings == ()


@pytest.mark.parametrize("path", SHIPPED_SCENARIOS, ids=lambda p: p.stem)
def test_scenario_runs(path, tmp_path):
    scenario = load_scenario(path)
    assert scenario.warnings == ()
    assert scenario.description, "shipped scenarios describe themselves for `simkz list`"
    result = Simulation(scenario).run().result
    folder = result.save(tmp_path / scenario.name)
    assert (folder / "summary.json").is_file()
    index = result.tables["national"]["connectivity_index_pct"]
    assert ((index >= 0) & (index <= 100 + 1e-9)).all()
    for action in scenario.spec.actions:
        assert action.source or action.assumption, f"{path.name}: every action says its source or assumption"

"""simkz: simulate internet shutdown scenarios on a network model.

The public API is small: load a scenario, run it, read the result.

>>> from simkz import load_scenario, Simulation
>>> sim = Simulation(load_scenario("scenarios/toy-total-shutdown.yaml")).run()  # doctest: +SKIP
>>> sim.result.summary["national"]["peak_cut_off_persons"]  # doctest: +SKIP
"""

from __future__ import annotations

from simkz._version import __version__
from simkz.engine.simulation import Simulation
from simkz.errors import InputError, SimkzError
from simkz.results.run import RunResult
from simkz.scenario.load import Scenario, load_scenario
from simkz.topology.load import load_topology
from simkz.topology.network import Topology

__all__ = [
    "InputError",
    "RunResult",
    "Scenario",
    "SimkzError",
    "Simulation",
    "Topology",
    "__version__",
    "load_scenario",
    "load_topology",
]

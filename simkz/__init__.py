"""simkz: simulate internet shutdown scenarios on a network model.

The public API is small: load a scenario, run it, read the result.

>>> from simkz import load_scenario, Simulation
>>> sim = Simulation(load_scenario("scenarios/toy-total-shutdown.yaml")).run()  # doctest: +SKIP
>>> sim.result.summary["national"]["peak_cut_off_persons"]  # doctest: +SKIP

The names are loaded on first use (PEP 562), so that ``import simkz`` and the command line start
without importing numpy, SimPy and the model until they are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from simkz._version import __version__
from simkz.errors import InputError, SimkzError

if TYPE_CHECKING:
    from simkz.engine.simulation import Simulation
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

#: Public names loaded on first use, with the module each comes from.
_LAZY = {
    "RunResult": "simkz.results.run",
    "Scenario": "simkz.scenario.load",
    "Simulation": "simkz.engine.simulation",
    "Topology": "simkz.topology.network",
    "load_scenario": "simkz.scenario.load",
    "load_topology": "simkz.topology.load",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'simkz' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

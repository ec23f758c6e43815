"""One run of a replication set or a sweep, in whatever process runs it: ``run_one(spec) -> RunRecord``.

The scenario (with the spec's overrides) and its topology are loaded once per process
(:mod:`simkz.sweep.cache`); the run draws from the spec's seed sequence. The record carries what the
results folder keeps of the run: its summary and its series (compressed, so that sending it between
processes or machines is cheap), and the text of its network's files (``phases.csv``, ``network.json``,
``network_states.csv``: :mod:`simkz.results.network`).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import numpy as np

from simkz._version import __version__
from simkz.engine.simulation import Simulation
from simkz.impact.tables import with_output_step
from simkz.results.network import network_texts
from simkz.results.run import dump_json
from simkz.sweep.cache import load_point
from simkz.sweep.plan import RunSpec
from simkz.sweep.series import encode_series

__all__ = ["RunRecord", "run_one", "simulation_seed", "worker_versions"]


@dataclass(frozen=True)
class RunRecord:
    """What one run leaves: its summary (the text of its ``summary.json``, made where the run ran) and its series
    (the bytes of its ``series.npz``, see :mod:`simkz.sweep.series`)."""

    run_id: str
    point: int
    replication: int
    summary_json: str
    series: bytes
    versions: tuple[str, ...]  #: simkz and numpy versions of the process that ran it
    files: tuple[tuple[str, str], ...] = ()  #: (file name, text) of the run's network files

    @property
    def summary(self) -> dict[str, Any]:
        """The run's summary."""
        data: dict[str, Any] = json.loads(self.summary_json)
        return data


@functools.cache
def worker_versions() -> tuple[str, ...]:
    """The versions a run's numbers depend on: simkz's and numpy's."""
    return (f"simkz {__version__}", f"numpy {metadata.version('numpy')}")


def simulation_seed(seq: np.random.SeedSequence) -> np.random.SeedSequence:
    """What :class:`~simkz.engine.simulation.Simulation` takes as the run's seed, for a seed sequence: the
    sequence itself (the summary records its entropy and spawn key)."""
    return seq


def run_one(spec: RunSpec) -> RunRecord:
    """Run ``spec`` and return its record."""
    scenario = with_output_step(load_point(spec.scenario, spec.overrides), spec.output_step)
    result = Simulation(scenario, seed=simulation_seed(spec.seed_sequence())).run().result
    return RunRecord(
        run_id=spec.run_id,
        point=spec.point,
        replication=spec.replication,
        summary_json=dump_json(result.summary),
        series=encode_series({t: result.tables[t] for t in spec.tables}, with_keys=spec.replication == 0),
        versions=worker_versions(),
        files=tuple(network_texts(result.network).items()) if result.network is not None else (),
    )

"""Shared fixtures: paths to the shipped files and helpers to write small variants."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from simkz import Simulation, load_scenario
from simkz.results.run import RunResult

#: The repository root: every path in the tests is built from it, so the suite runs from any folder.
ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "topologies" / "toy.yaml"
SCENARIOS = ROOT / "scenarios"
TOPOLOGIES = ROOT / "topologies"

# Processes the tests start (`python -m simkz`, pytester) import this checkout's simkz too, not an installed copy
# (pyproject.toml's `pythonpath` does the same for the test process itself).
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def toy_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write a scenario on the toy topology (optionally a toy variant) and return its path."""

    def make(
        actions: list[dict[str, Any]] | None = None, topology: dict[str, Any] | None = None, **fields: Any
    ) -> Path:
        topo = TOY
        if topology is not None:
            topo = write_yaml(tmp_path / "toy-variant.yaml", {"extends": str(TOY), **topology})
        data = {
            "name": "t",
            "topology": str(topo),
            "start": "2022-01-05T12:00+06:00",
            "duration": "12h",
            "step": "15min",
            "actions": actions or [],
            **fields,
        }
        return write_yaml(tmp_path / "scenario.yaml", data)

    return make


@pytest.fixture
def run_toy(toy_scenario: Callable[..., Path]) -> Callable[..., RunResult]:
    """Run a toy scenario in memory and return its result."""

    def run(actions: list[dict[str, Any]] | None = None, **kwargs: Any) -> RunResult:
        return Simulation(load_scenario(toy_scenario(actions, **kwargs))).run().result

    return run


def at_hour(result: RunResult, table: str, hour: float, **where: str) -> dict[str, float]:
    """The row of ``table`` at ``hour`` after the start (matching ``where`` for long tables)."""
    t = result.tables[table]
    for key, value in where.items():
        t = t.where(key, value)
    rows = [i for i, h in enumerate(t["elapsed_h"]) if abs(h - hour) < 1e-9]
    assert len(rows) == 1, f"no single row at {hour} h"
    return {name: t[name][rows[0]] for name in t.names}

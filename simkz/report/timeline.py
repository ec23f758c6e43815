"""The slider's steps: the run's start, then each distinct time of its state log (``network_states.csv``), with the
state of every element not ``up`` and the labels of the phases in force."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simkz.report.formats import local_time
from simkz.results.network import NetworkRecord, states_at

__all__ = ["Step", "slider_steps", "steps_json", "worst_step"]


@dataclass(frozen=True)
class Step:
    """One position of the slider: the time (ISO 8601), hours since the start, the labels of the phases in force,
    and the state of each element not ``up`` (``"node:KEY"`` or ``"link:KEY"`` to its state)."""

    time: str
    elapsed_h: float
    phases: tuple[str, ...]
    states: dict[str, str]


def slider_steps(record: NetworkRecord, start: str) -> list[Step]:
    """The steps of ``record``'s run, which started at ``start`` (ISO 8601): the start, then each time the log
    changes a state, in order."""
    times: dict[float, str] = {0.0: start}
    for change in record.states.changes:
        times.setdefault(change.elapsed_h, change.time.isoformat(timespec="seconds"))
    steps = []
    for hours, time in sorted(times.items()):
        at = states_at(record.states, hours)
        states = {f"node:{k}": s.state for k, s in at.nodes.items() if s.state != "up"}
        states.update({f"link:{k}": s.state for k, s in at.links.items() if s.state != "up"})
        labels = tuple(p.label for p in record.phases if p.start_elapsed_h <= hours < p.end_elapsed_h)
        steps.append(Step(time, hours, tuple(dict.fromkeys(labels)), dict(sorted(states.items()))))
    return steps


def worst_step(steps: list[Step]) -> int:
    """The step shown first: the one with the most elements ``down``, then the most not ``up`` (the earliest
    of equals)."""

    def rank(i: int) -> tuple[int, int, int]:
        states = steps[i].states.values()
        return sum(s == "down" for s in states), len(states), -i

    return max(range(len(steps)), key=rank)


def steps_json(steps: list[Step]) -> dict[str, Any]:
    """The steps as plain data for the page's script: times as a reader writes them, with hours since the start."""
    return {
        "times": [f"{local_time(s.time)}, {s.elapsed_h:g} h after the start" for s in steps],
        "phases": [list(s.phases) for s in steps],
        "states": [s.states for s in steps],
    }

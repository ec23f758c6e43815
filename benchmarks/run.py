"""Benchmarks, run on demand: ``python benchmarks/run.py [--repeat N]``.

Prints, for each case, the median wall time and the median CPU time (process time: what
this process computed, whatever else the machine was doing) of a run (without writing
files), and the engine's counters. Ratios are measured in the same process, so machine noise cancels
more than absolute times do.

Cases:
* step scaling: the same 14-day scenario at 1-minute and 1-hour steps. The evaluation
  count must be identical (event-driven engine); the time ratio shows what the finer
  step costs (sampling the time series, not evaluating the network).
* 4,000 timed actions: a 14-day toy scenario whose actions come into force every 5 minutes, half
  of them for good, half for a window of 10 minutes to 10 hours; every kind of action on
  overlapping selections. The engine folds the actions in force incrementally; a full fold at
  every event made this case quadratic (about 25 times the CPU time of the incremental fold at
  4,000 actions, when this case was added).
* each shipped scenario.
* scoring the reference run against its observations (``simkz score`` without the I/O).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import yaml

from simkz import Simulation, load_scenario

ROOT = Path(__file__).resolve().parents[1]


Timing = tuple[float, float]  #: median wall and CPU seconds


T = TypeVar("T")


def clock(fn: Callable[[], T]) -> tuple[Timing, T]:
    """Call ``fn`` once: its wall and CPU seconds, and its result."""
    began, began_cpu = time.perf_counter(), time.process_time()
    value = fn()
    return (time.perf_counter() - began, time.process_time() - began_cpu), value


def _median(runs: list[tuple[Timing, T]]) -> tuple[Timing, T]:
    """The median wall and CPU seconds of timed calls, and the last call's result."""
    return (statistics.median(t[0] for t, _ in runs), statistics.median(t[1] for t, _ in runs)), runs[-1][1]


def median_clock(fn: Callable[[], T], repeat: int) -> tuple[Timing, T]:
    """Call ``fn`` ``repeat`` times: the median wall and CPU seconds, and the last result."""
    return _median([clock(fn) for _ in range(repeat)])


def timed(path: Path, repeat: int) -> tuple[Timing, Simulation]:
    """Median run time of the scenario at ``path`` (loading not counted), and the last simulation."""
    return _median([clock(Simulation(load_scenario(path)).run) for _ in range(repeat)])


def fmt(t: Timing) -> str:
    return f"median {t[0] * 1000:8.1f} ms wall {t[1] * 1000:8.1f} ms cpu"


def step_scaling(repeat: int) -> None:
    base = {
        "name": "bench",
        "topology": str(ROOT / "topologies" / "toy.yaml"),
        "start": "2022-01-04T00:00+06:00",
        "duration": "14d",
        "actions": [
            {"at": "2022-01-05T16:30+06:00", "shutdown": {"kind": "access"}, "assumption": "bench"},
            {
                "daily": {"from": "08:30", "to": "12:00"},
                "between": ["2022-01-07", "2022-01-17"],
                "restore": {},
                "assumption": "bench",
            },
        ],
    }
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for step in ("1min", "1h"):
            path = Path(tmp) / f"{step}.yaml"
            path.write_text(yaml.safe_dump({**base, "step": step}), encoding="utf-8")
            results[step] = timed(path, repeat)
    fine, coarse = results["1min"], results["1h"]
    print("step scaling (14 days, toy topology)")
    for step, (t, sim) in results.items():
        rows = len(sim.result.tables["national"])
        print(f"  step {step:>4}: {fmt(t)}  rows {rows:6d}  evaluations {sim.network.evaluations}")
    ratio_wall, ratio_cpu = fine[0][0] / coarse[0][0], fine[0][1] / coarse[0][1]
    print(f"  time ratio 1min/1h: wall {ratio_wall:.2f}, cpu {ratio_cpu:.2f}  (steps ratio: 60)")
    assert fine[1].network.evaluations == coarse[1].network.evaluations, "evaluations must not depend on the step"


TIMED_ACTIONS = 4_000
_ACCESS = ("north-a-fixed", "north-a-mobile", "north-b-mobile", "south-a-fixed", "south-a-mobile", "south-b-mobile")
_KINDS: tuple[dict[str, Any], ...] = (
    {"shutdown": {"nodes": ["gw-1"]}},
    {"shutdown": {"nodes": list(_ACCESS[:3]), "share": 0.3}},
    {"throttle": {"nodes": ["gw-2"], "factor": 0.5}},
    {"degrade": {"nodes": ["a-core"], "pass": 0.8}},
    {"block": {"services": ["chat"], "at": {"nodes": ["gw-1", "gw-2"]}, "effectiveness": 0.9}},
    {"withdraw": {"nodes": list(_ACCESS[2:5])}},
    {"restore": {"nodes": ["gw-1", "gw-2", "a-core", *_ACCESS]}},
)


def timed_action_list(count: int) -> list[dict[str, Any]]:
    """``count`` actions, one every 5 minutes from the start; odd ones end after 10 min to 10 h."""
    start = datetime.fromisoformat("2022-01-04T00:00+06:00")
    out = []
    for i in range(count):
        at = start + timedelta(minutes=5 * i + 1)
        entry = {"at": at.isoformat(), **copy.deepcopy(_KINDS[i % len(_KINDS)]), "assumption": "bench"}
        if i % 2:
            entry["until"] = (at + timedelta(minutes=10 + (37 * i) % 590)).isoformat()
        out.append(entry)
    return out


def timed_actions(repeat: int) -> None:
    data = {
        "name": "bench-timed-actions",
        "topology": str(ROOT / "topologies" / "toy.yaml"),
        "start": "2022-01-04T00:00+06:00",
        "duration": "14d",
        "step": "1h",
        "actions": timed_action_list(TIMED_ACTIONS),
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "timed.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        load, _ = clock(lambda: load_scenario(path))
        t, sim = timed(path, repeat)
    stats = sim.result.manifest["engine"]
    print(f"{TIMED_ACTIONS:,} timed actions (14 days, toy topology)")
    print(f"  load:  {load[0] * 1000:8.1f} ms wall {load[1] * 1000:8.1f} ms cpu")
    print(f"  run:   {fmt(t)}  action events {stats['action_events']:5d}  evaluations {stats['evaluations']:5d}")


def shipped(repeat: int) -> None:
    print("shipped scenarios")
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        t, sim = timed(path, repeat)
        stats = sim.result.manifest["engine"]
        print(
            f"  {path.stem:<32} {fmt(t)}  change points {stats['change_points']:5d}"
            f"  evaluations {stats['evaluations']:5d}"
        )


def scoring(repeat: int) -> None:
    from simkz.analysis.observations import load_observations
    from simkz.analysis.score import score_run

    _, sim = timed(ROOT / "scenarios" / "kz-jan-2022.yaml", 1)
    obs = load_observations(ROOT / "observations" / "kz-jan-2022.yaml")
    t, score = median_clock(lambda: score_run(sim.result, obs), repeat)
    print("scoring kz-jan-2022 against observations/kz-jan-2022.yaml")
    n_points = sum(s.points for s in score.series)
    print(f"  {fmt(t)}  points {n_points}  events {len(score.events)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs per case; the median is printed")
    args = parser.parse_args()
    step_scaling(args.repeat)
    timed_actions(args.repeat)
    shipped(args.repeat)
    scoring(args.repeat)


if __name__ == "__main__":
    main()

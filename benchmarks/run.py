"""Benchmarks, run on demand: ``python benchmarks/run.py [--repeat N]``.

Prints, for each case, the median wall time and the median CPU time (process time: what
this process computed, whatever else the machine was doing) of a run (without writing
files), and the engine's counters. Ratios are measured in the same process, so machine noise cancels
more than absolute times do.

Cases:
* step scaling: the same 14-day scenario at 1-minute and 1-hour steps. The evaluation
  count must be identical (event-driven engine); the time ratio shows what the finer
  step costs (sampling the time series, not evaluating the network).
* each shipped scenario.
* scoring the reference run against its observations (``simkz score`` without the I/O).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from simkz import Simulation, load_scenario

ROOT = Path(__file__).resolve().parents[1]


Timing = tuple[float, float]  #: median wall and CPU seconds


def timed(path: Path, repeat: int) -> tuple[Timing, Simulation]:
    wall, cpu = [], []
    sim = None
    for _ in range(repeat):
        scenario = load_scenario(path)
        began, began_cpu = time.perf_counter(), time.process_time()
        sim = Simulation(scenario).run()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    assert sim is not None
    return (statistics.median(wall), statistics.median(cpu)), sim


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
    wall, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        score = score_run(sim.result, obs)
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    print("scoring kz-jan-2022 against observations/kz-jan-2022.yaml")
    n_points = sum(s.points for s in score.series)
    print(f"  {fmt((statistics.median(wall), statistics.median(cpu)))}  points {n_points}  events {len(score.events)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs per case; the median is printed")
    args = parser.parse_args()
    step_scaling(args.repeat)
    shipped(args.repeat)
    scoring(args.repeat)


if __name__ == "__main__":
    main()

"""Benchmarks of many runs and of long runs, on demand: ``python benchmarks/replications.py [--replications N]``.

Prints wall time (what a user waits for) and CPU time (what the processes computed) of each case:

* **replications** of the reference run (``kz-jan-2022``): ``N`` runs (default 1,000) with seeds from
  ``SeedSequence(seed).spawn(N)``, ``--figures none``, no files written, in ``--workers`` processes (default 2; each
  started afresh, imports simkz, loads the scenario once and runs its share), then in one process, beside a plain
  loop of single runs (each loading its scenario, so a fresh topology: nothing is shared between runs; measured on
  ``--plain`` runs and scaled to ``N``). The reference has no uncertain input, so its replications meet the same
  network states, local hours and VPN shares: after the first run they are looked up. ``kz-jan-2022-uncertain``
  draws four parameters (VPN uptake and ceiling, caches without their origin, telephony) in every run, so each
  run meets VPN shares of its own and evaluates its own flows: it shows the cost when draws differ (where that
  file is not shipped, the reference with an uncertain VPN uptake stands in).
* **event loop against its lower bound**: one run of the reference on a freshly loaded topology. The lower bound is
  one routing per distinct network state (the states routing depends on: down nodes and links) plus one flow
  evaluation per distinct (state, local hours, VPN share), each timed alone (median of repeats); printed beside the
  run's evaluation time (``Simulation._evaluate``) and its event loop time (evaluations plus SimPy), with the ratio.
* **60 days at 1-minute steps** on the toy topology (86,400 steps; the kz topology's tables would exceed the row
  limit of a run at that step): ``simkz run ... --figures none`` in a new process, all tables written, then with
  ``--output-step 1h``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python benchmarks/replications.py` from a checkout: this checkout's simkz
    sys.path.insert(0, str(ROOT))

from simkz import Simulation, load_scenario  # noqa: E402

REFERENCE = ROOT / "scenarios" / "kz-jan-2022.yaml"
#: The cases, in the order they run.
CASES = ("reference", "uncertain", "bound", "sixty")


class Clock:
    """Wall and CPU seconds of a block: this process's CPU, plus its finished child processes' (``children``)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    @contextmanager
    def measure(self, children: bool = False) -> Iterator[Clock]:
        who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
        before, began = resource.getrusage(who), time.perf_counter()
        yield self
        after = resource.getrusage(who)
        self.wall = time.perf_counter() - began
        self.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    def line(self, runs: int | None = None) -> str:
        per = f"  ({self.wall / runs * 1000:6.1f} ms wall, {self.cpu / runs * 1000:6.1f} ms cpu a run)" if runs else ""
        return f"{self.wall:7.2f} s wall {self.cpu:7.2f} s cpu{per}"


def seeds(scenario_seed: int, count: int) -> list[np.random.SeedSequence]:
    """The seed sequence of each replication: ``SeedSequence(seed).spawn(count)``."""
    return np.random.SeedSequence(scenario_seed).spawn(count)


def run_share(path: str, share: list[np.random.SeedSequence]) -> int:
    """A worker: load the scenario once, run it with each seed (no figures, no files); return the runs done."""
    scenario = load_scenario(path)
    for seed in share:
        Simulation(scenario, seed=seed).run()
    return len(share)


def replications(path: Path, count: int, workers: int, plain: int) -> None:
    scenario = load_scenario(path)
    all_seeds = seeds(scenario.seed, count)
    pool = Clock()
    with pool.measure(children=True):
        context = multiprocessing.get_context("spawn")  # each worker starts afresh: imports and load are counted
        with ProcessPoolExecutor(workers, mp_context=context) as executor:
            done = sum(executor.map(run_share, [str(path)] * workers, [all_seeds[w::workers] for w in range(workers)]))
    assert done == count
    one = Clock()
    with one.measure():
        run_share(str(path), all_seeds)
    loop = Clock()
    with loop.measure():
        for seed in all_seeds[:plain]:
            Simulation(load_scenario(path), seed=seed).run()
    scale = count / plain
    print(f"  {workers} worker processes:   {pool.line(count)}")
    print(f"  one process:          {one.line(count)}")
    per_run = f"{loop.wall / plain * 1000:6.1f} ms wall, {loop.cpu / plain * 1000:6.1f} ms cpu a run"
    print(
        f"  plain loop of single runs ({plain} measured, x{scale:g}): "
        f"{loop.wall * scale:7.2f} s wall {loop.cpu * scale:7.2f} s cpu  ({per_run})"
    )


def uncertain_reference(folder: Path) -> Path:
    """The shipped reference with its assumed parameters drawn (``kz-jan-2022-uncertain``), or, where it is not
    shipped, the reference with an uncertain VPN uptake (assumption: the range the parameter's source gives)."""
    shipped = ROOT / "scenarios" / "kz-jan-2022-uncertain.yaml"
    if shipped.is_file():
        return shipped
    data = {
        "extends": str(REFERENCE),
        "name": "kz-jan-2022-uncertain-vpn",
        "parameters": {"vpn_adoption_per_day": {"dist": "uniform", "low": 0.02, "high": 0.10}},
    }
    path = folder / "kz-jan-2022-uncertain-vpn.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def median_time(fn: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


class Recording:
    """Wraps a run's network model to note every evaluation it asks for and time the run's evaluations."""

    def __init__(self, sim: Simulation) -> None:
        self.triples: set[tuple[Any, bytes, float]] = set()
        self.evaluation_s = 0.0
        network, evaluate = sim.network, sim._evaluate
        snapshot, baseline = network.snapshot, network.baseline_gbps

        def noted_snapshot(state: Any, hours: Any, vpn_share: float) -> Any:
            self.triples.add((state, hours.tobytes(), network._vpn_share(state, vpn_share)))
            return snapshot(state, hours, vpn_share)

        def noted_baseline(hours: Any) -> Any:
            from simkz.model.state import NetworkState

            self.triples.add((NetworkState(), hours.tobytes(), 0.0))
            return baseline(hours)

        def timed_evaluate(now: float) -> None:
            began = time.perf_counter()
            evaluate(now)
            self.evaluation_s += time.perf_counter() - began

        network.snapshot, network.baseline_gbps = noted_snapshot, noted_baseline  # type: ignore[method-assign]
        sim._evaluate = timed_evaluate  # type: ignore[method-assign]


def lower_bound(path: Path) -> None:
    from simkz.model.flows import Tunnel, capacities, evaluate, pass_shares, tunnel_passes
    from simkz.model.routing import route

    scenario = load_scenario(path)  # a freshly loaded topology: nothing cached yet
    sim = Simulation(scenario)
    noted = Recording(sim)
    sim.run()
    topology, network = sim.scenario.topology, sim.network
    states = {state.topology_key for state, _, _ in noted.triples}
    routing_s = sum(median_time(lambda key=key: route(topology, *key)) for key in states)
    flows_s = 0.0
    for state, hours, share in noted.triples:
        routing, passes = route(topology, *state.topology_key), pass_shares(topology, state)
        demand = network.demand.gbps(np.frombuffer(hours, dtype=np.int64))
        tunnel = Tunnel(share, tunnel_passes(passes, len(topology.nodes), network.vpn_service)) if share else None
        connected = network.connected(state) if state.cut_share else None
        args = (routing, passes, capacities(topology, state), demand, network.cohort_nodes, tunnel, connected)
        flows_s += median_time(lambda args=args: evaluate(*args, caches=network.caches))
    bound = routing_s + flows_s
    loop_s = sim.wall_time_s
    print(f"  distinct network states (routings): {len(states)}, {routing_s * 1000:7.1f} ms")
    print(
        f"  distinct (state, local hours, VPN share): {len(noted.triples)}, {flows_s * 1000:7.1f} ms of flow evaluation"
    )
    print(f"  lower bound {bound * 1000:7.1f} ms")
    print(f"  the run's evaluations {noted.evaluation_s * 1000:7.1f} ms: ratio {noted.evaluation_s / bound:4.2f}")
    print(f"  the run's event loop (evaluations and SimPy) {loop_s * 1000:7.1f} ms: ratio {loop_s / bound:4.2f}")
    again = Simulation(scenario).run()  # the same topology object: its caches are warm
    print(f"  a second run on the same topology (caches warm): event loop {again.wall_time_s * 1000:7.1f} ms")


def sixty_days(folder: Path) -> None:
    data = {
        "name": "toy-60-days",
        "description": "Benchmark: 60 days at 1-minute steps on the toy topology.",
        "topology": str(ROOT / "topologies" / "toy.yaml"),
        "start": "2022-01-04T00:00+06:00",
        "duration": "60d",
        "step": "1min",
        "actions": [
            {"at": "2022-01-04T12:00+06:00", "block": {"services": ["chat"], "at": {"kind": "gateway"}}},
            {"at": "2022-01-05T16:30+06:00", "shutdown": {"kind": "access"}},
            {"daily": {"from": "08:30", "to": "12:00"}, "between": ["2022-01-07", "2022-02-27"], "restore": {}},
        ],
    }
    for action in data["actions"]:
        action["assumption"] = "benchmark"
    path = folder / "toy-60-days.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    for extra in ([], ["--output-step", "1h"]):
        out = folder / ("out-" + "-".join(extra or ["all"]))
        clock = Clock()
        with clock.measure(children=True):
            command = [sys.executable, "-m", "simkz", "run", str(path), "--out", str(out), "--figures", "none"]
            subprocess.run([*command, "--quiet", *extra], check=True, env=env, capture_output=True)
        size = sum(p.stat().st_size for p in out.iterdir()) / 2**20
        rows = sum(sum(1 for _ in p.open()) - 1 for p in out.glob("*.csv"))
        label = " ".join(extra) or "all tables, 1-minute rows"
        print(f"  {label:<28} {clock.line()}  {rows:,} rows, {size:6.1f} MiB written")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replications", type=int, default=1000, help="runs of each replication case")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--plain", type=int, default=20, help="runs of the plain loop (scaled to --replications)")
    parser.add_argument(
        "--cases", default=",".join(CASES), help=f"cases to run, comma-separated ({', '.join(CASES)}) [default: all]"
    )
    args = parser.parse_args()
    cases = [c.strip() for c in args.cases.split(",")]
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}; cases: {', '.join(CASES)}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "reference" in cases:
            print(f"replications of kz-jan-2022 ({args.replications:,} runs, --figures none, no files written)")
            replications(REFERENCE, args.replications, args.workers, args.plain)
        if "uncertain" in cases:
            uncertain = uncertain_reference(folder)
            print(f"replications of {uncertain.stem} ({args.replications:,} runs: draws differ from run to run)")
            replications(uncertain, args.replications, args.workers, args.plain)
        if "bound" in cases:
            print("event loop of kz-jan-2022 against its lower bound")
            lower_bound(REFERENCE)
        if "sixty" in cases:
            print("60 days at 1-minute steps, toy topology (simkz run in a new process)")
            sixty_days(folder)


if __name__ == "__main__":
    main()

"""Scale benchmarks on synthetic whole-internet AS graphs: ``python benchmarks/scale.py [--repeat N] [--sizes ...]``.

For each size (default 75,000 ASes with 500,000 links, and 10,000 ASes with the same mean degree), the graph,
its topology and a one-day scenario are made by ``benchmarks/aslevel_graph.py`` (seed 1) in a temporary folder
(or ``--keep DIR``), then each case runs ``--repeat`` times in a fresh process:

* **load**: ``load_topology`` of the topology file (read, validate, check, build);
* **run**: ``simkz run`` of the one-day scenario (load included, results folder and figures written);
* **analyze**: ``simkz analyze`` of the topology (when the command exists), results folder written.

Printed per case: the median wall time, the median CPU time (user + system, of the process alone: what it
computed, whatever else the machine was doing) and the largest peak resident memory (``ru_maxrss`` from
``wait4``). The targets: run and analyze each within 60 s and 4 GB on 2 cores at 75,000 ASes; within 29 s at
10,000 ASes (at least 100 times faster than a published tool's 48 minutes on a 10,000-AS graph).

``--profile`` prints the 30 functions of largest cumulative time of one run under :mod:`cProfile`.
"""

from __future__ import annotations

import argparse
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The targets of the issue: seconds and bytes, at 75,000 ASes; seconds at 10,000 ASes.
TARGET_S, TARGET_BYTES, TARGET_10K_S = 60.0, 4 * 2**30, 29.0


@dataclass(frozen=True)
class Measure:
    """One process: wall seconds, CPU seconds (user + system) and peak resident memory, bytes."""

    wall_s: float
    cpu_s: float
    peak_bytes: int


def measure(command: list[str]) -> Measure:
    """Run ``command`` in a fresh process (output discarded) and measure it; raise if it fails."""
    with tempfile.TemporaryFile() as errors:
        began = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)  # the resources of this child alone
        wall = time.perf_counter() - began
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            errors.seek(0)
            text = errors.read().decode(errors="replace").strip()[-2000:]
            raise RuntimeError(f"{' '.join(command)} failed ({code}): {text}")
    # ru_maxrss is in kilobytes on Linux
    return Measure(wall, usage.ru_utime + usage.ru_stime, int(usage.ru_maxrss) * 1024)


def repeated(command: list[str], repeat: int) -> Measure:
    """The median wall and CPU time and the largest peak memory of ``repeat`` runs."""
    runs = [measure(command) for _ in range(repeat)]
    return Measure(
        statistics.median(m.wall_s for m in runs),
        statistics.median(m.cpu_s for m in runs),
        max(m.peak_bytes for m in runs),
    )


def make_graph(folder: Path, ases: int, links: int) -> tuple[Path, Path]:
    """The topology and the one-day scenario of a generated graph (made once per folder)."""
    name = f"as{ases}"
    topology, scenario = folder / f"{name}.json", folder / f"{name}-day.yaml"
    if not (topology.is_file() and scenario.is_file()):
        command = [sys.executable, str(ROOT / "benchmarks" / "aslevel_graph.py"), str(folder)]
        subprocess.run([*command, "--ases", str(ases), "--links", str(links), "--name", name], check=True, cwd=ROOT)
    return topology, scenario


def has_analyze() -> bool:
    """Whether this simkz has the ``analyze`` command."""
    probe = subprocess.run([sys.executable, "-m", "simkz", "analyze", "--help"], capture_output=True, cwd=ROOT)
    return probe.returncode == 0


def cases(topology: Path, scenario: Path, out: Path) -> dict[str, list[str]]:
    """The commands timed for one graph."""
    load = f"from simkz.topology.load import load_topology; load_topology({str(topology)!r})"
    found = {
        "load": [sys.executable, "-c", load],
        "run": [sys.executable, "-m", "simkz", "run", str(scenario), "--out", str(out / "run"), "--force", "--quiet"],
    }
    if has_analyze():
        found["analyze"] = [sys.executable, "-m", "simkz", "analyze", str(topology), "--out", str(out / "analyze")]
    return found


def report(label: str, m: Measure, target_s: float | None) -> str:
    verdict = ""
    if target_s is not None:
        ok = m.wall_s <= target_s and m.peak_bytes <= TARGET_BYTES
        verdict = f"  target {target_s:.0f} s, {TARGET_BYTES / 2**30:.0f} GB: {'met' if ok else 'MISSED'}"
    return f"  {label:<8} wall {m.wall_s:7.2f} s  cpu {m.cpu_s:7.2f} s  peak {m.peak_bytes / 2**20:7.0f} MB{verdict}"


def profile(scenario: Path, out: Path) -> None:
    """The 30 functions of largest cumulative time of one ``simkz run`` under cProfile."""
    stats = out / "run.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "simkz", "run", str(scenario)]
    subprocess.run(
        [*command, "--out", str(out / "profiled"), "--force", "--quiet"],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    pstats.Stats(str(stats)).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the median is printed")
    parser.add_argument(
        "--sizes", default="75000:500000,10000:66667", help="ASES:LINKS,... [default: 75000:500000,10000:66667]"
    )
    parser.add_argument("--keep", type=Path, default=None, help="make (or reuse) the graphs in this folder")
    parser.add_argument("--profile", action="store_true", help="profile one run on the first size")
    args = parser.parse_args()
    sizes = [tuple(int(x) for x in size.split(":")) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{os.cpu_count()} cores; median of {args.repeat} runs per case; each case in a fresh process")
        for i, (ases, links) in enumerate(sizes):
            topology, scenario = make_graph(folder, ases, links)
            print(f"{ases:,} ASes, {links:,} links ({topology.stat().st_size / 2**20:.0f} MB of JSON)")
            target = TARGET_S if ases >= 75_000 else TARGET_10K_S if ases <= 10_000 else None
            for label, command in cases(topology, scenario, Path(tmp) / f"out{ases}").items():
                print(report(label, repeated(command, args.repeat), None if label == "load" else target), flush=True)
            if args.profile and i == 0:
                profile(scenario, Path(tmp))


if __name__ == "__main__":
    main()

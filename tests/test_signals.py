"""Stopping `simkz run` at any moment: SIGINT and SIGTERM give one line and 130 / 143, never a traceback;
the results folder is the complete old one or the complete new one; no staging folder stays behind
(after kill -9, the next save removes it). Each test runs a real `simkz run` in a subprocess."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import simkz
from simkz import RunResult, Simulation, load_scenario
from simkz.results.network import NETWORK_FILES
from simkz.results.run import FILE_NAMES, TABLES

SCENARIO = {
    "name": "tiny",
    "topology": "toy",
    "start": "2022-01-05T12:00+06:00",
    "duration": "6h",
    "step": "15min",
    "actions": [{"at": "2022-01-05T13:00+06:00", "shutdown": {"kind": "gateway"}, "assumption": "a test"}],
}
#: What a complete folder of `simkz run` (png figure) holds.
COMPLETE = (
    {f"{t}.csv" for t in TABLES}
    | {"summary.json", "columns.json", "manifest.json", "overview.png"}
    | set(NETWORK_FILES)
)
OLD_VERSION = "the old folder"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder with the scenario and an old, complete results folder `out` (its manifest says so)."""
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(SCENARIO, sort_keys=False), encoding="utf-8")
    result = Simulation(load_scenario(path)).run().result
    old = RunResult(
        result.name,
        result.tables,
        result.summary,
        {**result.manifest, "simkz_version": OLD_VERSION},
        network=result.network,
    )
    old.save(tmp_path / "out", extras=[copy_figure(b"old")])
    return tmp_path


def start(work: Path) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "simkz", "run", "scenario.yaml", "--out", "out", "--quiet"]
    return subprocess.Popen(args, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def handlers_installed(proc: subprocess.Popen[str]) -> bool:
    """Whether simkz's entry point has installed its handlers (it catches SIGTERM; Python alone does not)."""
    status = Path(f"/proc/{proc.pid}/status")
    if not status.exists():  # no /proc (macOS): the handlers come within a few milliseconds of the start
        time.sleep(0.05)
        return True
    caught = next(line for line in status.read_text().splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)))


def staging(work: Path) -> list[str]:
    return sorted(p.name for p in work.iterdir() if p.name.startswith(".out."))


def assert_whole(folder: Path) -> str:
    """The folder is the old one, untouched, or a complete new one; return which."""
    names = {p.name for p in folder.iterdir()}
    assert names == COMPLETE, names ^ COMPLETE
    manifest = json.loads((folder / "manifest.json").read_text())
    json.loads((folder / "summary.json").read_text())
    figure = (folder / "overview.png").read_bytes()
    if manifest["simkz_version"] == OLD_VERSION:
        assert figure == b"old"
        return "old"
    assert manifest["simkz_version"] == simkz.__version__
    assert figure.startswith(b"\x89PNG")
    return "new"


def assert_stopped(proc: subprocess.Popen[str], signum: int) -> None:
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and signal.Signals(signum).name in lines[0], err
    assert "Traceback" not in err


def test_importing_the_command_line_is_cheap_and_the_api_is_whole():
    code = (
        "import sys, simkz.cli; "
        "print(sorted(m for m in ('numpy', 'simpy', 'matplotlib', 'pydantic', 'click') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
    for name in simkz.__all__:
        assert getattr(simkz, name) is not None
    from simkz import Simulation as Again

    assert Again is Simulation


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=lambda s: signal.Signals(s).name)
def test_a_stop_while_python_imports_gives_one_line(work, signum):
    proc = start(work)
    wait_for(lambda: handlers_installed(proc))
    proc.send_signal(signum)  # within milliseconds of the start: numpy, matplotlib and the model are loading
    assert_stopped(proc, signum)
    assert assert_whole(work / "out") == "old"
    assert staging(work) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=lambda s: signal.Signals(s).name)
def test_a_stop_during_the_save_leaves_a_whole_folder_and_no_staging(work, signum):
    proc = start(work)
    wait_for(lambda: staging(work) != [] or proc.poll() is not None)
    proc.send_signal(signum)
    assert_stopped(proc, signum)
    assert_whole(work / "out")
    assert staging(work) == []


def test_after_kill_9_during_the_save_the_next_save_leaves_nothing_stray(work):
    proc = start(work)
    wait_for(lambda: staging(work) != [] or proc.poll() is not None)
    proc.kill()
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert staging(work) != []  # kill -9 cannot be caught: the staging folder stays ...
    assert_whole(work / "out")  # ... but the folder is whole
    RunResult.load(work / "out").save(work / "out", extras=[copy_figure(b"next save")])
    assert staging(work) == []  # the next save removed it
    assert {p.name for p in (work / "out").iterdir()} == COMPLETE


@pytest.mark.slow
@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: signal.Signals(s).name
)
def test_stops_at_random_moments(work, signum):
    rng = random.Random(f"simkz-{signum}")
    old = RunResult.load(work / "out")
    stopped = -signum if signum == signal.SIGKILL else 128 + signum
    outcomes = []
    for _ in range(14):
        old.save(work / "out", extras=[copy_figure(b"old")])
        proc = start(work)
        wait_for(lambda p=proc: handlers_installed(p))  # before this, Python itself starts: not simkz's to handle
        time.sleep(rng.uniform(0.0, 2.0))
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (0, stopped), err
        assert len(err.strip().splitlines()) == (1 if proc.returncode == 128 + signum else 0), err
        outcomes.append(assert_whole(work / "out"))
        if signum != signal.SIGKILL:
            assert staging(work) == []
        RunResult.load(work / "out").save(work / "out", extras=[copy_figure(b"next save")])
        assert staging(work) == []
    print(f"{signal.Signals(signum).name}: {outcomes.count('old')} old, {outcomes.count('new')} new")


def copy_figure(figure: bytes):
    """An extra that writes ``figure`` as the overview figure (RunResult.load does not read figures)."""
    return lambda folder: (folder / "overview.png").write_bytes(figure)


def test_file_names_list_what_a_run_writes():
    assert {"overview.png", "overview.svg"} <= FILE_NAMES
    from simkz.plots import FIGURE_NAME

    assert f"{FIGURE_NAME}.png" in FILE_NAMES

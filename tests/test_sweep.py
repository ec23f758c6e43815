"""Replications and sweeps: spawned seeds, bands, grids with common random numbers, executors that agree to the
byte (one worker, two workers, a Dask cluster), resume after kill -9, and one-line errors for bad --set."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from simkz.cli.main import cli
from simkz.errors import InputError
from simkz.results.table import format_number
from simkz.sweep.executors import RunError, execute
from simkz.sweep.plan import RunSpec, replication_specs
from simkz.sweep.store import WorkFolder, work_path
from tests.conftest import ROOT, SCENARIOS, TOY, write_yaml

#: A toy day with uncertain parameters and action numbers (a distribution of each kind the tests need).
UNCERTAIN: dict[str, Any] = {
    "name": "toy-uncertain",
    "topology": str(TOY),
    "start": "2022-01-05T12:00+06:00",
    "duration": "24h",
    "step": "15min",
    "seed": 3,
    "parameters": {
        "disruption_threshold": {"dist": "triangular", "low": 0.3, "mode": 0.5, "high": 0.7},
    },
    "actions": [
        {
            "at": "2022-01-05T14:00+06:00",
            "block": {
                "services": ["chat"],
                "at": {"kind": "gateway"},
                "effectiveness": {"dist": "uniform", "low": 0.5, "high": 1.0},
            },
        },
        {
            "at": "2022-01-05T18:00+06:00",
            "until": "2022-01-05T22:00+06:00",
            "degrade": {"kind": "gateway", "pass": {"dist": "uniform", "low": 0.2, "high": 0.8}},
        },
        {
            "at": "2022-01-06T02:00+06:00",
            "until": "2022-01-06T04:00+06:00",
            "shutdown": {"kind": "access", "regions": ["south"], "share": {"dist": "uniform", "low": 0.1, "high": 0.9}},
        },
    ],
}


def uncertain(tmp_path: Path, **fields: Any) -> Path:
    return write_yaml(tmp_path / "uncertain.yaml", {**UNCERTAIN, **fields})


def invoke(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def simkz(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "simkz", *map(str, args)], capture_output=True, text=True)


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def summaries(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("replications/r*/summary.json"))]


# --- seeds and plans ---------------------------------------------------------------------------------------------


def test_replication_seeds_are_spawned_from_one_seed_sequence(tmp_path):
    path = uncertain(tmp_path)
    specs = replication_specs(path, 11, 5)
    children = np.random.SeedSequence(11).spawn(5)
    assert [s.run_id for s in specs] == ["r0000", "r0001", "r0002", "r0003", "r0004"]
    for spec, child in zip(specs, children, strict=True):
        assert (spec.seed, spec.spawn_key) == (11, child.spawn_key)
        assert (spec.seed_sequence().generate_state(4) == child.generate_state(4)).all()
    # a larger set starts with the same runs: a set can be extended
    assert replication_specs(path, 11, 8)[:5] == specs
    assert len({tuple(s.seed_sequence().generate_state(2)) for s in specs}) == 5


def test_each_replication_records_its_spawned_seed_and_the_bands_are_numpys_quantiles(tmp_path):
    out = tmp_path / "out"
    res = invoke(
        "run", uncertain(tmp_path), "--replications", "7", "--workers", "1", "--quantiles", "10,50,90", "--out", out
    )
    assert res.exit_code == 0, res.output
    runs = summaries(out)
    assert [r["scenario"]["seed"] for r in runs] == [{"entropy": 3, "spawn_key": [i]} for i in range(7)]
    figure = "national.user_hours_lost"
    values = np.array([r["national"]["user_hours_lost"] for r in runs])
    assert values.min() < values.max()  # the distributions make the runs differ
    row = next(r for r in read_rows(out / "summary_bands.csv") if r["metric"] == figure)
    assert list(row) == ["metric", "mean", "q10", "q50", "q90"]
    assert row["mean"] == format_number(values.mean())
    for q in (10, 50, 90):
        assert row[f"q{q}"] == format_number(np.quantile(values, q / 100))
    # the time series: every row and metric of the table, each band from the runs' series
    series = [np.load(p) for p in sorted(out.glob("replications/r*/series.npz"))]
    metrics = [f.split("/")[1] for f in series[0].files if f.startswith("by_service/") and f.count("/") == 1]
    stack = np.stack([np.column_stack([s[f"by_service/{m}"] for m in metrics]) for s in series])
    bands = read_rows(out / "by_service_bands.csv")
    assert list(bands[0])[:3] == ["time", "elapsed_h", "service"]
    assert len(bands) == stack.shape[1] * len(metrics)
    j = metrics.index("served_share")
    i = int(np.argmax(stack[:, :, j].std(axis=0)))  # the row where the runs differ most
    got = bands[i * len(metrics) + j]
    assert got["metric"] == "served_share" and stack[:, i, j].std() > 0
    assert got["q90"] == format_number(np.quantile(stack[:, i, j], 0.9))
    assert got["mean"] == format_number(stack[:, i, j].mean())


def test_the_printed_summary_gives_each_national_figure_with_its_band(tmp_path):
    res = invoke("run", uncertain(tmp_path), "--replications", "4", "--workers", "1", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert "4 replications, seeds SeedSequence(3).spawn(4)" in res.stdout
    assert "figures as mean [q05, q95]" in res.stdout
    line = next(x for x in res.stdout.splitlines() if x.strip().startswith("user_hours_lost"))
    mean, band = line.split(None, 1)[1].split(" [", 1)
    assert band.endswith("]") and mean


# --- executors ---------------------------------------------------------------------------------------------------


def test_one_worker_two_workers_and_a_dask_cluster_write_the_same_bytes(tmp_path):
    from distributed import LocalCluster

    path = uncertain(tmp_path)
    common = ["run", path, "--replications", "6", "--quiet"]
    one = simkz(*common, "--workers", "1", "--out", tmp_path / "one")
    two = simkz(*common, "--workers", "2", "--out", tmp_path / "two")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        dask = simkz(*common, "--scheduler", cluster.scheduler_address, "--out", tmp_path / "dask")
    for proc in (one, two, dask):
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == ""  # no progress bar when stderr is not a terminal
    a = digests(tmp_path / "one")
    assert a == digests(tmp_path / "two") == digests(tmp_path / "dask")
    tables = ["national", "by_region", "by_operator", "by_technology", "by_region_technology", "by_service"]
    assert {f"{t}_bands.csv" for t in tables} | {"summary_bands.csv", "manifest.json"} <= set(a)
    assert sum(name.startswith("replications/") for name in a) == 6 * 5  # summary, series and the network files
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert (manifest["seed"], manifest["replications"], manifest["quantiles"]) == (3, 6, [5, 50, 95])
    assert not {"wall_time_s", "command", "platform", "workers"} & set(manifest)


def _fails_on_r0002(spec: RunSpec) -> str:
    if spec.run_id == "r0002":
        raise ZeroDivisionError("no luck")
    return spec.run_id


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_that_raises_is_an_error_naming_the_run(tmp_path, workers):
    specs = replication_specs(uncertain(tmp_path), 0, 4)
    with pytest.raises(RunError, match=r"run r0002 failed: ZeroDivisionError: no luck"):
        list(execute(_fails_on_r0002, specs, workers=workers))
    assert sorted(execute(_fails_on_r0002, specs[:2], workers=workers)) == ["r0000", "r0001"]


@pytest.mark.parametrize("address", ["nonsense://127.0.0.1:1", "tcp://127.0.0.1", "tcp://nohost.invalid:8786"])
def test_a_bad_scheduler_address_is_one_line(tmp_path, address):
    res = invoke("run", uncertain(tmp_path), "--replications", "2", "--scheduler", address, "--out", tmp_path / "o")
    assert_one_line(res, "--scheduler", "cannot connect to the Dask scheduler", address)
    assert not (tmp_path / "o").exists() and not work_path(tmp_path / "o").exists()


# --- sweeps ------------------------------------------------------------------------------------------------------


def test_a_sweep_is_the_grid_of_its_key_paths_with_common_random_numbers(tmp_path):
    out = tmp_path / "sw"
    path = uncertain(tmp_path, sweep={"parameters.vpn_max_share": [0.3, 0.6, 0.9]})
    res = invoke(
        "sweep",
        path,
        "--set",
        "actions[1].degrade.pass=0.25,0.75",
        "--replications",
        "3",
        "--workers",
        "1",
        "--out",
        out,
    )
    assert res.exit_code == 0, res.output
    points = read_rows(out / "points.csv")
    assert [list(p.values()) for p in points] == [
        [f"p00{i}", share, deg]
        for i, (share, deg) in enumerate((s, d) for s in ("0.3", "0.6", "0.9") for d in ("0.25", "0.75"))
    ]
    per_point = {p["point"]: summaries(out / "points" / p["point"]) for p in points}
    assert all(len(runs) == 3 for runs in per_point.values())
    for p in points:
        for run in per_point[p["point"]]:
            assert run["scenario"]["parameters"]["vpn_max_share"] == float(p["parameters.vpn_max_share"])
            assert run["scenario"]["draws"]["actions[1].degrade.pass"] == float(p["actions[1].degrade.pass"])
    # the same seeds at every point, so the fields not swept draw the same numbers (common random numbers),
    # including the one after the swept distribution (its number runs as a fixed distribution)
    for field in ("actions[0].block.effectiveness", "actions[2].shutdown.share"):
        draws = {pid: [r["scenario"]["draws"][field] for r in runs] for pid, runs in per_point.items()}
        assert len(set(map(tuple, draws.values()))) == 1, field
        assert len(set(draws["p000"])) == 3
    assert {json.dumps(r["scenario"]["seed"]) for runs in per_point.values() for r in runs} == {
        json.dumps({"entropy": 3, "spawn_key": [i]}) for i in range(3)
    }
    # one row per point, replication and headline metric; bands per point and metric
    sweep = read_rows(out / "sweep.csv")
    heads = {r["metric"] for r in sweep}
    assert "national.user_hours_lost" in heads and "by_region.north.user_hours_lost" not in heads
    assert len(sweep) == 6 * 3 * len(heads)
    assert list(sweep[0])[:4] == ["point", "parameters.vpn_max_share", "actions[1].degrade.pass", "replication"]
    bands = read_rows(out / "sweep_bands.csv")
    assert len(bands) == 6 * len(heads)
    row = next(b for b in bands if b["point"] == "p005" and b["metric"] == "national.user_hours_lost")
    values = [r["national"]["user_hours_lost"] for r in per_point["p005"]]
    assert row["q50"] == format_number(np.quantile(values, 0.5))
    assert (out / "points" / "p005" / "national_bands.csv").is_file()


def test_run_of_a_file_with_a_sweep_block_runs_it_once_and_says_so(tmp_path):
    path = uncertain(tmp_path, sweep={"parameters.vpn_max_share": [0.3, 0.6]})
    out = tmp_path / "once"
    res = invoke("run", path, "--out", out, "--figures", "none", "--quiet")
    assert res.exit_code == 0, res.output
    assert "sweep block" in res.stderr and "simkz sweep" in res.stderr
    assert (out / "summary.json").is_file() and not (out / "points.csv").exists()


def assert_one_line(res, *needles: str) -> str:
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("value", "needles"),
    [
        ("actions[7].block.effectiveness=0.5", ["--set actions[7]", "no such list entry", "indices 0 to 2"]),
        ("actions[0].block.effectiveness=0.5,1.5", ["--set actions[0].block.effectiveness=1.5", "(got 1.5)"]),
        ("actions[0].block.effectiveness.mode=0.1", ["--set actions[0].block.effectiveness.mode=0.1", "mode"]),
        ("actions[1].at.x=1", ["--set actions[1].at.x=1", "not a mapping"]),
        ("parameters.threshold=0.1", ["--set parameters.threshold=0.1", "disruption_threshold"]),
        ("seed=1,2", ["--set seed=1,2", "cannot be swept", "--seed"]),
        ("parameters..x=1", ["--set parameters..x=1", "not a key path"]),
        ("parameters.vpn_max_share", ["--set parameters.vpn_max_share", "PATH=V1,V2"]),
        ("parameters.vpn_max_share=0.1,", ["--set parameters.vpn_max_share=0.1,", "empty value"]),
        ("parameters.vpn_max_share=0.1,0.1", ["--set parameters.vpn_max_share=0.1,0.1", "value given twice"]),
        ("duration=1s", ["--set duration=1s", "step"]),
    ],
)
def test_a_bad_set_is_exit_2_with_one_line(tmp_path, value, needles):
    out = tmp_path / "out"
    res = invoke("sweep", uncertain(tmp_path), "--set", value, "--out", out)
    assert_one_line(res, *needles)
    assert not out.exists() and not work_path(out).exists()


def test_a_bad_sweep_block_names_the_file_and_the_key(tmp_path):
    path = uncertain(tmp_path, sweep={"actions[0].block.effectiveness": [0.5, 2.0]})
    line = assert_one_line(
        invoke("sweep", path, "--out", tmp_path / "o"), str(path), "sweep.actions[0].block.effectiveness"
    )
    assert "(got 2.0)" in line
    assert assert_one_line(invoke("validate", path)) == line  # validate checks the sweep block as sweep runs it
    path = uncertain(tmp_path, sweep={"actions[5].degrade.pass": [0.5]})
    assert_one_line(
        invoke("sweep", path, "--out", tmp_path / "o"), "sweep actions[5].degrade.pass=0.5", "indices 0 to 2"
    )
    path = uncertain(tmp_path, sweep={"parameters.vpn_max_share": []})
    assert_one_line(invoke("sweep", path, "--out", tmp_path / "o"), str(path), "sweep.parameters.vpn_max_share")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["run", "--workers", "2"], ["--workers", "--replications"]),
        (["run", "--resume"], ["--resume", "--replications"]),
        (["run", "--replications", "2", "--quantiles", "50,5"], ["--quantiles", "increase"]),
        (["run", "--replications", "2", "--quantiles", "5,101"], ["--quantiles", "0 to 100"]),
        (["sweep"], ["--set", "nothing to sweep"]),
    ],
)
def test_bad_options_of_many_runs_are_one_line(tmp_path, args, needles):
    res = invoke(args[0], uncertain(tmp_path), *args[1:], "--out", tmp_path / "o")
    assert_one_line(res, *needles)


# --- folders: refusal, locking, resume ------------------------------------------------------------------------------


def test_a_folder_simkz_did_not_write_is_refused_unless_forced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    path = uncertain(tmp_path)
    assert_one_line(invoke("run", path, "--replications", "2", "--workers", "1", "--out", out), "not written by simkz")
    assert (out / "notes.txt").is_file()
    res = invoke("run", path, "--replications", "2", "--workers", "1", "--out", out, "--force", "--quiet")
    assert res.exit_code == 0, res.output
    assert not (out / "notes.txt").exists() and (out / "summary_bands.csv").is_file()
    assert not work_path(out).exists()


def test_a_second_command_on_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "busy"
    with WorkFolder(out) as held:
        held.open({"simkz_version": "test"}, resume=False)
        res = invoke("run", uncertain(tmp_path), "--replications", "2", "--workers", "1", "--out", out)
    assert_one_line(res, "another simkz command is writing this folder")


def test_resume_refuses_runs_of_another_plan(tmp_path):
    path = uncertain(tmp_path)
    out = tmp_path / "r"
    with WorkFolder(out) as held:  # what an interrupted command with another seed leaves
        held.open({"simkz_version": "x", "seed": 99}, resume=False)
    res = invoke("run", path, "--replications", "2", "--workers", "1", "--out", out, "--resume")
    assert_one_line(res, "--resume", "other", "seed")


def test_resume_extends_a_finished_set_and_matches_a_fresh_one(tmp_path):
    path = uncertain(tmp_path)
    assert (
        invoke("run", path, "--replications", "3", "--workers", "1", "--out", tmp_path / "a", "--quiet").exit_code == 0
    )
    res = invoke("run", path, "--replications", "5", "--workers", "1", "--out", tmp_path / "a", "--resume")
    assert res.exit_code == 0, res.output
    assert "3 kept from an earlier command" in res.stdout
    assert (
        invoke("run", path, "--replications", "5", "--workers", "1", "--out", tmp_path / "b", "--quiet").exit_code == 0
    )
    assert digests(tmp_path / "a") == digests(tmp_path / "b")


def _count_runs(work: Path) -> int:
    try:
        return sum(1 for p in (work / "replications").iterdir() if not p.name.startswith("."))
    except OSError:
        return 0


def _group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _killed_midway(args: list[str], work: Path, after: int, signum: int) -> subprocess.Popen[str]:
    """Start `simkz` in its own process group, send ``signum`` to its main process once ``after`` runs are stored."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "simkz", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        while proc.poll() is None and _count_runs(work) < after:
            time.sleep(0.005)
        if proc.poll() is None:
            os.kill(proc.pid, signum)
        proc.communicate(timeout=60)
        # the pool's workers end by themselves when the command's process is gone
        assert _group_gone(proc.pid, timeout=10), "worker processes outlived the command"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return proc


KILLED_N = 100


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The scenario of the kill tests and the digests of its uninterrupted replication set."""
    tmp = tmp_path_factory.mktemp("uninterrupted")
    path = write_yaml(tmp / "uncertain.yaml", UNCERTAIN)
    ref = simkz("run", path, "--replications", KILLED_N, "--workers", "1", "--out", tmp / "ref", "--quiet")
    assert ref.returncode == 0, ref.stderr
    return path, digests(tmp / "ref")


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_resume_after_a_kill_ends_with_the_same_bytes(tmp_path, uninterrupted, signum):
    path, reference = uninterrupted
    out = tmp_path / "out"
    args = ["run", str(path), "--replications", str(KILLED_N), "--workers", "2", "--out", str(out)]
    proc = _killed_midway(args, work_path(out), 10, signum)
    assert proc.returncode == (-9 if signum == signal.SIGKILL else 143), proc.stderr
    assert not out.exists()  # the target appears only when complete
    kept = _count_runs(work_path(out))
    assert 10 <= kept < KILLED_N
    res = simkz(*args, "--resume")
    assert res.returncode == 0, res.stderr
    assert f"{kept} kept from an earlier command" in res.stdout
    assert digests(out) == reference
    assert not work_path(out).exists()


@pytest.mark.slow
def test_resume_after_kills_at_random_moments_ends_with_the_same_bytes(tmp_path):
    rng = random.Random(20220105)
    path = uncertain(tmp_path, sweep={"actions[1].degrade.pass": [0.3, 0.7]})
    for trial in range(6):
        n = rng.randint(20, 120)
        command = "sweep" if trial % 2 else "run"
        args = [command, str(path), "--replications", str(n), "--quiet"]
        ref = simkz(*args, "--workers", "1", "--out", tmp_path / f"ref{trial}")
        assert ref.returncode == 0, ref.stderr
        out = tmp_path / f"out{trial}"
        total = n * (2 if command == "sweep" else 1)
        for _ in range(rng.randint(1, 3)):  # killed once or more, at any moment (even while the bands are written)
            workers = str(rng.choice([1, 2]))
            work = work_path(out)
            count = _count_runs if command == "run" else _count_sweep_runs
            after = rng.randint(0, total)
            proc = subprocess.Popen(
                [sys.executable, "-m", "simkz", *args, "--workers", workers, "--out", str(out), "--resume"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            )  # fmt: skip
            while proc.poll() is None and count(work) < after:
                time.sleep(0.002)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=120)
            assert _group_gone(proc.pid, timeout=10)
        res = simkz(*args, "--workers", "2", "--out", out, "--resume")
        assert res.returncode == 0, res.stderr
        assert digests(out) == digests(tmp_path / f"ref{trial}"), f"trial {trial}"


def _count_sweep_runs(work: Path) -> int:
    try:
        return sum(1 for p in work.glob("points/*/replications/*") if not p.name.startswith("."))
    except OSError:
        return 0


def test_shipped_scenarios_sweep_by_name(tmp_path):
    out = tmp_path / "gw"
    res = invoke(
        "sweep", "toy-gateway-failure", "--set", "actions[0].shutdown.nodes=[gw-1],[gw-1, gw-2]", "--workers", "1",
        "--out", out,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert [r["actions[0].shutdown.nodes"] for r in read_rows(out / "points.csv")] == ["[gw-1]", "[gw-1, gw-2]"]
    rows = {
        r["point"]: r
        for r in read_rows(out / "sweep_bands.csv")
        if r["metric"] == "national.min_connectivity_index_pct"
    }
    assert float(rows["p000"]["mean"]) == pytest.approx(75.0)  # one of two gateways down (README, checking the toy)
    assert float(rows["p001"]["mean"]) < float(rows["p000"]["mean"])
    assert SCENARIOS.joinpath("toy-gateway-failure.yaml").is_file()


def test_input_errors_in_workers_keep_their_message(tmp_path):
    spec = RunSpec("r0000", str(tmp_path / "missing.yaml"))
    with pytest.raises(RunError) as err:
        list(execute(_load_missing, [spec]))
    assert isinstance(err.value.cause, InputError)
    assert str(err.value).startswith("run r0000: ")


def _load_missing(spec: RunSpec) -> None:
    from simkz.sweep.cache import load_point

    load_point(spec.scenario)


def test_the_readme_examples_of_sweeps_hold():
    import shlex

    from simkz.sweep.overrides import parse_set
    from simkz.sweep.plan import validate_points

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Replications and sweeps") : text.index("## Results")]
    command = next(line for line in section.splitlines() if line.startswith("simkz sweep kz-jan-2022"))
    args = shlex.split(command.split("#")[0])
    sets = [parse_set(args[i + 1]) for i, a in enumerate(args) if a == "--set"]
    validate_points(SCENARIOS / "kz-jan-2022.yaml", sets)  # every point of the example loads
    shown = section[section.index("$ simkz sweep") :].splitlines()
    res = invoke(*shlex.split(shown[0].removeprefix("$ simkz ")))
    assert res.exit_code == 2 and res.stderr.strip() == shown[1]
    block = yaml.safe_load(section[section.index("```yaml\n") + 8 : section.index("```\n", section.index("```yaml\n"))])
    validate_points(
        SCENARIOS / "kz-jan-2022.yaml", [parse_set(f"{k}={','.join(map(str, v))}") for k, v in block["sweep"].items()]
    )


def test_replications_keep_the_tables_and_step_asked_for(tmp_path):
    out = tmp_path / "o"
    path = uncertain(tmp_path)
    args = ["run", path, "--replications", "3", "--workers", "1", "--tables", "national", "--output-step", "1h"]
    res = invoke(*args, "--out", out, "--quiet")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.glob("*.csv")) == ["national_bands.csv", "summary_bands.csv"]
    rows = read_rows(out / "national_bands.csv")
    assert {r["time"][11:16] for r in rows} == {f"{h:02d}:00" for h in range(24)}  # one row an hour, 24 hours
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["tables"], manifest["output_step"]) == (["national"], "1h")
    # the step and tables are part of the plan: runs made at another step are not resumed
    res = invoke("run", path, "--replications", "3", "--workers", "1", "--out", out, "--resume", "--output-step", "2h")
    assert res.exit_code == 0, res.output
    assert "kept from an earlier command" not in res.stdout


def test_a_set_replaces_the_values_the_file_sweeps(tmp_path):
    from simkz.scenario.load import load_scenario
    from simkz.sweep.overrides import parse_set
    from simkz.sweep.plan import file_axes, grid, merge_axes

    path = uncertain(tmp_path, sweep={"parameters.vpn_max_share": [0.3, 0.6], "duration": ["12h", "24h"]})
    axes = merge_axes(file_axes(load_scenario(path)), [parse_set("duration=6h"), parse_set("step=5min,10min")])
    assert [(a.text, a.values) for a in axes] == [
        ("parameters.vpn_max_share", (0.3, 0.6)),
        ("duration", ("6h",)),
        ("step", ("5min", "10min")),
    ]
    assert grid(axes)[1] == (("parameters.vpn_max_share", 0.3), ("duration", "6h"), ("step", "10min"))
    with pytest.raises(InputError, match="given twice"):
        merge_axes([], [parse_set("step=5min"), parse_set("step=10min")])


def test_without_resume_the_runs_left_are_run_again_and_it_says_so(tmp_path):
    out = tmp_path / "o"
    with WorkFolder(out) as work:
        work.open({"simkz_version": "x"}, resume=False)
        (work.path / "replications" / "r0000").mkdir(parents=True)
    res = invoke("run", uncertain(tmp_path), "--replications", "2", "--workers", "1", "--out", out, "--quiet")
    assert res.exit_code == 0, res.output
    assert "the runs an interrupted command had left (1) were run again; --resume keeps them" in res.stderr
    assert len(summaries(out)) == 2 and not work_path(out).exists()


def test_values_bad_only_together_are_named_together(tmp_path):
    res = invoke(
        "sweep", uncertain(tmp_path), "--set", "duration=1h,2h", "--set", "step=90min", "--out", tmp_path / "o"
    )
    assert_one_line(res, "--set duration=1h --set step=90min", "step", "longer than the duration")


def test_bands_computed_in_other_processes_are_the_same_bytes(tmp_path, monkeypatch):
    import simkz.sweep.drive

    path = uncertain(tmp_path, sweep={"actions[1].degrade.pass": [0.3, 0.7]})
    common = ["sweep", path, "--replications", "4", "--quiet"]
    assert invoke(*common, "--workers", "1", "--out", tmp_path / "serial").exit_code == 0
    monkeypatch.setattr(simkz.sweep.drive, "PARALLEL_BANDS", 0)  # every table's bands in a pool worker
    assert invoke(*common, "--workers", "2", "--out", tmp_path / "pool").exit_code == 0
    assert digests(tmp_path / "serial") == digests(tmp_path / "pool")
    assert len([p for p in digests(tmp_path / "pool") if p.endswith("_bands.csv")]) == 2 * 7 + 1

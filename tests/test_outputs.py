"""Outputs stay where they belong: names and links cannot lead out of the chosen folder, a folder simkz
did not write is never replaced without --force, concurrent saves never mix files, stale staging
folders are removed, and a refusal of the system (disk full, read-only) is exit 4, not a bug."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simkz import RunResult, Simulation, load_scenario
from simkz.cli.main import cli
from simkz.errors import EnvironmentFault, InputError
from simkz.results import run as run_module
from simkz.results.network import NETWORK_FILES
from simkz.results.paths import NAME_PATTERN, check_confined, output_folder, remove_stale, written_by_simkz
from simkz.results.run import FILE_NAMES, TABLES
from simkz.scenario.schema import ScenarioFile
from simkz.testing.regression import run_and_compare

SCENARIO = {
    "name": "tiny",
    "topology": "toy",
    "start": "2022-01-05T12:00+06:00",
    "duration": "2h",
    "step": "1h",
    "actions": [{"at": "2022-01-05T13:00+06:00", "shutdown": {"kind": "gateway"}, "assumption": "a test"}],
}
BAD_NAMES = ["../victim", "/abs", "", "a/b", "a\\b", ".hidden", "..", "-dash", "a\x00b", "a\n", "x" * 101, "é"]


def write_scenario(folder: Path, **fields: object) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump({**SCENARIO, **fields}, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    return Simulation(load_scenario(write_scenario(tmp_path_factory.mktemp("scenario")))).run().result


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_line(res, status: int) -> str:
    assert res.exit_code == status, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.output and "internal error" not in res.stderr
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- names ----------------------------------------------------------------------------------------


def test_the_schema_carries_the_name_pattern():
    assert ScenarioFile.model_json_schema()["properties"]["name"]["pattern"] == NAME_PATTERN


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_a_name_that_is_not_a_plain_folder_name_is_refused(tmp_path, name):
    with pytest.raises(InputError, match="name"):
        output_folder(tmp_path / "results", name)


@pytest.mark.parametrize("name", ["../victim", "/abs", "", ".hidden", "a/b", "x" * 101])
def test_run_and_validate_refuse_an_escaping_name_and_write_nothing(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep")
    path = write_scenario(tmp_path, name=name)
    for command in ("validate", "run"):
        line = one_line(invoke(command, str(path)), 2)
        assert str(path) in line and "name" in line
    assert (victim / "precious.txt").read_text() == "keep"
    assert not (tmp_path / "results").exists()


# --- links ----------------------------------------------------------------------------------------


def test_a_symlink_at_the_target_is_refused(tmp_path, monkeypatch, result):
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "tiny").symlink_to(outside)
    line = one_line(invoke("run", str(write_scenario(tmp_path)), "--figures", "none"), 2)
    assert "symbolic link" in line and "results/tiny" in line
    (tmp_path / "link").symlink_to(outside)
    one_line(invoke("run", str(write_scenario(tmp_path)), "--out", "link", "--figures", "none"), 2)
    with pytest.raises(InputError, match="symbolic link"):
        result.save(tmp_path / "link")
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]
    (tmp_path / "results" / "tiny").unlink()
    assert invoke("run", str(write_scenario(tmp_path)), "--figures", "none").exit_code == 0
    assert (tmp_path / "results" / "tiny" / "manifest.json").is_file()


def test_a_symlinked_parent_cannot_lead_out_of_the_root(tmp_path, result):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "sub").symlink_to(outside)
    with pytest.raises(InputError, match="leads outside"):
        check_confined(root, root / "sub" / "tiny")
    with pytest.raises(InputError, match="leads outside"):
        result.save(root / "sub" / "tiny", root=root)
    with pytest.raises(InputError, match="leads outside"):
        result.save(root / ".." / "outside" / "tiny", root=root)
    assert list(outside.iterdir()) == []


def test_baseline_update_and_the_pytest_plugin_stay_in_their_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    (baselines / "tiny").symlink_to(outside)
    path = write_scenario(tmp_path)
    one_line(invoke("baseline", "update", str(path), "--dir", str(baselines)), 2)
    with pytest.raises(InputError, match="symbolic link"):
        run_and_compare(path, baselines, tmp_path / "work", update=True)
    assert list(outside.iterdir()) == []
    (baselines / "tiny").unlink()
    (baselines / "tiny").mkdir()
    (baselines / "tiny" / "summary.json").write_text("{}")
    (baselines / "tiny" / "mine.txt").write_text("not simkz's")
    assert "not written by simkz" in one_line(invoke("baseline", "update", str(path), "--dir", str(baselines)), 2)
    with pytest.raises(InputError, match="not written by simkz"):
        run_and_compare(path, baselines, tmp_path / "work", update=True)
    (baselines / "tiny" / "mine.txt").unlink()
    assert invoke("baseline", "update", str(path), "--dir", str(baselines)).exit_code == 0
    _, mismatches, _ = run_and_compare(path, baselines, tmp_path / "work")
    assert mismatches == []


# --- folders simkz did not write ------------------------------------------------------------------


def test_a_folder_simkz_did_not_write_is_kept_unless_forced(tmp_path, monkeypatch, result):
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    path = str(write_scenario(tmp_path))
    line = one_line(invoke("run", path, "--out", "mine", "--figures", "none"), 2)
    assert "mine" in line and "not written by simkz" in line and "--force" in line
    with pytest.raises(InputError, match="not written by simkz"):
        result.save(mine, provenance=False)
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.tex"]
    assert invoke("run", path, "--out", "mine", "--figures", "none", "--force").exit_code == 0
    assert (mine / "manifest.json").is_file() and not (mine / "thesis.tex").exists()
    assert leftovers(tmp_path) == []


def test_folders_simkz_wrote_are_replaced(tmp_path, result):
    (tmp_path / "empty").mkdir()
    assert written_by_simkz(tmp_path / "empty", FILE_NAMES)
    run_folder = result.save(tmp_path / "run")
    (run_folder / "notes.txt").write_text("a results folder carries simkz's manifest")
    assert written_by_simkz(run_folder, FILE_NAMES)
    result.save(run_folder)
    assert not (run_folder / "notes.txt").exists()
    baseline = result.save(tmp_path / "baseline", tables=["national"], provenance=False)
    assert sorted(p.name for p in baseline.iterdir()) == ["national.csv", "summary.json"]
    result.save(baseline, tables=["national", "by_service"], provenance=False)
    (baseline / "notes.txt").write_text("a baseline holds only simkz's file names")
    assert not written_by_simkz(baseline, FILE_NAMES)
    (baseline / "notes.txt").unlink()
    (baseline / "manifest.json").write_text('{"not": "simkz"}')  # a foreign manifest, but only simkz's names
    assert written_by_simkz(baseline, FILE_NAMES)


def test_force_never_replaces_the_current_folder_or_its_parents(tmp_path, monkeypatch, result):
    work = tmp_path / "project" / "work"
    work.mkdir(parents=True)
    (work / "keep.txt").write_text("keep")
    monkeypatch.chdir(work)
    for target in (work, tmp_path / "project", Path("..") / ".." / ".." / tmp_path.name):
        with pytest.raises(InputError):
            result.save(target, force=True)
    assert (work / "keep.txt").read_text() == "keep"


# --- concurrent writers ---------------------------------------------------------------------------


@pytest.mark.parametrize("exchange", [True, False], ids=["rename-exchange", "two-renames"])
def test_concurrent_saves_into_one_folder_never_mix_files(tmp_path, monkeypatch, result, exchange):
    if not exchange:
        monkeypatch.setattr(run_module, "_renameat2", lambda: None)
    target = tmp_path / "out"
    writers = 6
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        mine = RunResult(
            result.name, result.tables, {"writer": i}, {"simkz_version": "test", "writer": i}, result.network
        )
        barrier.wait()
        try:
            for _ in range(3):
                mine.save(target)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check_whole(target)
    assert leftovers(tmp_path) == []


def check_whole(folder: Path) -> None:
    """Every file of one writer: the manifest and the summary name the same writer; every table is there."""
    manifest = json.loads((folder / "manifest.json").read_text())
    summary = json.loads((folder / "summary.json").read_text())
    assert manifest["writer"] == summary["writer"]
    assert {f"{t}.csv" for t in TABLES} | set(NETWORK_FILES) | {"summary.json", "columns.json", "manifest.json"} == {
        p.name for p in folder.iterdir()
    }


# --- stale staging folders ------------------------------------------------------------------------


def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)


def test_a_save_removes_staging_folders_of_dead_writers_only(tmp_path, result):
    target = result.save(tmp_path / "out")
    dead, alive = dead_pid(), os.getpid()
    stale = tmp_path / f".out.partial-{dead}-0123abcd"
    live = tmp_path / f".out.partial-{alive}-89abcdef"
    other = tmp_path / f".other.partial-{dead}-0123abcd"
    for folder in (stale, live, other):
        folder.mkdir()
        (folder / "national.csv").write_text("half")
    result.save(target)
    assert leftovers(tmp_path) == sorted([live.name, other.name])


def test_an_old_folder_of_a_writer_killed_between_its_renames_is_put_back(tmp_path, result):
    old = result.save(tmp_path / f".out.old-{dead_pid()}-0123abcd")
    target = tmp_path / "out"
    assert remove_stale(target) == [old]
    assert (target / "manifest.json").is_file() and leftovers(tmp_path) == []


# --- interruptions and faults inside a save -------------------------------------------------------


def test_a_signal_during_a_save_waits_for_the_cleanup(tmp_path, result):
    target = result.save(tmp_path / "out")
    before = (target / "summary.json").read_bytes()
    went_on = []

    def extra(folder: Path) -> None:
        signal.raise_signal(signal.SIGINT)  # held: the save goes on to the end of this step
        went_on.append(True)

    changed = RunResult(result.name, result.tables, {"changed": True}, result.manifest)
    with pytest.raises(KeyboardInterrupt):
        changed.save(target, extras=[extra])
    assert went_on == [True]
    assert (target / "summary.json").read_bytes() == before
    assert leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_full_disk_is_an_environment_fault_with_exit_4(tmp_path, monkeypatch, result):
    monkeypatch.chdir(tmp_path)
    path = str(write_scenario(tmp_path))
    assert invoke("run", path, "--out", "out", "--figures", "none").exit_code == 0
    before = (tmp_path / "out" / "summary.json").read_bytes()

    def full(self, path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("simkz.results.table.Table.write_csv", full)
    line = one_line(invoke("run", path, "--out", "out", "--figures", "none"), 4)
    assert "out" in line and os.strerror(errno.ENOSPC) in line and "ENOSPC" in line and "bug" not in line
    assert ".partial" not in line
    with pytest.raises(EnvironmentFault):
        result.save(tmp_path / "out")
    assert (tmp_path / "out" / "summary.json").read_bytes() == before
    assert leftovers(tmp_path) == []


def test_a_read_only_folder_and_a_path_under_a_file_are_environment_faults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = str(write_scenario(tmp_path))
    (tmp_path / "afile").write_text("")
    line = one_line(invoke("run", path, "--out", "afile/out", "--figures", "none"), 4)
    assert "afile" in line

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    line = one_line(invoke("run", path, "--out", "ro/out", "--figures", "none"), 4)
    assert "ro" in line and os.strerror(errno.EROFS) in line

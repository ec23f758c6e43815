"""A corpus of bad input files: each is refused by `simkz validate` and `simkz run` with one error line.

Every file in ``tests/corpus/scenario`` and ``tests/corpus/topology`` is bad in one way. Its first
lines (or, for a file that cannot hold a comment, the lines of ``NAME.expect`` beside it) say what
its error line must contain:

    # expect: actions[0].shutdown.share      the key path, exactly (alternatives separated by " | ")
    # message: out of range                  a fragment of the message (alternatives separated by " | ")

Both commands must exit 2 with exactly one line on stderr that names the file and holds the key
path and the fragment, print no traceback, write nothing, and take under 5 seconds. A topology
case is run through a scenario written beside the run (it names the topology by its path).
``tests/corpus/ok`` holds files that are valid with a warning; ``tests/corpus/bases`` the valid
files the cases vary.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from simkz.cli.main import cli
from simkz.scenario.load import MAX_SAMPLES, MAX_TABLE_ROWS, MAX_TRACE_VALUES, MIN_STEP
from simkz.yamlio import MAX_FILE_BYTES

CORPUS = Path(__file__).resolve().parent / "corpus"
LIMIT_S = 5.0


@dataclass(frozen=True)
class Case:
    path: Path
    kind: str  #: "scenario" or "topology"
    expect: tuple[str, ...]  #: key paths, any of which the line must hold
    message: tuple[str, ...]  #: message fragments, any of which the line must hold


def _header(path: Path) -> dict[str, str]:
    sidecar = path.with_suffix(".expect")
    source = sidecar if sidecar.is_file() else path
    text = source.read_bytes()[:4096].decode("utf-8", errors="replace").lstrip("\ufeff")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(":")
        if key in ("expect", "message", "warning") and key not in out:
            out[key] = value.strip()
    return out


def _alternatives(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(" | ")) if text else ()


def _cases() -> list[Case]:
    cases = []
    for kind in ("scenario", "topology"):
        for path in sorted((CORPUS / kind).glob("*.yaml")):
            head = _header(path)
            cases.append(Case(path, kind, _alternatives(head.get("expect")), _alternatives(head.get("message"))))
    return cases


CASES = _cases()


def _invoke(args: list[str]) -> tuple[Result, float]:
    began = time.perf_counter()
    result = CliRunner().invoke(cli, args)
    return result, time.perf_counter() - began


def _assert_refused(result: Result, elapsed: float, case: Case, file: Path, limit: float = LIMIT_S) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output, result.stderr)
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("simkz: error: "), line
    assert file.name in line, line
    if case.expect:
        assert any(f": {path}: " in line for path in case.expect), (case.expect, line)
    if case.message:
        assert any(fragment in line for fragment in case.message), (case.message, line)
    assert elapsed < limit, f"{elapsed:.1f} s"


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_the_corpus_is_large_and_every_case_says_what_to_expect():
    assert len(CASES) >= 100
    for case in CASES:
        assert case.expect or case.message, f"{case.path.name}: no '# expect:' or '# message:' line"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}/{c.path.stem}" for c in CASES])
def test_validate_refuses_with_one_line(case: Case):
    before = _tree(CORPUS)
    result, elapsed = _invoke(["validate", str(case.path)])
    _assert_refused(result, elapsed, case, case.path)
    assert result.stdout == ""
    assert _tree(CORPUS) == before


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}/{c.path.stem}" for c in CASES])
def test_run_refuses_with_one_line_and_writes_nothing(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # a default results/ folder would appear here
    scenario = case.path
    if case.kind == "topology":
        scenario = tmp_path / "scenario.yaml"
        scenario.write_text(
            f"name: corpus\ntopology: {case.path}\nstart: 2022-01-05T12:00+06:00\nduration: 12h\nstep: 15min\n",
            encoding="utf-8",
        )
    before = _tree(CORPUS)
    out = tmp_path / "out"
    result, elapsed = _invoke(["run", str(scenario), "--out", str(out), "--figures", "none", "--quiet"])
    _assert_refused(result, elapsed, case, case.path)
    assert result.stdout == ""
    assert not out.exists()
    assert _tree(work) == []
    assert [p.name for p in tmp_path.iterdir() if p.name not in ("work", "scenario.yaml")] == []
    assert _tree(CORPUS) == before


@pytest.mark.parametrize("base", sorted((CORPUS / "bases").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_bases_of_the_cases_are_valid(base: Path, tmp_path: Path):
    """Each case is a variation of a valid file, so it fails for its own change only."""
    result, _ = _invoke(["validate", str(base)])
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stdout
    scenario = base
    if "nodes:" in base.read_text(encoding="utf-8"):
        scenario = tmp_path / "scenario.yaml"
        scenario.write_text(
            f"name: corpus\ntopology: {base}\nstart: 2022-01-05T12:00+06:00\nduration: 12h\nstep: 15min\n",
            encoding="utf-8",
        )
    result, _ = _invoke(["run", str(scenario), "--out", str(tmp_path / "out"), "--figures", "none", "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "summary.json").is_file()


@pytest.mark.parametrize("path", sorted((CORPUS / "ok").glob("*.yaml")), ids=lambda p: p.stem)
def test_valid_files_with_a_warning_pass(path: Path):
    result, elapsed = _invoke(["validate", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    warning = _header(path).get("warning")
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert lines[0].startswith("ok: ")
    if warning:
        assert any(line.startswith("warning:") and warning in line for line in lines[1:]), result.stdout
    else:
        assert lines[1:] == []
    assert elapsed < LIMIT_S


# -- cases too large to keep in the repository: written here, held to the same rules


def _generated(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "cases" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


HEAD = "name: corpus\ntopology: toy\nstart: 2022-01-05T12:00+06:00\nduration: 12h\nstep: 15min\n"


def test_a_file_above_the_size_limit_is_refused_unread(tmp_path: Path):
    path = _generated(tmp_path, "huge.yaml", HEAD + "description: " + "x" * (MAX_FILE_BYTES + 10) + "\n")
    for args in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        result, elapsed = _invoke(args)
        _assert_refused(result, elapsed, Case(path, "scenario", ("(top level)",), ("too large",)), path)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("timed", [False, True], ids=["plain", "timed"])
def test_many_actions_whose_last_is_bad_are_refused_quickly(tmp_path: Path, timed: bool):
    """100,000 actions (4,000 timed ones) and the last names a node the topology lacks: refused in seconds."""
    count = 4_000 if timed else 100_000
    when = "at: 2022-01-05T13:{m:02d}+06:00, until: 2022-01-05T14:{m:02d}+06:00, " if timed else ""
    lines = [f"  - {{{when.format(m=i % 60)}label: a{i}, shutdown: {{nodes: [gw-1]}}}}" for i in range(count - 1)]
    lines.append("  - {label: bad, shutdown: {nodes: [gw-9]}}")
    path = _generated(tmp_path, "many.yaml", HEAD + "actions:\n" + "\n".join(lines) + "\n")
    case = Case(path, "scenario", (f"actions[{count - 1}].shutdown.nodes[0]",), ("unknown node",))
    for args in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        result, elapsed = _invoke(args)
        # 100,000 actions: about 3.5 s on a 2-core machine (over 40 s before); the margin is for loaded CI hosts
        _assert_refused(result, elapsed, case, path, limit=10.0 if count > 10_000 else LIMIT_S)
    assert not (tmp_path / "out").exists()


def test_every_named_check_and_limit_is_documented():
    root = CORPUS.parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    source = (root / "simkz" / "topology" / "checks.py").read_text(encoding="utf-8")
    checks = set(re.findall(r'(?:_err|Finding)\(\s*"([a-z-]+)"', source))
    assert {"magnitudes", "services", "internet-users", "demand-total"} <= checks
    assert [name for name in sorted(checks) if f"`{name}`" not in readme] == []
    for limit in (MAX_SAMPLES, MAX_TABLE_ROWS, MAX_TRACE_VALUES):
        assert f"{limit:,}" in readme
    assert timedelta(seconds=1) == MIN_STEP
    assert "at least 1 s" in readme

"""Fuzzing: mutations of the shipped scenario and topology files never cause an internal error.

Hypothesis takes a shipped file and applies one to three mutations: drop a key, swap a value for
one of another type, put an extreme number or a random string or date in place of a value,
rename a key, nest a value one level deeper, duplicate a key. Loading the result must raise
nothing but :class:`~simkz.errors.SimkzError`, and every :class:`~simkz.errors.InputError` must
name a file and say what is wrong; a share of the files that load are also run. A quick profile
runs in the default suite; the ``slow`` one runs 10,000 files. Both are derandomized, so CI sees
the same files every time.
"""

from __future__ import annotations

import copy
import functools
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simkz import Simulation, load_scenario, yamlio
from simkz.errors import InputError, SimkzError
from simkz.topology.load import load_topology
from simkz.yamlio import read_yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.yaml"))
TOPOLOGY_FILES = sorted((ROOT / "topologies").glob("*.yaml"))
#: Runs of mutated scenarios are kept short: at most this many time steps.
MAX_RUN_STEPS = 3_000

WEIRD: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    0.5,
    -0.5,
    1.5,
    10**30,
    -(10**30),
    1e308,
    -1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
    "",
    " ",
    "x" * 300,
    "all",
    "2022-01-05T12:00+06:00",
    "0001-01-01T00:00+00:00",
    "9999-12-31T23:59+14:00",
    "2022-01-05",
    "25:61",
    "1000w",
    "0.5s",
    "Asia",
    "../../etc/passwd",
    "\u00e9\u4e2d\U0001f600",
    [],
    {},
    [None],
    [1, 2],
    ["a", "b", "c"],
    {"a": 1},
    {"dist": "uniform", "low": 1, "high": 0},
]
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -0.0, 1e-320, 1e300, 2**63, 2**64 + 1]),
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["telco-a", "gw-1", "north", "chat", "kz-2022", "toy", "access", "mobile", "fixed"]),
    st.dates().map(str),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
)


@dataclass(frozen=True)
class Mutation:
    kind: str  #: drop, swap, number, text, rename, nest, duplicate
    where: tuple[int, ...]  #: choices down the tree (taken modulo the number of children)
    value: Any


MUTATIONS = st.builds(
    Mutation,
    st.sampled_from(["drop", "swap", "number", "text", "rename", "nest", "duplicate"]),
    st.lists(st.integers(0, 2**16), min_size=1, max_size=8).map(tuple),
    st.one_of(st.sampled_from(WEIRD), NUMBERS, TEXT),
)


def _containers(data: Any, where: tuple[int, ...]) -> Iterator[tuple[Any, Any]]:
    """(container, key) pairs along the path ``where`` chooses, from the top down."""
    node = data
    for choice in where:
        if isinstance(node, dict) and node:
            key = list(node)[choice % len(node)]
        elif isinstance(node, list) and node:
            key = choice % len(node)
        else:
            return
        yield node, key
        node = node[key]


def mutate(data: Any, mutation: Mutation) -> tuple[Any, list[str]]:
    """Apply ``mutation`` to ``data`` in place; return it and any keys to repeat in the text."""
    value = copy.deepcopy(mutation.value)  # never share (or tie into a cycle) the strategy's objects
    steps = list(_containers(data, mutation.where))
    if not steps:
        return value, []
    depth = mutation.where[-1] % len(steps)  # mutate at any level, not only the deepest
    container, key = steps[depth]
    repeat: list[str] = []
    if mutation.kind == "drop":
        del container[key]
    elif mutation.kind in ("swap", "number", "text"):
        container[key] = value
    elif mutation.kind == "rename" and isinstance(container, dict):
        container[str(value)[:40] or "_"] = container.pop(key)
    elif mutation.kind == "nest":
        container[key] = [container[key]] if mutation.where[0] % 2 else {"x": container[key]}
    elif mutation.kind == "duplicate" and isinstance(container, dict) and container is data:
        repeat.append(str(key))
    else:
        container[key] = value
    return data, repeat


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes repeated values in full (the reader refuses aliases, which would hide other mutations)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(data: Any, repeat: list[str]) -> str:
    try:
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    except (yaml.YAMLError, UnicodeEncodeError, ValueError):
        text = "garbage: [\n"  # a value PyYAML cannot write (e.g. a lone surrogate): write broken YAML instead
    return text + "".join(f"{yaml.safe_dump(key).strip().removesuffix('...').strip()}: 1\n" for key in repeat)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped scenarios and topologies, so that mutated files keep their relative references."""
    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(ROOT / "scenarios", root / "scenarios")
    shutil.copytree(ROOT / "topologies", root / "topologies")
    return root


def _check_input_error(exc: InputError) -> None:
    assert exc.file, exc
    assert exc.problem.strip(), exc
    assert "\n" not in exc.one_line()


def _run_briefly(scenario: Any) -> None:
    if scenario.duration_s / scenario.step_s <= MAX_RUN_STEPS:
        Simulation(scenario).run()


@functools.cache
def _original(path: Path) -> str:
    """The shipped file's data as JSON text: a fresh copy is one fast ``json.loads`` away."""
    return json.dumps(read_yaml(path))


def _fuzz_scenario(tree: Path, source: int, mutations: list[Mutation], run: bool) -> None:
    original = SCENARIO_FILES[source % len(SCENARIO_FILES)]
    data: Any = json.loads(_original(original))
    repeat: list[str] = []
    for m in mutations:
        data, more = mutate(data, m)
        repeat += more
    path = tree / "scenarios" / f"fuzz-{original.name}"
    path.write_text(_text(data, repeat), encoding="utf-8")
    try:
        scenario = load_scenario(path)
        if run:
            _run_briefly(scenario)
    except InputError as exc:
        _check_input_error(exc)
    except SimkzError:
        pass


def _fuzz_topology(tree: Path, source: int, mutations: list[Mutation], run: bool) -> None:
    original = TOPOLOGY_FILES[source % len(TOPOLOGY_FILES)]
    data: Any = json.loads(_original(original))
    repeat: list[str] = []
    for m in mutations:
        data, more = mutate(data, m)
        repeat += more
    path = tree / "topologies" / f"fuzz-{original.name}"
    path.write_text(_text(data, repeat), encoding="utf-8")
    scenario_path = tree / "scenarios" / "fuzz-on-topology.yaml"
    scenario_path.write_text(
        f"name: fuzz\ntopology: {path}\nstart: 2022-01-05T12:00+06:00\nduration: 6h\nstep: 1h\n"
        "actions:\n  - {at: 2022-01-05T14:00+06:00, shutdown: {kind: gateway}}\n"
        "  - {at: 2022-01-05T16:00+06:00, restore: {}}\n",
        encoding="utf-8",
    )
    try:
        topology = load_topology(path)
        if run:
            _run_briefly(load_scenario(scenario_path, topology=topology))
    except InputError as exc:
        _check_input_error(exc)
    except SimkzError:
        pass


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    )


#: One file in ten that loads is also run.
RUN = st.sampled_from([True] + [False] * 9)
FUZZ = st.tuples(st.integers(0, 2**16), st.lists(MUTATIONS, min_size=1, max_size=3), RUN)


def test_mutated_shipped_scenarios_load_or_fail_cleanly(tree: Path):
    @_settings(100)
    @given(FUZZ)
    def check(case: tuple[int, list[Mutation], bool]) -> None:
        _fuzz_scenario(tree, *case)

    check()


def test_mutated_shipped_topologies_load_or_fail_cleanly(tree: Path):
    @_settings(100)
    @given(FUZZ)
    def check(case: tuple[int, list[Mutation], bool]) -> None:
        _fuzz_topology(tree, *case)

    check()


@pytest.mark.slow
def test_fuzz_ten_thousand_files(tree: Path):
    """5,000 mutated scenarios and 5,000 mutated topologies."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2000))

    @_settings(5000)
    @given(FUZZ)
    def scenarios(case: tuple[int, list[Mutation], bool]) -> None:
        _fuzz_scenario(tree, *case)

    @_settings(5000)
    @given(FUZZ)
    def topologies(case: tuple[int, list[Mutation], bool]) -> None:
        _fuzz_topology(tree, *case)

    scenarios()
    topologies()


def test_mutations_change_the_file():
    """The mutations do what they say (a fuzzer whose mutations are no-ops tests nothing)."""
    assert mutate({"a": 1, "c": "x"}, Mutation("drop", (1,), None))[0] == {"a": 1}
    assert mutate({"a": 1, "c": "x"}, Mutation("swap", (1,), 9))[0] == {"a": 1, "c": 9}
    assert mutate({"a": {"b": [1, 2]}}, Mutation("number", (0, 0, 1, 2), 1e308))[0] == {"a": {"b": [1, 1e308]}}
    assert mutate({"a": 1}, Mutation("rename", (0,), "z"))[0] == {"z": 1}
    assert mutate({"a": 1}, Mutation("nest", (0,), None))[0] == {"a": {"x": 1}}
    assert mutate({"a": 1}, Mutation("nest", (1,), None))[0] == {"a": [1]}
    assert _text(*mutate({"a": 1}, Mutation("duplicate", (0,), None))) == "a: 1\na: 1\n"


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**40), 10**40),
    st.floats(allow_nan=False),
    st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=20),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(st.characters(categories=["L", "N"]), max_size=8), inner)
    ),
    max_leaves=30,
)


#: The parsers the reader can use here: the pure-Python one always, libyaml when PyYAML was built with it.
PARSERS = ["python", *(["libyaml"] if getattr(yaml, "__with_libyaml__", False) else [])]


@pytest.mark.parametrize("parser", PARSERS)
def test_the_reader_reads_back_what_yaml_writes(parser: str, monkeypatch: pytest.MonkeyPatch):
    """Both parsers give back the data written."""
    loader = yaml.CSafeLoader if parser == "libyaml" else yaml.SafeLoader
    monkeypatch.setattr(yamlio, "_event_loader", lambda: loader)

    @_settings(150)
    @given(DOCUMENTS)
    def check(data: Any) -> None:
        assert yamlio.load_text(yaml.dump(data, Dumper=_Dumper, allow_unicode=True)) == data

    check()

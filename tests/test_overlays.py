"""Overlays (``extends:``): ``key+`` adds to the base's list, ``key=`` replaces it, a silent replace warns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import simkz.inputs
from simkz import Simulation, load_scenario
from simkz.cli.main import cli
from simkz.errors import InputError
from simkz.inputs import merge, read_document
from simkz.topology.load import load_topology
from tests.conftest import SCENARIOS, TOY, write_yaml


def action(hour: int, kind: str = "access") -> dict[str, Any]:
    return {
        "at": f"2022-01-05T{hour:02d}:00+06:00",
        "until": f"2022-01-05T{hour:02d}:30+06:00",
        "shutdown": {"kind": kind},
        "assumption": "test",
    }


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A toy scenario with two actions."""
    data = {
        "name": "base",
        "topology": str(TOY),
        "start": "2022-01-05T12:00+06:00",
        "duration": "12h",
        "step": "15min",
        "actions": [action(13), action(15, "gateway")],
    }
    return write_yaml(tmp_path / "base.yaml", data)


def overlay(tmp_path: Path, **own: Any) -> Path:
    return write_yaml(tmp_path / "over.yaml", {"name": "over", "extends": "base.yaml", **own})


def test_key_plus_appends_to_the_base_list(tmp_path, base):
    scenario = load_scenario(overlay(tmp_path, **{"actions+": [action(17)]}))
    assert [a.spec.at for a in scenario.actions] == [
        "2022-01-05T13:00+06:00",
        "2022-01-05T15:00+06:00",
        "2022-01-05T17:00+06:00",
    ]
    assert [a.index for a in scenario.actions] == [0, 1, 2]
    assert scenario.warnings == ()


def test_a_plain_key_replacing_a_base_list_warns_in_validate_and_in_the_run(tmp_path, base):
    path = overlay(tmp_path, actions=[action(17)])
    scenario = load_scenario(path)
    assert [a.spec.at for a in scenario.actions] == ["2022-01-05T17:00+06:00"]
    (warning,) = scenario.warnings
    assert warning.startswith("warning: over.yaml: actions: ")
    assert "drops its 2 entries" in warning and "actions+" in warning and "actions=" in warning
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    assert warning in res.output
    summary = Simulation(scenario).run().result.summary
    assert summary["warnings"] == [warning]


def test_key_equals_replaces_without_a_warning(tmp_path, base):
    scenario = load_scenario(overlay(tmp_path, **{"actions=": [action(17)]}))
    assert [a.spec.at for a in scenario.actions] == ["2022-01-05T17:00+06:00"]
    assert scenario.warnings == ()


def test_replacing_with_the_same_list_or_an_empty_base_list_does_not_warn(tmp_path, base):
    same = load_scenario(overlay(tmp_path, actions=[action(13), action(15, "gateway")]))
    assert same.warnings == ()
    write_yaml(tmp_path / "empty.yaml", {"extends": "base.yaml", "name": "empty", "actions=": []})
    path = write_yaml(tmp_path / "over2.yaml", {"extends": "empty.yaml", "name": "x", "actions": [action(17)]})
    assert load_scenario(path).warnings == ()


@pytest.mark.parametrize(
    ("own", "key", "needle"),
    [
        ({"actions": [], "actions+": [action(17)]}, "actions+", "cannot be given together"),
        ({"actions=": [], "actions+": [action(17)]}, "actions=", "cannot be given together"),
        ({"actions+": {"at": "x"}}, "actions+", "adds entries"),
        ({"actions+": None}, "actions+", "adds entries"),
        ({"sources+": ["a"]}, "sources+", "sets no 'sources'"),
        ({"topology+": ["a"]}, "topology+", "not a list"),
    ],
)
def test_bad_appends_are_errors_naming_the_key(tmp_path, base, own, key, needle):
    with pytest.raises(InputError) as info:
        load_scenario(overlay(tmp_path, **own))
    assert info.value.path == (key,)
    assert info.value.file == str(tmp_path / "over.yaml")
    assert needle in info.value.problem


def test_overlay_keys_need_a_base(tmp_path):
    path = write_yaml(tmp_path / "alone.yaml", {"name": "x", "topology": str(TOY), "actions+": [action(13)]})
    with pytest.raises(InputError) as info:
        read_document(path)
    assert info.value.path == ("actions+",)
    assert "extends" in str(info.value.allowed)


def test_nested_lists_append_and_new_mappings_cannot_append(tmp_path):
    own = {"extends": str(TOY), "services": {"bank": {"hosts+": ["abroad"]}}}
    topo = load_topology(write_yaml(tmp_path / "t.yaml", own))
    (bank,) = (s for s in topo.services if s.key == "bank")
    assert set(bank.hosts) == {"dc", "abroad"}
    assert topo.warnings == ()
    new = {"extends": str(TOY), "services": {"new": {"hosts+": ["dc"]}}}
    with pytest.raises(InputError) as info:
        read_document(write_yaml(tmp_path / "t2.yaml", new))
    assert info.value.path == ("services", "new", "hosts+")


def test_merge_rules():
    notes: list[str] = []
    base = {"a": [1, 2], "b": {"c": [3], "d": 4}, "e": 5}
    out = merge(base, {"a+": [9], "b": {"c": [7], "d": None}, "e=": {"f": 1}}, file="x.yaml", warnings=notes)
    assert out == {"a": [1, 2, 9], "b": {"c": [7]}, "e": {"f": 1}}
    assert len(notes) == 1 and "b.c: replaces the base's list" in notes[0]
    assert base == {"a": [1, 2], "b": {"c": [3], "d": 4}, "e": 5}  # the base is not changed


def test_extends_takes_a_shipped_scenario_name(tmp_path):
    path = write_yaml(tmp_path / "mine.yaml", {"extends": "toy-total-shutdown", "name": "mine", "seed": 3})
    shipped = load_scenario(SCENARIOS / "toy-total-shutdown.yaml")
    mine = load_scenario(path)
    assert (mine.name, mine.seed) == ("mine", 3)
    assert [a.spec for a in mine.actions] == [a.spec for a in shipped.actions]
    assert mine.topology.name == "toy"
    assert mine.files[1][0].name == "toy-total-shutdown.yaml"


def test_extends_takes_a_shipped_topology_name(tmp_path):
    path = write_yaml(tmp_path / "topo.yaml", {"extends": "toy.yaml", "name": "my-toy"})
    topo = load_topology(path)
    assert topo.name == "my-toy" and len(topo.regions) == 2
    assert topo.costs is not None  # the base's costs file, found relative to the base


def test_extends_names_what_it_accepts_when_nothing_matches(tmp_path):
    path = write_yaml(tmp_path / "x.yaml", {"extends": "no-such-base", "name": "x"})
    with pytest.raises(InputError) as info:
        read_document(path)
    assert info.value.path == ("extends",)
    assert "shipped" in str(info.value.allowed)


def test_the_reference_scenario_keeps_its_actions_with_actions_plus(tmp_path):
    reference = load_scenario(SCENARIOS / "kz-jan-2022.yaml")
    extra = {"at": "2022-01-11T20:00+06:00", "shutdown": {"kind": "access"}, "assumption": "test"}
    plus = load_scenario(write_yaml(tmp_path / "plus.yaml", {"extends": "kz-jan-2022", "actions+": [extra]}))
    assert len(plus.actions) == len(reference.actions) + 1
    assert plus.warnings == reference.warnings
    plain = load_scenario(write_yaml(tmp_path / "plain.yaml", {"extends": "kz-jan-2022", "actions": [extra]}))
    assert len(plain.actions) == 1
    assert any(f"drops its {len(reference.actions)} entries" in w for w in plain.warnings)


def test_validate_reads_each_file_once(tmp_path, base, monkeypatch):
    read: list[Path] = []
    real = simkz.inputs.read_yaml

    def counting(path: Path) -> Any:
        read.append(Path(path).resolve())
        return real(path)

    monkeypatch.setattr(simkz.inputs, "read_yaml", counting)
    path = overlay(tmp_path, **{"actions+": [action(17)]})
    res = CliRunner().invoke(cli, ["validate", str(path), str(TOY)])
    assert res.exit_code == 0, res.output
    assert sorted(read.count(p) for p in set(read)) == [1, 1, 2, 2]  # base, over; the toy and its costs twice
    assert read.count(path.resolve()) == 1 and read.count(base.resolve()) == 1


def test_shipped_files_replace_no_base_list():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        assert read_document(path).warnings == (), path
    assert json.dumps(read_document(TOY).warnings) == "[]"

"""Topology files written as JSON: as strict as YAML, and the same topology either way."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import simkz.jsonio
from simkz.cli.main import cli
from simkz.errors import InputError
from simkz.inputs import read_document
from simkz.jsonio import load_json_text, read_json
from simkz.topology.load import load_topology
from simkz.topology.network import Topology
from simkz.yamlio import MAX_DEPTH
from tests.conftest import TOPOLOGIES


def refused(text: str) -> str:
    with pytest.raises(InputError) as err:
        load_json_text(text, "t.json")
    return err.value.one_line()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1, "a": 2}', "t.json: a: duplicate key 'a'"),
        ('{"nodes": {"x": {"kind": "core", "kind": "ixp"}}}', "t.json: nodes.x.kind: duplicate key 'kind'"),
        ('{"a": [1, {"b": NaN}]}', "t.json: a[1].b: NaN is not a number simkz accepts"),
        ('{"a": Infinity}', "t.json: a: Infinity is not a number simkz accepts"),
        ('{"a": -Infinity}', "t.json: a: -Infinity is not a number simkz accepts"),
        ('{"a": 1e999}', "t.json: a: the number overflows to infinity (got '1e999')"),
        ('{"a": 0.' + "1" * 200 + "}", "t.json: a: a number written with 202 characters"),
        ('{"a": ' + "1" * 5000 + "}", "t.json: (top level): an integer with more digits than Python reads"),
        ('{"a": "x\\u0000"}', "t.json: a: text holds a NUL byte"),
        ('{"a": ["\\ud800"]}', "t.json: a[0]: text holds a lone surrogate"),
        ('{"\\u0007": 1}', "t.json: (top level): text holds a control character"),
        ('{"a": [1, 2,]}', "t.json: line 1, column 13: JSON syntax error"),
    ],
)
def test_refused_with_the_key_path(text, expected):
    assert refused(text).startswith(expected)


def test_nesting_deeper_than_the_limit_is_refused_before_parsing():
    assert isinstance(load_json_text("[" * MAX_DEPTH + "]" * MAX_DEPTH), list)
    deep = '{"a": "[[[{{", "b":\n' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"  # brackets in text do not count
    assert refused(deep).startswith(f"t.json: line 2, column {MAX_DEPTH}: nesting deeper than {MAX_DEPTH} levels")
    escaped = '{"a": "\\"[[[[", "b": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    assert load_json_text(escaped)["a"] == '"[[[['  # an escaped quote does not end the text
    assert "nesting deeper" in refused("[" * 5000 + "]" * 5000)


def test_escaped_backslashes_are_not_control_characters():
    assert load_json_text('{"a": "\\\\u0000"}') == {"a": "\\u0000"}


def test_files_over_the_size_cap_are_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "t.json"
    path.write_text('{"name": "' + "x" * 100 + '"}', encoding="utf-8")
    assert read_json(path)["name"] == "x" * 100
    monkeypatch.setattr(simkz.jsonio, "MAX_JSON_BYTES", 100)
    size = path.stat().st_size
    with pytest.raises(InputError, match=rf"file too large \({size} bytes\); allowed: at most 100 bytes"):
        read_json(path)


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "t.json"
    path.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(InputError, match="byte 7: not UTF-8 text"):
        read_json(path)


def as_json(source: Path, target: Path) -> Path:
    """``source`` (a shipped topology) written as JSON at ``target``, with the costs files it names beside it."""
    target.write_text(json.dumps(read_document(source).data, indent=1), encoding="utf-8")
    shutil.copytree(TOPOLOGIES / "costs", target.parent / "costs", dirs_exist_ok=True)
    return target


def same(a: Topology, b: Topology) -> None:
    assert (a.name, a.description, a.zone, a.routing) == (b.name, b.description, b.zone, b.routing)
    assert (a.nodes, a.links, a.link_ends) == (b.nodes, b.links, b.link_ends)
    assert dict(a.graph.nodes(data=True)) == dict(b.graph.nodes(data=True))
    assert {(u, v): d for u, v, d in a.graph.edges(data=True)} == {(u, v): d for u, v, d in b.graph.edges(data=True)}
    assert (a.regions, a.operators, a.services, a.cohorts, a.demand) == (
        b.regions,
        b.operators,
        b.services,
        b.cohorts,
        b.demand,
    )
    assert (a.warnings, a.costs) == (b.warnings, b.costs)


@pytest.mark.parametrize("name", ["toy", "kz-2022"])
def test_json_and_yaml_of_one_topology_load_the_same(tmp_path, name):
    source = TOPOLOGIES / f"{name}.yaml"
    target = as_json(source, tmp_path / f"{name}.json")
    same(load_topology(source), load_topology(target))


def test_yaml_may_extend_json_and_json_yaml(tmp_path):
    base = as_json(TOPOLOGIES / "kz-2022.yaml", tmp_path / "base.json")
    over = tmp_path / "over.yaml"
    over.write_text(
        yaml.safe_dump({"extends": "base.json", "name": "over", "routing": "valley-free"}), encoding="utf-8"
    )
    topo = load_topology(over)
    assert (topo.name, topo.routing, topo.nodes) == ("over", "valley-free", load_topology(base).nodes)
    back = tmp_path / "back.json"
    back.write_text(json.dumps({"extends": "over.yaml", "description": "three files"}), encoding="utf-8")
    assert load_topology(back).description == "three files"
    assert [p.name for p, _ in load_topology(back).files][:3] == ["back.json", "over.yaml", "base.json"]


def test_validate_reports_a_bad_json_topology_on_one_line(tmp_path):
    path = as_json(TOPOLOGIES / "toy.yaml", tmp_path / "toy.json")
    path.write_text(path.read_text(encoding="utf-8").replace('"capacity_gbps": 400', '"capacity_gbps": NaN', 1))
    res = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert res.exit_code == 2
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith(f"simkz: error: {path}: links.gw-1--abroad.capacity_gbps: NaN is not a number")


def test_an_unknown_routing_is_refused(tmp_path):
    path = as_json(TOPOLOGIES / "toy.yaml", tmp_path / "toy.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["routing"] = "shortest"
    data["links"]["gw-1--abroad"]["relationship"] = "c2p"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="routing"):
        load_topology(path)
    data["routing"] = "valley-free"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"links\.gw-1--abroad\.relationship"):
        load_topology(path)

"""The command line: one line and exit 2 for every class of bad input; nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from simkz.cli.main import cli
from tests.conftest import SCENARIOS, TOY, write_yaml

BASE = {
    "name": "bad",
    "topology": str(TOY),
    "start": "2022-01-05T12:00+06:00",
    "duration": "2h",
    "step": "15min",
}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def scenario(tmp_path: Path, **fields) -> Path:
    return write_yaml(tmp_path / "bad.yaml", {**BASE, **fields})


def assert_one_line_error(res, *needles: str) -> str:
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_unknown_key_lists_the_valid_keys(tmp_path):
    path = scenario(tmp_path, actions=[{"shutdown": {"kind": "gateway", "regoins": ["north"]}}])
    line = assert_one_line_error(invoke("validate", str(path)), str(path), "actions[0].shutdown.regoins", "unknown key")
    assert "allowed:" in line and "regions" in line and "operators" in line


def test_unknown_top_level_key(tmp_path):
    path = scenario(tmp_path, seeed=3)
    assert_one_line_error(invoke("validate", str(path)), "seeed", "allowed:", "duration")


def test_yaml_syntax_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nactions: [\n", encoding="utf-8")
    assert_one_line_error(invoke("validate", str(path)), str(path), "YAML syntax error", "line")


def test_missing_topology(tmp_path):
    path = scenario(tmp_path, topology="nowhere/kz.yaml")
    assert_one_line_error(invoke("validate", str(path)), str(path), "topology", "not found", "nowhere/kz.yaml")


def test_missing_scenario_file(tmp_path):
    assert_one_line_error(invoke("run", str(tmp_path / "none.yaml")), "scenario not found")


def test_yaml_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.yaml"
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_one_line_error(invoke("validate", str(path)), str(path), "anchors")


def test_duplicate_key(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("name: a\nname: b\n", encoding="utf-8")
    assert_one_line_error(invoke("validate", str(path)), "duplicate key 'name'")


def test_unknown_operator(tmp_path):
    path = scenario(tmp_path, actions=[{"shutdown": {"operators": ["telco-a", "kazakhtelecom"]}}])
    line = assert_one_line_error(
        invoke("validate", str(path)), "actions[0].shutdown.operators[1]", "'kazakhtelecom'", "unknown operator"
    )
    assert "telco-a, telco-b" in line


def test_unknown_service(tmp_path):
    path = scenario(tmp_path, actions=[{"block": {"services": ["whatsapp"], "at": {"kind": "gateway"}}}])
    assert_one_line_error(invoke("validate", str(path)), "actions[0].block.services[0]", "'whatsapp'", "chat")


def test_negative_capacity(tmp_path):
    topo = write_yaml(tmp_path / "topo.yaml", {"extends": str(TOY), "links": {"ix--dc": {"capacity_gbps": -10}}})
    assert_one_line_error(invoke("validate", str(topo)), "links.ix--dc.capacity_gbps", "-10", "> 0")


def test_time_without_offset(tmp_path):
    path = scenario(tmp_path, actions=[{"at": "2022-01-05T14:00", "shutdown": {"kind": "gateway"}}])
    assert_one_line_error(invoke("validate", str(path)), "actions[0].at", "UTC offset")


def test_bad_duration(tmp_path):
    path = scenario(tmp_path, duration="8 days")
    assert_one_line_error(invoke("validate", str(path)), "duration", "'8 days'", "8d")


def test_out_of_range_effectiveness(tmp_path):
    path = scenario(tmp_path, actions=[{"block": {"services": ["chat"], "effectiveness": 1.5}}])
    assert_one_line_error(invoke("validate", str(path)), "actions[0].block.effectiveness", "1.5")


def test_two_action_kinds_in_one_entry(tmp_path):
    path = scenario(tmp_path, actions=[{"shutdown": {}, "restore": {}}])
    assert_one_line_error(invoke("validate", str(path)), "actions[0]", "exactly one of")


def test_unknown_parameter(tmp_path):
    path = scenario(tmp_path, parameters={"threshold": 0.3})
    assert_one_line_error(invoke("validate", str(path)), "parameters.threshold", "disruption_threshold")


def test_bad_run_writes_nothing(tmp_path):
    path = scenario(tmp_path, actions=[{"shutdown": {"operators": ["nobody"]}}])
    out = tmp_path / "out"
    assert_one_line_error(invoke("run", str(path), "--out", str(out)))
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_debug_shows_the_traceback(tmp_path):
    path = scenario(tmp_path, seeed=1)
    proc = subprocess.run(
        [sys.executable, "-m", "simkz", "validate", "--debug", str(path)], capture_output=True, text=True
    )
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr


def test_run_writes_the_folder_and_prints_a_summary(tmp_path):
    out = tmp_path / "res"
    res = invoke("run", str(SCENARIOS / "toy-gateway-failure.yaml"), "--out", str(out))
    assert res.exit_code == 0, res.output
    assert "connectivity index      min 75.0%" in res.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "national.csv",
            "by_region.csv",
            "by_operator.csv",
            "by_technology.csv",
            "by_region_technology.csv",
            "by_service.csv",
            "phases.csv",
            "network.json",
            "network_states.csv",
            "columns.json",
            "summary.json",
            "manifest.json",
            "overview.png",
        ]
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"][:2] == ["simkz", "run"]
    assert {i["path"].rsplit("/", 1)[-1] for i in manifest["inputs"]} == {
        "toy-gateway-failure.yaml",
        "toy-base.yaml",
        "toy.yaml",
    }


def test_default_out_is_results_scenario_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("run", str(SCENARIOS / "toy-messenger-block.yaml"), "--figures", "none", "--quiet")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "results" / "toy-messenger-block" / "summary.json").is_file()


def test_validate_ok_and_list_and_schema():
    res = invoke("validate", str(SCENARIOS / "toy-messenger-block.yaml"), str(TOY))
    assert res.exit_code == 0 and res.stdout.count("ok:") == 2
    listing = invoke("list").stdout
    assert "toy-partial-restoration" in listing and "toy " in listing
    schema = json.loads(invoke("schema").stdout)
    assert schema["additionalProperties"] is False
    assert "actions" in schema["properties"]


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["parameters"]])
def test_help_and_parameters(args):
    assert invoke(*args).exit_code == 0


def test_validate_checks_the_cost_file_of_a_topology(tmp_path):
    import shutil

    topo = tmp_path / "toy.yaml"
    shutil.copy(TOY, topo)
    (tmp_path / "costs").mkdir()
    bad = (TOY.parent / "costs" / "toy.yaml").read_text().replace("mobile_value_share", "mobile_value_shar")
    (tmp_path / "costs" / "toy.yaml").write_text(bad)
    assert_one_line_error(invoke("validate", str(topo)), "mobile_value_shar", "unknown key")


def test_a_closed_pipe_is_not_an_internal_error():
    proc = subprocess.run(
        f"{sys.executable} -m simkz schema | head -1", shell=True, capture_output=True, text=True, check=False
    )
    assert "internal error" not in proc.stderr
    proc = subprocess.run(f"{sys.executable} -m simkz list | head -1", shell=True, capture_output=True, text=True)
    assert proc.stdout.startswith("scenarios:")
    assert "internal error" not in proc.stderr

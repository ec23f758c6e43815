"""`simkz check` and `simkz baseline update`: a moved metric fails with a table; an update passes again."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner

from simkz.cli.main import cli
from tests.conftest import SCENARIOS, TOY, write_yaml

pytest_plugins = ["pytester"]


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path):
    """A scenario on a private copy of the toy topology, so a test can change the model."""
    topo = tmp_path / "toy.yaml"
    shutil.copy(TOY, topo)
    (tmp_path / "costs").mkdir()
    shutil.copy(TOY.parent / "costs" / "toy.yaml", tmp_path / "costs" / "toy.yaml")
    scenario = yaml.safe_load((SCENARIOS / "toy-gateway-failure.yaml").read_text())
    scenario.update(
        yaml.safe_load((SCENARIOS / "toy-base.yaml").read_text()) | {"name": "gw", "actions": scenario["actions"]}
    )
    scenario.pop("extends", None)
    scenario["topology"] = "toy.yaml"
    return write_yaml(tmp_path / "gw.yaml", scenario), topo


def test_changed_model_fails_check_with_a_table_and_update_makes_it_pass(tmp_path, project):
    scenario, topo = project
    base = tmp_path / "baselines"
    assert invoke("baseline", "update", scenario, "--dir", base).exit_code == 0
    assert invoke("run", scenario, "--out", tmp_path / "r1", "--figures", "none").exit_code == 0
    same = invoke("check", tmp_path / "r1", "--baseline", base / "gw")
    assert same.exit_code == 0, same.output

    # a model parameter changes: the surviving gateway's capacity grows from 400 to 500 Gbps
    topo.write_text(
        topo.read_text().replace(
            "gw-2--abroad:           {ends: [gw-2, abroad], capacity_gbps: 400",
            "gw-2--abroad:           {ends: [gw-2, abroad], capacity_gbps: 500",
        )
    )
    assert invoke("run", scenario, "--out", tmp_path / "r2", "--figures", "none").exit_code == 0
    moved = invoke("check", tmp_path / "r2", "--baseline", base / "gw", "--max-rows", "0")
    assert moved.exit_code == 1
    header = moved.stdout.splitlines()[1].split()
    assert header == ["metric", "baseline", "new", "difference", "ratio", "direction"]
    assert "summary.national.min_connectivity_index_pct" in moved.stdout
    assert "national.connectivity_index_pct[" in moved.stdout
    # 75% before; with 500 Gbps for 600: (200 + 500) / 800 = 87.5%
    line = next(x for x in moved.stdout.splitlines() if x.startswith("summary.national.min_connectivity_index_pct"))
    assert line.split()[1:] == ["75", "87.5", "12.5", "1.16667", "up"]

    updated = invoke("baseline", "update", scenario, "--dir", base)
    assert "summary.json" in updated.stdout and "changed" in updated.stdout
    assert invoke("check", tmp_path / "r2", "--baseline", base / "gw").exit_code == 0


def test_tolerances_per_metric(tmp_path, project):
    scenario, topo = project
    base = tmp_path / "baselines"
    invoke("baseline", "update", scenario, "--dir", base)
    topo.write_text(topo.read_text().replace("peak_mbps: 1.0", "peak_mbps: 1.000001"))
    invoke("run", scenario, "--out", tmp_path / "r", "--figures", "none")
    assert invoke("check", tmp_path / "r", "--baseline", base / "gw").exit_code == 1
    assert invoke("check", tmp_path / "r", "--baseline", base / "gw", "--rtol", "1e-5").exit_code == 0
    tol = write_yaml(tmp_path / "tol.yaml", {"default": {"rtol": 1e-12}, "metrics": {"*": {"rtol": 1e-5}}})
    assert invoke("check", tmp_path / "r", "--baseline", base / "gw", "--tolerances", tol).exit_code == 0
    only_index = write_yaml(tmp_path / "tol2.yaml", {"metrics": {"*connectivity_index_pct*": {"rtol": 1e-5}}})
    res = invoke("check", tmp_path / "r", "--baseline", base / "gw", "--tolerances", only_index)
    assert res.exit_code == 1
    assert "connectivity_index_pct" not in res.stdout
    assert "traffic_baseline_gbps" in res.stdout


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda d: ["check", d / "missing", "--baseline", d], "folder not found"),
        (
            lambda d: ["check", d, "--baseline", d, "--tolerances", write_yaml(d / "t.yaml", {"defualt": {}})],
            "unknown key 'defualt'",
        ),
        (
            lambda d: [
                "check",
                d,
                "--baseline",
                d,
                "--tolerances",
                write_yaml(d / "t.yaml", {"default": {"rtol": -1}}),
            ],
            "default.rtol",
        ),
        (lambda d: ["baseline", "update", "nowhere.yaml", "--dir", d], "scenario not found"),
        (lambda d: ["baseline", "update", "toy-base", "--dir", d, "--tables", "by_city"], "unknown table"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, make, needle):
    (tmp_path / "summary.json").write_text("{}")
    res = invoke(*make(tmp_path))
    assert res.exit_code == 2, res.output
    assert len(res.stderr.strip().splitlines()) == 1
    assert needle in res.stderr


def test_the_pytest_plugin_in_a_users_suite(pytester, project):
    scenario, topo = project
    pytester.makepyfile(
        test_model=f"""
        def test_gw(simkz_regression):
            result = simkz_regression({str(scenario)!r}, "baselines")
            assert result.name == "gw"
        """
    )
    missing = pytester.runpytest_subprocess()
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*no baseline here*"])
    # printed once in the failure's report (pytest's short summary line repeats it, as for every failure)
    assert sum("no baseline here" in line and not line.startswith("FAILED") for line in missing.outlines) == 1
    pytester.runpytest_subprocess("--simkz-update-baselines").assert_outcomes(passed=1)
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    topo.write_text(topo.read_text().replace("capacity_gbps: 400", "capacity_gbps: 300"))
    moved = pytester.runpytest_subprocess()
    moved.assert_outcomes(failed=1)
    moved.stdout.fnmatch_lines(
        ["*differ from the baseline*", "*national.connectivity_index_pct*", "*--simkz-update-baselines*"]
    )


def test_check_compares_the_region_technology_table(tmp_path, run_toy):
    from simkz.results.compare import Tolerances, compare_folders

    result = run_toy([{"at": "2022-01-05T14:00+06:00", "shutdown": {"kind": "access", "tech": "mobile"}}])
    new = result.save(tmp_path / "new")
    base = result.save(tmp_path / "base", tables=["by_region_technology"], provenance=False)
    assert compare_folders(new, base, Tolerances()) == []
    path = base / "by_region_technology.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("connectivity_index_pct")
    row = next(i for i, line in enumerate(lines) if ",north,mobile," in line and line.split(",")[col] == "0")
    cells = lines[row].split(",")
    cells[col] = "50"
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    moved = compare_folders(new, base, Tolerances())
    assert [m.metric.split("[")[0] for m in moved] == ["by_region_technology.connectivity_index_pct"]
    assert "north, mobile" in moved[0].metric

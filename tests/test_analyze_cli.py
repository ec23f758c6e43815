"""`simkz analyze`: printed findings, the results folder (one topology and side by side), bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simkz.cli.main import cli
from tests.conftest import TOPOLOGIES, TOY, write_yaml

TOPOLOGY_TABLES = (
    "single_failures",
    "single_failures_by_service",
    "pair_failures",
    "min_cuts",
    "one_order",
    "concentration",
    "chokepoints",
)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_analyze_toy_prints_and_writes_every_table(tmp_path):
    out = tmp_path / "toy-analysis"
    result = invoke("analyze", "toy", "--out", str(out), "--top", "3")
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Single points of failure (exact)" in text and "abroad" in text and "2.00 M" in text
    assert "central-management | 2     | 2.00 M      | 100.0%" in text
    assert "by controller 10,000; by operator 5,000; by border 5,000" in text
    assert "exact, every one of the 378 pairs of 28 elements" in text
    assert f"results: {out}" in text
    for name in TOPOLOGY_TABLES:
        assert (out / f"{name}.csv").is_file(), name
    assert (out / "analysis.png").stat().st_size > 0 and (out / "analysis.svg").stat().st_size > 0
    single = rows(out / "single_failures.csv")
    assert [r["element"] for r in single[:3]] == ["abroad", "a-core", "b-core"]
    assert float(single[0]["users_cut_abroad_persons"]) == 2_000_000 and single[0]["users_cut_abroad_share"] == "1"
    summary = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert summary["topology"]["name"] == "toy" and summary["sizes"]["elements"] == 28
    assert summary["pairs"]["method"] == "exact" and summary["pairs"]["pairs_with_joint_users"] == 4
    assert summary["concentration"]["hhi"] == {"controller": 10000.0, "operator": 5000.0, "border": 5000.0}
    assert len(summary["single_failures"]["top"]) == 3
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["simkz_version"] and manifest["command"][:3] == ["simkz", "analyze", "toy"]
    assert [Path(f["path"]).name for f in manifest["inputs"]] == ["toy.yaml", "toy.yaml"]


def test_analyze_side_by_side(tmp_path):
    out = tmp_path / "both"
    result = invoke("analyze", "kz-2022", "kz-decentralised", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Side by side:" in result.output
    table = rows(out / "comparison.csv")
    assert list(table[0]) == ["metric", "unit", "kz-2022", "kz-decentralised"]
    by_metric = {r["metric"]: r for r in table}
    hhi = by_metric["HHI of capacity abroad by controller"]
    assert float(hhi["kz-2022"]) == pytest.approx(10000) and float(hhi["kz-decentralised"]) < 5000
    central = by_metric["one order of central-management: cut off"]
    assert float(central["kz-2022"]) == pytest.approx(1.0) and central["kz-decentralised"] == ""
    assert by_metric["nodes"]["kz-2022"] == "121" and by_metric["nodes"]["kz-decentralised"] == "123"
    for name in ("kz-2022", "kz-decentralised"):
        assert (out / name / "single_failures.csv").is_file() and (out / name / "analysis.json").is_file()
    assert (out / "manifest.json").is_file()
    line = next(x for x in result.output.splitlines() if x.strip().startswith("HHI of capacity abroad by controller"))
    assert "10,000" in line and "3,350" in line


def test_analyze_without_out_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("analyze", str(TOY))
    assert result.exit_code == 0 and "results:" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_folder_is_the_same_byte_for_byte_and_replaced_on_a_second_run(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert invoke("analyze", "toy", "--out", str(a)).exit_code == 0
    assert invoke("analyze", "toy", "--out", str(b)).exit_code == 0
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        if name != "manifest.json":  # holds the wall time
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
    (a / "single_failures.csv").write_text("stale\n", encoding="utf-8")
    assert invoke("analyze", "toy", "--out", str(a)).exit_code == 0  # a folder simkz wrote: replaced
    assert (a / "single_failures.csv").read_bytes() == (b / "single_failures.csv").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-topology"], "topology not found"),
        (["toy", "toy"], "two topologies of the comparison have this name"),
    ],
)
def test_bad_topologies_exit_2_with_one_line(args, message):
    result = invoke("analyze", *args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("simkz: error:") and message in lines[0]


def test_bad_topology_file_exits_2_naming_it(tmp_path):
    bad = write_yaml(tmp_path / "bad.yaml", {"extends": str(TOY), "nodes": {"gw-1": {"kind": "satellite"}}})
    result = invoke("analyze", str(bad))
    assert result.exit_code == 2 and "bad.yaml" in result.output and "satellite" in result.output


def test_bad_options_exit_2():
    for args in (["--top", "0"], ["--pairs-sample", "0"], ["--seed", "-1"]):
        result = invoke("analyze", "toy", *args)
        assert result.exit_code == 2, args


def test_folder_simkz_did_not_write_is_left_alone(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n", encoding="utf-8")
    result = invoke("analyze", "toy", "--out", str(out))
    assert result.exit_code == 2 and "was not written by simkz" in result.output
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    file = tmp_path / "file"
    file.write_text("x", encoding="utf-8")
    assert invoke("analyze", "toy", "--out", str(file)).exit_code == 2
    assert file.read_text(encoding="utf-8") == "x"


def test_topology_given_by_path(tmp_path):
    variant = write_yaml(tmp_path / "variant.yaml", {"extends": str(TOPOLOGIES / "toy.yaml"), "name": "variant"})
    result = invoke("analyze", str(variant), "toy")
    assert result.exit_code == 0, result.output
    assert "variant: 13 nodes" in result.output and "toy: 13 nodes" in result.output


def test_as_level_cut_offs_and_chokepoints_follow_the_routing(tmp_path):
    fixtures = Path(__file__).parent / "fixtures" / "aslevel"
    found = {}
    for routing in ("ecmp", "valley-free"):
        topology = tmp_path / f"{routing}.json"
        built = invoke(
            "build",
            "as-level",
            "--relationships",
            str(fixtures / "valley.as-rel2.txt"),
            "--users",
            str(fixtures / "users.csv"),
            "--country",
            "KZ",
            "--routing",
            routing,
            "-o",
            str(topology),
        )
        assert built.exit_code == 0, built.output
        out = tmp_path / routing
        result = invoke("analyze", str(topology), "--out", str(out))
        assert result.exit_code == 0
        summary = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
        single = {r["element"]: float(r["users_cut_abroad_persons"]) for r in rows(out / "single_failures.csv")}
        found[routing] = (summary, single, rows(out / "chokepoints.csv"), result.output)
    (ecmp, ecmp_single, ecmp_choke, ecmp_text), (free, free_single, free_choke, free_text) = found.values()
    assert (ecmp["reachability"], free["reachability"]) == ("structural", "valley-free")
    assert "Reachability: structural" in ecmp_text and "Reachability: valley-free" in free_text
    # shutting AS64498 cuts AS64496's and AS64499's users off under valley-free routing only
    assert "AS64498" not in ecmp_single and free_single["AS64498"] == 700_000
    assert free["single_failures"]["top"][0]["element"] == "AS64498"
    assert free["min_cuts"]["smallest_vertex_cut"]["nodes"] == ["AS64497", "AS64498"]
    assert "integer programme" in free["min_cuts"]["method"] and "maximum flow" in ecmp["min_cuts"]["method"]
    assert ecmp_choke != free_choke  # whose paths cross whom depends on the routing

"""`simkz compare A B`: replications paired by index on common random numbers, the paired differences and their
bands, folders refused when their seeds differ, and the same bytes whatever the number of workers."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from simkz.cli.main import cli
from tests.conftest import TOY, write_yaml

#: A toy day with an uncertain gateway failure: which share of the south's access is cut, and when, differ by run.
UNCERTAIN: dict[str, Any] = {
    "name": "toy-uncertain-failure",
    "topology": str(TOY),
    "start": "2022-01-05T12:00+06:00",
    "duration": "24h",
    "step": "15min",
    "seed": 5,
    "actions": [
        {
            "at": "2022-01-05T14:00+06:00",
            "until": "2022-01-05T20:00+06:00",
            "shutdown": {"kind": "access", "regions": ["south"], "share": {"dist": "uniform", "low": 0.1, "high": 0.9}},
        },
        {
            "at": "2022-01-05T18:00+06:00",
            "until": "2022-01-06T02:00+06:00",
            "shutdown": {"nodes": ["gw-1"]},
        },
    ],
}


def scenario(tmp_path: Path, name: str, **fields: Any) -> Path:
    return write_yaml(tmp_path / f"{name}.yaml", {**UNCERTAIN, "name": name, **fields})


def longer_failure(tmp_path: Path) -> Path:
    """The same draws, and the gateway down six hours longer."""
    actions = [dict(a) for a in UNCERTAIN["actions"]]
    actions[1] = {**actions[1], "until": "2022-01-06T08:00+06:00"}
    return scenario(tmp_path, "longer", actions=actions)


def invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_scenario_against_itself_differs_by_exactly_zero(tmp_path: Path) -> None:
    a = scenario(tmp_path, "a")
    out = tmp_path / "same"
    result = invoke("compare", a, a, "--replications", 4, "--workers", 1, "--out", out)
    assert result.exit_code == 0, result.output
    paired = rows(out / "paired.csv")
    assert {r["replication"] for r in paired} == {"r0000", "r0001", "r0002", "r0003"}
    assert all(float(r["difference"]) == 0.0 and r["a"] == r["b"] for r in paired)
    # the replications differ from one another, so a zero difference means they were paired by index
    share = [float(r["a"]) for r in paired if r["metric"] == "scenario.draws.actions[0].shutdown.share"]
    assert len(share) == 4 and len(set(share)) == 4
    lost = {r["replication"]: float(r["a"]) for r in paired if r["metric"] == "national.user_hours_lost"}
    assert len(set(lost.values())) == 4
    bands = {r["metric"]: r for r in rows(out / "paired_bands.csv")}
    assert {"national.user_hours_lost", "by_region.south.user_hours_lost"} <= set(bands)
    assert all(float(v) == 0.0 for k, v in bands["national.user_hours_lost"].items() if k.startswith("difference"))


def test_a_longer_failure_loses_more_in_every_replication(tmp_path: Path) -> None:
    a, b = scenario(tmp_path, "a"), longer_failure(tmp_path)
    out = tmp_path / "longer"
    assert invoke("compare", a, b, "--replications", 4, "--workers", 1, "--out", out).exit_code == 0
    paired = [r for r in rows(out / "paired.csv") if r["metric"] == "national.user_hours_lost"]
    assert len(paired) == 4
    for r in paired:  # same draws: B is A plus six more hours with one gateway of two down
        assert float(r["difference"]) > 0
        assert float(r["difference"]) == pytest.approx(float(r["b"]) - float(r["a"]), rel=1e-9)
    draws = [r for r in rows(out / "paired.csv") if r["metric"].startswith("scenario.draws.")]
    assert draws and all(float(r["difference"]) == 0.0 for r in draws)  # common random numbers
    band = {r["metric"]: r for r in rows(out / "paired_bands.csv")}["national.user_hours_lost"]
    assert float(band["difference_q05"]) > 0
    mean = sum(float(r["difference"]) for r in paired) / 4
    assert float(band["difference_mean"]) == pytest.approx(mean, rel=1e-9)


def test_toy_gateway_failure_against_toy_base(tmp_path: Path) -> None:
    out = tmp_path / "toy"
    result = invoke("compare", "toy-gateway-failure", "toy-base", "--replications", 2, "--workers", 1, "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "a" / "replications" / "r0001" / "summary.json").is_file()
    assert (out / "b" / "summary_bands.csv").is_file()
    band = {r["metric"]: r for r in rows(out / "paired_bands.csv")}
    # one of two equal gateways down: the base loses nothing, so B - A is minus what the failure loses
    assert float(band["national.user_hours_lost"]["a_mean"]) > 0
    assert float(band["national.user_hours_lost"]["b_mean"]) == 0
    assert float(band["national.user_hours_lost"]["difference_mean"]) == -float(
        band["national.user_hours_lost"]["a_mean"]
    )
    assert float(band["national.min_connectivity_index_pct"]["difference_mean"]) > 0
    table = [line for line in result.output.splitlines() if line.strip().startswith("user_hours_lost")]
    assert len(table) == 1 and table[0].count("|") == 3
    assert "B - A mean [q05, q95]" in result.output


def test_the_same_bytes_with_one_and_two_workers(tmp_path: Path) -> None:
    a, b = scenario(tmp_path, "a"), longer_failure(tmp_path)
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke("compare", a, b, "--replications", 4, "--workers", 1, "--out", one).exit_code == 0
    assert invoke("compare", a, b, "--replications", 4, "--workers", 2, "--out", two).exit_code == 0
    assert digests(one) == digests(two)
    assert {"paired.csv", "paired_bands.csv", "manifest.json"} <= set(digests(one))


def test_folders_pair_by_replication_and_refuse_other_seeds(tmp_path: Path) -> None:
    a, b = scenario(tmp_path, "a"), longer_failure(tmp_path)
    for name, path, seed in (("fa", a, 5), ("fb", b, 5), ("fc", b, 6)):
        args = ("run", path, "--replications", 3, "--workers", 1, "--seed", seed, "--tables", "national")
        assert invoke(*args, "--out", tmp_path / name).exit_code == 0
    out = tmp_path / "folders"
    assert invoke("compare", tmp_path / "fa", tmp_path / "fb", "--out", out, "--quiet").exit_code == 0
    from_folders = rows(out / "paired.csv")
    assert not (out / "a").exists()
    ran = tmp_path / "ran"
    assert invoke("compare", a, b, "--replications", 3, "--workers", 1, "--out", ran).exit_code == 0
    assert from_folders == rows(ran / "paired.csv")

    refused = tmp_path / "refused"
    result = CliRunner().invoke(cli, ["compare", str(tmp_path / "fa"), str(tmp_path / "fc"), "--out", str(refused)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "seed 6" in result.output and "seed 5" in result.output
    assert not refused.exists()


def test_an_output_folder_simkz_did_not_write_is_refused(tmp_path: Path) -> None:
    a = scenario(tmp_path, "a")
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep", encoding="utf-8")
    result = CliRunner().invoke(cli, ["compare", str(a), str(a), "--workers", "1", "--out", str(out)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep"

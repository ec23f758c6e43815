"""Same scenario and seed: the same bytes, in another process, with another PYTHONHASHSEED.

Only ``manifest.json`` may differ (it holds the wall time and the command); nothing else holds a
wall-clock value.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SCENARIOS

SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def simkz(*args: str, hashseed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    subprocess.run([sys.executable, "-m", "simkz", *args], check=True, env=env, capture_output=True)


def test_every_shipped_scenario_gives_the_same_bytes_in_two_processes(tmp_path):
    simkz("baseline", "update", *SHIPPED, "--dir", str(tmp_path / "a"), hashseed="1")
    simkz("baseline", "update", *SHIPPED, "--dir", str(tmp_path / "b"), hashseed="4242")
    a, b = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert len(a) == len(SHIPPED) * 7  # summary and six tables each
    assert a == b


def test_figures_and_columns_are_stable_too(tmp_path):
    partial = str(SCENARIOS / "toy-partial-restoration.yaml")
    for name, seed in (("a", "1"), ("b", "12345")):
        simkz("run", partial, "--out", str(tmp_path / name), "--figures", "png,svg", "--quiet", hashseed=seed)
    a, b = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert {"overview.png", "overview.svg", "columns.json", "summary.json"} <= set(a)
    assert a == b


def test_plot_gives_the_same_bytes_in_two_processes(tmp_path):
    partial = str(SCENARIOS / "toy-partial-restoration.yaml")
    simkz("run", partial, "--out", str(tmp_path / "r"), "--figures", "none", "--quiet", hashseed="0")
    for name, seed in (("a", "1"), ("b", "12345")):
        simkz("plot", str(tmp_path / "r"), "--out", str(tmp_path / name), "--animate", hashseed=seed)
    a, b = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert {"overview.svg", "services.png", "disruptions.svg", "regions.png", "network.svg", "network.gif"} <= set(a)
    assert a == b


def test_only_the_manifest_holds_wall_clock_values(tmp_path):
    simkz("run", "toy-base", "--out", str(tmp_path / "r"), "--figures", "none", "--quiet", hashseed="0")
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["wall_time_s"] > 0
    summary = (tmp_path / "r" / "summary.json").read_text()
    assert "wall" not in summary and str(tmp_path) not in summary

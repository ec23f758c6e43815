"""Same scenario and seed: the same bytes (manifest aside, which holds the wall time)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SCENARIOS

PARTIAL = SCENARIOS / "toy-partial-restoration.yaml"


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.name != "manifest.json"
    }


def run_in_process(out: Path, hashseed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    subprocess.run(
        [sys.executable, "-m", "simkz", "run", str(PARTIAL), "--out", str(out), "--figures", "png,svg", "--quiet"],
        check=True,
        env=env,
        capture_output=True,
    )


def test_same_seed_same_bytes_across_processes(tmp_path):
    run_in_process(tmp_path / "a", "1")
    run_in_process(tmp_path / "b", "12345")
    a, b = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert set(a) >= {"national.csv", "summary.json", "overview.png", "overview.svg"}
    assert a == b

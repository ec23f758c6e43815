"""The reference run against the measurement record: it scores within the observations' tolerances, and a
deliberately wrong run does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from simkz import Simulation, load_scenario
from simkz.analysis.observations import load_observations
from simkz.analysis.score import Score, score_run
from tests.conftest import ROOT, SCENARIOS, write_yaml

OBSERVED = ROOT / "observations" / "kz-jan-2022.yaml"


def run_and_score(path: Path) -> Score:
    result = Simulation(load_scenario(path)).run().result
    return score_run(result, load_observations(OBSERVED))


def variant(tmp_path: Path, keep: Any) -> Path:
    """The reference scenario with only the actions for which ``keep(action)`` holds."""
    data = yaml.safe_load((SCENARIOS / "kz-jan-2022.yaml").read_text(encoding="utf-8"))
    data["actions"] = [a for a in data["actions"] if keep(a)]
    return write_yaml(tmp_path / "variant.yaml", data)


@pytest.fixture(scope="module")
def reference() -> Score:
    return run_and_score(SCENARIOS / "kz-jan-2022.yaml")


def test_the_reference_run_scores_within_the_observations_tolerances(reference):
    assert reference.passed, "\n".join(reference.failures())
    # every series and event of the record lies inside the run: nothing passes by being skipped
    assert reference.skipped_points == 0
    assert reference.skipped_events == 0
    assert {s.signal for s in reference.series} >= {"traffic", "probing", "bgp"}


def test_a_run_without_the_restoration_windows_fails(tmp_path):
    path = variant(tmp_path, lambda a: "windows" not in a or "restore" not in a)
    score = run_and_score(path)
    assert not score.passed
    missed = [e.name for e in score.events if not e.passed and not e.skipped]
    assert any("night window opens" in name for name in missed)
    assert any("afternoon window opens" in name for name in missed)
    assert any("morning window opens (8 January)" in name for name in missed)


def test_an_all_or_nothing_mobile_cut_on_4_january_fails(tmp_path):
    # the record: mobile traffic fell on 4 January 'not to zero' (throttling). Cut it whole instead, at once.
    def keep(action: dict[str, Any]) -> bool:
        return "degrade" not in action or "tech" not in action["degrade"]

    data = yaml.safe_load(variant(tmp_path, keep).read_text(encoding="utf-8"))
    data["actions"].append(
        {"at": "2022-01-04T20:30+06:00", "shutdown": {"kind": "access", "tech": "mobile"}, "assumption": "test"}
    )
    score = run_and_score(write_yaml(tmp_path / "all-or-nothing.yaml", data))
    assert not score.passed
    failed = [e.name for e in score.events if not e.passed]
    assert any("Kcell traffic drops" in name for name in failed)

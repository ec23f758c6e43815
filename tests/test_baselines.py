"""simkz's own regression baselines: every shipped scenario against tests/baselines/ (via the plugin).

After an intended change: ``python -m pytest tests/test_baselines.py --simkz-update-baselines``
(or ``simkz baseline update ... --dir tests/baselines --tables national,by_service``), then review
``git diff tests/baselines``.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, SCENARIOS

BASELINES = ROOT / "tests" / "baselines"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_matches_its_baseline(simkz_regression, scenario):
    simkz_regression(scenario, BASELINES)


def test_every_shipped_scenario_has_a_baseline():
    assert sorted(p.name for p in BASELINES.iterdir()) == sorted(p.stem for p in SCENARIOS.glob("*.yaml"))

"""The simkz pytest plugin: a fixture that runs a scenario and compares it with its baseline.

In a test::

    def test_my_scenario(simkz_regression):
        simkz_regression("scenarios/my-scenario.yaml", baseline_dir="tests/baselines")

The test fails with a table of the moved metrics when the results differ from
``tests/baselines/<scenario name>/``. ``pytest --simkz-update-baselines`` rewrites the
baselines instead; review them with ``git diff``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simkz.errors import SimkzError
from simkz.results.compare import format_mismatches
from simkz.results.run import RunResult
from simkz.testing.regression import run_and_compare

__all__ = ["pytest_addoption", "simkz_regression"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("simkz")
    group.addoption(
        "--simkz-update-baselines",
        action="store_true",
        default=False,
        help="Rewrite simkz baselines from the current results instead of comparing with them.",
    )


@pytest.fixture
def simkz_regression(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., RunResult]:
    """Return ``check(scenario, baseline_dir, *, rtol=None, atol=None, tolerances=None) -> RunResult``."""
    update = bool(request.config.getoption("--simkz-update-baselines"))

    def check(scenario: str | Path, baseline_dir: str | Path, **options: Any) -> RunResult:
        failure: str | None = None
        try:
            result, mismatches, folder = run_and_compare(scenario, baseline_dir, tmp_path, update=update, **options)
        except SimkzError as exc:
            failure = str(exc)  # failed outside the handler, so pytest prints the message once
        if failure is not None:
            pytest.fail(failure, pytrace=False)
        if mismatches:
            pytest.fail(
                f"{len(mismatches)} metric(s) differ from the baseline {folder}:\n"
                f"{format_mismatches(mismatches)}\n"
                "If the change is intended: pytest --simkz-update-baselines, then review `git diff`.",
                pytrace=False,
            )
        return result

    return check

"""Random failures: bad `random_failures:` and `reliability:` sections are one error line naming the key path."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from simkz import load_scenario
from simkz.cli.main import cli
from simkz.errors import InputError
from simkz.scenario.load import MAX_TRACE_VALUES

RELIABILITY = {
    "crews": 2,
    "assumption": "test",
    "nodes": {"gateway": {"mtbf_h": 1000, "mttr_h": 4, "assumption": "test"}},
}


def _error(toy_scenario, **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as info:
        load_scenario(toy_scenario([], **kwargs))
    return info.value


@pytest.mark.parametrize(
    ("failures", "path", "fragment"),
    [
        (
            {"crews": 1, "links": {"cross-border": {"mtbf_h": -5, "mttr_h": 4}}},
            "random_failures.links.cross-border.mtbf_h",
            "out of range",
        ),
        (
            {"crews": 1, "nodes": {"router": {"mtbf_h": 100, "mttr_h": 4}}},
            "random_failures.nodes.router",
            "unknown key",
        ),
        (
            {"crews": 0, "nodes": {"gateway": {"mtbf_h": 100, "mttr_h": 4}}},
            "random_failures.crews",
            "greater than or equal to 1",
        ),
        ({"crews": 1.5}, "random_failures.crews", "integer"),
        (
            {"crews": 1, "nodes": {"gateway": {"mtbf_h": 100, "mttr_h": "4h"}}},
            "random_failures.nodes.gateway.mttr_h",
            "distribution",
        ),
        (
            {"crews": 1, "nodes": {"gateway": {"mtbf_h": {"dist": "uniform", "low": 0, "high": 50}, "mttr_h": 4}}},
            "random_failures.nodes.gateway.mtbf_h.low",
            "out of range",
        ),
        ({"crews": 1, "nodes": {"gateway": {"mtbf_h": 100}}}, "random_failures.nodes.gateway.mttr_h", "gives no rate"),
        ({"nodes": {"gateway": {"mtbf_h": 100, "mttr_h": 4}}}, "random_failures.crews", "no reliability section"),
        ({"crews": 1, "repair_sd_log": 9}, "random_failures.repair_sd_log", "less than or equal to 3"),
        ({"crews": 1, "gateways": {}}, "random_failures.gateways", "unknown key"),
    ],
)
def test_bad_random_failures_name_their_key_path(toy_scenario, failures, path, fragment):
    err = _error(toy_scenario, random_failures=failures)
    line = str(err)
    assert "\n" not in line
    assert f": {path}:" in line or line.endswith(f": {path}") or f" {path}:" in line, line
    assert fragment in line, line


@pytest.mark.parametrize(
    ("reliability", "path", "fragment"),
    [
        (
            {**RELIABILITY, "nodes": {"gateway": {"mtbf_h": 0, "mttr_h": 4}}},
            "reliability.nodes.gateway.mtbf_h",
            "greater than or equal to 1",
        ),
        ({**RELIABILITY, "links": {"fibre": {"mtbf_h": 100, "mttr_h": 4}}}, "reliability.links.fibre", "unknown key"),
        ({**RELIABILITY, "crews": "six"}, "reliability.crews", "integer"),
        ({"nodes": RELIABILITY["nodes"]}, "reliability.crews", "missing"),
        (
            {**RELIABILITY, "nodes": {"core": {"mtbf_h": 100, "mttr_h": 1e9}}},
            "reliability.nodes.core.mttr_h",
            "less than or equal to",
        ),
    ],
)
def test_bad_reliability_sections_name_their_key_path(toy_scenario, reliability, path, fragment):
    err = _error(toy_scenario, topology={"reliability": reliability}, random_failures={})
    line = str(err)
    assert path in line and fragment in line, line


def test_the_topology_rates_fill_what_the_scenario_leaves_out(toy_scenario):
    path = toy_scenario(
        [], topology={"reliability": RELIABILITY}, random_failures={"nodes": {"gateway": {"mttr_h": 9}}}
    )
    settings = load_scenario(path).failures
    assert settings is not None and settings.crews == 2
    rate = settings.rate("node", "gateway")
    assert rate is not None and (rate.mtbf_h, rate.mttr_h) == (1000.0, 9.0)
    assert settings.rate("link", "access") is None


def test_a_kind_the_topology_lacks_is_a_warning_and_so_is_nothing_to_fail(toy_scenario):
    scenario = load_scenario(
        toy_scenario([], random_failures={"crews": 1, "links": {"transit": {"mtbf_h": 10, "mttr_h": 1}}})
    )
    assert any("random_failures.links.transit" in w and "no link of this kind" in w for w in scenario.warnings)
    assert any("no element of topology 'toy' can fail" in w for w in scenario.warnings)


def test_too_many_expected_failures_are_refused_before_the_run(toy_scenario):
    failures = {"crews": 1, "links": {"access": {"mtbf_h": 1, "mttr_h": 0.01}}}
    err = _error(toy_scenario, random_failures=failures, duration="3000d", step="1d")
    assert err.path == ("random_failures",)
    assert f"{MAX_TRACE_VALUES:,}" in str(err) and "failures" in str(err)


def test_validate_and_run_refuse_alike(toy_scenario, tmp_path):
    path = toy_scenario([], random_failures={"crews": 1, "nodes": {"gateway": {"mtbf_h": -1, "mttr_h": 1}}})
    for args in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2
        lines = [line for line in result.output.splitlines() if "error" in line]
        assert len(lines) == 1 and "random_failures.nodes.gateway.mtbf_h" in lines[0]
    assert not (tmp_path / "out").exists()

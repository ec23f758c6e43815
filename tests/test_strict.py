"""Strict file schemas: no value is coerced across types, numbers are finite, errors name the key path."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

from simkz.analysis.observations import ObservationsFile
from simkz.cli.main import cli
from simkz.errors import InputError
from simkz.inputs import validate_model
from simkz.results.compare import Tolerances
from simkz.scenario.schema import ScenarioFile
from simkz.topology.costs import CostSpec
from simkz.topology.schema import TopologyFile
from tests.conftest import TOPOLOGIES, TOY, write_yaml

SCENARIO: dict[str, Any] = {
    "name": "strict",
    "topology": str(TOY),
    "start": "2022-01-05T12:00+06:00",
    "duration": "2h",
    "actions": [{"at": "2022-01-05T13:00+06:00", "shutdown": {"kind": "access", "share": 0.5}, "assumption": "t"}],
}
TOY_DATA: dict[str, Any] = yaml.safe_load(TOY.read_text(encoding="utf-8"))
COSTS_DATA: dict[str, Any] = yaml.safe_load((TOPOLOGIES / "costs" / "toy.yaml").read_text(encoding="utf-8"))
OBSERVATIONS: dict[str, Any] = {
    "name": "obs",
    "series": [
        {
            "signal": "traffic",
            "source": "https://example.org/a",
            "points": [{"at": "2022-01-05T13:00+06:00", "value": 50}],
        }
    ],
}


def error_of(model: type[BaseModel], data: Any) -> InputError:
    with pytest.raises(InputError) as info:
        validate_model(model, data, "f.yaml")
    return info.value


def edited(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``data`` with the value at ``path`` set (or the key deleted for ``...``)."""
    out = copy.deepcopy(data)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("seed",), "7"),  # a string where a number belongs
        (("seed",), True),  # a bool where a number belongs
        (("seed",), 7.0),  # a float where an integer belongs
        (("name",), 2022),  # a number where a string belongs
        (("duration",), 2),
        (("actions", 0, "shutdown", "share"), "0.5"),
        (("actions", 0, "shutdown", "share"), True),
        (("actions", 0, "shutdown", "share"), float("nan")),
        (("actions", 0, "shutdown", "share"), float("inf")),
        (("actions", 0, "at"), 1641369600),
        (("actions", 0, "label"), 5),
    ],
)
def test_scenario_values_are_not_coerced(path, value):
    err = error_of(ScenarioFile, edited(SCENARIO, path, value))
    assert err.path == path, err
    assert err.value == value or value != value  # NaN is not equal to itself


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("links", "gw-1--abroad", "capacity_gbps"), "400"),
        (("links", "gw-1--abroad", "capacity_gbps"), float("inf")),
        (("links", "gw-1--abroad", "cost"), 1.5),
        (("services", "chat", "adoption"), True),
        (("services", "chat", "traffic_share"), "0.1"),
        (("regions", "north", "population"), "1000000"),
        (("regions", "north", "population"), 1.0e6),
        (("demand", "fixed", "peak_mbps"), float("inf")),
        (("demand", "fixed", "peak_mbps"), float("nan")),
        (("nodes", "abroad", "kind"), 3),
        (("operators", "telco-a", "asn", 0), "64500"),
        (("regions", "north", "position", 0), "0.0"),
        (("demand", "mobile", "hourly", 3), "0.5"),
    ],
)
def test_topology_values_are_not_coerced(path, value):
    err = error_of(TopologyFile, edited(TOY_DATA, path, value))
    assert err.path == path, err


def test_integers_pass_where_numbers_belong_and_lists_where_pairs_do():
    data = edited(TOY_DATA, ("links", "gw-1--abroad", "capacity_gbps"), 400)
    data = edited(data, ("regions", "north", "position"), [0, 1])
    spec = validate_model(TopologyFile, data, "f.yaml")
    assert spec.links["gw-1--abroad"].capacity_gbps == 400.0
    assert spec.regions["north"].position == (0.0, 1.0)
    assert spec.links["gw-1--abroad"].ends == ("gw-1", "abroad")
    windows = [["2022-01-05T12:30+06:00", "2022-01-05T13:00+06:00"]]
    act = {"windows": windows, "restore": {}, "assumption": "t"}
    daily = {"daily": {"from": "08:30", "to": "12:00"}, "between": ["2022-01-05", "2022-01-06"], "restore": {}}
    scenario = validate_model(ScenarioFile, {**SCENARIO, "actions": [act, daily]}, "f.yaml")
    assert scenario.actions[0].windows == [tuple(windows[0])]
    assert scenario.actions[1].between == ("2022-01-05", "2022-01-06")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("gdp_per_year", "millions"), "1000"),
        (("gdp_per_year", "millions"), float("inf")),
        (("internet_share_of_gdp", "value"), True),
        (("deloitte", "percent_of_daily_gdp", "high"), float("nan")),
    ],
)
def test_cost_values_are_not_coerced(path, value):
    err = error_of(CostSpec, edited(COSTS_DATA, path, value))
    assert err.path == path, err


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("series", 0, "points", 0, "value"), "50"),
        (("series", 0, "points", 0, "value"), float("nan")),
        (("series", 0, "points", 0, "value"), True),
        (("series", 0, "threshold_pct"), float("inf")),
        (("name",), 7),
    ],
)
def test_observation_values_are_not_coerced(path, value):
    assert validate_model(ObservationsFile, OBSERVATIONS, "f.yaml").series[0].points[0].value == 50.0
    err = error_of(ObservationsFile, edited(OBSERVATIONS, path, value))
    assert err.path == path, err


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"default": {"rtol": "1e-3"}}, ("default", "rtol")),
        ({"default": {"atol": float("inf")}}, ("default", "atol")),
        ({"default": {"atol": float("nan")}}, ("default", "atol")),
        ({"metrics": {"summary.*": {"rtol": True}}}, ("metrics", "summary.*", "rtol")),
    ],
)
def test_tolerances_are_strict(data, path):
    assert validate_model(Tolerances, {"default": {"rtol": 1, "atol": 0}}, "t.yaml").default.rtol == 1.0
    err = error_of(Tolerances, data)
    assert err.path == path, err


def test_unknown_key_in_a_union_member_names_its_path_and_the_allowed_keys():
    data = edited(TOY_DATA, ("services", "egov", "depends_on"), [{"service": "egov-id", "share": 0.5, "shar": 1}])
    err = error_of(TopologyFile, data)
    assert err.path == ("services", "egov", "depends_on", 0, "shar")
    assert err.problem == "unknown key 'shar'"
    assert err.allowed == "service, share"


def test_union_members_do_not_show_in_the_key_path():
    bad = {"at": "2022-01-05T13:00+06:00", "shutdown": {"operators": 5}, "assumption": "t"}
    err = error_of(ScenarioFile, {**SCENARIO, "actions": [bad]})
    assert err.path == ("actions", 0, "shutdown", "operators")
    err = error_of(TopologyFile, edited(TOY_DATA, ("services", "egov", "depends_on"), [5]))
    assert err.path == ("services", "egov", "depends_on", 0)


def test_missing_and_misnamed_keys_name_their_path():
    err = error_of(TopologyFile, edited(TOY_DATA, ("regions", "north", "population"), ...))
    assert (err.path, err.problem) == (("regions", "north", "population"), "required key is missing")
    data = edited(TOY_DATA, ("demand", "satellite"), TOY_DATA["demand"]["fixed"])
    err = error_of(TopologyFile, data)
    assert err.path == ("demand", "satellite")
    assert "mobile" in str(err.allowed) and "fixed" in str(err.allowed)


def test_unknown_keys_deep_in_a_file_list_every_allowed_key():
    data = edited(SCENARIO, ("actions", 0, "shutdown", "except"), {"region": "north"})
    err = error_of(ScenarioFile, data)
    assert err.path == ("actions", 0, "shutdown", "except", "region")
    allowed = set(str(err.allowed).split(", "))
    assert {"operators", "regions", "tech", "kind", "nodes", "controlled_by", "links"} <= allowed
    assert "except" not in allowed  # the exclusion has no exclusion of its own


def test_validate_reports_a_quoted_number_as_one_line(tmp_path):
    topo = write_yaml(tmp_path / "topo.yaml", edited(TOY_DATA, ("links", "gw-1--abroad", "capacity_gbps"), "400"))
    (tmp_path / "costs").mkdir()
    write_yaml(tmp_path / "costs" / "toy.yaml", COSTS_DATA)
    res = CliRunner().invoke(cli, ["validate", str(topo)])
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "links.gw-1--abroad.capacity_gbps" in lines[0] and "'400'" in lines[0]

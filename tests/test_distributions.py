"""Distributions wherever a number is uncertain: their draws, their checks, and what a run does with them.

Moments and frequencies are checked over N draws from a fixed seed, with tolerances of at least five
standard errors (stated beside each); truncation bounds are checked on every draw.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from simkz import Simulation, load_scenario
from simkz.cli.main import cli
from simkz.errors import InputError
from simkz.scenario.distributions import (
    KINDS,
    Choice,
    Fixed,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
    draw,
    is_distribution,
    number,
)
from simkz.scenario.load import Window, clip_windows
from simkz.scenario.parameters import PARAMETERS
from simkz.scenario.realise import realise, seed_record
from tests.conftest import ROOT, TOY, write_yaml

N = 40_000
SEED = 20220105


def draws(dist: Any, n: int = N, seed: int = SEED) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([dist.draw(rng) for _ in range(n)])


# --- each kind's draws ---------------------------------------------------------------------------------------


def test_uniform_moments_and_bounds():
    d = Uniform(dist="uniform", low=0.2, high=0.6)
    x = draws(d)
    assert x.min() >= 0.2 and x.max() <= 0.6
    assert abs(x.mean() - 0.4) < 0.003  # standard error 0.4 / sqrt(12 N) = 0.00058
    assert abs(x.var() / (0.4**2 / 12) - 1) < 0.03  # relative standard error of a variance about sqrt(0.8 / N)


def test_uniform_and_triangular_draw_numpys_numbers():
    """The inverse distribution functions use numpy's arithmetic, so a draw equals numpy's draw from the same
    state (and parameters drawn before the distributions module existed keep their values)."""
    for dist, numpy_draw in (
        (Uniform(dist="uniform", low=0.2, high=0.6), lambda r: r.uniform(0.2, 0.6)),
        (Triangular(dist="triangular", low=0.0, mode=0.2, high=1.0), lambda r: r.triangular(0.0, 0.2, 1.0)),
    ):
        mine, theirs = np.random.default_rng(7), np.random.default_rng(7)
        assert [dist.draw(mine) for _ in range(1000)] == [float(numpy_draw(theirs)) for _ in range(1000)]


def test_triangular_moments_and_bounds():
    a, c, b = 0.0, 0.2, 1.0
    x = draws(Triangular(dist="triangular", low=a, mode=c, high=b))
    assert x.min() >= a and x.max() <= b
    var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    assert abs(x.mean() - (a + b + c) / 3) < 5 * math.sqrt(var / N)
    assert abs(np.mean(x <= c) - (c - a) / (b - a)) < 0.01  # P(X <= mode); standard error 0.002


def test_truncated_normal_never_leaves_its_bounds_and_has_the_truncated_mean():
    mean, sd, low, high = 0.5, 0.2, 0.4, 0.9
    x = draws(Normal(dist="normal", mean=mean, sd=sd, low=low, high=high))
    assert x.min() >= low and x.max() <= high
    assert np.mean((x == low) | (x == high)) < 1e-3  # drawn inside, never clipped onto a bound
    unit = NormalDist()
    a, b = (low - mean) / sd, (high - mean) / sd
    expected = mean + sd * (unit.pdf(a) - unit.pdf(b)) / (unit.cdf(b) - unit.cdf(a))
    assert abs(x.mean() - expected) < 5 * x.std() / math.sqrt(N)
    # the shape of a truncated normal, not a uniform: more draws near the mean than near the upper bound
    assert np.mean(x < 0.5) > np.mean(x > 0.8)


def test_lognormal_median_mean_and_truncation():
    mu, sigma = -1.0, 0.5
    x = draws(LogNormal(dist="lognormal", mean_log=mu, sd_log=sigma))
    assert x.min() > 0
    assert abs(np.median(x) / math.exp(mu) - 1) < 0.02  # standard error of the median about 0.8%
    assert abs(x.mean() / math.exp(mu + sigma**2 / 2) - 1) < 0.02  # standard error about 0.27%
    cut = draws(LogNormal(dist="lognormal", mean_log=mu, sd_log=sigma, low=0.3, high=0.5))
    assert cut.min() >= 0.3 and cut.max() <= 0.5


@pytest.mark.parametrize(
    ("weights", "expected"), [([1, 1, 2], [0.25, 0.25, 0.5]), (None, [1 / 3] * 3), ([0, 3, 1], [0, 0.75, 0.25])]
)
def test_choice_frequencies(weights, expected):
    x = draws(Choice(dist="choice", values=[0.1, 0.5, 0.9], weights=weights))
    assert set(np.unique(x)) <= {0.1, 0.5, 0.9}
    for value, share in zip([0.1, 0.5, 0.9], expected, strict=True):
        assert abs(np.mean(x == value) - share) < 0.012  # standard error at most 0.0025


def test_fixed_is_its_value():
    assert set(draws(Fixed(dist="fixed", value=0.3), n=100)) == {0.3}


EVERY_KIND = [
    Uniform(dist="uniform", low=0, high=1),
    Triangular(dist="triangular", low=0, mode=0.5, high=1),
    Normal(dist="normal", mean=0.5, sd=0.1, low=0, high=1),
    LogNormal(dist="lognormal", mean_log=0, sd_log=1, high=5),
    Choice(dist="choice", values=[1, 2]),
    Fixed(dist="fixed", value=1),
]


def test_every_kind_is_tested_here():
    assert sorted(d.dist for d in EVERY_KIND) == sorted(KINDS)


@pytest.mark.parametrize("dist", EVERY_KIND, ids=lambda d: d.dist)
def test_each_distribution_takes_exactly_one_number(dist):
    mine, other = np.random.default_rng(3), np.random.default_rng(3)
    draw(dist, mine)
    other.random()
    assert mine.random() == other.random()


def test_a_plain_number_leaves_the_generator_untouched():
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    assert draw(0.25, rng) == 0.25
    assert rng.bit_generator.state == before


def test_an_unrealised_distribution_is_not_a_number():
    assert number(0.5) == 0.5
    with pytest.raises(TypeError, match="realise"):
        number(Fixed(dist="fixed", value=0.5))


def test_a_model_checks_itself_when_built():
    with pytest.raises(ValidationError, match="high must be above low"):
        Uniform(dist="uniform", low=1, high=0)
    with pytest.raises(ValidationError, match="probability"):
        Normal(dist="normal", mean=0, sd=0.01, low=0.5, high=0.9)


# --- bad distributions: one line, exit 2, from validate and run ---------------------------------------------------

BASE: dict[str, Any] = {
    "name": "dist-case",
    "topology": str(TOY),
    "start": "2022-01-05T12:00+06:00",
    "duration": "12h",
    "step": "15min",
}
AT = "2022-01-05T14:00+06:00"


def _degrade(pass_: Any) -> dict[str, Any]:
    return {"actions": [{"at": AT, "degrade": {"kind": "gateway", "pass": pass_}}]}


def _shift(shift: Any, at: str = AT) -> dict[str, Any]:
    return {"actions": [{"at": at, "shift_min": shift, "shutdown": {"kind": "gateway"}}]}


def _param(value: Any) -> dict[str, Any]:
    return {"parameters": {"vpn_adoption_per_day": value}}


BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("uniform-reversed", _degrade({"dist": "uniform", "low": 0.6, "high": 0.2}), "degrade.pass.high", "above low"),
    ("uniform-degenerate", _param({"dist": "uniform", "low": 0.1, "high": 0.1}), "per_day.high", "above low"),
    ("uniform-above-share", _degrade({"dist": "uniform", "low": 0.5, "high": 1.5}), "pass.high", "out of range"),
    ("uniform-text-bound", _degrade({"dist": "uniform", "low": "0.1", "high": 0.5}), "pass.low", "must be a number"),
    ("uniform-nan", _degrade({"dist": "uniform", "low": math.nan, "high": 0.5}), "pass.low", "finite"),
    ("uniform-missing-high", _degrade({"dist": "uniform", "low": 0.1}), "pass.high", "missing"),
    ("uniform-extra-key", _degrade({"dist": "uniform", "low": 0.1, "high": 0.5, "sd": 1}), "pass.sd", "unknown key"),
    (
        "triangular-mode-outside",
        _degrade({"dist": "triangular", "low": 0.1, "mode": 0.7, "high": 0.5}),
        "pass.mode",
        "between low and high",
    ),
    ("normal-unbounded", _degrade({"dist": "normal", "mean": 0.5, "sd": 0.1}), "pass.low", "missing"),
    (
        "normal-zero-sd",
        _degrade({"dist": "normal", "mean": 0.5, "sd": 0, "low": 0.1, "high": 0.9}),
        "pass.sd",
        "above zero",
    ),
    (
        "normal-far-tail",
        _degrade({"dist": "normal", "mean": 0.0, "sd": 0.01, "low": 0.5, "high": 0.9}),
        "pass.sd",
        "probability",
    ),
    (
        "normal-mean-outside",
        _param({"dist": "normal", "mean": 2.0, "sd": 0.1, "low": 0.1, "high": 0.9}),
        "per_day.mean",
        "out of range",
    ),
    ("lognormal-zero-sd", _degrade({"dist": "lognormal", "mean_log": -1, "sd_log": 0, "high": 1}), "sd_log", "zero"),
    (
        "lognormal-negative-low",
        {
            "actions": [
                {
                    "at": AT,
                    "shutdown": {},
                    "shift_min": {"dist": "lognormal", "mean_log": 1, "sd_log": 1, "low": -5, "high": 9},
                }
            ]
        },
        "shift_min.low",
        "at least 0",
    ),
    ("lognormal-unbounded-share", _degrade({"dist": "lognormal", "mean_log": -1, "sd_log": 0.5}), "pass", "give high"),
    (
        "lognormal-far-tail",
        _degrade({"dist": "lognormal", "mean_log": 5, "sd_log": 0.1, "high": 1}),
        "pass.sd_log",
        "probability",
    ),
    (
        "lognormal-overflow",
        {"actions": [{"at": AT, "shutdown": {}, "shift_min": {"dist": "lognormal", "mean_log": 600, "sd_log": 20}}]},
        "shift_min.sd_log",
        "overflow",
    ),
    ("choice-empty", _degrade({"dist": "choice", "values": []}), "pass.values", "at least 1"),
    ("choice-outside", _degrade({"dist": "choice", "values": [0.5, 2]}), "pass.values[1]", "out of range"),
    (
        "choice-weights-length",
        _degrade({"dist": "choice", "values": [0.2, 0.4], "weights": [1]}),
        "pass.weights",
        "1 weights for 2 values",
    ),
    (
        "choice-negative-weight",
        _degrade({"dist": "choice", "values": [0.2, 0.4], "weights": [1, -1]}),
        "pass.weights[1]",
        "at least 0",
    ),
    (
        "choice-zero-weights",
        _degrade({"dist": "choice", "values": [0.2, 0.4], "weights": [0, 0]}),
        "pass.weights",
        "above 0",
    ),
    ("fixed-outside", _param({"dist": "fixed", "value": 1.5}), "per_day.value", "out of range"),
    ("unknown-kind", _degrade({"dist": "beta", "low": 0.1}), "pass.dist", "unknown distribution"),
    ("no-kind", _degrade({"low": 0.1, "high": 0.5}), "degrade.pass", "dist"),
    ("a-list", _degrade([0.1, 0.5]), "degrade.pass", "number or a distribution"),
    (
        "share-distribution",
        {"actions": [{"shutdown": {"kind": "access", "share": {"dist": "uniform", "low": -0.1, "high": 0.5}}}]},
        "shutdown.share.low",
        "out of range",
    ),
    (
        "partial-share-at-gateways",
        {"actions": [{"shutdown": {"kind": "gateway", "share": {"dist": "uniform", "low": 0.5, "high": 1}}}]},
        "actions[0].shutdown",
        "access nodes",
    ),
    (
        "factor-triangular",
        {
            "actions": [
                {"throttle": {"kind": "gateway", "factor": {"dist": "triangular", "low": 0, "mode": 2, "high": 1}}}
            ]
        },
        "factor.mode",
        "out of range",
    ),
    (
        "effectiveness-normal",
        {
            "actions": [
                {"block": {"services": ["chat"], "effectiveness": {"dist": "normal", "mean": 1, "sd": 0.1, "low": 0.9}}}
            ]
        },
        "effectiveness.high",
        "missing",
    ),
    ("shift-too-large", _shift({"dist": "uniform", "low": 0, "high": 600_000}), "shift_min.high", "out of range"),
    ("shift-text", _shift("30min"), "actions[0].shift_min", "number or a distribution"),
    (
        "shift-leaves-the-range-of-instants",
        _shift({"dist": "uniform", "low": -60, "high": 120}, at="2199-12-31T23:00+00:00"),
        "actions[0].shift_min",
        "range of instants",
    ),
    (
        "daily-shift-leaves-the-range-of-instants",
        {
            "actions": [
                {
                    "daily": {"from": "23:00", "to": "01:00"},
                    "between": ["2199-12-30", "2199-12-31"],
                    "shift_min": {"dist": "triangular", "low": -45, "mode": 0, "high": 300},
                    "restore": {},
                }
            ]
        },
        "actions[0].shift_min",
        "range of instants",
    ),
]


def _one_line(result: Result, path: Path, where: str, message: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert str(path) in lines[0] and where in lines[0] and message in lines[0], lines[0]


def test_every_kind_has_a_bad_case():
    named = {re.match(r"[a-z]+", name).group(0) for name, *_ in BAD}
    assert set(KINDS) <= named


@pytest.mark.parametrize(("name", "fields", "where", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_distribution_is_one_line_and_exit_2(tmp_path, name, fields, where, message):
    path = write_yaml(tmp_path / f"{name}.yaml", {**BASE, **fields})
    _one_line(CliRunner().invoke(cli, ["validate", str(path)]), path, where, message)
    out = tmp_path / "out"
    _one_line(CliRunner().invoke(cli, ["run", str(path), "--out", str(out), "--figures", "none"]), path, where, message)
    assert not out.exists()


# --- what a run does with them -----------------------------------------------------------------------------------

GOOD: dict[str, Any] = {
    **BASE,
    "step": "1min",
    "seed": 9,
    "parameters": {"vpn_max_share": {"dist": "triangular", "low": 0.3, "mode": 0.5, "high": 0.6}},
    "actions": [
        {
            "at": AT,
            "until": "2022-01-05T20:00+06:00",
            "shift_min": {"dist": "uniform", "low": -60, "high": 60},
            "degrade": {"kind": "gateway", "pass": {"dist": "uniform", "low": 0.2, "high": 0.6}},
        },
        {"at": "2022-01-05T22:00+06:00", "block": {"services": ["chat"], "effectiveness": 0.9}},
    ],
}


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_yaml(tmp_path / "good.yaml", GOOD)


def test_an_action_number_and_shift_are_drawn_and_act(good):
    result = Simulation(load_scenario(good)).run().result
    drawn = result.summary["scenario"]["draws"]
    assert list(drawn) == ["actions[0].degrade.pass", "actions[0].shift_min"]
    p, shift = drawn["actions[0].degrade.pass"], drawn["actions[0].shift_min"]
    assert 0.2 <= p <= 0.6 and -60 <= shift <= 60
    assert 0.3 <= result.summary["scenario"]["parameters"]["vpn_max_share"] <= 0.6
    # on the toy, 600 of 800 Gbps go abroad through the gateways: a degrade there leaves 25 + 75 p percent
    national = result.tables["national"]
    hours, index = np.asarray(national["elapsed_h"]), np.asarray(national["connectivity_index_pct"])
    during = (index < 99.9) & (hours < 9.5)  # the block from 10 h on (not uncertain) lowers the index too
    degraded = hours[during]
    assert np.allclose(index[during], 25 + 75 * p, atol=1e-6)
    begin, end = 2 + shift / 60, 8 + shift / 60  # the whole window moves: at and until
    assert degraded[0] == pytest.approx(math.ceil(begin * 60) / 60)
    assert degraded[-1] == pytest.approx(math.ceil(end * 60) / 60 - 1 / 60)


def test_a_plain_shift_moves_every_window(toy_scenario):
    actions = [
        {"windows": [["2022-01-05T14:00+06:00", "2022-01-05T15:00+06:00"]], "shift_min": 90, "shutdown": {}},
        {
            "daily": {"from": "09:00", "to": "10:00"},
            "between": ["2022-01-05", "2022-01-06"],
            "shift_min": 240,
            "restore": {},
        },
        {"shift_min": -30, "at": "2022-01-05T23:45+06:00", "withdraw": {"kind": "access"}},
    ]
    sim = Simulation(load_scenario(toy_scenario(actions))).initialize()
    first, daily, late = (a.windows for a in sim.scenario.actions)
    assert first == (Window(3.5 * 3600, 4.5 * 3600, 3.5 * 3600),)
    # 09:00 on the 5th is before the 12:00 start; shifted by 4 h it opens at 13:00 (1 h in); the 6th is past the end
    assert daily == (Window(3600.0, 7200.0, 3600.0),)
    # 23:15 after the shift, to the end of the run (no until: never ends)
    assert late == (Window(11.25 * 3600, None, 11.25 * 3600),)
    assert sim.realised is not None and sim.realised.draws == {}  # plain numbers draw nothing


def test_shifted_windows_are_clipped_to_the_run():
    raw = (Window(-7200.0, -3600.0, -7200.0), Window(3600.0, 7200.0, 3600.0), Window(39600.0, None, 39600.0))
    assert clip_windows(raw, 0.0, 43200.0) == (Window(3600.0, 7200.0, 3600.0), Window(39600.0, None, 39600.0))
    later = clip_windows(raw, 5400.0, 43200.0)
    assert later == (Window(0.0, 1800.0, -1800.0), Window(9000.0, 12600.0, 9000.0))  # the last moved past the end
    assert clip_windows((Window(0.0, 43200.0, 0.0),), -600.0, 43200.0) == (Window(0.0, 42600.0, -600.0),)


def test_a_shift_can_bring_a_window_from_outside_the_run(toy_scenario):
    """A window that ends before the start is kept at load when a shift can move it into the run."""
    action = {
        "windows": [["2022-01-05T09:30+06:00", "2022-01-05T11:00+06:00"]],
        "shift_min": {"dist": "fixed", "value": 120},
        "shutdown": {},
    }
    path = toy_scenario([action])
    loaded = load_scenario(path)
    assert loaded.actions[0].windows == ()  # unshifted, it misses the run
    realised = realise(loaded, np.random.default_rng(0)).scenario
    assert realised.actions[0].windows == (Window(0.0, 3600.0, -1800.0),)  # 11:30 to 13:00


def test_the_same_seed_gives_the_same_draws_and_the_same_summary(good):
    a = Simulation(load_scenario(good), seed=4).run().result
    b = Simulation(load_scenario(good), seed=4).run().result
    c = Simulation(load_scenario(good), seed=5).run().result
    assert json.dumps(a.summary) == json.dumps(b.summary)
    assert a.summary["scenario"]["draws"] != c.summary["scenario"]["draws"]


def test_spawned_seeds_give_different_draws_and_are_recorded(good):
    scenario = load_scenario(good)
    children = np.random.SeedSequence(5).spawn(3)

    def drawn(seed: Any) -> dict[str, float]:
        sim = Simulation(scenario, seed=seed).initialize()
        assert sim.realised is not None
        return {**sim.realised.draws, **sim.realised.parameters}

    assert drawn(children[1]) == drawn(np.random.SeedSequence(5).spawn(3)[1])
    assert len({json.dumps(drawn(child)) for child in children}) == 3
    assert drawn(np.random.SeedSequence(5)) == drawn(5)  # no spawn key: the same generator as the int
    assert seed_record(children[2]) == {"entropy": 5, "spawn_key": [2]}
    assert seed_record(np.random.SeedSequence(5)) == 5
    result = Simulation(scenario, seed=children[2]).run().result
    assert result.summary["scenario"]["seed"] == {"entropy": 5, "spawn_key": [2]}
    assert json.loads(json.dumps(result.manifest))["seed"] == {"entropy": 5, "spawn_key": [2]}


def test_common_random_numbers_across_scenarios(toy_scenario):
    """Two scenarios with the same uncertain fields see the same uniform numbers, whatever their distributions."""

    def realised(pass_: Any, shift: Any) -> dict[str, float]:
        action = {"at": AT, "shift_min": shift, "degrade": {"kind": "gateway", "pass": pass_}}
        return realise(load_scenario(toy_scenario([action])), np.random.default_rng(11)).draws

    a = realised({"dist": "uniform", "low": 0.1, "high": 0.3}, {"dist": "uniform", "low": -10, "high": 10})
    b = realised({"dist": "uniform", "low": 0.5, "high": 0.9}, {"dist": "uniform", "low": 0, "high": 60})
    c = realised({"dist": "fixed", "value": 0.4}, {"dist": "uniform", "low": 0, "high": 60})
    u_a = (a["actions[0].degrade.pass"] - 0.1) / 0.2
    u_b = (b["actions[0].degrade.pass"] - 0.5) / 0.4
    assert u_a == pytest.approx(u_b, abs=1e-12)
    assert (a["actions[0].shift_min"] + 10) / 20 == pytest.approx(b["actions[0].shift_min"] / 60, abs=1e-12)
    # a fixed takes its number too: the shift after it draws what it draws after a uniform
    assert c["actions[0].shift_min"] == b["actions[0].shift_min"]


def uniform() -> dict[str, Any]:
    return {"dist": "uniform", "low": 0.0, "high": 1.0}


def test_draw_order_is_parameters_by_name_then_actions_in_file_order(toy_scenario):
    path = toy_scenario(
        [
            {"at": AT, "shutdown": {"kind": "access", "share": uniform()}, "shift_min": uniform()},
            {"at": AT, "throttle": {"kind": "gateway", "factor": uniform()}},
        ],
        parameters={"vpn_max_share": uniform(), "disruption_threshold": uniform()},
    )
    realised = realise(load_scenario(path), np.random.default_rng(1))
    expected = np.random.default_rng(1).random(5)
    got = [
        realised.parameters["disruption_threshold"],
        realised.parameters["vpn_max_share"],
        realised.draws["actions[0].shutdown.share"],
        realised.draws["actions[0].shift_min"],
        realised.draws["actions[1].throttle.factor"],
    ]
    assert got == pytest.approx(list(expected), abs=1e-15)
    first, second = realised.scenario.actions
    assert isinstance(first.spec.shutdown.share, float) and isinstance(first.spec.shift_min, float)
    assert isinstance(second.spec.throttle.factor, float)
    assert all(isinstance(v, float) for v in realised.scenario.parameters.values())


def test_without_distributions_the_summary_has_no_draws(toy_scenario):
    result = Simulation(load_scenario(toy_scenario([{"at": AT, "shutdown": {"kind": "gateway"}}]))).run().result
    assert "draws" not in result.summary["scenario"]
    assert result.summary["scenario"]["seed"] == 0


def test_parameters_accept_every_kind_within_their_range(toy_scenario):
    forms = {
        "disruption_threshold": {"dist": "choice", "values": [0.4, 0.5, 0.6]},
        "vpn_adoption_per_day": {"dist": "lognormal", "mean_log": math.log(0.05), "sd_log": 0.4, "high": 0.2},
        "vpn_max_share": {"dist": "normal", "mean": 0.5, "sd": 0.1, "low": 0.3, "high": 0.7},
        "telephony_availability": {"dist": "fixed", "value": 0.9},
        "cache_serves_without_origin": {"dist": "triangular", "low": 0, "mode": 0, "high": 0.2},
    }
    assert set(forms) == set(PARAMETERS)
    scenario = load_scenario(toy_scenario([], parameters=forms))
    for seed in range(20):
        values = realise(scenario, np.random.default_rng(seed)).parameters
        for name, value in values.items():
            low, high = scenario.parameters[name].support()
            assert low <= value <= high and PARAMETERS[name].low <= value <= PARAMETERS[name].high


# --- documentation ------------------------------------------------------------------------------------------------


def test_schema_shows_the_distributions():
    schema = json.loads(CliRunner().invoke(cli, ["schema"]).output)
    defs = schema["$defs"]
    assert {"Uniform", "Triangular", "Normal", "LogNormal", "Choice", "Fixed"} <= set(defs)
    assert "shift_min" in defs["ActionSpec"]["properties"]
    for model, key in (("DegradeSpec", "pass"), ("ShutdownSpec", "share"), ("ThrottleSpec", "factor")):
        forms = defs[model]["properties"][key]["anyOf"]
        assert {"maximum": 1.0, "minimum": 0.0, "type": "number"} in forms
        assert any(f.get("discriminator", {}).get("propertyName") == "dist" for f in forms)
    parameters = schema["properties"]["parameters"]
    assert set(parameters["properties"]) == set(PARAMETERS) and parameters["additionalProperties"] is False
    refs = re.findall(r'"#/\$defs/([A-Za-z]+)"', json.dumps(schema))
    assert refs and set(refs) <= set(defs)


def test_the_readme_example_loads(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Distributions") :]
    opening = section.index("```yaml\n") + len("```yaml\n")
    example = yaml.safe_load(section[opening : section.index("```\n", opening)])
    scenario = load_scenario(write_yaml(tmp_path / "readme.yaml", {**BASE, "topology": "kz-2022", **example}))
    assert isinstance(scenario.parameters["vpn_adoption_per_day"], Normal)
    assert [type(a.spec.shift_min).__name__ for a in scenario.actions] == ["Uniform", "float"]
    realised = realise(scenario, np.random.default_rng(0))
    assert set(realised.draws) == {"actions[0].shift_min", "actions[0].degrade.pass", "actions[1].shutdown.share"}


# --- any distribution either loads and runs, or is refused with one line -----------------------------------------

WILD = st.sampled_from([False] * 9 + [True]).flatmap(  # nine numbers in ten are fine ones: many cases load
    lambda wild: (
        st.one_of(
            st.sampled_from([-1, 2, 10**30, -0.0, 1e-300]),
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from(["0.5", True, None, [0.5]]),
        )
        if wild
        else st.one_of(st.floats(0.0, 1.0), st.sampled_from([0, 0.1, 0.5, 0.9, 1]))
    )
)
KEYS = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd", "low", "high"),
    "lognormal": ("mean_log", "sd_log", "low", "high"),
    "fixed": ("value",),
}
#: (where the distribution goes, its range): every field that takes one
FIELDS = [
    (("actions", 0, "degrade", "pass"), (0.0, 1.0)),
    (("actions", 0, "shutdown", "share"), (0.0, 1.0)),
    (("actions", 0, "throttle", "factor"), (0.0, 1.0)),
    (("actions", 0, "block", "effectiveness"), (0.0, 1.0)),
    (("actions", 0, "shift_min"), (-527040.0, 527040.0)),
    (("parameters", "vpn_adoption_per_day"), (0.0, 1.0)),
]


@st.composite
def any_distribution(draw_: st.DrawFn) -> Any:
    kind = draw_(st.sampled_from([*KINDS, "beta", None]))
    if kind == "choice":
        out: dict[str, Any] = {"dist": kind, "values": draw_(st.lists(WILD, max_size=4))}
        if draw_(st.booleans()):
            out["weights"] = draw_(st.lists(WILD, max_size=4))
        return out
    keys = KEYS.get(kind or "", ("low", "high"))
    out = {} if kind is None else {"dist": kind}
    for key in keys:
        if draw_(st.integers(0, 9)):  # now and then a key is missing
            out[key] = draw_(WILD)
    return out if draw_(st.integers(0, 19)) else draw_(WILD)


def _placed(where: tuple[Any, ...], value: Any) -> dict[str, Any]:
    if where[0] == "parameters":
        return {"parameters": {where[1]: value}}
    kind = where[2] if len(where) > 3 else "shutdown"
    body: dict[str, Any] = {"kind": "access"} if kind != "block" else {"services": ["chat"]}
    action: dict[str, Any] = {"at": AT, kind: body}
    if where[-1] == "shift_min":
        action["shift_min"] = value
    else:
        body[where[-1]] = value
    return {"actions": [action]}


def test_any_distribution_loads_and_draws_in_range_or_is_refused_on_one_line():
    loaded: list[bool] = []

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(st.sampled_from(FIELDS), any_distribution(), st.integers(0, 2**32))
    def check(field: tuple[tuple[Any, ...], tuple[float, float]], value: Any, seed: int) -> None:
        loaded.append(_loads_and_draws_in_range(*field, value, seed))

    check()
    assert 0.1 < sum(loaded) / len(loaded) < 0.9, f"{sum(loaded)} of {len(loaded)} cases loaded"  # both outcomes


def _loads_and_draws_in_range(where: tuple[Any, ...], bounds: tuple[float, float], value: Any, seed: int) -> bool:
    """Whether the case loads; if it does, its draws lie in the field's range and it runs; else one line."""
    low, high = bounds
    with tempfile.TemporaryDirectory() as folder:
        path = write_yaml(Path(folder) / "any.yaml", {**BASE, **_placed(where, value)})
        try:
            scenario = load_scenario(path)
        except InputError as exc:
            assert exc.file == str(path) and "\n" not in exc.one_line()
            return False
    realised = realise(scenario, np.random.default_rng(seed))
    for drawn in (*realised.draws.values(), *realised.parameters.values()):
        assert math.isfinite(drawn)
    if where[0] == "parameters":
        assert low <= realised.parameters[where[1]] <= high
    elif is_distribution(value_at(scenario, where)):
        assert low <= realised.draws[_key_path(where)] <= high
    Simulation(scenario, seed=seed).run()
    return True


def value_at(scenario: Any, where: tuple[Any, ...]) -> Any:
    """The loaded value of an action field (``pass`` is ``pass_`` in the model)."""
    spec = scenario.actions[0].spec
    if where[-1] == "shift_min":
        return spec.shift_min
    return getattr(getattr(spec, where[2]), "pass_" if where[3] == "pass" else where[3])


def _key_path(where: tuple[Any, ...]) -> str:
    return "actions[0]." + ".".join(str(part) for part in where[2:])

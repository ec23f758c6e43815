"""Random failures: the renewal process per element, the crews' queue, composition with actions, determinism."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import simpy

from simkz import Simulation, load_scenario
from simkz.engine.failures import FailureLog, element_failures, element_stream, repair_seconds, up_seconds
from simkz.engine.processes import World
from simkz.scenario.failures import FailureSettings, KindRate
from simkz.scenario.load import Action, Window
from simkz.scenario.schema import ActionSpec
from simkz.topology.load import load_topology
from tests.conftest import TOY

H = 3600.0


class Downtime:
    """A stand-in for the world: counts how long each element is down."""

    def __init__(self) -> None:
        self.down_since: dict[str, float] = {}
        self.down_s: dict[str, float] = {}
        self.env: simpy.Environment | None = None

    def fail(self, element_type: str, key: str) -> None:
        assert self.env is not None
        self.down_since[key] = self.env.now

    def repair(self, element_type: str, key: str) -> None:
        assert self.env is not None
        self.down_s[key] = self.down_s.get(key, 0.0) + self.env.now - self.down_since.pop(key)


class Script:
    """A stand-in for an element's generator: hands out the given uniform numbers, then ones that never fail."""

    def __init__(self, numbers: list[float]) -> None:
        self.numbers = list(numbers)

    def random(self) -> float:
        return self.numbers.pop(0) if self.numbers else 1.0 - 1e-12


def u_for(up_h: float, mtbf_h: float) -> float:
    """The uniform number whose exponential working time (mean ``mtbf_h``) is ``up_h`` hours."""
    return -math.expm1(-up_h / mtbf_h)


def _log(rates: list[tuple[str, str]], crews: int = 1) -> FailureLog:
    settings = FailureSettings(crews, 0.0, tuple(KindRate(t, k, 1.0, 1.0) for t, k in rates))
    return FailureLog(settings, {f"{t}/{k}": 1 for t, k in rates})


# --- the renewal process ---------------------------------------------------------------------------


@pytest.mark.parametrize("sd_log", [0.0, 1.0])
def test_long_run_availability_is_mtbf_over_mtbf_plus_mttr(sd_log):
    """One element, one crew (never busy for another): the share of time down tends to MTTR / (MTBF + MTTR).

    100,000 hours at MTBF 90 h and MTTR 10 h are about 1,000 cycles; the down share's standard error is then
    about 0.005 (0.004 with fixed repairs), so 0.1 +- 0.02 holds with four standard errors to spare.
    """
    env = simpy.Environment()
    world = Downtime()
    world.env = env
    log = _log([("link", "cross-border")])
    stream = element_stream(np.random.SeedSequence(7), "link", "x")
    crews = simpy.Resource(env, capacity=1)
    env.process(element_failures(env, world, crews, ("link", "x", "cross-border"), (90.0, 10.0, sd_log), stream, log))  # type: ignore[arg-type]
    horizon = 100_000 * H
    env.run(until=horizon)
    down = world.down_s.get("x", 0.0) + (horizon - world.down_since["x"] if "x" in world.down_since else 0.0)
    assert len(log) > 900
    assert down / horizon == pytest.approx(10.0 / 100.0, abs=0.02)
    repairs = [f.restored_s - f.repair_started_s for f in log.failures if f.restored_s is not None]
    assert np.mean(repairs) / H == pytest.approx(10.0, rel=0.15)
    if sd_log == 0.0:
        assert all(r == pytest.approx(10.0 * H) for r in repairs)


def test_working_and_repair_times_invert_their_distributions():
    assert up_seconds(100.0, 0.0) == 0.0
    assert up_seconds(100.0, 1.0 - math.exp(-1.0)) == pytest.approx(100.0 * H)  # the mean's quantile
    assert repair_seconds(8.0, 0.0, 0.123) == 8.0 * H
    # the median of a lognormal with mean m and sd of log s is m * exp(-s^2 / 2)
    assert repair_seconds(8.0, 1.0, 0.5) == pytest.approx(8.0 * H * math.exp(-0.5))
    u = np.random.default_rng(1).random(200_000)
    assert np.mean([repair_seconds(8.0, 1.0, x) for x in u]) / H == pytest.approx(8.0, rel=0.02)


def test_one_crew_makes_simultaneous_failures_queue():
    """A fails at 10 h, B at 11 h, C at 12 h; one crew, repairs of exactly 5 h: A 10-15, B waits to 15 and is
    repaired to 20, C waits to 20 and is repaired to 25."""
    env = simpy.Environment()
    world = Downtime()
    world.env = env
    log = _log([("node", "gateway")])
    crews = simpy.Resource(env, capacity=1)
    for key, at in (("a", 10.0), ("b", 11.0), ("c", 12.0)):
        script = Script([u_for(at, 1000.0), 0.5])
        proc = element_failures(env, world, crews, ("node", key, "gateway"), (1000.0, 5.0, 0.0), script, log)  # type: ignore[arg-type]
        env.process(proc)
    env.run(until=100 * H)
    got = {f.element: (f.failed_s / H, f.repair_started_s / H, f.restored_s / H) for f in log.failures}  # type: ignore[operator]
    assert got == {
        "a": pytest.approx((10.0, 10.0, 15.0)),
        "b": pytest.approx((11.0, 15.0, 20.0)),
        "c": pytest.approx((12.0, 20.0, 25.0)),
    }
    assert world.down_s == pytest.approx({"a": 5 * H, "b": 9 * H, "c": 13 * H})
    summary = log.summary(100 * H)
    assert summary["crew_wait_hours"] == pytest.approx(4.0 + 8.0)
    assert summary["max_crew_wait_hours"] == pytest.approx(8.0)
    # with two crews, only C waits (for A's crew, from 12 to 15)
    env = simpy.Environment()
    world.env = env
    log = _log([("node", "gateway")], crews=2)
    crews = simpy.Resource(env, capacity=2)
    for key, at in (("a", 10.0), ("b", 11.0), ("c", 12.0)):
        script = Script([u_for(at, 1000.0), 0.5])
        env.process(element_failures(env, world, crews, ("node", key, "gateway"), (1000.0, 5.0, 0.0), script, log))  # type: ignore[arg-type]
    env.run(until=100 * H)
    assert [f.repair_started_s / H for f in log.failures] == pytest.approx([10.0, 11.0, 15.0])  # type: ignore[operator]


# --- composition with actions ----------------------------------------------------------------------


def _action(index: int, body: dict[str, Any], nodes: frozenset[str]) -> Action:
    spec = ActionSpec.model_validate(body)
    return Action(index, spec.kind, spec, nodes, frozenset(), (Window(0.0, None, 0.0),))


def test_a_node_shut_by_decree_and_failed_stays_down_until_both_end():
    world = World(load_topology(TOY))
    decree = _action(0, {"shutdown": {"nodes": ["gw-1"]}}, frozenset({"gw-1"}))
    world.activate((0.0, 0, 0), decree)
    world.fail("node", "gw-1")
    world.deactivate((0.0, 0, 0))  # the decree ends: still failed
    assert "gw-1" in world.state.down_nodes
    world.activate((1.0, 0, 0), decree)
    world.repair("node", "gw-1")  # repaired: still shut
    assert "gw-1" in world.state.down_nodes
    world.deactivate((1.0, 0, 0))
    assert "gw-1" not in world.state.down_nodes
    assert world.events == 4  # failures are not action events


def test_a_restore_does_not_repair_a_failed_element():
    world = World(load_topology(TOY))
    world.fail("link", "gw-1--abroad")
    restore = _action(0, {"restore": {"links": ["gw-1--abroad"]}}, frozenset())
    world.activate((0.0, 0, 0), restore)
    assert "gw-1--abroad" in world.state.down_links
    world.repair("link", "gw-1--abroad")
    assert world.state.down_links == frozenset()


# --- whole runs ------------------------------------------------------------------------------------


def _run(
    toy_scenario,
    failures: dict[str, Any],
    actions: list[dict[str, Any]] | None = None,
    seed: int | None = None,
    **fields: Any,
) -> Simulation:
    fields = {"duration": "120d", "step": "1d", **fields}
    path = toy_scenario(actions or [], random_failures=failures, **fields)
    return Simulation(load_scenario(path), seed=seed).run()


ACCESS_ONLY = {"crews": 6, "nodes": {"access": {"mtbf_h": 500, "mttr_h": 20}}}


def test_user_hours_lost_are_the_users_of_failed_access_nodes_times_their_downtime(toy_scenario):
    """Only access nodes fail and nothing else happens: every failed node's users lose all their traffic, so the
    run's user-hours lost are exactly the sum over failures of the node's users times its hours down."""
    sim = _run(toy_scenario, ACCESS_ONLY)
    table, summary = sim.result.tables["failures"], sim.result.summary
    users = {c.node: c.users for c in sim.scenario.topology.cohorts}
    assert len(table) == summary["failures"]["failures"] > 20
    expected = sum(users[str(e)] * float(h) for e, h in zip(table["element"], table["down_h"], strict=True))
    assert summary["national"]["user_hours_lost"] == pytest.approx(expected, rel=1e-6)
    assert summary["failures"]["down_hours"] == pytest.approx(float(np.sum(table["down_h"])), rel=1e-6)
    assert np.allclose(table["down_h"], table["crew_wait_h"] + table["repair_h"])
    assert set(table["element_kind"]) == {"access"} and set(table["element_type"]) == {"node"}


def test_crews_never_repair_more_than_their_number_and_serve_the_first_failed_first(toy_scenario):
    failures = {"crews": 1, "nodes": {"access": {"mtbf_h": 100, "mttr_h": 30}}}
    sim = _run(toy_scenario, failures, duration="60d")
    log = sim.failures
    assert log is not None
    done = [f for f in log.failures if f.repair_started_s is not None]
    assert sum(f.repair_started_s > f.failed_s for f in done) > 5  # some waited
    spans = sorted((f.repair_started_s, f.restored_s or math.inf) for f in done)  # type: ignore[misc]
    assert all(b[0] >= a[1] - 1e-6 for a, b in itertools.pairwise(spans))  # one repair at a time
    starts = [f.repair_started_s for f in done]
    assert starts == sorted(starts)  # first failed (the log's order), first repaired


def test_same_seed_same_failures_and_another_seed_others(toy_scenario):
    a = _run(toy_scenario, ACCESS_ONLY, seed=11).result.tables["failures"]
    b = _run(toy_scenario, ACCESS_ONLY, seed=11).result.tables["failures"]
    c = _run(toy_scenario, ACCESS_ONLY, seed=12).result.tables["failures"]
    assert a.columns.keys() == b.columns.keys()
    for name in a.names:
        assert list(a[name]) == list(b[name])
    assert list(a["failed_at"]) != list(c["failed_at"])


def test_an_element_fails_at_the_same_moments_whatever_else_fails(toy_scenario):
    """Each element has its own random numbers: letting gateways fail too leaves the access nodes' failures where
    they were (with crews to spare, their repairs too): common random numbers for comparing variants."""
    more = {"crews": 50, "nodes": {"access": {"mtbf_h": 500, "mttr_h": 20}, "gateway": {"mtbf_h": 300, "mttr_h": 5}}}
    alone = _run(toy_scenario, {**ACCESS_ONLY, "crews": 50}, seed=5).result.tables["failures"]
    both = _run(toy_scenario, more, seed=5).result.tables["failures"]
    mask = both["element_kind"] == "access"
    assert list(both["failed_at"][mask]) == list(alone["failed_at"])
    assert list(both["restored_at"][mask]) == list(alone["restored_at"])
    assert (~mask).sum() > 0


def test_an_uncertain_rate_is_drawn_once_after_the_actions(toy_scenario):
    actions = [
        {
            "at": "2022-01-06T12:00+06:00",
            "shift_min": {"dist": "uniform", "low": 0, "high": 60},
            "shutdown": {"links": ["gw-2--abroad"]},
            "until": "2022-01-06T14:00+06:00",
        }
    ]
    failures = {
        "crews": 2,
        "links": {"cross-border": {"mtbf_h": {"dist": "uniform", "low": 200, "high": 400}, "mttr_h": 6}},
    }
    plain = Simulation(load_scenario(toy_scenario(actions, duration="30d", step="1d")), seed=3).run()
    with_failures = _run(toy_scenario, failures, actions, seed=3, duration="30d")
    draws = with_failures.result.summary["scenario"]["draws"]
    assert list(draws) == ["actions[0].shift_min", "random_failures.links.cross-border.mtbf_h"]
    assert draws["actions[0].shift_min"] == plain.result.summary["scenario"]["draws"]["actions[0].shift_min"]
    assert 200 <= draws["random_failures.links.cross-border.mtbf_h"] <= 400
    rates = with_failures.result.summary["failures"]["by_kind"]["link/cross-border"]
    assert rates["mtbf_h"] == draws["random_failures.links.cross-border.mtbf_h"]


def test_a_run_without_random_failures_has_no_failures_outputs(toy_scenario, tmp_path):
    sim = Simulation(load_scenario(toy_scenario([]))).run()
    assert sim.failures is None
    assert "failures" not in sim.result.tables and "failures" not in sim.result.summary
    folder = sim.result.save(tmp_path / "plain")
    assert not (folder / "failures.csv").exists()


def test_the_failures_table_is_written_and_read_back(toy_scenario, tmp_path):
    from simkz.results.run import RunResult

    sim = _run(toy_scenario, ACCESS_ONLY, duration="30d")
    folder = sim.result.save(tmp_path / "out")
    text = (folder / "failures.csv").read_text(encoding="utf-8").splitlines()
    assert text[0].split(",")[:4] == ["element", "element_type", "element_kind", "failed_at"]
    assert len(text) == 1 + sim.result.summary["failures"]["failures"]
    back = RunResult.load(folder)
    assert list(back.tables["failures"]["element"]) == list(sim.result.tables["failures"]["element"])
    assert "crew_wait_h" in (folder / "columns.json").read_text(encoding="utf-8")
    baseline = sim.result.save(tmp_path / "baseline", provenance=False)
    assert not (baseline / "failures.csv").exists()  # baselines hold what is compared: tables and summary


def test_a_kz_year_with_the_shipped_rates_runs_and_reports_its_failures():
    from tests.conftest import SCENARIOS

    scenario = load_scenario(SCENARIOS / "kz-failures-year.yaml")
    assert scenario.failures is not None and scenario.failures.crews == 6
    assert {(r.element_type, r.kind) for r in scenario.failures.rates} >= {("node", "core"), ("link", "cross-border")}
    assert scenario.failures.rate("node", "foreign") is None  # never fails


def test_toy_topology_reliability_section_is_used(toy_scenario):
    topology = {
        "reliability": {
            "crews": 2,
            "repair_sd_log": 0.0,
            "assumption": "test",
            "links": {"cross-border": {"mtbf_h": 400, "mttr_h": 8, "assumption": "test"}},
        }
    }
    path = toy_scenario([], topology=topology, duration="60d", step="1d", random_failures={})
    sim = Simulation(load_scenario(path)).run()
    table = sim.result.tables["failures"]
    assert set(table["element"]) <= {"gw-1--abroad", "gw-2--abroad"} and len(table) > 0
    restored = table["restored_flag"] == 1
    assert np.allclose(table["repair_h"][restored], 8.0)
    # the same topology without `random_failures:` runs without failures
    path = toy_scenario([], topology=topology, duration="60d", step="1d")
    assert Simulation(load_scenario(path)).run().failures is None


def test_kinds_of_the_rate_sections_are_the_topology_kinds():
    from simkz.scenario.failures import LinkOverridesSpec, NodeOverridesSpec
    from simkz.topology.schema import LINK_KINDS, NODE_KINDS, LinkRatesSpec, NodeRatesSpec

    def keys(model: Any) -> tuple[str, ...]:
        return tuple(info.alias or name for name, info in model.model_fields.items())

    assert keys(NodeRatesSpec) == keys(NodeOverridesSpec) == NODE_KINDS
    assert keys(LinkRatesSpec) == keys(LinkOverridesSpec) == LINK_KINDS


def test_the_inputs_path_of_the_kz_rates(tmp_path: Path):
    """The Kazakhstan inputs carry the reliability section into the built topology, each rate with provenance."""
    from simkz.topology.load import read_topology_file
    from tests.conftest import TOPOLOGIES

    spec, _ = read_topology_file(TOPOLOGIES / "kz-2022.yaml")
    assert spec.reliability is not None
    for group in (spec.reliability.nodes, spec.reliability.links):
        for rate in vars(group).values():
            if rate is not None:
                assert rate.source or rate.assumption
    assert spec.reliability.nodes.foreign is None


def test_the_rates_in_the_docs_are_the_topologys():
    """docs/random-failures.md: every row of its rate table says what kz-2022's `reliability:` holds."""
    from tests.conftest import ROOT, TOPOLOGIES

    reliability = load_topology(TOPOLOGIES / "kz-2022.yaml").reliability
    assert reliability is not None
    doc = (ROOT / "docs" / "random-failures.md").read_text(encoding="utf-8")
    rows = [line.strip("|").split("|") for line in doc.splitlines() if line.startswith(("| node |", "| link |"))]
    assert len(rows) == 11
    for element_type, kind, _, mtbf, _, mttr, *_ in (list(map(str.strip, r)) for r in rows):
        rate = reliability.rates(element_type).get(kind)
        if mtbf == "never":
            assert rate is None, kind
        else:
            assert rate is not None, kind
            assert (float(mtbf.replace(",", "")), float(mttr)) == (rate.mtbf_h, rate.mttr_h), kind

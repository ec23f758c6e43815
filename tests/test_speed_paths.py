"""The fast paths equal the slow ones, number for number and byte for byte.

Each fast path (routing once per host set, prepared paths and cached delivered shares, local hours by UTC hour,
the column-wise CSV writer, caches shared between runs) is checked against a plain implementation of what it
replaces, written out here. Then the run options that make long runs cheap: ``--tables`` and ``--output-step``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner

import simkz.engine.effects as effects
import simkz.impact.disruption as disruption
import simkz.results.manifest as manifest
import simkz.results.table as table_module
from simkz import Simulation, load_scenario
from simkz.cli.main import cli
from simkz.engine.network import Lru, NetworkModel, SharedCache
from simkz.model.flows import capacities, evaluate, pass_shares, tunnel_passes
from simkz.model.routing import route
from simkz.model.state import NetworkState
from simkz.results.network import NETWORK_FILES
from simkz.results.run import TABLES, RunResult
from simkz.results.table import Table, format_number
from simkz.topology.load import load_topology
from simkz.topology.network import Cohort, Demand, Region, Service, Topology
from tests.conftest import SCENARIOS, TOPOLOGIES, TOY, write_yaml
from tests.test_routing_vectorised import assert_same_routing, random_states, reference_route

KZ = load_topology(TOPOLOGIES / "kz-2022.yaml")
TOY_TOPOLOGY = load_topology(TOY)


# --- routing: one search per distinct host set ---------------------------------------------------------------


# the reference: a heap Dijkstra per service (what simkz did before searching once per host set)
route_per_service = reference_route


@pytest.mark.parametrize("topology", [KZ, TOY_TOPOLOGY], ids=["kz-2022", "toy"])
def test_one_search_per_host_set_gives_the_routing_of_a_search_per_service(topology):
    assert len({s.hosts for s in topology.services}) < len(topology.services)  # services do share host sets
    for down_nodes, down_links in random_states(topology, 60, seed=7):
        assert_same_routing(
            route(topology, down_nodes, down_links), route_per_service(topology, down_nodes, down_links)
        )
    probes = [topology.foreign_nodes()]
    assert_same_routing(route(topology, targets=probes), route_per_service(topology, targets=probes))


# --- flows: prepared paths, cached delivered shares -----------------------------------------------------------


def evaluate_plain(routing, passes, cap, demand, cohort_nodes, tunnel=None, connected=None, caches=None):
    """The flow evaluation as written before prepared paths: every gather and product at every call."""

    def push(way_passes, mass, load):
        for layer in reversed(routing.layers):
            flow = mass[layer.src] * way_passes[layer.src] * layer.weight
            mass += np.bincount(layer.dst, weights=flow, minlength=mass.shape[0])
            load += np.bincount(layer.link, weights=flow, minlength=load.shape[0])

    def delivered_of(way_passes, scale):
        delivered = np.zeros(way_passes.shape[0])
        delivered[routing.hosts] = way_passes[routing.hosts]
        for layer in routing.layers:
            contrib = layer.weight * scale[layer.link] * delivered[layer.dst]
            delivered += np.bincount(layer.src, weights=contrib, minlength=delivered.shape[0])
            delivered[layer.nodes] *= way_passes[layer.nodes]
        return delivered

    n, n_services = routing.n_nodes, routing.n_services
    stacked = np.arange(n_services)[None, :] * n + cohort_nodes[:, None]
    if connected is not None:
        demand = demand * connected[:, None]
    share = tunnel.share if tunnel is not None else 0.0
    load = np.zeros(cap.shape[0])
    ways = [(1.0 - share, passes)] + ([(share, tunnel.passes)] if tunnel is not None and share > 0 else [])
    for weight, way_passes in ways:
        mass = np.zeros(n * n_services)
        np.add.at(mass, stacked.ravel(), weight * demand.ravel())
        push(way_passes, mass, load)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(load > cap, cap / load, 1.0)
    scale = np.clip(np.nan_to_num(scale, nan=0.0), 0.0, 1.0)
    delivered = delivered_of(passes, scale)
    served = delivered[stacked]
    if len(ways) > 1:
        served = (1.0 - share) * served + share * np.maximum(served, delivered_of(tunnel.passes, scale)[stacked])
    if caches is not None:
        served[:, caches.services] *= caches.factors(delivered, n)[None, :]
    if connected is not None:
        served = served * connected[:, None]
    return served, load, scale


def kz_states():
    """States of the reference run (blocks, throttles, cuts, whitelists) and a congested one."""
    sim = Simulation(load_scenario(SCENARIOS / "kz-jan-2022.yaml"))
    sim.initialize()
    seen = {}
    env = sim.env
    while env.peek() < sim.scenario.duration_s:
        env.step()
        seen.setdefault(sim.world.state, None)
    return list(seen)


def test_prepared_paths_give_the_flows_of_the_plain_evaluation_bit_for_bit():
    from simkz.model.flows import Caches, Tunnel

    topology = KZ
    model = NetworkModel(topology)
    caches = Caches.of(topology, 0.25)
    vpn = model.vpn_service
    rng = np.random.default_rng(3)
    states = kz_states()
    assert len(states) > 5
    congested = 0
    for state in states:
        routing = route(topology, state.down_nodes, state.down_links)
        passes = pass_shares(topology, state)
        tunnel = Tunnel(0.3, tunnel_passes(passes, len(topology.nodes), vpn)) if state.filters else None
        for factor in (1.0, 40.0):  # ordinary demand, and demand forty times over: links congest
            demand = model.demand.gbps(rng.integers(0, 24, len(topology.cohorts))) * factor
            connected = model.connected(state) if state.cut_share else None
            args = (routing, passes, capacities(topology, state), demand, model.cohort_nodes, tunnel, connected, caches)
            fast = evaluate(*args)
            served, load, scale = evaluate_plain(*args)
            assert fast.served.tobytes() == served.tobytes()
            assert fast.load_gbps.tobytes() == load.tobytes() and fast.scale.tobytes() == scale.tobytes()
            congested += bool((scale < 1).any())
    assert congested > 0  # the congested case (scales below 1) was exercised


def test_prepared_paths_keep_the_order_of_products_for_any_pass_shares():
    from simkz.model.flows import Tunnel

    model = NetworkModel(KZ)
    rng = np.random.default_rng(11)
    for down_nodes, down_links in random_states(KZ, 8, seed=2):
        routing = route(KZ, down_nodes, down_links)
        passes = np.where(rng.random(len(KZ.nodes) * len(KZ.services)) < 0.5, 1.0, rng.uniform(0.05, 1.0))
        tunnel = Tunnel(0.4, rng.uniform(0.05, 1.0, passes.shape[0]))
        demand = model.demand.gbps(rng.integers(0, 24, len(KZ.cohorts))) * rng.choice([1.0, 30.0])
        args = (routing, passes, KZ.capacities_gbps(), demand, model.cohort_nodes, tunnel)
        fast = evaluate(*args)
        served, load, scale = evaluate_plain(*args)
        assert fast.served.tobytes() == served.tobytes() and fast.load_gbps.tobytes() == load.tobytes()
        assert fast.scale.tobytes() == scale.tobytes()


# --- local hours by UTC hour ---------------------------------------------------------------------------------

ZONES = (
    "Asia/Almaty",
    "Asia/Kathmandu",  # +05:45
    "America/St_Johns",  # -03:30 with summer time
    "Europe/London",
    "Australia/Lord_Howe",  # summer time moves the clock by 30 minutes
    "Pacific/Chatham",  # +12:45 / +13:45
    "Africa/Monrovia",  # -00:44:30 until 1972: an offset in seconds
    "America/Sao_Paulo",
)


def zoned_topology() -> Topology:
    graph = nx.Graph()
    graph.add_edge("a", "h", name="a-h", capacity_gbps=1.0, kind="backbone")
    regions = {
        f"r{i}": Region(f"r{i}", f"r{i}", 1, 1.0, 0.0, None, ZoneInfo(zone), None) for i, zone in enumerate(ZONES)
    }
    cohorts = tuple(Cohort(f"a{i}", f"r{i}", "o", "fixed", 1.0) for i in range(len(ZONES)))
    for cohort in cohorts:
        graph.add_edge(cohort.node, "h", name=f"{cohort.node}-h", capacity_gbps=1.0, kind="backbone")
    return Topology(
        name="zones",
        description="",
        zone=ZoneInfo("UTC"),
        graph=graph,
        regions=regions,
        operators={},
        services=(Service("s", "web", ("h",), 1.0, 1.0, (), False),),
        cohorts=cohorts,
        demand={"fixed": Demand(1.0, (1.0,) * 24)},
    )


def test_local_hours_by_utc_hour_equal_astimezone_across_zone_changes():
    topology = zoned_topology()
    utc = ZoneInfo("UTC")
    instants = []
    for zone in map(ZoneInfo, ZONES):  # every minute of the day around each change of offset, 1971 to 2024
        for year in (1971, 1972, 2022, 2024):
            for month in (1, 3, 4, 9, 10, 11):
                start = datetime(year, month, 1, tzinfo=utc)
                for day in range(0, 31, 3):
                    t = start + timedelta(days=day)
                    before, after = t.astimezone(zone).utcoffset(), (t + timedelta(days=3)).astimezone(zone).utcoffset()
                    if before != after:
                        instants += [t + timedelta(minutes=m, seconds=59 * (m % 2)) for m in range(0, 3 * 1440, 7)]
    rng = np.random.default_rng(5)
    base = datetime(1970, 1, 1, tzinfo=utc)
    instants += [base + timedelta(seconds=float(s)) for s in rng.uniform(0, 7.3e9, 5000)]
    instants += [t.astimezone(ZoneInfo("Asia/Kathmandu")) for t in instants[:200]]  # another zone of `when`
    assert len(instants) > 10_000
    for when in instants:
        fast = topology.local_hours(when)
        assert fast.tolist() == topology.local_hours_slow(when).tolist(), when
    naive = datetime(2022, 1, 5, 12, 0)
    assert topology.local_hours(naive).tolist() == topology.local_hours_slow(naive).tolist()


def test_the_reference_topology_gives_the_same_local_hours_both_ways():
    start = datetime(2022, 1, 4, tzinfo=ZoneInfo("Asia/Almaty"))
    for minutes in range(0, 8 * 1440, 5):
        when = start + timedelta(minutes=minutes)
        assert KZ.local_hours(when).tolist() == KZ.local_hours_slow(when).tolist()


# --- the CSV writer -----------------------------------------------------------------------------------------


def write_by_cell(table: Table, path: Path) -> None:
    """The plain writer: csv.writer fed cell by cell (what simkz did before writing column by column)."""
    kinds = {"str": str, "int": lambda v: str(int(v))}
    formatters = [kinds.get(table_module.COLUMNS[name].kind, format_number) for name in table.columns]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(table.columns)
        cols = list(table.columns.values())
        for i in range(len(table)):
            writer.writerow([f(c[i]) for f, c in zip(formatters, cols, strict=True)])


AWKWARD_TEXT = ["", " ", "a b", "a,b", 'say "hi"', "line\nbreak", "cr\rhere", "tab\there", "é ü 中", ",", '"', "x"]
AWKWARD_FLOATS = [0.0, -0.0, 1.0, -1.5, 1 / 3, 2 / 3, 1e-300, -1e300, 123456789.123456, 1e16, np.nan, np.inf, -np.inf]


def awkward_table(rows: int, seed: int) -> Table:
    rng = np.random.default_rng(seed)
    text = np.array(AWKWARD_TEXT + [chr(c) for c in range(1, 128)])
    return Table(
        {
            "time": rng.choice(text, rows),
            "region": rng.choice(text, rows).astype(object),
            "elapsed_h": rng.choice(np.array(AWKWARD_FLOATS), rows),
            "connectivity_index_pct": rng.normal(50, 30, rows),
            "affected_persons": rng.integers(-5, 10**12, rows),  # whole numbers in a float column
            "vpn_share": rng.random(rows).astype(np.float32),
            "disrupted_flag": rng.integers(0, 2, rows).astype(bool),
            "services_disrupted_count": rng.integers(0, 30, rows).astype(np.float64),
        }
    )


@pytest.mark.parametrize("rows", [0, 1, 7, 5000])
def test_column_wise_writer_writes_the_bytes_of_csv_writer(tmp_path, monkeypatch, rows):
    monkeypatch.setattr(table_module, "WRITE_ROWS", 64)  # many blocks, one cut in the middle of the rows
    table = awkward_table(rows, seed=rows)
    table.write_csv(tmp_path / "fast.csv")
    write_by_cell(table, tmp_path / "plain.csv")
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()


def test_a_one_column_table_is_written_as_csv_writer_writes_it(tmp_path):
    table = Table({"region": np.array(["", "a,b", "x"])})
    table.write_csv(tmp_path / "fast.csv")
    write_by_cell(table, tmp_path / "plain.csv")
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
    assert (tmp_path / "fast.csv").read_text().splitlines()[1] == '""'


def test_every_table_of_a_run_is_written_as_before(tmp_path):
    result = Simulation(load_scenario(SCENARIOS / "kz-jan-2022.yaml")).run().result
    for name, table in result.tables.items():
        table.write_csv(tmp_path / f"{name}.csv")
        write_by_cell(table, tmp_path / f"{name}.plain.csv")
        assert (tmp_path / f"{name}.csv").read_bytes() == (tmp_path / f"{name}.plain.csv").read_bytes(), name


# --- caches kept with the topology and shared between runs ---------------------------------------------------


def test_dependency_order_is_sorted_once_per_topology(monkeypatch):
    topology = load_topology(TOPOLOGIES / "kz-2022.yaml")
    keys = topology.service_keys
    graph = nx.DiGraph()
    graph.add_nodes_from(keys)
    graph.add_edges_from((d, s.key) for s in topology.services for d, _ in s.depends_on)
    expected = [keys.index(k) for k in nx.lexicographical_topological_sort(graph)]
    assert disruption.dependency_order(topology) == expected
    monkeypatch.setattr(disruption.nx, "lexicographical_topological_sort", None)  # a second sort would fail
    assert disruption.dependency_order(topology) == expected
    served = np.random.default_rng(1).random((3, 4, len(keys)))
    plain = served.copy()
    for i in expected:
        for dep, share in topology.services[i].depends_on:
            plain[..., i] *= 1.0 - share + share * plain[..., keys.index(dep)]
    assert disruption.effective_served(topology, served).tobytes() == plain.tobytes()


def test_runs_sharing_a_topology_give_what_runs_on_fresh_topologies_give():
    path = SCENARIOS / "kz-jan-2022.yaml"
    shared = load_scenario(path)
    runs = [Simulation(shared, seed=s).run() for s in (1, 2)]  # the second meets every cache warm
    fresh = Simulation(load_scenario(path), seed=2).run()
    cache = SharedCache.of(shared.topology)
    assert cache.counts()["routes"] >= 3 and len(cache.snapshots) > 0
    for sim in runs:
        assert sim.result.summary["national"] == fresh.result.summary["national"]
        assert sim.result.summary["services"] == fresh.result.summary["services"]
        assert sim.network.evaluations == fresh.network.evaluations  # counters do not depend on the caches
        for name, table in fresh.result.tables.items():
            for column in table.names:
                assert np.array_equal(sim.result.tables[name][column], table[column]), (name, column)


def test_threads_sharing_a_topology_give_what_separate_runs_give(tmp_path):
    base = SCENARIOS / "kz-jan-2022.yaml"
    other = write_yaml(
        tmp_path / "other.yaml", {"extends": str(base), "parameters": {"cache_serves_without_origin": 0.7}}
    )
    alone = {path: Simulation(load_scenario(path)).run().result.summary for path in (base, other)}
    shared = load_scenario(base)
    variants = [shared, dataclasses.replace(load_scenario(other), topology=shared.topology)] * 3
    with ThreadPoolExecutor(len(variants)) as pool:
        summaries = list(pool.map(lambda scenario: Simulation(scenario).run().result.summary, variants))
    assert alone[base]["national"] != alone[other]["national"]  # the parameter matters
    for summary, path in zip(summaries, [base, other] * 3, strict=True):
        assert summary["national"] == alone[path]["national"] and summary["services"] == alone[path]["services"]


def test_shared_arrays_are_read_only():
    model = NetworkModel(TOY_TOPOLOGY)
    hours = TOY_TOPOLOGY.local_hours(datetime(2022, 1, 5, 12, tzinfo=ZoneInfo("Asia/Almaty")))
    snap = model.snapshot(NetworkState(down_nodes=frozenset({"gw-1"})), hours, 0.0)
    for array in (snap.served, snap.effective, snap.traffic_gbps, model.baseline_gbps(hours)):
        with pytest.raises(ValueError):
            array[0] = 1.0


def test_the_least_recently_used_entry_leaves_first():
    lru: Lru[np.ndarray] = Lru(3, max_bytes=80, nbytes=lambda a: a.nbytes)
    for key in "abc":
        lru.get(key, lambda: np.zeros(2))  # 16 bytes each
    lru.get("a", lambda: pytest.fail("a is kept"))
    lru.get("d", lambda: np.zeros(2))  # four entries: b, the least recently used, leaves
    assert lru.made == 4 and len(lru) == 3
    lru.get("b", lambda: np.zeros(2))
    assert lru.made == 5
    lru.get("big", lambda: np.zeros(9))  # 72 bytes: the others leave to stay within 80
    assert len(lru) == 1 and lru.bytes == 72


def test_a_pickled_topology_leaves_its_caches_behind():
    topology = load_topology(TOY)
    model = NetworkModel(topology)
    model.routing(NetworkState())
    topology.local_hours(datetime(2022, 1, 5, tzinfo=ZoneInfo("UTC")))
    assert "_memo" in vars(topology) and "_hour_tables" in vars(topology)
    copy = pickle.loads(pickle.dumps(topology))
    assert "_memo" not in vars(copy) and "_hour_tables" not in vars(copy)
    assert copy.nodes == topology.nodes and copy.memo("test", lambda: "made again") == "made again"


def test_an_actions_links_are_found_once_per_selection():
    scenario = load_scenario(SCENARIOS / "toy-throttle-whitelist.yaml")
    action = next(a for a in scenario.actions if a.kind == "throttle")
    topology = scenario.topology
    expected = set(action.links)
    for node in action.nodes:
        expected.update(name for _, _, name in topology.graph.edges(node, data="name"))
    first = effects._links_of(topology, action)
    assert first == expected
    again = dataclasses.replace(action, index=action.index + 100)  # another action on the same selection
    assert effects._links_of(topology, again) is first


def test_package_versions_are_looked_up_once_per_process(monkeypatch):
    calls = []
    monkeypatch.setattr(manifest.metadata, "version", lambda name: calls.append(name) or "1.0")
    manifest.package_versions.cache_clear()
    try:
        for _ in range(3):
            made = manifest.make_manifest(files=(), seed=1, engine={})
        assert made["packages"] == dict.fromkeys(manifest.PACKAGES, "1.0")
        assert len(calls) == len(manifest.PACKAGES)
    finally:
        manifest.package_versions.cache_clear()


def test_matplotlib_is_imported_only_when_a_figure_is_drawn(tmp_path):
    script = (
        "import sys\n"
        "from simkz.cli.main import cli\n"
        "cli(sys.argv[1:], standalone_mode=False)\n"
        "print('matplotlib' in sys.modules)\n"
    )
    seen = {}
    for figures in ("none", "png"):
        args = ["run", "toy-base", "--out", str(tmp_path / figures), "--figures", figures, "--quiet"]
        proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True)
        seen[figures] = proc.stdout.split()[-1]
    assert seen == {"none": "False", "png": "True"}


# --- simkz run --tables and --output-step --------------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def assert_one_line_error(res, *needles: str) -> None:
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.output, res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_tables_writes_only_the_chosen_tables(tmp_path):
    assert invoke("run", "toy-partial-restoration", "--out", str(tmp_path / "all"), "--figures", "none").exit_code == 0
    res = invoke(
        "run",
        "toy-partial-restoration",
        "--out",
        str(tmp_path / "two"),
        "--figures",
        "none",
        "--tables",
        "by_service, national",
    )
    assert res.exit_code == 0, res.output
    written = sorted(p.name for p in (tmp_path / "two").iterdir())
    assert written == sorted(
        ["by_service.csv", "columns.json", "manifest.json", "national.csv", "summary.json", *NETWORK_FILES]
    )  # the network's files are always written
    for name in ("by_service.csv", "national.csv", "summary.json", *NETWORK_FILES):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "all" / name).read_bytes()
    command = json.loads((tmp_path / "two" / "manifest.json").read_text())["command"]
    assert command[-2:] == ["--tables", "by_service, national"]


def test_an_unknown_table_is_one_line_and_exit_2(tmp_path):
    res = invoke("run", "toy-base", "--out", str(tmp_path / "r"), "--tables", "national,by_planet")
    assert_one_line_error(res, "--tables", "unknown table", "by_planet", "by_region_technology")
    assert not (tmp_path / "r").exists()


def test_output_step_samples_every_kth_row_and_keeps_the_summary(tmp_path):
    scenario = str(SCENARIOS / "toy-partial-restoration.yaml")
    assert load_scenario(scenario).step == timedelta(minutes=5)
    fine, coarse = tmp_path / "fine", tmp_path / "coarse"
    assert invoke("run", scenario, "--out", str(fine), "--figures", "none").exit_code == 0
    res = invoke("run", scenario, "--out", str(coarse), "--figures", "none", "--output-step", "1h")
    assert res.exit_code == 0, res.output
    a, b = RunResult.load(fine), RunResult.load(coarse)
    instants = len(a.tables["national"])
    for name in TABLES:
        groups = len(a.tables[name]) // instants
        rows = np.arange(len(a.tables[name])).reshape(instants, groups)[::12].ravel()
        assert len(b.tables[name]) * 12 == len(a.tables[name])
        for column in a.tables[name].names:
            assert np.array_equal(b.tables[name][column], a.tables[name][column][rows]), (name, column)
    assert b.summary["scenario"].pop("step") == "1h" and a.summary["scenario"].pop("step") == "5min"
    assert a.summary == b.summary  # figures from the exact change points, whatever the grid


def test_output_step_gives_the_folder_of_the_scenario_with_that_step(tmp_path):
    original = SCENARIOS / "toy-partial-restoration.yaml"
    hourly = write_yaml(tmp_path / "hourly.yaml", {"extends": str(original), "step": "1h"})
    assert load_scenario(hourly).name == load_scenario(original).name
    assert invoke("run", str(hourly), "--out", str(tmp_path / "a"), "--figures", "none").exit_code == 0
    res = invoke("run", str(original), "--out", str(tmp_path / "b"), "--figures", "none", "--output-step", "1h")
    assert res.exit_code == 0, res.output
    for name in [*(f"{t}.csv" for t in TABLES), "summary.json", "columns.json"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


@pytest.mark.parametrize(
    ("step", "needles"),
    [
        ("7min", ("not a multiple of the scenario's step", "7min", "5min")),
        ("12min", ("not a multiple",)),
        ("4d", ("not a multiple", "at most its duration")),
        ("soon", ("a duration is a number and a unit",)),
    ],
)
def test_a_bad_output_step_is_one_line_and_exit_2(tmp_path, step, needles):
    res = invoke("run", "toy-partial-restoration", "--out", str(tmp_path / "r"), "--output-step", step)
    assert_one_line_error(res, "--output-step", *needles)
    assert not (tmp_path / "r").exists()


def test_quoting_rules_of_csv_writer_are_followed_for_every_character():
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(["", *AWKWARD_TEXT, *(chr(c) for c in range(128))])
    quoter = table_module._Quoter()
    assert buffer.getvalue() == ",".join(quoter(t) for t in ["", *AWKWARD_TEXT, *(chr(c) for c in range(128))]) + "\n"

"""phases.csv, network.json and network_states.csv: written by every run from what the engine applied, read back."""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from simkz import RunResult, Simulation, load_scenario
from simkz.cli.main import cli
from simkz.errors import InputError
from simkz.results import network as network_module
from simkz.results.network import (
    NETWORK_FILES,
    ElementState,
    LinkInfo,
    NetworkMap,
    NetworkRecord,
    NodeInfo,
    StateLog,
    network_texts,
    read_network,
    read_phases,
    read_states,
    states_at,
    write_network_files,
)
from simkz.topology.load import load_topology
from tests.conftest import TOY

#: The toy's share of ordinary traffic that goes abroad through the gateways, by service (traffic shares):
#: chat 0.10, video 0.50, search 0.15 (the other services are hosted at home, reached through the exchange).
ABROAD = 0.10 + 0.50 + 0.15


@pytest.fixture
def run_folder(toy_scenario: Callable[..., Path], tmp_path: Path) -> Callable[..., Path]:
    """Run a toy scenario (actions and fields as for ``toy_scenario``), save its folder and return it."""
    count = iter(range(1000))

    def run(actions: list[dict[str, Any]], seed: int | None = None, **fields: Any) -> Path:
        result = Simulation(load_scenario(toy_scenario(actions, **fields)), seed=seed).run().result
        return result.save(tmp_path / f"run{next(count)}")

    return run


def at(folder: Path, hours: float) -> Any:
    return states_at(read_states(folder), hours)


# --- phases -------------------------------------------------------------------------------------------------------


def test_phases_expand_windows_and_daily_repeats_clip_them_to_the_run_and_sort_by_start(run_folder):
    folder = run_folder(
        [
            {  # two one-off windows: the first began before the run, the second ends after it
                "label": "gateways off",
                "windows": [
                    ["2022-01-05T10:00+06:00", "2022-01-05T14:00+06:00"],
                    ["2022-01-06T20:00+06:00", "2022-01-07T06:00+06:00"],
                ],
                "shutdown": {"kind": "gateway"},
            },
            {  # a daily window, no label: one made from the kind and services
                "daily": {"from": "13:00", "to": "14:00"},
                "between": ["2022-01-04", "2022-01-10"],
                "block": {"services": ["chat", "video"]},
            },
            {"at": "2022-01-05T13:00+06:00", "throttle": {"links": ["gw-1--abroad"], "factor": 0.5}},
            {"at": "2022-01-05T18:00+06:00", "until": "2022-01-05T19:00+06:00", "restore": {}},
        ],
        duration="36h",
    )
    phases = read_phases(folder)
    got = [(p.label, p.kind, p.start_elapsed_h, p.end_elapsed_h, p.action) for p in phases]
    assert got == [
        ("gateways off", "shutdown", 0.0, 2.0, 0),
        ("block: chat, video", "block", 1.0, 2.0, 1),  # 13:00 on the 5th
        ("throttle: gw-1--abroad", "throttle", 1.0, 36.0, 2),  # still in force at the end: ends there
        ("restore: everything", "restore", 6.0, 7.0, 3),
        ("block: chat, video", "block", 25.0, 26.0, 1),  # 13:00 on the 6th
        ("gateways off", "shutdown", 32.0, 36.0, 0),
    ]
    assert phases[0].start == datetime.fromisoformat("2022-01-05T12:00:00+06:00")  # clipped to the run's start
    assert phases[-1].end == datetime.fromisoformat("2022-01-07T00:00:00+06:00")  # and to its end
    text = (folder / "phases.csv").read_text().splitlines()
    assert text[0] == "label,kind,start,end,start_elapsed_h,end_elapsed_h,action"
    assert text[2] == '"block: chat, video",block,2022-01-05T13:00:00+06:00,2022-01-05T14:00:00+06:00,1,2,1'


def test_phases_are_the_realised_windows_shifted_by_the_drawn_minutes(toy_scenario, tmp_path):
    path = toy_scenario(
        [
            {
                "at": "2022-01-05T14:00+06:00",
                "until": "2022-01-05T16:00+06:00",
                "shift_min": {"dist": "uniform", "low": -60, "high": 60},
                "shutdown": {"kind": "gateway"},
            }
        ]
    )
    result = Simulation(load_scenario(path), seed=3).run().result
    shift_h = result.summary["scenario"]["draws"]["actions[0].shift_min"] / 60.0
    assert shift_h != 0
    (phase,) = read_phases(result.save(tmp_path / "r"))
    assert phase.start_elapsed_h == pytest.approx(2.0 + shift_h, abs=1e-8)
    assert phase.end_elapsed_h == pytest.approx(4.0 + shift_h, abs=1e-8)
    states = read_states(tmp_path / "r")
    assert states.hours == pytest.approx([2.0 + shift_h, 4.0 + shift_h], abs=1e-8)  # the engine applied them so


def test_a_run_without_actions_has_a_header_only_phases_and_states(run_folder):
    folder = run_folder([])
    assert read_phases(folder) == ()
    assert len(read_states(folder)) == 0
    assert (folder / "network_states.csv").read_text() == "time,elapsed_h,element,element_type,state,value\n"


# --- states -------------------------------------------------------------------------------------------------------


def test_shut_nodes_are_down_in_the_window_and_up_after_a_restore(run_folder):
    folder = run_folder(
        [
            {"at": "2022-01-05T14:00+06:00", "shutdown": {"kind": "gateway"}},
            {"at": "2022-01-05T18:00+06:00", "restore": {"kind": "gateway"}},
        ]
    )
    assert at(folder, 1.0).node("gw-1") == ElementState("up")
    for hours in (2.0, 3.0, 5.99):
        states = at(folder, hours)
        assert states.node("gw-1").state == states.node("gw-2").state == "down"
        assert states.node("a-core").state == "up"
    assert at(folder, 6.0).node("gw-1").state == "up" and at(folder, 6.0).node("gw-2").state == "up"
    log = read_states(folder)
    assert log.hours == (2.0, 6.0)
    assert [(c.element, c.state) for c in log.changes] == [
        ("gw-1", "down"),
        ("gw-2", "down"),
        ("gw-1", "up"),
        ("gw-2", "up"),
    ]


def test_a_throttle_is_throttled_with_its_factor_and_a_cut_link_is_down(run_folder):
    folder = run_folder(
        [
            {"at": "2022-01-05T13:00+06:00", "throttle": {"nodes": ["gw-1"], "factor": 0.25}},
            {"at": "2022-01-05T15:00+06:00", "shutdown": {"links": ["gw-1--abroad"]}},
        ]
    )
    states = at(folder, 1.5)
    assert states.links == {
        "a-core--gw-1": ElementState("throttled", 0.25),
        "b-core--gw-1": ElementState("throttled", 0.25),
        "gw-1--abroad": ElementState("throttled", 0.25),
    }
    assert states.node("gw-1").state == "up"  # a throttle acts on links
    later = at(folder, 4.0)
    assert later.link("gw-1--abroad").state == "down"  # down comes before throttled
    assert later.link("a-core--gw-1") == ElementState("throttled", 0.25)
    assert later.link("gw-2--abroad").state == "up"


def test_a_block_filters_the_control_points_with_the_share_of_ordinary_traffic_that_passes(run_folder):
    folder = run_folder(
        [
            {"at": "2022-01-05T13:00+06:00", "block": {"services": ["chat"]}},
            {"at": "2022-01-05T14:00+06:00", "degrade": {"nodes": ["north-b-mobile"], "pass": 0.4}},
            {"at": "2022-01-05T15:00+06:00", "whitelist": {"services": ["chat"], "at": {"nodes": ["gw-2"]}}},
        ]
    )
    states = at(folder, 1.0)
    # the gateways carry only the services abroad; chat is 0.10 of those 0.75, and is stopped
    for gateway in ("gw-1", "gw-2"):
        assert states.node(gateway).state == "filtered"
        assert states.node(gateway).value == pytest.approx(1.0 - 0.10 / ABROAD, rel=1e-9)
    assert at(folder, 2.0).node("north-b-mobile") == ElementState("filtered", 0.4)  # every service passes 0.4
    # whitelisting chat at gw-2 stops the rest; the block stops chat: nothing passes there
    later = at(folder, 3.0)
    assert later.node("gw-2").value == pytest.approx(0.0, abs=1e-12)
    assert later.node("gw-1").value == pytest.approx(1.0 - 0.10 / ABROAD, rel=1e-9)


def test_a_partial_shutdown_is_partial_with_the_share_still_connected(run_folder):
    folder = run_folder([{"at": "2022-01-05T13:00+06:00", "shutdown": {"nodes": ["north-b-mobile"], "share": 0.3}}])
    assert at(folder, 0.5).node("north-b-mobile").state == "up"
    assert at(folder, 1.0).node("north-b-mobile").state == "partial"
    assert at(folder, 1.0).node("north-b-mobile").value == pytest.approx(0.7)


def test_withdrawn_routes_and_the_order_of_precedence(run_folder):
    folder = run_folder(
        [
            {"at": "2022-01-05T13:00+06:00", "degrade": {"nodes": ["south-a-fixed"], "pass": 0.5}},
            {"at": "2022-01-05T14:00+06:00", "withdraw": {"nodes": ["south-a-fixed"]}},
            {
                "at": "2022-01-05T15:00+06:00",
                "until": "2022-01-05T16:00+06:00",
                "shutdown": {"nodes": ["south-a-fixed"]},
            },
            {"at": "2022-01-05T17:00+06:00", "restore": {"nodes": ["south-a-fixed"], "lift": ["withdraw"]}},
        ]
    )
    node = "south-a-fixed"
    assert [at(folder, h).node(node).state for h in (1.5, 2.5, 3.5, 4.5, 5.5)] == [
        "filtered",
        "withdrawn",
        "down",
        "withdrawn",  # the shutdown ended: the node is back to what still holds
        "filtered",
    ]
    assert at(folder, 5.5).node(node).value == pytest.approx(0.5)


def test_random_failures_appear_as_down_then_up_at_the_moments_they_happened(run_folder):
    failures = {
        "crews": 50,
        "nodes": {"access": {"mtbf_h": 300, "mttr_h": 20}},
        "links": {"cross-border": {"mtbf_h": 400, "mttr_h": 8}},
    }
    folder = run_folder([], seed=4, duration="40d", step="1d", random_failures=failures)
    result = RunResult.load(folder)
    table = result.tables["failures"]
    assert len(table) > 5 and set(table["element_type"]) == {"node", "link"}
    log = read_states(folder)
    down = [(c.element, c.element_type, c.elapsed_h) for c in log.changes if c.state == "down"]
    expected = [
        (str(e), str(t), float(h))
        for e, t, h in zip(table["element"], table["element_type"], table["failed_elapsed_h"], strict=True)
    ]
    assert [d[:2] for d in down] == [e[:2] for e in expected]
    assert [d[2] for d in down] == pytest.approx([e[2] for e in expected], rel=1e-9)
    restored = [(str(e), str(t)) for e, t in zip(table["element"], table["restored_at"], strict=True) if t]
    ups = [(c.element, c.time.isoformat()) for c in log.changes if c.state == "up"]
    assert sorted(ups) == sorted(restored) and len(ups) > 3
    # each failed element is down at the moment of its failure
    for element, element_type, hours in expected:
        states = states_at(log, hours)
        assert (states.node(element) if element_type == "node" else states.link(element)).state == "down"


# --- network.json -------------------------------------------------------------------------------------------------


def test_network_json_holds_every_node_and_link_of_the_topology_with_positions(run_folder):
    folder = run_folder([])
    network = read_network(folder)
    topology = load_topology(TOY)
    assert network.topology == "toy"
    assert (network.timezone, network.utc_offset) == ("Asia/Almaty", "+06:00")
    assert list(network.nodes) == list(topology.nodes)
    assert list(network.links) == list(topology.links)
    for key, node in network.nodes.items():
        data = topology.graph.nodes[key]
        assert node.kind == data["kind"] and node.position == tuple(data["position"])
        assert node.operator == data.get("operator") and node.controlled_by == data.get("controlled_by")
        assert node.border == data.get("border") and node.region == data.get("region")
    for key, link in network.links.items():
        assert set(link.ends) == set(topology.link_ends[topology.link_index[key]])
        assert link.capacity_gbps == topology.graph.edges[link.ends]["capacity_gbps"]
    assert network.nodes["gw-1"].controlled_by == "central-management" and network.nodes["gw-1"].border == "RU"
    assert network.nodes["ix"].operator is None and network.nodes["a-core"].users == 0.0
    users = {c.node: c.users for c in topology.cohorts}
    assert {k: n.users for k, n in network.nodes.items() if n.kind == "access"} == pytest.approx(users)
    assert network.regions["north"].position == (0.0, 1.0)
    assert network.regions["north"].internet_users == pytest.approx(800_000)
    assert network.operators["telco-a"].name == "Telco A"
    # valid JSON, one line per region, operator, node and link
    text = (folder / "network.json").read_text()
    doc = json.loads(text)
    assert len(doc["nodes"]) == len(topology.nodes) and len(doc["links"]) == len(topology.links)
    entries = [line for line in text.splitlines() if line.startswith('    "')]
    assert len(entries) == len(topology.regions) + len(topology.operators) + len(topology.nodes) + len(topology.links)


def test_a_network_made_by_hand_writes_and_reads_back_in_pieces_of_any_size(tmp_path):
    links = {f"l{i}": LinkInfo(("a", "b"), "backbone", 10.0 * (i + 1)) for i in range(5)}
    nodes = {
        "a": NodeInfo("core", None, None, None, None, None, None, 0.0),
        "b": NodeInfo("access", "op", "r", "fixed", (1.5, -2.0), None, None, 1234.5),
    }
    network = NetworkMap("hand", "UTC", "+00:00", {}, {}, nodes, links)
    text = network_texts(NetworkRecord((), network, StateLog(())))["network.json"]
    for size in (1, 2, 4, 5, 100):
        assert "".join(network_module._network_json_chunks(network, size)) == text
    assert '"regions": {}' in text and '"operators": {}' in text
    write_network_files(tmp_path, NetworkRecord((), network, StateLog(())))
    assert (tmp_path / "network.json").read_text() == text
    assert read_network(tmp_path) == network
    assert read_phases(tmp_path) == () and read_states(tmp_path) == StateLog(())


# --- folders ------------------------------------------------------------------------------------------------------

SHUT_AND_FILTER = [
    {"at": "2022-01-05T13:00+06:00", "block": {"services": ["chat"]}},
    {"at": "2022-01-05T14:00+06:00", "until": "2022-01-05T16:00+06:00", "shutdown": {"regions": ["south"]}},
]


def test_two_runs_write_the_same_bytes_and_a_loaded_folder_saves_them_again(run_folder, tmp_path):
    a, b = run_folder(SHUT_AND_FILTER), run_folder(SHUT_AND_FILTER)
    for name in NETWORK_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes()
    again = RunResult.load(a).save(tmp_path / "again")
    for name in NETWORK_FILES:
        assert (again / name).read_bytes() == (a / name).read_bytes()
    columns = json.loads((a / "columns.json").read_text())
    for col in ("label", "kind", "start", "end", "action", "state", "value", "element", "element_type"):
        assert columns[col]["unit"] and columns[col]["description"]


def test_the_files_are_written_whatever_tables_are_chosen_and_in_each_replication(toy_scenario, tmp_path):
    path = toy_scenario(SHUT_AND_FILTER)
    runner = CliRunner()
    out = tmp_path / "one"
    done = runner.invoke(cli, ["run", str(path), "--out", str(out), "--tables", "national", "--figures", "none"])
    assert done.exit_code == 0, done.output
    assert {p.name for p in out.iterdir()} >= {"national.csv", *NETWORK_FILES}
    assert not (out / "by_region.csv").exists()
    reps = tmp_path / "reps"
    done = runner.invoke(cli, ["run", str(path), "--out", str(reps), "--replications", "2", "--workers", "1"])
    assert done.exit_code == 0, done.output
    for run in ("r0000", "r0001"):
        folder = reps / "replications" / run
        assert {p.name for p in folder.iterdir()} >= set(NETWORK_FILES)
        assert read_phases(folder) == read_phases(out)
        assert read_states(folder) == read_states(out)


def test_the_files_read_back_as_the_run_made_them(toy_scenario, tmp_path):
    result = Simulation(load_scenario(toy_scenario(SHUT_AND_FILTER))).run().result
    record = result.network
    assert record is not None and len(record.states) > 0 and len(record.phases) == 2
    folder = result.save(tmp_path / "r")
    assert read_phases(folder) == record.phases
    assert read_network(folder) == record.network
    assert read_states(folder) == record.states
    assert json.loads((folder / "network.json").read_text()) == record.network.to_json()


def test_a_baseline_holds_no_network_files(toy_scenario, tmp_path):
    result = Simulation(load_scenario(toy_scenario(SHUT_AND_FILTER))).run().result
    folder = result.save(tmp_path / "b", provenance=False)
    assert not any((folder / name).exists() for name in NETWORK_FILES)
    assert RunResult.load(folder).network is None


# --- reading back -------------------------------------------------------------------------------------------------


def test_states_at_takes_hours_or_instants(run_folder):
    log = read_states(run_folder(SHUT_AND_FILTER))
    assert log.times[1] == datetime.fromisoformat("2022-01-05T14:00:00+06:00")
    by_text = states_at(log, "2022-01-05T15:00+06:00")
    assert by_text == states_at(log, 3.0) == states_at(log, datetime.fromisoformat("2022-01-05T09:00+00:00"))
    assert by_text.node("south-a-fixed").state == "down"
    assert states_at(log, "2022-01-05T13:59:59+06:00").node("south-a-fixed").state == "up"
    assert states_at(StateLog(()), 5.0).node("gw-1") == ElementState("up")
    with pytest.raises(InputError, match="UTC offset"):
        states_at(log, "2022-01-05T15:00")
    with pytest.raises(InputError, match="ISO 8601"):
        states_at(log, "noon")


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("phases.csv", lambda t: t.replace("label,kind", "name,kind"), "unexpected header"),
        ("phases.csv", lambda t: t.replace(",block,", ",ban,"), "unknown kind"),
        ("phases.csv", lambda t: t.replace("+06:00", "", 1), "UTC offset"),
        ("phases.csv", lambda t: t.rstrip("\n"), "truncated"),
        ("phases.csv", lambda t: t + "x,block\n", "row of 2 cells"),
        ("network_states.csv", lambda t: t.replace(",down,", ",off,", 1), "unknown state"),
        ("network_states.csv", lambda t: t.replace(",node,", ",router,", 1), "unknown element_type"),
        ("network_states.csv", lambda t: re.sub(r",filtered,[0-9.]+", ",filtered,1.5", t, count=1), "0 to 1"),
        ("network_states.csv", lambda t: re.sub(r",filtered,[0-9.]+", ",filtered,half", t, count=1), "not a valid"),
        ("network_states.csv", lambda t: t.replace(",down,", ",down,0.5", 1), "has no value"),
        ("network_states.csv", lambda t: t + "2022-01-05T12:00:00+06:00,0,gw-1,node,up,\n", "time order"),
        ("network.json", lambda t: t.replace('"utc_offset"', '"offset"'), "unknown key"),
        ("network.json", lambda t: t.replace('"capacity_gbps": 1000.0', '"capacity_gbps": "big"', 1), "capacity_gbps"),
        ("network.json", lambda t: t.replace('"ends": ["a-core", "gw-1"]', '"ends": ["a-core", "gw-9"]'), "gw-9"),
        ("network.json", lambda t: t[:-5], "JSON"),
    ],
)
def test_a_malformed_file_is_one_input_error_naming_it(run_folder, name, change, message):
    folder = run_folder(SHUT_AND_FILTER)
    path = folder / name
    path.write_text(change(path.read_text()))
    read = {"phases.csv": read_phases, "network_states.csv": read_states, "network.json": read_network}[name]
    with pytest.raises(InputError, match=message) as caught:
        read(folder)
    assert name in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(InputError):
        RunResult.load(folder)


@pytest.mark.parametrize("running", [True, False])
def test_reading_a_network_leaves_the_garbage_collector_as_it_was(run_folder, running):
    folder = run_folder([])
    (gc.enable if running else gc.disable)()
    try:
        read_network(folder)
        assert gc.isenabled() is running
        (folder / "network.json").write_text("{}")
        with pytest.raises(InputError):
            read_network(folder)
        assert gc.isenabled() is running
    finally:
        gc.enable()


@pytest.mark.parametrize("name", NETWORK_FILES)
def test_a_missing_file_is_an_input_error(run_folder, name):
    folder = run_folder([])
    (folder / name).unlink()
    read = {"phases.csv": read_phases, "network_states.csv": read_states, "network.json": read_network}[name]
    with pytest.raises(InputError, match="not found") as caught:
        read(folder)
    assert name in str(caught.value)

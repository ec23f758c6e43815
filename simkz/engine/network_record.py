"""What a results folder keeps of a run's network: its phases, its map and its state log
(:class:`~simkz.results.network.NetworkRecord`; the files are described in :mod:`simkz.results.network`).

The phases are the windows of the realised scenario's actions, the ones the engine put in force (shifts
drawn and applied, clipped to the run); the states are those the engine applied
(:class:`~simkz.engine.states.StateRecorder`); the map is the topology the run used.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from simkz.collector import collector_paused
from simkz.engine.states import StateRecorder
from simkz.results.network import (
    LinkInfo,
    NetworkMap,
    NetworkRecord,
    NodeInfo,
    OperatorInfo,
    Phase,
    RegionInfo,
)
from simkz.results.table import round_sig
from simkz.scenario.load import Action, Scenario
from simkz.scenario.schema import SelectorSpec

__all__ = ["network_map", "network_record", "phase_label", "phases"]

#: Selector keys in the order a made-up label names them, and the noun of ``all``.
_SELECTOR_NOUNS = (
    ("nodes", "nodes"),
    ("kind", "node kinds"),
    ("operators", "operators"),
    ("regions", "regions"),
    ("tech", "technologies"),
    ("controlled_by", "control points"),
    ("links", "links"),
)


def network_record(scenario: Scenario, states: StateRecorder) -> NetworkRecord:
    """The record of a run of the realised ``scenario`` whose engine applied ``states``."""
    with collector_paused():  # an object per node and link: on 500,000 links, collections would cost seconds
        network = network_map(scenario)
    return NetworkRecord(
        phases=phases(scenario),
        network=network,
        states=states.log(scenario.topology, scenario.start, scenario.zone),
    )


def phases(scenario: Scenario) -> tuple[Phase, ...]:
    """One phase per window of an action in force during the run, ordered by start, then by place in the file."""
    end_s = scenario.duration_s

    def when(seconds: float) -> datetime:  # as phases.csv holds it: whole seconds
        return (scenario.start + timedelta(seconds=seconds)).astimezone(scenario.zone).replace(microsecond=0)

    windows = sorted(
        (w.on, action.index, number, action, w.off if w.off is not None else end_s)
        for action in scenario.actions
        for number, w in enumerate(action.windows)
    )
    return tuple(
        Phase(
            label=phase_label(action),
            kind=action.kind,
            start=when(on),
            end=when(off),
            start_elapsed_h=round_sig(on / 3600.0),
            end_elapsed_h=round_sig(off / 3600.0),
            action=index,
        )
        for on, index, _, action, off in windows
    )


def phase_label(action: Action) -> str:
    """The action's ``label``, or one made from its kind and what it acts on: ``shutdown: gateway``,
    ``block: chat, video``, ``restore: everything``."""
    spec = action.spec
    if spec.label:
        return spec.label
    body = getattr(spec, action.kind)
    if action.kind in ("block", "whitelist"):
        return f"{action.kind}: {', '.join(body.services) or 'nothing'}"
    return f"{action.kind}: {_selection(body)}"


def _selection(selector: SelectorSpec) -> str:
    parts = []
    for key, noun in _SELECTOR_NOUNS:
        value = getattr(selector, key)
        if value is not None:
            parts.append(f"all {noun}" if value == "all" else "+".join(value))
    text = ", ".join(parts) or "everything"
    if selector.except_ is not None:
        left_out = [
            "+".join(v) if v != "all" else f"all {noun}"
            for key, noun in _SELECTOR_NOUNS
            if (v := getattr(selector.except_, key)) is not None
        ]
        if left_out:
            text += f" except {', '.join(left_out)}"
    return text


def network_map(scenario: Scenario) -> NetworkMap:
    """The topology of ``scenario`` as drawn (``network.json``; numbers to 10 significant digits, as the file)."""
    topology = scenario.topology
    offset = scenario.start.astimezone(scenario.zone).isoformat()[-6:]
    users: dict[str, float] = {}
    for cohort in topology.cohorts:
        users[cohort.node] = users.get(cohort.node, 0.0) + cohort.users
    graph = topology.graph
    nodes = {}
    for key in topology.nodes:
        data = graph.nodes[key]
        nodes[key] = NodeInfo(
            kind=str(data["kind"]),
            operator=data.get("operator"),
            region=data.get("region"),
            tech=data.get("tech"),
            position=_position(data.get("position")),
            controlled_by=data.get("controlled_by"),
            border=data.get("border"),
            users=round_sig(users.get(key, 0.0)),
        )
    kinds = {data["name"]: str(data["kind"]) for _, _, data in graph.edges(data=True)}
    distinct, where = np.unique(topology.link_capacities, return_inverse=True)  # few distinct: round each once
    rounded = [round_sig(c) for c in distinct.tolist()]
    capacities = [rounded[i] for i in where.reshape(-1).tolist()]
    links = {
        key: LinkInfo(ends=ends, kind=kinds[key], capacity_gbps=capacity)
        for key, ends, capacity in zip(topology.links, topology.link_ends, capacities, strict=True)
    }
    return NetworkMap(
        topology=topology.name,
        timezone=scenario.zone.key,
        utc_offset=offset,
        regions={
            k: RegionInfo(name=r.name, position=_position(r.position), internet_users=round_sig(r.internet_users))
            for k, r in topology.regions.items()
        },
        operators={k: OperatorInfo(name=str(o.get("name") or k)) for k, o in topology.operators.items()},
        nodes=nodes,
        links=links,
    )


def _position(value: Sequence[float] | None) -> tuple[float, float] | None:
    if value is None:
        return None
    x, y = value
    return round_sig(float(x)), round_sig(float(y))

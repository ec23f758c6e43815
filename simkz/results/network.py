"""The network of a run and what happened to it: ``phases.csv``, ``network.json`` and ``network_states.csv``.

Every ``simkz run`` writes the three files beside its tables (whatever ``--tables`` says: they are small),
from what the engine applied (:mod:`simkz.engine.states`), so that figures and reports can draw a run from
its folder alone:

* ``phases.csv``: one row per window of an action in force during the run (one-off windows and daily
  repeats expanded, shifts applied, clipped to the run), ordered by start, then by the action's place in
  the scenario: ``label`` (the action's label, or one made from its kind and selection, like
  ``shutdown: gateway``), ``kind``, ``start`` and ``end`` (ISO 8601 with the scenario's UTC offset, like
  ``time`` in the tables; a window still open at the end of the run ends there), ``start_elapsed_h``
  and ``end_elapsed_h`` (hours since the run's start), ``action`` (the action's index in ``actions``);
* ``network.json``: the topology as drawn: its name, the scenario's time zone and UTC offset at the
  start, regions (display name, ``position``, internet users in persons), operators (display name),
  nodes (``kind``, ``operator``, ``region``, ``tech``, ``position``, ``controlled_by``, ``border``;
  null where the topology gives none; ``users``: internet users behind an access node, persons, 0 for
  other nodes) and links (``ends``, ``kind``, ``capacity_gbps``);
* ``network_states.csv``: an event log of the state of every node and link: one row each time an
  element's state (or its value) changes, and at the start a row for every element not in its ordinary
  state: ``time``, ``elapsed_h``, ``element``, ``element_type`` (``node`` or ``link``), ``state``,
  ``value``. The state of an element at a time is that of its last row at or before it (``up`` if it
  has none): :func:`states_at`.

Node states (one per node; where several hold, the first of this order): ``down`` (shut down, or failed
at random), ``withdrawn`` (its routes withdrawn from the global routing table), ``partial`` (a share of
its users cut off; ``value``: the share still connected, 0-1), ``filtered`` (a block, whitelist or
degrade acts at it; ``value``: the share of the ordinary traffic through it that its rules let pass,
0-1, empty when no ordinary traffic crosses it), ``up``. Link states: ``down`` (cut, or failed at
random), ``throttled`` (``value``: the capacity factor, 0-1), ``up``. A link keeps its own state when a
node at one of its ends goes down (it then carries nothing).

:func:`read_phases`, :func:`read_network` and :func:`read_states` read the files back as typed values
and raise a one-line :class:`~simkz.errors.InputError` for a missing or malformed file.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from simkz.collector import collector_paused
from simkz.errors import InputError
from simkz.inputs import Pair, StrictModel, validate_model
from simkz.jsonio import read_json
from simkz.results.table import format_number, parse_csv, round_sig
from simkz.yamlio import read_capped_text

__all__ = [
    "LINK_STATES",
    "NETWORK_FILE",
    "NETWORK_FILES",
    "NODE_STATES",
    "PHASES_FILE",
    "PHASE_COLUMNS",
    "STATES_FILE",
    "STATE_COLUMNS",
    "UP",
    "ElementState",
    "LinkInfo",
    "NetworkMap",
    "NetworkRecord",
    "NetworkStates",
    "NodeInfo",
    "OperatorInfo",
    "Phase",
    "RegionInfo",
    "StateChange",
    "StateLog",
    "network_texts",
    "read_network",
    "read_network_record",
    "read_phases",
    "read_states",
    "states_at",
    "write_network_files",
]

PHASES_FILE = "phases.csv"
NETWORK_FILE = "network.json"
STATES_FILE = "network_states.csv"
#: The three files, in the order they are written.
NETWORK_FILES = (PHASES_FILE, NETWORK_FILE, STATES_FILE)
PHASE_COLUMNS = ("label", "kind", "start", "end", "start_elapsed_h", "end_elapsed_h", "action")
STATE_COLUMNS = ("time", "elapsed_h", "element", "element_type", "state", "value")
#: States a node can be in, in order of precedence (the first that holds is the node's).
NODE_STATES = ("down", "withdrawn", "partial", "filtered", "up")
#: States a link can be in, in order of precedence.
LINK_STATES = ("down", "throttled", "up")
#: States that carry a value (0-1); ``filtered`` may leave it empty.
_VALUED = frozenset({"partial", "filtered", "throttled"})
_ACTION_KINDS = ("block", "whitelist", "degrade", "shutdown", "withdraw", "restore", "throttle")
#: Largest CSV file read back, bytes.
MAX_CSV_BYTES = 1 << 30


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


# --- typed values -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phase:
    """One window of one action in force during the run (times aware, in the scenario's zone; hours since start)."""

    label: str
    kind: str
    start: datetime
    end: datetime
    start_elapsed_h: float
    end_elapsed_h: float
    action: int  #: the action's index in the scenario's ``actions``


@dataclass(frozen=True, slots=True)
class ElementState:
    """The state of one node or link; ``value`` 0-1 for ``partial``, ``filtered`` and ``throttled`` (None if
    unknown or not meaningful)."""

    state: str
    value: float | None = None


#: The ordinary state.
UP = ElementState("up")


@dataclass(frozen=True, slots=True)
class StateChange:
    """One row of ``network_states.csv``: from ``time`` on, ``element`` is in ``state``."""

    time: datetime
    elapsed_h: float
    element: str
    element_type: str  #: ``node`` or ``link``
    state: str
    value: float | None = None

    @property
    def element_state(self) -> ElementState:
        return ElementState(self.state, self.value)


@dataclass(frozen=True)
class StateLog:
    """The rows of ``network_states.csv``, in time order."""

    changes: tuple[StateChange, ...]

    def __len__(self) -> int:
        return len(self.changes)

    @property
    def times(self) -> tuple[datetime, ...]:
        """The distinct instants of the log, in order: the run's states (for a slider)."""
        return tuple(dict.fromkeys(c.time for c in self.changes))

    @property
    def hours(self) -> tuple[float, ...]:
        """The distinct instants of the log in hours since the start, in order."""
        return tuple(dict.fromkeys(c.elapsed_h for c in self.changes))


@dataclass(frozen=True)
class NetworkStates:
    """The state of every node and link at one time: ``nodes`` and ``links`` hold the elements the log names up
    to then (those it does not name are ``up``)."""

    nodes: Mapping[str, ElementState]
    links: Mapping[str, ElementState]

    def node(self, key: str) -> ElementState:
        return self.nodes.get(key, UP)

    def link(self, key: str) -> ElementState:
        return self.links.get(key, UP)


@dataclass(frozen=True, slots=True)
class RegionInfo:
    name: str
    position: tuple[float, float] | None
    internet_users: float  #: persons


@dataclass(frozen=True, slots=True)
class OperatorInfo:
    name: str


@dataclass(frozen=True, slots=True)
class NodeInfo:
    kind: str
    operator: str | None
    region: str | None
    tech: str | None
    position: tuple[float, float] | None
    controlled_by: str | None
    border: str | None
    users: float  #: internet users behind the node, persons (0 but for access nodes)


@dataclass(frozen=True, slots=True)
class LinkInfo:
    ends: tuple[str, str]
    kind: str
    capacity_gbps: float


@dataclass(frozen=True)
class NetworkMap:
    """``network.json``: what drawing the network needs, from the topology the run used."""

    topology: str
    timezone: str  #: IANA zone of the scenario's times
    utc_offset: str  #: its offset at the run's start, like ``+06:00``
    regions: Mapping[str, RegionInfo]
    operators: Mapping[str, OperatorInfo]
    nodes: Mapping[str, NodeInfo]
    links: Mapping[str, LinkInfo]

    def to_json(self) -> dict[str, Any]:
        """The document written to ``network.json`` (numbers to 10 significant digits)."""
        data: dict[str, Any] = json.loads(_network_json(self))
        return data


@dataclass
class NetworkRecord:
    """What a results folder keeps of the network of a run: its phases, its map and its state log."""

    phases: tuple[Phase, ...]
    network: NetworkMap
    states: StateLog


# --- states at a time ---------------------------------------------------------------------------------------------


def states_at(log: StateLog, time: float | datetime | str) -> NetworkStates:
    """The state of every element at ``time``: hours since the start (a float), or an instant (an aware
    :class:`~datetime.datetime`, or ISO 8601 text with its UTC offset). Each element's state is that of its last
    row at or before ``time``; an element with none is ``up``."""
    changes = log.changes
    if isinstance(time, int | float):
        end = bisect_right([c.elapsed_h for c in changes], float(time))
    else:
        when = _instant(time)
        end = bisect_right([c.time for c in changes], when)
    nodes: dict[str, ElementState] = {}
    links: dict[str, ElementState] = {}
    for change in changes[:end]:
        (nodes if change.element_type == "node" else links)[change.element] = change.element_state
    return NetworkStates(nodes=nodes, links=links)


def _instant(time: datetime | str) -> datetime:
    if isinstance(time, str):
        try:
            time = datetime.fromisoformat(time)
        except ValueError:
            raise InputError(None, ("time",), "not an ISO 8601 instant", value=time) from None
    if time.tzinfo is None or time.utcoffset() is None:
        raise InputError(None, ("time",), "an instant needs its UTC offset", value=str(time), allowed="e.g. +06:00")
    return time


# --- writing ------------------------------------------------------------------------------------------------------


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _value(value: float | None) -> str:
    return "" if value is None else format_number(value)


def network_texts(record: NetworkRecord) -> dict[str, str]:
    """The text of each of the three files, by file name (deterministic: numbers to 10 significant digits)."""
    return {
        PHASES_FILE: _phases_text(record.phases),
        NETWORK_FILE: _network_json(record.network),
        STATES_FILE: _states_text(record.states),
    }


def _phases_text(phases: Sequence[Phase]) -> str:
    return _csv_text(
        PHASE_COLUMNS,
        (
            (
                p.label,
                p.kind,
                _iso(p.start),
                _iso(p.end),
                format_number(p.start_elapsed_h),
                format_number(p.end_elapsed_h),
                str(p.action),
            )
            for p in phases
        ),
    )


def _states_text(log: StateLog) -> str:
    return _csv_text(
        STATE_COLUMNS,
        (
            (_iso(c.time), format_number(c.elapsed_h), c.element, c.element_type, c.state, _value(c.value))
            for c in log.changes
        ),
    )


#: A string as JSON text, non-ASCII characters kept (what ``json.dumps(..., ensure_ascii=False)`` writes).
_string: Callable[[str], str] = json.encoder.encode_basestring


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _number(value: float) -> str:
    """A finite number to 10 significant digits, as JSON writes it (``float.__repr__``)."""
    if not math.isfinite(value):
        raise ValueError(f"network.json holds finite numbers only, not {value}")
    return repr(round_sig(value))


def _position(p: tuple[float, float] | None) -> str:
    return "null" if p is None else f"[{_number(p[0])}, {_number(p[1])}]"


def _network_json(network: NetworkMap) -> str:
    """The text of ``network.json``."""
    return "".join(_network_json_chunks(network))


def _network_json_chunks(network: NetworkMap, size: int = 4096) -> Iterator[str]:
    """``network.json`` in pieces of about ``size`` entries: one line per region, operator, node and link
    (readable, and compact for large networks; written piece by piece, no copy of the whole text is needed).

    Each line is formatted field by field (the layout of :func:`json.dumps`), which on a network of 500,000 links
    takes a fraction of the time of an encoder call per entry; :meth:`NetworkMap.to_json` parses it back."""
    kind, capacity = functools.lru_cache(1024)(_string), functools.lru_cache(1024)(_number)  # few distinct values
    sections = {
        "regions": (
            f'{_string(k)}: {{"name": {_string(r.name)}, "position": {_position(r.position)}, '
            f'"internet_users": {_number(r.internet_users)}}}'
            for k, r in network.regions.items()
        ),
        "operators": (f'{_string(k)}: {{"name": {_string(o.name)}}}' for k, o in network.operators.items()),
        "nodes": (
            f'{_string(k)}: {{"kind": {_string(n.kind)}, "operator": {_text(n.operator)}, '
            f'"region": {_text(n.region)}, "tech": {_text(n.tech)}, "position": {_position(n.position)}, '
            f'"controlled_by": {_text(n.controlled_by)}, "border": {_text(n.border)}, "users": {_number(n.users)}}}'
            for k, n in network.nodes.items()
        ),
        "links": (
            f'{_string(k)}: {{"ends": [{_string(li.ends[0])}, {_string(li.ends[1])}], "kind": {kind(li.kind)}, '
            f'"capacity_gbps": {capacity(li.capacity_gbps)}}}'
            for k, li in network.links.items()
        ),
    }
    yield (
        f'{{\n  "topology": {_string(network.topology)},\n  "timezone": {_string(network.timezone)},\n'
        f'  "utc_offset": {_string(network.utc_offset)}'
    )
    for name, entries in sections.items():
        yield f',\n  "{name}": {{'
        count = 0
        while block := list(itertools.islice(entries, size)):
            yield ("\n    " if count == 0 else ",\n    ") + ",\n    ".join(block)
            count += len(block)
        yield "\n  }" if count else "}"
    yield "\n}\n"


def write_network_files(folder: Path, record: NetworkRecord) -> None:
    """Write ``phases.csv``, ``network.json`` and ``network_states.csv`` into ``folder`` (``network.json`` piece by
    piece: a few kB held at a time, where the whole text of a network of 500,000 links is 64 MB)."""
    (folder / PHASES_FILE).write_text(_phases_text(record.phases), encoding="utf-8")
    with (folder / NETWORK_FILE).open("w", encoding="utf-8") as fh:
        fh.writelines(_network_json_chunks(record.network))
    (folder / STATES_FILE).write_text(_states_text(record.states), encoding="utf-8")


# --- reading ------------------------------------------------------------------------------------------------------


def read_network_record(folder: Path | str) -> NetworkRecord | None:
    """The three files of a results folder, or None if it has none of them (a folder of an older version)."""
    folder = Path(folder)
    if not any((folder / name).exists() for name in NETWORK_FILES):
        return None
    return NetworkRecord(phases=read_phases(folder), network=read_network(folder), states=read_states(folder))


def _rows(path: Path, columns: Sequence[str]) -> list[tuple[int, list[str]]]:
    """The rows of a CSV file with exactly ``columns`` as its header, each with its line number."""
    text = read_capped_text(path, MAX_CSV_BYTES)
    if text and not text.endswith("\n"):
        raise InputError(
            path, (f"line {text.count(chr(10)) + 1}",), "the file ends in the middle of a line (truncated?)"
        )
    header, rows, lines = parse_csv(path, text)
    if header != list(columns):
        raise InputError(path, ("line 1",), "unexpected header", value=header, allowed=",".join(columns))
    return list(zip(lines, rows, strict=True))


def _float(path: Path, line: int, column: str, text: str, *, share: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (share and not 0.0 <= value <= 1.0):
        allowed = "a number from 0 to 1" if share else "a finite number"
        raise InputError(path, (f"line {line}", column), "not a valid number", value=text, allowed=allowed)
    return value


def _time(path: Path, line: int, column: str, text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.utcoffset() is None:
        raise InputError(path, (f"line {line}", column), "not an ISO 8601 instant with its UTC offset", value=text)
    return when


def _choice(path: Path, line: int, column: str, text: str, allowed: Sequence[str]) -> str:
    if text not in allowed:
        raise InputError(path, (f"line {line}", column), f"unknown {column}", value=text, allowed=allowed)
    return text


def read_phases(folder: Path | str) -> tuple[Phase, ...]:
    """The phases of a results folder (``phases.csv``), in file order."""
    path = Path(folder) / PHASES_FILE
    phases = []
    for line, row in _rows(path, PHASE_COLUMNS):
        label, kind, start, end, start_h, end_h, action = row
        if not action.isdigit():
            raise InputError(path, (f"line {line}", "action"), "not an action index", value=action)
        phase = Phase(
            label=label,
            kind=_choice(path, line, "kind", kind, _ACTION_KINDS),
            start=_time(path, line, "start", start),
            end=_time(path, line, "end", end),
            start_elapsed_h=_float(path, line, "start_elapsed_h", start_h),
            end_elapsed_h=_float(path, line, "end_elapsed_h", end_h),
            action=int(action),
        )
        if phase.end_elapsed_h < phase.start_elapsed_h:
            raise InputError(path, (f"line {line}",), "the phase ends before it starts", value=[start, end])
        phases.append(phase)
    return tuple(phases)


def read_states(folder: Path | str) -> StateLog:
    """The state log of a results folder (``network_states.csv``); its rows must be in time order."""
    path = Path(folder) / STATES_FILE
    changes: list[StateChange] = []
    for line, row in _rows(path, STATE_COLUMNS):
        time, hours, element, element_type, state, value = row
        element_type = _choice(path, line, "element_type", element_type, ("node", "link"))
        state = _choice(path, line, "state", state, NODE_STATES if element_type == "node" else LINK_STATES)
        if not element:
            raise InputError(path, (f"line {line}", "element"), "empty element key")
        if value and state not in _VALUED:
            raise InputError(path, (f"line {line}", "value"), f"a {state} element has no value", value=value)
        if not value and state in ("partial", "throttled"):
            raise InputError(path, (f"line {line}", "value"), f"a {state} element needs its value (0-1)")
        change = StateChange(
            time=_time(path, line, "time", time),
            elapsed_h=_float(path, line, "elapsed_h", hours),
            element=element,
            element_type=element_type,
            state=state,
            value=_float(path, line, "value", value, share=True) if value else None,
        )
        if changes and (change.elapsed_h < changes[-1].elapsed_h or change.time < changes[-1].time):
            raise InputError(path, (f"line {line}",), "rows out of time order", value=time)
        changes.append(change)
    return StateLog(tuple(changes))


class _Region(StrictModel):
    name: str
    position: Pair[float] | None
    internet_users: float = Field(ge=0)


class _Operator(StrictModel):
    name: str


class _Node(StrictModel):
    kind: str
    operator: str | None
    region: str | None
    tech: str | None
    position: Pair[float] | None
    controlled_by: str | None
    border: str | None
    users: float = Field(ge=0)


class _Link(StrictModel):
    ends: Pair[str]
    kind: str
    capacity_gbps: float = Field(gt=0)


class _NetworkFile(StrictModel):
    topology: str
    timezone: str
    utc_offset: str = Field(pattern=r"^[+-]\d\d:\d\d$")
    regions: dict[str, _Region]
    operators: dict[str, _Operator]
    nodes: dict[str, _Node]
    links: dict[str, _Link]


def read_network(folder: Path | str) -> NetworkMap:
    """The network map of a results folder (``network.json``); every link's ends must be nodes of it."""
    path = Path(folder) / NETWORK_FILE
    with collector_paused():
        return _network_map(path, validate_model(_NetworkFile, read_json(path), path))


def _network_map(path: Path, doc: _NetworkFile) -> NetworkMap:
    """The checked document as a :class:`NetworkMap` (``path`` names the file in errors)."""
    for key, link in doc.links.items():
        for end in link.ends:
            if end not in doc.nodes:
                raise InputError(path, ("links", key, "ends"), "not a node of the network", value=end)
    return NetworkMap(
        topology=doc.topology,
        timezone=doc.timezone,
        utc_offset=doc.utc_offset,
        regions={k: RegionInfo(r.name, r.position, r.internet_users) for k, r in doc.regions.items()},
        operators={k: OperatorInfo(o.name) for k, o in doc.operators.items()},
        nodes={
            k: NodeInfo(n.kind, n.operator, n.region, n.tech, n.position, n.controlled_by, n.border, n.users)
            for k, n in doc.nodes.items()
        },
        links={k: LinkInfo(li.ends, li.kind, li.capacity_gbps) for k, li in doc.links.items()},
    )

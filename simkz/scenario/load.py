"""Load a scenario file: schema, ``extends``, times, parameters and checks against its topology."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from simkz.errors import InputError
from simkz.inputs import read_document, validate_model
from simkz.resources import find_topology
from simkz.scenario.parameters import ParameterValue, parse_parameters
from simkz.scenario.schema import POLICY_KINDS, ActionSpec, ScenarioFile, SelectorSpec
from simkz.scenario.select import check_names, select
from simkz.times import parse_clock, parse_date, parse_duration, parse_instant, parse_zone
from simkz.topology.load import load_topology
from simkz.topology.network import Topology

__all__ = ["Action", "Scenario", "Window", "bind_scenario", "load_scenario"]

T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """When an action is in force, in seconds since the scenario start (``off`` None: to the end)."""

    on: float
    off: float | None
    order: float  #: unclipped start, used to order overlapping actions


@dataclass(frozen=True)
class Action:
    """One action of a scenario with its selection resolved and its windows in seconds."""

    index: int
    kind: str
    spec: ActionSpec
    nodes: frozenset[str]
    links: frozenset[str]
    windows: tuple[Window, ...]

    @property
    def label(self) -> str:
        return self.spec.label or f"{self.kind} #{self.index}"


@dataclass(frozen=True)
class Scenario:
    """A checked scenario, bound to its topology."""

    name: str
    description: str
    path: Path | None
    spec: ScenarioFile
    topology: Topology
    start: datetime
    duration: timedelta
    step: timedelta
    seed: int
    zone: ZoneInfo
    parameters: dict[str, ParameterValue]
    actions: tuple[Action, ...]
    files: tuple[tuple[Path, str], ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        return self.duration.total_seconds()

    @property
    def step_s(self) -> float:
        return self.step.total_seconds()


def load_scenario(path: Path | str, *, topology: Topology | None = None) -> Scenario:
    """Read and check a scenario file; load its topology unless one is given."""
    path = Path(path)
    doc = read_document(path)
    spec = validate_model(ScenarioFile, doc.data, path)
    if topology is None:
        topo_path = find_topology(spec.topology, relative_to=path.parent)
        if topo_path is None:
            raise InputError(
                path,
                ("topology",),
                "topology file not found",
                value=spec.topology,
                allowed="a path relative to this file, or a shipped topology name (see `simkz list`)",
            )
        topology = load_topology(topo_path)
    return bind_scenario(spec, topology, path=path, files=doc.files)


def _field(path: Path | None, loc: tuple[str | int, ...], parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except ValueError as exc:
        raise InputError(path, loc, "invalid value", value=text, allowed=str(exc)) from None


def bind_scenario(
    spec: ScenarioFile, topology: Topology, *, path: Path | None = None, files: tuple[tuple[Path, str], ...] = ()
) -> Scenario:
    """Check ``spec`` against ``topology`` and resolve times and selections."""
    start: datetime = _field(path, ("start",), parse_instant, spec.start)
    duration: timedelta = _field(path, ("duration",), parse_duration, spec.duration)
    step: timedelta = _field(path, ("step",), parse_duration, spec.step)
    if step > duration:
        raise InputError(
            path, ("step",), "the step is longer than the duration", value=spec.step, allowed=f"at most {spec.duration}"
        )
    zone: ZoneInfo = _field(path, ("timezone",), parse_zone, spec.timezone) if spec.timezone else topology.zone
    warnings: list[str] = list(topology.warnings)
    actions = []
    for i, act in enumerate(spec.actions):
        nodes, links = _selection(act, topology, path, ("actions", i))
        if not nodes and not links:
            warnings.append(
                f"warning: {_name(path)}: actions[{i}].{act.kind}: selects nothing on topology {topology.name!r}"
            )
        windows = _windows(act, start, duration, zone, path, ("actions", i))
        if not windows:
            warnings.append(f"warning: {_name(path)}: actions[{i}]: never in force between the start and the end")
        actions.append(Action(i, act.kind, act, nodes, links, windows))
    return Scenario(
        name=spec.name,
        description=spec.description,
        path=path,
        spec=spec,
        topology=topology,
        start=start,
        duration=duration,
        step=step,
        seed=spec.seed,
        zone=zone,
        parameters=parse_parameters(spec.parameters, path),
        actions=tuple(actions),
        files=files + topology.files,
        warnings=tuple(warnings),
    )


def _selection(
    act: ActionSpec, topology: Topology, path: Path | None, loc: tuple[str | int, ...]
) -> tuple[frozenset[str], frozenset[str]]:
    """The nodes and links one action acts on, its names checked against ``topology``."""
    kind = act.kind
    body = getattr(act, kind)
    at = kind in ("block", "whitelist")
    sel_spec: SelectorSpec = body.at if at else body
    sel_loc = (*loc, kind, "at") if at else (*loc, kind)
    check_names(topology, sel_spec, path, sel_loc)
    service_keys = set(topology.service_keys)
    for j, svc in enumerate(getattr(body, "services", None) or ()):
        if svc not in service_keys:
            raise InputError(
                path,
                (*loc, kind, "services", j),
                f"unknown service in topology {topology.name!r}",
                value=svc,
                allowed=service_keys,
            )
    nodes, links = select(topology, sel_spec)
    if kind in POLICY_KINDS:
        if sel_spec.links is not None:
            raise InputError(
                path, (*sel_loc, "links"), f"{kind} acts on nodes, not links", value=sel_spec.links, allowed="nodes"
            )
        return nodes, frozenset()
    partial = kind == "shutdown" and act.shutdown is not None and act.shutdown.share < 1.0
    if partial or kind == "withdraw":
        _require_access(topology, nodes, links, path, sel_loc, "a partial shutdown" if partial else "withdraw")
    return nodes, links


def _require_access(
    topology: Topology,
    nodes: frozenset[str],
    links: frozenset[str],
    path: Path | None,
    loc: tuple[str | int, ...],
    what: str,
) -> None:
    """Raise unless the selection holds access nodes only."""
    other = sorted(n for n in nodes if topology.graph.nodes[n].get("kind") != "access")
    if other or links:
        value = other[0] if other else sorted(links)[0]
        raise InputError(
            path,
            loc,
            f"{what} acts on the users of access nodes; the selection also holds {value!r}",
            value=value,
            allowed="a selection of access nodes (add kind: access)",
        )


def _name(path: Path | None) -> str:
    """A file's name, for messages that end up in results (no machine paths there)."""
    return path.name if path is not None else "<scenario>"


def _windows(
    act: ActionSpec, start: datetime, duration: timedelta, zone: ZoneInfo, path: Path | None, loc: tuple[str | int, ...]
) -> tuple[Window, ...]:
    end_s = duration.total_seconds()

    def secs(text: str, where: tuple[str | int, ...]) -> float:
        when: datetime = _field(path, (*loc, *where), parse_instant, text)
        return (when - start).total_seconds()

    raw: list[tuple[float, float | None]] = []
    if act.windows is not None:
        for k, (a, b) in enumerate(act.windows):
            on, off = secs(a, ("windows", k, 0)), secs(b, ("windows", k, 1))
            if off <= on:
                raise InputError(path, (*loc, "windows", k), "a window must end after it starts", value=[a, b])
            raw.append((on, off))
    elif act.daily is not None and act.between is not None:
        first: date = _field(path, (*loc, "between", 0), parse_date, act.between[0])
        last: date = _field(path, (*loc, "between", 1), parse_date, act.between[1])
        if last < first:
            raise InputError(path, (*loc, "between"), "the last date is before the first", value=list(act.between))
        t_from = _field(path, (*loc, "daily", "from"), parse_clock, act.daily.from_)
        t_to = _field(path, (*loc, "daily", "to"), parse_clock, act.daily.to)
        day = first
        while day <= last:
            opens = datetime.combine(day, t_from, zone)
            closes = datetime.combine(day + timedelta(days=1) if t_to <= t_from else day, t_to, zone)
            raw.append(((opens - start).total_seconds(), (closes - start).total_seconds()))
            day += timedelta(days=1)
    else:
        begin = secs(act.at, ("at",)) if act.at else 0.0
        until = secs(act.until, ("until",)) if act.until else None
        if until is not None and until <= begin:
            raise InputError(path, (*loc, "until"), "until must be after at", value=act.until)
        raw.append((begin, until))
    out = []
    for first_s, last_s in raw:
        if first_s >= end_s or (last_s is not None and last_s <= 0):
            continue
        out.append(Window(max(first_s, 0.0), None if last_s is None or last_s >= end_s else last_s, first_s))
    return tuple(out)

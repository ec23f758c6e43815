"""Load a scenario file: schema, ``extends``, times, parameters and checks against its topology."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from simkz.errors import InputError
from simkz.inputs import InputDocument, read_document, validate_model
from simkz.resources import find_topology
from simkz.scenario.distributions import support
from simkz.scenario.failures import FailureSettings, bind_failures, expected_failures
from simkz.scenario.parameters import ParameterValue, parse_parameters
from simkz.scenario.schema import POLICY_KINDS, ActionSpec, DailySpec, ScenarioFile, SelectorSpec
from simkz.scenario.select import Selector
from simkz.times import (
    check_instant,
    format_duration,
    parse_clock,
    parse_date,
    parse_duration,
    parse_instant,
    parse_zone,
)
from simkz.topology.load import load_topology
from simkz.topology.network import Topology

__all__ = [
    "MAX_SAMPLES",
    "MAX_TABLE_ROWS",
    "MAX_TRACE_VALUES",
    "MIN_STEP",
    "Action",
    "Scenario",
    "Window",
    "bind_scenario",
    "clip_windows",
    "load_scenario",
]

T = TypeVar("T")

#: The shortest step accepted.
MIN_STEP = timedelta(seconds=1)
#: Most instants on the step grid, i.e. rows of the national table.
MAX_SAMPLES = 1_000_000
#: Most rows of all tables of a run together: samples x (1 + groups + services).
MAX_TABLE_ROWS = 5_000_000
#: Most values a run's trace may hold, estimated before the run: change points x cohorts x services.
MAX_TRACE_VALUES = 24_000_000
_CLOCK_TICK_MIN = 15  # the demand clock wakes every quarter hour (simkz.engine.processes.CLOCK_TICK_S)


@dataclass(frozen=True)
class Window:
    """When an action is in force, in seconds since the scenario start (``off`` None: to the end)."""

    on: float
    off: float | None
    order: float  #: unclipped start, used to order overlapping actions


@dataclass(frozen=True)
class Action:
    """One action of a scenario with its selection resolved and its windows in seconds.

    ``windows`` are clipped to the run and do not include ``shift_min``: realising the scenario
    (:func:`simkz.scenario.realise.realise`) shifts ``unclipped`` (the windows before clipping that a
    shift within ``shift_min``'s range can bring into the run; empty for an action without a shift) and
    clips them again.
    """

    index: int
    kind: str
    spec: ActionSpec
    nodes: frozenset[str]
    links: frozenset[str]
    windows: tuple[Window, ...]
    unclipped: tuple[Window, ...] = ()

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
    #: What realising drew for the actions, by key path (``actions[3].degrade.pass``); empty before.
    draws: dict[str, float] = field(default_factory=dict)
    #: Random failures of the run (``random_failures:`` over the topology's ``reliability:``); None: no failures.
    failures: FailureSettings | None = None

    @property
    def duration_s(self) -> float:
        return self.duration.total_seconds()

    @property
    def step_s(self) -> float:
        return self.step.total_seconds()


def load_scenario(
    path: Path | str, *, topology: Topology | None = None, document: InputDocument | None = None
) -> Scenario:
    """Read and check a scenario file; load its topology unless one is given.

    ``document`` is the file as :func:`~simkz.inputs.read_document` gave it, if the caller has
    read it already (it is then not read again). Warnings of the ``extends`` merge come first.
    """
    path = Path(path)
    doc = document if document is not None else read_document(path)
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
    scenario = bind_scenario(spec, topology, path=path, files=doc.files)
    return replace(scenario, warnings=(*doc.warnings, *scenario.warnings)) if doc.warnings else scenario


def _field(path: Path | None, loc: tuple[str | int, ...], parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except ValueError as exc:
        raise InputError(path, loc, "invalid value", value=text, allowed=str(exc)) from None


#: Instants repeat across actions; parsing each text once keeps large scenarios fast.
_instant = functools.lru_cache(maxsize=65536)(parse_instant)


def bind_scenario(
    spec: ScenarioFile, topology: Topology, *, path: Path | None = None, files: tuple[tuple[Path, str], ...] = ()
) -> Scenario:
    """Check ``spec`` against ``topology`` and resolve times and selections.

    Everything a run can fail on is checked here, cheap checks first: times and sizes (before anything is
    allocated), parameters, the names of every action, then the windows of every action.
    """
    start, duration, step = _times(spec, path)
    zone: ZoneInfo = _field(path, ("timezone",), parse_zone, spec.timezone) if spec.timezone else topology.zone
    budget = _check_size(topology, start, duration, step, path)
    parameters = parse_parameters(spec.parameters, path)
    warnings: list[str] = list(topology.warnings)
    selector = Selector(topology)
    selections = []
    for i, act in enumerate(spec.actions):
        nodes, links = _selection(act, selector, path, ("actions", i))
        if not nodes and not links:
            warnings.append(
                f"warning: {_name(path)}: actions[{i}].{act.kind}: selects nothing on topology {topology.name!r}"
            )
        selections.append((nodes, links))
    actions = []
    for i, (act, (nodes, links)) in enumerate(zip(spec.actions, selections, strict=True)):
        unclipped = _windows(act, start, duration, zone, path, ("actions", i), budget)
        if not unclipped:
            warnings.append(f"warning: {_name(path)}: actions[{i}]: never in force between the start and the end")
        windows = clip_windows(unclipped, 0.0, duration.total_seconds())
        shifted = support(act.shift_min) != (0.0, 0.0)
        actions.append(Action(i, act.kind, act, nodes, links, windows, unclipped if shifted else ()))
    failures = _failures(spec, topology, path, budget, duration, warnings)
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
        parameters=parameters,
        actions=tuple(actions),
        files=files + topology.files,
        warnings=tuple(warnings),
        failures=failures,
    )


def _failures(
    spec: ScenarioFile,
    topology: Topology,
    path: Path | None,
    budget: _WindowBudget,
    duration: timedelta,
    warnings: list[str],
) -> FailureSettings | None:
    """The run's random failures, checked (their warnings added to ``warnings``); their expected number spent from
    the trace limit: each failure adds up to two change points, as an action window does."""
    failures, found = bind_failures(spec.random_failures, topology, path)
    warnings.extend(found)
    if failures is not None:
        budget.spend(expected_failures(failures, topology, duration / timedelta(hours=1)), ("random_failures",))
    return failures


def _times(spec: ScenarioFile, path: Path | None) -> tuple[datetime, timedelta, timedelta]:
    """The start, duration and step, checked: within the range of instants, the step at least :data:`MIN_STEP`."""
    start: datetime = _field(path, ("start",), _instant, spec.start)
    duration: timedelta = _field(path, ("duration",), parse_duration, spec.duration)
    step: timedelta = _field(path, ("step",), parse_duration, spec.step)
    try:
        check_instant(start + duration)
    except ValueError as exc:
        raise InputError(
            path, ("duration",), "the scenario would end out of range", value=spec.duration, allowed=str(exc)
        ) from None
    if step < MIN_STEP:
        raise InputError(
            path, ("step",), "the step is too short", value=spec.step, allowed=f"at least {format_duration(MIN_STEP)}"
        )
    if step > duration:
        raise InputError(
            path, ("step",), "the step is longer than the duration", value=spec.step, allowed=f"at most {spec.duration}"
        )
    return start, duration, step


def _check_size(
    topology: Topology, start: datetime, duration: timedelta, step: timedelta, path: Path | None
) -> _WindowBudget:
    """Refuse a run whose tables or trace would be too large, before anything is allocated; return what is left
    of the trace limit for action windows."""
    samples = math.ceil(duration / step - 1e-9)
    if samples > MAX_SAMPLES:
        raise InputError(
            path,
            ("step",),
            f"the run would have {samples:,} time steps (duration / step)",
            value=format_duration(step),
            allowed=f"at most {MAX_SAMPLES:,} steps: a longer step or a shorter duration",
        )
    cohorts = topology.cohorts
    per_step = (  # the country, its groups (as impact.metrics.GROUP_KINDS makes them) and the services
        1
        + len({c.region for c in cohorts})
        + len({c.operator for c in cohorts})
        + len({c.tech for c in cohorts})
        + len({(c.region, c.tech) for c in cohorts})
        + len(topology.services)
    )
    rows = samples * per_step
    if rows > MAX_TABLE_ROWS:
        raise InputError(
            path,
            ("step",),
            f"the run's tables would have {rows:,} rows ({samples:,} time steps x {per_step} rows each: the country,"
            " its groups and services)",
            value=format_duration(step),
            allowed=f"at most {MAX_TABLE_ROWS:,} rows: a longer step or a shorter duration",
        )
    budget = _WindowBudget(topology, start, duration, path)
    if budget.windows < 0:
        raise InputError(
            path,
            ("duration",),
            f"the run would record about {budget.values(0):,} values (change points x cohorts x services)",
            value=format_duration(duration),
            allowed=f"at most {MAX_TRACE_VALUES:,}: a shorter duration",
        )
    return budget


class _WindowBudget:
    """How many more action windows the trace limit allows: each window adds up to two change points
    to the demand clock's (one per local hour turned, per distinct quarter-hour offset of the regions' zones)."""

    def __init__(self, topology: Topology, start: datetime, duration: timedelta, path: Path | None) -> None:
        offsets = {
            (start.astimezone(r.zone).utcoffset() or timedelta(0))
            // timedelta(minutes=_CLOCK_TICK_MIN)
            % (60 // _CLOCK_TICK_MIN)
            for r in topology.regions.values()
        }
        self.per_point = max(1, len(topology.cohorts)) * max(1, len(topology.services))
        self.clock_points = (math.ceil(duration / timedelta(hours=1)) + 1) * max(1, len(offsets))
        self.windows = (MAX_TRACE_VALUES // self.per_point - self.clock_points) // 2
        self.used = 0
        self.path = path

    def values(self, windows: int) -> int:
        return (self.clock_points + 2 * windows) * self.per_point

    def spend(self, count: int, loc: tuple[str | int, ...]) -> None:
        """Count ``count`` more windows of the action at ``loc``; raise past the limit."""
        self.used += count
        if self.used > self.windows:
            raise InputError(
                self.path,
                loc,
                f"the run would record about {self.values(self.used):,} values (change points x cohorts x services);"
                f" windows and expected failures so far: {self.used:,}",
                allowed=f"at most {MAX_TRACE_VALUES:,}: fewer windows, fewer failures or a shorter duration",
            )


def _selection(
    act: ActionSpec, selector: Selector, path: Path | None, loc: tuple[str | int, ...]
) -> tuple[frozenset[str], frozenset[str]]:
    """The nodes and links one action acts on, its names checked against the selector's topology."""
    topology = selector.topology
    kind = act.kind
    body = getattr(act, kind)
    at = kind in ("block", "whitelist")
    sel_spec: SelectorSpec = body.at if at else body
    sel_loc = (*loc, kind, "at") if at else (*loc, kind)
    for j, svc in enumerate(getattr(body, "services", None) or ()):
        if svc not in selector.services:
            raise InputError(
                path,
                (*loc, kind, "services", j),
                f"unknown service in topology {topology.name!r}",
                value=svc,
                allowed=selector.services,
            )
    if kind in POLICY_KINDS and sel_spec.links is not None:
        raise InputError(
            path, (*sel_loc, "links"), f"{kind} acts on nodes, not links", value=sel_spec.links, allowed="nodes"
        )
    nodes, links = selector(sel_spec, path, sel_loc)
    if kind in POLICY_KINDS:
        return nodes, frozenset()
    partial = kind == "shutdown" and act.shutdown is not None and support(act.shutdown.share)[0] < 1.0
    if partial or kind == "withdraw":
        _require_access(selector, nodes, links, path, sel_loc, "a partial shutdown" if partial else "withdraw")
    return nodes, links


def _require_access(
    selector: Selector,
    nodes: frozenset[str],
    links: frozenset[str],
    path: Path | None,
    loc: tuple[str | int, ...],
    what: str,
) -> None:
    """Raise unless the selection holds access nodes only."""
    other = selector.non_access(nodes)
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


def _daily(
    act: ActionSpec,
    daily: DailySpec,
    between: tuple[str, str],
    start: datetime,
    duration: timedelta,
    zone: ZoneInfo,
    path: Path | None,
    loc: tuple[str | int, ...],
    budget: _WindowBudget,
) -> list[tuple[float, float]]:
    """The windows of a daily schedule, in seconds since the start, for the days that can meet the run (shifted
    by any value of the action's ``shift_min``)."""
    first: date = _field(path, (*loc, "between", 0), parse_date, between[0])
    last: date = _field(path, (*loc, "between", 1), parse_date, between[1])
    if last < first:
        raise InputError(path, (*loc, "between"), "the last date is before the first", value=list(between))
    t_from = _field(path, (*loc, "daily", "from"), parse_clock, daily.from_)
    t_to = _field(path, (*loc, "daily", "to"), parse_clock, daily.to)
    lo, hi = (60.0 * m for m in support(act.shift_min))
    first_opens = datetime.combine(first, t_from, zone)
    last_closes = datetime.combine(last + timedelta(days=1) if t_to <= t_from else last, t_to, zone)
    _check_shift(path, loc, start, ((first_opens - start).total_seconds(), (last_closes - start).total_seconds()), act)
    # only days whose window can meet the run matter (two days of margin for offsets and DST, and the shift's)
    day = max(first, start.astimezone(zone).date() - timedelta(days=2 + math.ceil(max(hi, 0.0) / 86400)))
    last = min(last, (start + duration).astimezone(zone).date() + timedelta(days=1 + math.ceil(max(-lo, 0.0) / 86400)))
    budget.spend(max(0, (last - day).days + 1), loc)
    raw = []
    while day <= last:
        opens = datetime.combine(day, t_from, zone)
        closes = datetime.combine(day + timedelta(days=1) if t_to <= t_from else day, t_to, zone)
        raw.append(((opens - start).total_seconds(), (closes - start).total_seconds()))
        day += timedelta(days=1)
    return raw


def _windows(
    act: ActionSpec,
    start: datetime,
    duration: timedelta,
    zone: ZoneInfo,
    path: Path | None,
    loc: tuple[str | int, ...],
    budget: _WindowBudget,
) -> tuple[Window, ...]:
    """The action's windows in seconds since the start, unclipped: those that meet the run when shifted by any
    value of ``shift_min`` (every instant of the action, so shifted, checked to stay in the range of instants)."""
    end_s = duration.total_seconds()

    def secs(text: str, where: tuple[str | int, ...]) -> float:
        when: datetime = _field(path, (*loc, *where), _instant, text)
        return (when - start).total_seconds()

    raw: list[tuple[float, float | None]] = []
    if act.windows is not None:
        for k, (a, b) in enumerate(act.windows):
            on, off = secs(a, ("windows", k, 0)), secs(b, ("windows", k, 1))
            if off <= on:
                raise InputError(path, (*loc, "windows", k), "a window must end after it starts", value=[a, b])
            raw.append((on, off))
    elif act.daily is not None and act.between is not None:
        raw.extend(_daily(act, act.daily, act.between, start, duration, zone, path, loc, budget))
    else:
        begin = secs(act.at, ("at",)) if act.at else 0.0
        until = secs(act.until, ("until",)) if act.until else None
        if until is not None and until <= begin:
            raise InputError(path, (*loc, "until"), "until must be after at", value=act.until)
        raw.append((begin, until))
    if act.daily is None:  # a daily schedule checks its first and last instants itself
        _check_shift(path, loc, start, (t for window in raw for t in window if t is not None), act)
    lo, hi = (60.0 * m for m in support(act.shift_min))
    out = tuple(Window(a, b, a) for a, b in raw if a + lo < end_s and (b is None or b + hi > 0))
    if act.daily is None:
        budget.spend(len(out), loc)
    return out


def _check_shift(
    path: Path | None, loc: tuple[str | int, ...], start: datetime, instants: Iterable[float], act: ActionSpec
) -> None:
    """Raise unless every instant (seconds since ``start``) shifted by any value of ``shift_min`` stays in the
    range of instants (an instant already out of it, a daily window's at the edge of the range, is not the
    shift's doing: the run never reaches it)."""
    lo, hi = support(act.shift_min)
    if lo == hi == 0.0:
        return
    for t in instants:
        try:
            check_instant(start + timedelta(seconds=t))
        except ValueError:
            continue
        for minutes in (lo, hi):
            try:
                check_instant(start + timedelta(seconds=t + 60.0 * minutes))
            except (ValueError, OverflowError) as exc:
                raise InputError(
                    path,
                    (*loc, "shift_min"),
                    f"shifted by {minutes:g} min, an instant of this action leaves the range of instants",
                    allowed=str(exc) if isinstance(exc, ValueError) else None,
                ) from None


def clip_windows(windows: Iterable[Window], shift_s: float, end_s: float) -> tuple[Window, ...]:
    """``windows`` (unclipped, in seconds since the start) moved by ``shift_s`` and clipped to the run, 0 to
    ``end_s``: a window that misses the run is dropped, one that ends at or after its end never ends, and
    ``order`` keeps the shifted, unclipped start."""
    out = []
    for window in windows:
        first = window.on + shift_s
        last = None if window.off is None else window.off + shift_s
        if first >= end_s or (last is not None and last <= 0):
            continue
        out.append(Window(max(first, 0.0), None if last is None or last >= end_s else last, first))
    return tuple(out)

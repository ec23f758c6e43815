"""The observations file format: what public monitors measured, to score a run against.

An observations file lists measured **series** (values at instants, in percent of the
ordinary level of a signal) and **events** (instants when a signal crossed a threshold),
each with its source. Three signals exist, each simulated in a column of the results:

* ``traffic``: traffic volume (Cloudflare Radar, NetBlocks), column ``connectivity_index_pct``;
* ``probing``: share of the ordinarily responsive /24 blocks that answer probes from abroad
  (IODA active probing), column ``probing_responsive_pct``;
* ``bgp``: share of the country's /24 blocks whose routes are seen from abroad (BGP
  visibility), column ``bgp_visible_pct``.

A series or event is national, or picks one group by ``region``, ``technology``, both, or
``operator``; the group picks the results table (:attr:`Group.table`). Instants are ISO 8601
with a UTC offset. Unknown keys are errors and values are strict (no ``"50"`` for 50, no
``.nan``: see :mod:`simkz.inputs`); :func:`observations_json_schema` exports the JSON Schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from simkz.errors import InputError
from simkz.inputs import NonNegative, Share, StrictModel, json_schema, validate_model
from simkz.times import parse_instant
from simkz.yamlio import read_yaml

__all__ = [
    "DEFAULT_THRESHOLD_PCT",
    "SIGNALS",
    "SIGNAL_COLUMNS",
    "DefaultsSpec",
    "EventSpec",
    "Group",
    "Observations",
    "ObservationsFile",
    "ObservedEvent",
    "ObservedPoint",
    "ObservedSeries",
    "PointSpec",
    "SeriesSpec",
    "ToleranceSpec",
    "load_observations",
    "observations_json_schema",
]

Signal = Literal["traffic", "probing", "bgp"]
Direction = Literal["down", "up"]

#: The signals an observations file can name, with the results column that simulates each.
SIGNAL_COLUMNS: dict[str, str] = {
    "traffic": "connectivity_index_pct",
    "probing": "probing_responsive_pct",
    "bgp": "bgp_visible_pct",
}
SIGNALS = tuple(SIGNAL_COLUMNS)

#: Up/down threshold when the file sets none, percent of the ordinary level.
#: assumption: half of the ordinary level separates "up" from "down" (a convention of this
#: format, not a measured figure; every file can set its own).
DEFAULT_THRESHOLD_PCT = 50.0

#: Results table of each combination of group keys (in the order region, technology, operator).
_TABLES: dict[tuple[str, ...], str] = {
    (): "national",
    ("region",): "by_region",
    ("technology",): "by_technology",
    ("region", "technology"): "by_region_technology",
    ("operator",): "by_operator",
}


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value
    return parse_instant(value)


#: An ISO 8601 instant with its UTC offset, e.g. ``2022-01-05T16:30+06:00``.
Instant = Annotated[datetime, BeforeValidator(_instant)]
#: A threshold, percent of the ordinary level (0-1000).
ThresholdPct = Annotated[float, Field(ge=0.0, le=1000.0, allow_inf_nan=False)]
Text = Annotated[str, Field(min_length=1)]


class ToleranceSpec(StrictModel):
    """What a series must reach to pass; any subset of the keys (an absent key is not judged)."""

    mae_pct: NonNegative | None = Field(None, description="Largest mean absolute error accepted, percentage points.")
    agreement: Share | None = Field(
        None, description="Smallest share of points on the same side of the threshold accepted, 0-1."
    )
    correlation: Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)] | None = Field(
        None, description="Smallest Pearson correlation accepted, -1 to 1."
    )

    def over(self, base: ToleranceSpec) -> ToleranceSpec:
        """These tolerances, with ``base`` filling in the keys this one leaves out."""
        return ToleranceSpec(
            mae_pct=self.mae_pct if self.mae_pct is not None else base.mae_pct,
            agreement=self.agreement if self.agreement is not None else base.agreement,
            correlation=self.correlation if self.correlation is not None else base.correlation,
        )


class DefaultsSpec(StrictModel):
    """Threshold and tolerances of every series and event that sets none of its own."""

    threshold_pct: ThresholdPct = Field(
        DEFAULT_THRESHOLD_PCT, description="Up/down threshold, percent of the ordinary level (default 50)."
    )
    tolerance: ToleranceSpec = Field(default_factory=ToleranceSpec, description="Tolerances (any subset).")


class PointSpec(StrictModel):
    """One measured value."""

    at: Instant = Field(description="Instant of the value, ISO 8601 with UTC offset.")
    value: NonNegative = Field(description="Measured level, percent of the ordinary level.")
    phase: Text | None = Field(None, description="Label of the phase the point belongs to (scored phase by phase).")
    source: Text | None = Field(None, description="A key of `sources` or a URL; default: the series' source.")
    note: str | None = Field(None, description="How the value was obtained.")


class _GroupFields(StrictModel):
    region: Text | None = Field(None, description="Region key (results table by_region).")
    technology: Literal["fixed", "mobile"] | None = Field(None, description="Access technology: fixed or mobile.")
    operator: Text | None = Field(None, description="Operator key (results table by_operator); not with region.")


class SeriesSpec(_GroupFields):
    """Measured values of one signal for one group (national when no group key is given)."""

    signal: Signal = Field(description="traffic, probing or bgp.")
    source: Text | None = Field(None, description="Default source of the points: a key of `sources` or a URL.")
    note: str | None = Field(None, description="How the values were obtained.")
    threshold_pct: ThresholdPct | None = Field(None, description="Up/down threshold; default: defaults'.")
    tolerance: ToleranceSpec | None = Field(None, description="Tolerances, overriding the defaults key by key.")
    points: list[PointSpec] = Field(min_length=1, description="The values, in time order.")


class EventSpec(_GroupFields):
    """An instant when a signal crossed the threshold."""

    label: Text = Field(description="What happened.")
    at: Instant = Field(description="Observed instant of the crossing, ISO 8601 with UTC offset.")
    signal: Signal = Field(description="traffic, probing or bgp.")
    direction: Direction = Field(description="down: falls below the threshold; up: rises to or above it.")
    threshold_pct: ThresholdPct | None = Field(None, description="Threshold; default: defaults'.")
    tolerance_min: NonNegative = Field(description="How many minutes the simulated crossing may be off.")
    source: Text = Field(description="A key of `sources` or a URL.")
    note: str | None = Field(None, description="How the instant was obtained.")


class ObservationsFile(StrictModel):
    """A whole observations file."""

    name: Text = Field(description="Short identifier.")
    description: str = Field("", description="One line: what was measured, where and when.")
    scenario: Text | None = Field(None, description="The scenario these observations are meant to score.")
    sources: dict[str, Text] = Field(default_factory=dict, description="Citations that points and events name by key.")
    defaults: DefaultsSpec = Field(default_factory=DefaultsSpec, description="Threshold and tolerances.")
    series: list[SeriesSpec] = Field(default_factory=list, description="Measured series.")
    events: list[EventSpec] = Field(default_factory=list, description="Observed threshold crossings.")


def observations_json_schema() -> dict[str, Any]:
    """The JSON Schema of observations files."""
    return json_schema(ObservationsFile, "simkz observations")


@dataclass(frozen=True)
class Group:
    """The group a series or event is about; no key at all means national."""

    region: str | None = None
    technology: str | None = None
    operator: str | None = None

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        """The (key column, value) pairs that pick the group's rows, e.g. ``(("region", "almaty-city"),)``."""
        pairs = (("region", self.region), ("technology", self.technology), ("operator", self.operator))
        return tuple((k, v) for k, v in pairs if v is not None)

    @property
    def table(self) -> str:
        """The results table that holds the group: ``national``, ``by_region``, ``by_region_technology``..."""
        return _TABLES[tuple(k for k, _ in self.keys)]

    @property
    def label(self) -> str:
        """``national``, or the keys as ``region=almaty-city technology=mobile``."""
        return " ".join(f"{k}={v}" for k, v in self.keys) or "national"


@dataclass(frozen=True)
class ObservedPoint:
    """A measured value with its effective source (a key of ``sources`` or a URL)."""

    at: datetime
    value: float  #: percent of the ordinary level
    source: str
    phase: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ObservedSeries:
    """A series with the file's defaults applied (``index`` is its place in ``series``)."""

    index: int
    signal: str
    group: Group
    threshold_pct: float
    tolerance: ToleranceSpec
    points: tuple[ObservedPoint, ...]
    note: str | None = None

    @property
    def column(self) -> str:
        return SIGNAL_COLUMNS[self.signal]


@dataclass(frozen=True)
class ObservedEvent:
    """An event with the file's defaults applied (``index`` is its place in ``events``)."""

    index: int
    label: str
    at: datetime
    signal: str
    direction: str
    group: Group
    threshold_pct: float
    tolerance_min: float
    source: str
    note: str | None = None

    @property
    def column(self) -> str:
        return SIGNAL_COLUMNS[self.signal]


@dataclass(frozen=True)
class Observations:
    """A checked observations file."""

    path: Path | None
    spec: ObservationsFile
    series: tuple[ObservedSeries, ...]
    events: tuple[ObservedEvent, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def tables(self) -> frozenset[str]:
        """The results tables the series and events need."""
        return frozenset(s.group.table for s in self.series) | frozenset(e.group.table for e in self.events)

    def citation(self, source: str) -> str:
        """The citation a source names: the text of its key in ``sources``, or the URL itself."""
        return self.spec.sources.get(source, source)


def load_observations(path: Path | str) -> Observations:
    """Read and check an observations file; raise :class:`InputError` naming the key path of any problem."""
    path = Path(path)
    spec = validate_model(ObservationsFile, read_yaml(path), path)
    return bind_observations(spec, path)


def _is_url(text: str) -> bool:
    return text.startswith(("https://", "http://"))


def bind_observations(spec: ObservationsFile, path: Path | None = None) -> Observations:
    """Check what the schema cannot (sources, groups, time order) and apply the defaults."""
    if not spec.series and not spec.events:
        raise InputError(path, ("series",), "nothing to score", allowed="at least one series or event")
    series = tuple(_bind_series(spec, i, path) for i in range(len(spec.series)))
    events = tuple(_bind_event(spec, k, path) for k in range(len(spec.events)))
    return Observations(path=path, spec=spec, series=series, events=events)


def _check_source(spec: ObservationsFile, source: str, path: Path | None, loc: tuple[str | int, ...]) -> None:
    if not _is_url(source) and source not in spec.sources:
        keys = ", ".join(sorted(spec.sources)) or "none given"
        raise InputError(path, loc, "unknown source", value=source, allowed=f"a key of `sources` ({keys}) or a URL")


def _bind_series(spec: ObservationsFile, i: int, path: Path | None) -> ObservedSeries:
    s, defaults = spec.series[i], spec.defaults
    loc: tuple[str | int, ...] = ("series", i)
    group = _group(s, path, loc)
    if s.source is not None:
        _check_source(spec, s.source, path, (*loc, "source"))
    points = []
    for j, p in enumerate(s.points):
        source = p.source if p.source is not None else s.source
        if source is None:
            raise InputError(
                path,
                (*loc, "points", j, "source"),
                "the point has no source: give it one, or give its series one",
                allowed="a key of `sources` or a URL",
            )
        _check_source(spec, source, path, (*loc, "points", j, "source"))
        if j and p.at < s.points[j - 1].at:
            raise InputError(
                path,
                (*loc, "points", j, "at"),
                "points must be in time order; this one is earlier than the one before",
                value=p.at.isoformat(),
                allowed=f"at or after {s.points[j - 1].at.isoformat()}",
            )
        points.append(ObservedPoint(p.at, p.value, source, p.phase, p.note))
    return ObservedSeries(
        index=i,
        signal=s.signal,
        group=group,
        threshold_pct=s.threshold_pct if s.threshold_pct is not None else defaults.threshold_pct,
        tolerance=s.tolerance.over(defaults.tolerance) if s.tolerance is not None else defaults.tolerance,
        points=tuple(points),
        note=s.note,
    )


def _bind_event(spec: ObservationsFile, k: int, path: Path | None) -> ObservedEvent:
    e = spec.events[k]
    loc: tuple[str | int, ...] = ("events", k)
    group = _group(e, path, loc)
    _check_source(spec, e.source, path, (*loc, "source"))
    return ObservedEvent(
        index=k,
        label=e.label,
        at=e.at,
        signal=e.signal,
        direction=e.direction,
        group=group,
        threshold_pct=e.threshold_pct if e.threshold_pct is not None else spec.defaults.threshold_pct,
        tolerance_min=e.tolerance_min,
        source=e.source,
        note=e.note,
    )


def _group(spec: _GroupFields, path: Path | None, loc: tuple[str | int, ...]) -> Group:
    if spec.operator is not None and (spec.region is not None or spec.technology is not None):
        raise InputError(
            path,
            (*loc, "operator"),
            "operator cannot be combined with region or technology",
            value=spec.operator,
            allowed="no group (national), region, technology, region and technology, or operator alone",
        )
    return Group(region=spec.region, technology=spec.technology, operator=spec.operator)

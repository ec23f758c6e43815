"""The loaded topology: a networkx graph plus the cohorts, services and demand profiles.

Indices are fixed at build time (nodes, links, cohorts and services in sorted
order) so that the numerical model can work on numpy arrays.

A topology is never changed once built (its graph included): what the model derives from it
(routings, pass shares, baselines) is kept with it by :meth:`Topology.memo`, so that every run
on one topology in a process shares that work.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from simkz.topology.costs import CostSpec
from simkz.topology.reliability import Reliability

__all__ = ["Backlog", "Cohort", "Demand", "Region", "Service", "Topology"]

T = TypeVar("T")
T_arr = TypeVar("T_arr", bound=np.generic)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
#: The most UTC hours whose local hour tables are kept (a run of 60 days needs 1,440).
_MAX_HOUR_TABLES = 1 << 16
#: Held while a memo is made (by one thread at a time; a memo may ask for another).
_MEMO_LOCK = threading.RLock()
#: Within one UTC hour: the seconds into it at which a zone's local hour turns, and every cohort's local
#: hours in each part of the hour (one more than the turns).
_HourTable = tuple[tuple[int, ...], tuple[NDArray[np.int64], ...]]
_UNKNOWN: _HourTable = ((), ())  #: an hour not looked up yet


def _read_only(array: NDArray[T_arr]) -> NDArray[T_arr]:
    """``array``, made read-only (it is shared by every caller)."""
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Region:
    """A region: residents (persons), internet users (persons) and its local time zone."""

    key: str
    name: str
    population: int
    internet_users: float
    disability_share: float
    gdp_share: float | None
    zone: ZoneInfo
    position: tuple[float, float] | None


@dataclass(frozen=True)
class Cohort:
    """The internet users behind one access node."""

    node: str
    region: str
    operator: str
    tech: str
    users: float  #: persons
    blocks_24: int = 0  #: IPv4 /24 address blocks of its users
    responsive_share: float = 0.0  #: share of those blocks that answer probes on an ordinary day, 0-1


@dataclass(frozen=True)
class Backlog:
    """Queue parameters of a service: request rate, retries, processing capacity."""

    requests_per_user_per_day: float
    retry_share: float  #: share of failed requests retried, 0-1
    capacity_factor: float  #: processing capacity / ordinary request rate
    patience_h: float  #: hours a failed request waits for a retry before it is given up


@dataclass(frozen=True)
class Service:
    """A service: where it is hosted, who uses it, which share of traffic it takes."""

    key: str
    kind: str
    hosts: tuple[str, ...]
    adoption: float  #: share of internet users, 0-1
    traffic_share: float  #: share of each user's traffic, 0-1
    depends_on: tuple[tuple[str, float], ...]  #: (service, share of requests that need it)
    abroad: bool  #: every host is a foreign node
    backlog: Backlog | None = None
    cache_of: str | None = None  #: the origin service this domestic cache serves content of


@dataclass(frozen=True)
class Demand:
    """Per-user demand of one technology: ``peak_gbps`` x ``hourly[local hour]``."""

    peak_gbps: float  #: Gbps per user at the busiest hour
    hourly: tuple[float, ...]  #: 24 factors, local hours 0-23


@dataclass(frozen=True)
class Topology:
    """A country's networks, ready for simulation.

    ``graph`` is an undirected :class:`networkx.Graph`; nodes carry their
    attributes from the file, edges carry ``name``, ``capacity_gbps`` and ``kind``.
    """

    name: str
    description: str
    zone: ZoneInfo
    graph: nx.Graph
    regions: Mapping[str, Region]
    operators: Mapping[str, Mapping[str, object]]
    services: tuple[Service, ...]
    cohorts: tuple[Cohort, ...]
    demand: Mapping[str, Demand]
    path: Path | None = None
    files: tuple[tuple[Path, str], ...] = ()
    warnings: tuple[str, ...] = ()  #: warning-level findings of the named checks
    costs: CostSpec | None = None  #: the checked costs file, if the topology names one
    routing: str = "ecmp"  #: how traffic picks its paths: ecmp or valley-free (see simkz.model.routing)
    reliability: Reliability | None = None  #: failure rates and repair crews, if the topology gives them
    nodes: tuple[str, ...] = field(init=False)
    links: tuple[str, ...] = field(init=False)
    link_ends: tuple[tuple[str, str], ...] = field(init=False)
    #: The graph's attribute dict of every link (in ``links`` order; the same dicts, not copies).
    _link_data: tuple[dict[str, Any], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        nodes = tuple(sorted(self.graph.nodes))
        by_name = {d["name"]: (u, v, d) for u, v, d in self.graph.edges(data=True)}
        links = tuple(sorted(by_name))
        object.__setattr__(self, "nodes", nodes)
        object.__setattr__(self, "links", links)
        object.__setattr__(self, "link_ends", tuple(by_name[n][:2] for n in links))
        object.__setattr__(self, "_link_data", tuple(by_name[n][2] for n in links))

    # -- lookups (computed once: a cached_property writes the instance dict, frozen or not) --
    @cached_property
    def node_index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.nodes)}

    @cached_property
    def link_index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.links)}

    @cached_property
    def link_capacities(self) -> NDArray[np.float64]:
        """Capacity of every link (in ``links`` order), Gbps; read-only (:meth:`capacities_gbps` gives a copy)."""
        return _read_only(self._link_attribute("capacity_gbps", None, np.float64))

    @cached_property
    def link_costs(self) -> NDArray[np.int64]:
        """Routing cost of every link (in ``links`` order; 1 where the link has none); read-only."""
        return _read_only(self._link_attribute("cost", 1, np.int64))

    @cached_property
    def link_end_indices(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The node indices of every link's two ends (in ``links`` and ``link_ends`` order); read-only."""
        index, count = self.node_index, len(self.link_ends)
        a = np.fromiter((index[a] for a, _ in self.link_ends), dtype=np.int64, count=count)
        b = np.fromiter((index[b] for _, b in self.link_ends), dtype=np.int64, count=count)
        return _read_only(a), _read_only(b)

    def _link_attribute(self, key: str, default: object, dtype: type[np.generic]) -> NDArray[Any]:
        """One attribute of every link, read from the graph once (``default`` where a link has none)."""
        if default is None:
            values = [d[key] for d in self._link_data]
        else:
            values = [d.get(key, default) for d in self._link_data]
        return np.array(values, dtype=dtype)

    @cached_property
    def _memo(self) -> dict[str, Any]:
        return {}

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """The value derived from this topology under ``key``, made by ``make()`` the first time it is asked for.

        Layers above the topology keep here what depends on the topology only (e.g. the model's routing
        cache), so that runs sharing the topology object share the work. Safe across threads: ``make``
        runs at most once per key.
        """
        memo = self._memo
        if key not in memo:
            with _MEMO_LOCK:
                if key not in memo:
                    memo[key] = make()
        return cast(T, memo[key])

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without what was derived from it (memos, hour tables, link arrays): they are rebuilt on use."""
        state = dict(self.__dict__)
        for name in ("_memo", "_hour_tables", "link_capacities", "link_costs", "link_end_indices"):
            state.pop(name, None)
        return state

    @cached_property
    def _zones(self) -> tuple[tuple[ZoneInfo, ...], NDArray[np.int64]]:
        """The distinct zones of the regions, and the place of each cohort's zone among them."""
        zones: dict[str, ZoneInfo] = {}
        for region in self.regions.values():
            zones.setdefault(region.zone.key, region.zone)
        keys = list(zones)
        place = np.array([keys.index(self.regions[c.region].zone.key) for c in self.cohorts], dtype=np.int64)
        return tuple(zones.values()), place

    @cached_property
    def _hour_tables(self) -> dict[int, _HourTable | None]:
        return {}

    @property
    def service_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.services)

    def capacities_gbps(self) -> NDArray[np.float64]:
        """Capacity of every link (in ``links`` order), Gbps (a new array: the caller may change it)."""
        return self.link_capacities.copy()

    def users(self) -> NDArray[np.float64]:
        """Internet users of every cohort (in ``cohorts`` order), persons."""
        return np.array([c.users for c in self.cohorts], dtype=np.float64)

    def foreign_nodes(self) -> tuple[str, ...]:
        """Nodes abroad (kind ``foreign``), sorted (found once)."""
        return self._foreign

    @cached_property
    def _foreign(self) -> tuple[str, ...]:
        attributes = self.graph.nodes
        return tuple(n for n in self.nodes if attributes[n].get("kind") == "foreign")

    def disability_shares(self) -> NDArray[np.float64]:
        """Share of persons with disabilities among every cohort's users (their region's share), 0-1."""
        return np.array([self.regions[c.region].disability_share for c in self.cohorts], dtype=np.float64)

    def control_points(self) -> dict[str, str]:
        """Nodes where traffic can be filtered or cut, with who controls them."""
        return {n: str(d["controlled_by"]) for n, d in sorted(self.graph.nodes(data=True)) if d.get("controlled_by")}

    def local_hours(self, when: datetime) -> NDArray[np.int64]:
        """The local hour (0-23) of every cohort's region at the instant ``when`` (aware). The array may be
        shared with other calls (it is then read-only): do not change it.

        Each zone's UTC offset (whole seconds) is looked up once per UTC hour: within an hour of constant
        offsets the local hours change only where ``(seconds since 1970 + offset)`` passes a multiple of 3,600,
        so the hours of each part of the hour are kept and looked up. An hour in which a zone's offset changes,
        and a naive ``when``, take :meth:`local_hours_slow`; both give the same hours.
        """
        if when.tzinfo is None:
            return self.local_hours_slow(when)
        seconds = (when - _EPOCH) // _SECOND
        hour = seconds // 3600
        table = self._hour_tables.get(hour, _UNKNOWN)
        if table is _UNKNOWN:
            table = self._hour_table(hour)
        if table is None:
            return self.local_hours_slow(when)
        cuts, hours = table
        return hours[bisect_right(cuts, seconds - hour * 3600)] if cuts else hours[0]

    def _hour_table(self, hour: int) -> _HourTable | None:
        """The local hours of every cohort in each part of the UTC ``hour`` (hours since 1970) between the
        seconds at which a zone's local hour turns; None if a zone's offset changes in it."""
        first = _EPOCH + timedelta(hours=hour)
        last = first + timedelta(seconds=3599)
        offsets: list[int] = []
        for zone in self._zones[0]:
            a, b = first.astimezone(zone).utcoffset(), last.astimezone(zone).utcoffset()
            if a is None or a != b or a % _SECOND:
                break
            offsets.append(a // _SECOND)
        table: _HourTable | None = None
        if len(offsets) == len(self._zones[0]):
            start = hour * 3600
            local = np.array(offsets, dtype=np.int64) + start
            cuts = tuple(sorted({int(-o % 3600) for o in local} - {0}))
            parts = []
            for at in (0, *cuts):
                part = ((local + at) // 3600 % 24)[self._zones[1]]
                part.flags.writeable = False
                parts.append(part)
            table = (cuts, tuple(parts))
        if len(self._hour_tables) >= _MAX_HOUR_TABLES:
            self._hour_tables.clear()
        self._hour_tables[hour] = table
        return table

    def local_hours_slow(self, when: datetime) -> NDArray[np.int64]:
        """:meth:`local_hours` computed zone by zone with :meth:`datetime.astimezone` (the reference)."""
        hours = {key: when.astimezone(r.zone).hour for key, r in self.regions.items()}
        return np.array([hours[c.region] for c in self.cohorts], dtype=np.int64)

"""The loaded topology: a networkx graph plus the cohorts, services and demand profiles.

Indices are fixed at build time (nodes, links, cohorts and services in sorted
order) so that the numerical model can work on numpy arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from simkz.topology.costs import CostSpec

__all__ = ["Backlog", "Cohort", "Demand", "Region", "Service", "Topology"]


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
    nodes: tuple[str, ...] = field(init=False)
    links: tuple[str, ...] = field(init=False)
    link_ends: tuple[tuple[str, str], ...] = field(init=False)

    def __post_init__(self) -> None:
        nodes = tuple(sorted(self.graph.nodes))
        by_name = {d["name"]: (u, v) for u, v, d in self.graph.edges(data=True)}
        links = tuple(sorted(by_name))
        object.__setattr__(self, "nodes", nodes)
        object.__setattr__(self, "links", links)
        object.__setattr__(self, "link_ends", tuple(by_name[n] for n in links))

    # -- lookups (computed once: a cached_property writes the instance dict, frozen or not) --
    @cached_property
    def node_index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.nodes)}

    @cached_property
    def link_index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.links)}

    @cached_property
    def _capacities(self) -> NDArray[np.float64]:
        return np.array([self.graph.edges[u, v]["capacity_gbps"] for u, v in self.link_ends], dtype=np.float64)

    @property
    def service_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.services)

    def capacities_gbps(self) -> NDArray[np.float64]:
        """Capacity of every link (in ``links`` order), Gbps."""
        return np.array([self.graph.edges[u, v]["capacity_gbps"] for u, v in self.link_ends], dtype=np.float64)

    def users(self) -> NDArray[np.float64]:
        """Internet users of every cohort (in ``cohorts`` order), persons."""
        return np.array([c.users for c in self.cohorts], dtype=np.float64)

    def foreign_nodes(self) -> tuple[str, ...]:
        """Nodes abroad (kind ``foreign``), sorted."""
        return tuple(n for n in self.nodes if self.graph.nodes[n].get("kind") == "foreign")

    def disability_shares(self) -> NDArray[np.float64]:
        """Share of persons with disabilities among every cohort's users (their region's share), 0-1."""
        return np.array([self.regions[c.region].disability_share for c in self.cohorts], dtype=np.float64)

    def control_points(self) -> dict[str, str]:
        """Nodes where traffic can be filtered or cut, with who controls them."""
        return {n: str(d["controlled_by"]) for n, d in sorted(self.graph.nodes(data=True)) if d.get("controlled_by")}

    def local_hours(self, when: datetime) -> NDArray[np.int64]:
        """The local hour (0-23) of every cohort's region at the instant ``when``."""
        hours = {key: when.astimezone(r.zone).hour for key, r in self.regions.items()}
        return np.array([hours[c.region] for c in self.cohorts], dtype=np.int64)

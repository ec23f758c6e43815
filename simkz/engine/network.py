"""The bridge from network states to the model: cached routing, filters, baselines and observatory signals.

What a state gives depends on parts of it only: routing on what is down, filters on the rules,
capacities on the throttles. Each part is computed once per distinct value and kept in a
:class:`SharedCache` held by the topology (:meth:`~simkz.topology.network.Topology.memo`), so every
run on one topology object in a process shares it: replications route each network state once. A
whole evaluation (served shares, effective shares, traffic) is kept too, by the state, the local
hours, the VPN share that matters and the cache parameter: one flow evaluation per distinct
(state, local hours, VPN share). The caches are bounded (least recently used out first) and hold
read-only arrays; they never change a number, only whether it is computed again.

Observatory signals, per cohort (each cohort's /24 address blocks):

* **probing** (IODA-like active probing): the share of the cohort's blocks that answer probes
  from abroad, relative to an ordinary day: ``(1 - cut share) x reach`` where ``reach`` is the
  share of probes that pass the path between the access node and abroad (down nodes and links,
  whitelists, degrades and withdrawn routes stop probes; service blocks and congestion do not);
* **BGP visibility**: 1 while the blocks' routes are seen from abroad, i.e. the access node's
  routes are not withdrawn and its operator's network has an up path to a foreign node. Access
  nodes that are shut down keep their routes announced (their core still originates them), so
  a cut behind the border leaves BGP up; cutting border links or gateways withdraws them.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from simkz.impact.disruption import effective_served
from simkz.model.demand import DemandModel
from simkz.model.flows import (
    Caches,
    Flows,
    Paths,
    capacities,
    evaluate_paths,
    pass_shares,
    probe_passes,
    probe_reach,
    tunnel_passes,
)
from simkz.model.routing import Routing, reachable, route
from simkz.model.state import NetworkState
from simkz.topology.network import Topology

__all__ = ["Lru", "NetworkModel", "SharedCache", "Snapshot"]

V = TypeVar("V")

#: Entries kept per cache of one topology: distinct network states (routings, filters, signals).
STATE_ENTRIES = 512
#: Bytes of whole evaluations kept per topology (:attr:`SharedCache.snapshots`): some 1,700 on ``kz-2022``.
SNAPSHOT_BYTES = 64 * 2**20


class Lru(Generic[V]):
    """A thread-safe mapping of at most ``size`` entries (or ``max_bytes`` of arrays), least recently used out first."""

    def __init__(self, size: int, *, max_bytes: int | None = None, nbytes: Callable[[V], int] | None = None) -> None:
        self.size, self.max_bytes, self._nbytes = size, max_bytes, nbytes
        self._data: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.made = 0  #: how many values were made (misses), for benchmarks

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value under ``key``, made by ``make()`` (outside the lock) when missing."""
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
                return hit[0]
        value = make()
        size = self._nbytes(value) if self._nbytes is not None else 0
        with self._lock:
            self.made += 1
            if key not in self._data:
                self._data[key] = (value, size)
                self.bytes += size
            while len(self._data) > self.size or (self.max_bytes is not None and self.bytes > self.max_bytes):
                _, (_, freed) = self._data.popitem(last=False)
                self.bytes -= freed
        return value


def _frozen(array: NDArray[np.float64]) -> NDArray[np.float64]:
    """``array``, made read-only (it is shared between runs)."""
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Snapshot:
    """What the network gives at one moment: flows, effective served shares and served traffic."""

    flows: Flows
    effective: NDArray[np.float64]  #: [cohort, service] effective served share (dependencies applied), 0-1
    traffic_gbps: NDArray[np.float64]  #: [cohort] served traffic, Gbps

    @property
    def served(self) -> NDArray[np.float64]:
        """[cohort, service] served share, 0-1."""
        return self.flows.served

    def nbytes(self) -> int:
        f = self.flows
        return int(
            f.served.nbytes + f.load_gbps.nbytes + f.scale.nbytes + self.effective.nbytes + self.traffic_gbps.nbytes
        )


class SharedCache:
    """What the model derives from one topology's network states, shared by every run on the topology."""

    def __init__(self) -> None:
        self.routes: Lru[Routing] = Lru(STATE_ENTRIES)
        self.probes: Lru[Routing] = Lru(STATE_ENTRIES)  #: routings towards the foreign nodes (probing)
        self.announced: Lru[NDArray[np.bool_]] = Lru(STATE_ENTRIES)  #: nodes with an up path abroad (BGP)
        self.passes: Lru[NDArray[np.float64]] = Lru(STATE_ENTRIES)
        self.paths: Lru[Paths] = Lru(STATE_ENTRIES)
        self.capacities: Lru[NDArray[np.float64]] = Lru(STATE_ENTRIES)
        self.connected: Lru[NDArray[np.float64]] = Lru(STATE_ENTRIES)
        self.signals: Lru[tuple[NDArray[np.float64], NDArray[np.float64]]] = Lru(STATE_ENTRIES)
        self.baselines: Lru[NDArray[np.float64]] = Lru(STATE_ENTRIES * 8)
        self.snapshots: Lru[Snapshot] = Lru(1 << 30, max_bytes=SNAPSHOT_BYTES, nbytes=Snapshot.nbytes)

    @classmethod
    def of(cls, topology: Topology) -> SharedCache:
        """The shared cache of ``topology`` (made on first use, kept with it)."""
        return topology.memo("engine.network", cls)

    def counts(self) -> Counter[str]:
        """How many values each cache made (misses): e.g. ``routes`` (routings), ``snapshots`` (flow evaluations)."""
        return Counter({name: lru.made for name, lru in vars(self).items() if isinstance(lru, Lru)})


class NetworkModel:
    """Evaluates network states of one topology, caching what does not change."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.shared = SharedCache.of(topology)
        self.demand = DemandModel(topology)
        index = topology.node_index
        self.cohort_nodes = np.array([index[c.node] for c in topology.cohorts], dtype=np.int64)
        vpn = [i for i, s in enumerate(topology.services) if s.kind == "vpn"]
        self.vpn_service: int | None = vpn[0] if vpn else None
        self.caches: Caches | None = Caches.of(topology, 0.0)  #: set the drawn parameter with :meth:`set_caches`
        self.evaluations = 0  #: flow evaluations this run asked for (cached or not; the same in every process)
        self._baselines_seen: set[Hashable] = set()
        self._access = frozenset(c.node for c in topology.cohorts)

    def set_caches(self, without_origin: float) -> None:
        """Set the share (0-1) a cache serves while it cannot reach its origin."""
        self.caches = Caches.of(self.topology, without_origin)

    @property
    def _cache_key(self) -> float | None:
        return None if self.caches is None else self.caches.without_origin

    def connected(self, state: NetworkState) -> NDArray[np.float64]:
        """[cohort] share of each cohort's users not cut off by a partial shutdown, 0-1."""

        def make() -> NDArray[np.float64]:
            cut = dict(state.cut_share)
            return _frozen(np.array([1.0 - cut.get(c.node, 0.0) for c in self.topology.cohorts]))

        return self.shared.connected.get(state.cut_share, make)

    def signals(self, state: NetworkState) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """[cohort] probing (share of ordinarily responsive blocks that answer, 0-1) and BGP visibility (0 or 1)."""
        key = (state.topology_key, state.whitelists, state.degrade, state.withdrawn, state.cut_share)
        return self.shared.signals.get(key, lambda: self._signals(state))

    def _signals(self, state: NetworkState) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        topo = self.topology
        foreign = topo.foreign_nodes()
        routing = self.shared.probes.get(
            state.topology_key, lambda: route(topo, state.down_nodes, state.down_links, targets=[foreign])
        )
        reach = probe_reach(routing, probe_passes(topo, state), len(topo.links))
        probe = reach[self.cohort_nodes] * self.connected(state)
        key = (state.down_nodes - self._access, state.down_links)
        announced = self.shared.announced.get(key, lambda: reachable(topo, foreign, *key))
        withdrawn = np.array([c.node in state.withdrawn for c in topo.cohorts])
        visible = np.where(withdrawn, 0.0, announced[self.cohort_nodes].astype(np.float64))
        return _frozen(probe), _frozen(visible)

    def local_hours(self, when: datetime) -> NDArray[np.int64]:
        return self.topology.local_hours(when)

    def routing(self, state: NetworkState) -> Routing:
        key = state.topology_key
        return self.shared.routes.get(key, lambda: route(self.topology, *key))

    def _passes(self, state: NetworkState) -> NDArray[np.float64]:
        return self.shared.passes.get(state.policy_key, lambda: _frozen(pass_shares(self.topology, state)))

    def _paths(self, state: NetworkState, tunnelled: bool) -> Paths:
        """The routing of ``state`` with its pass shares (those tunnelled traffic meets, if ``tunnelled``)."""

        def make() -> Paths:
            passes = self._passes(state)
            if tunnelled:
                assert self.vpn_service is not None
                passes = _frozen(tunnel_passes(passes, len(self.topology.nodes), self.vpn_service))
            return Paths(self.routing(state), passes)

        return self.shared.paths.get((state.topology_key, state.policy_key, tunnelled), make)

    def _capacities(self, state: NetworkState) -> NDArray[np.float64]:
        return self.shared.capacities.get(state.link_factor, lambda: _frozen(capacities(self.topology, state)))

    def _vpn_share(self, state: NetworkState, vpn_share: float) -> float:
        """The VPN share that matters: 0 where nothing filters or there is no VPN service."""
        return vpn_share if self.vpn_service is not None and vpn_share > 0 and state.filters else 0.0

    def flows(self, state: NetworkState, demand_gbps: NDArray[np.float64], vpn_share: float = 0.0) -> Flows:
        """Served shares and loads of ``state`` under ``demand_gbps`` ([cohort, service], Gbps).

        ``vpn_share`` of users tunnel through a VPN (it matters only where something filters).
        """
        self.evaluations += 1
        return self._flows(state, demand_gbps, self._vpn_share(state, vpn_share))

    def _flows(self, state: NetworkState, demand_gbps: NDArray[np.float64], vpn_share: float) -> Flows:
        tunnel = (vpn_share, self._paths(state, True)) if vpn_share > 0 else None
        return evaluate_paths(
            self._paths(state, False),
            self._capacities(state),
            demand_gbps,
            self.cohort_nodes,
            tunnel,
            connected=self.connected(state) if state.cut_share else None,
            caches=self.caches,
        )

    def snapshot(self, state: NetworkState, local_hours: NDArray[np.int64], vpn_share: float) -> Snapshot:
        """Flows, effective served shares and served traffic of ``state`` at these local hours (one flow
        evaluation, shared with every run that meets the same state, hours and VPN share)."""
        self.evaluations += 1
        share = self._vpn_share(state, vpn_share)
        key = (state, local_hours.tobytes(), share, self._cache_key)

        def make() -> Snapshot:
            demand = self.demand.gbps(local_hours)
            flows = self._flows(state, demand, share)
            traffic = (flows.served * demand).sum(axis=1)
            effective = effective_served(self.topology, flows.served)
            for array in (flows.served, flows.load_gbps, flows.scale, effective, traffic):
                _frozen(array)
            return Snapshot(flows=flows, effective=effective, traffic_gbps=traffic)

        return self.shared.snapshots.get(key, make)

    def baseline_gbps(self, local_hours: NDArray[np.int64]) -> NDArray[np.float64]:
        """Traffic each cohort gets served at these local hours with no action, Gbps."""
        key = (local_hours.tobytes(), self._cache_key)
        if key not in self._baselines_seen:  # counted once per run, as when each run computed its own
            self._baselines_seen.add(key)
            self.evaluations += 1

        def make() -> NDArray[np.float64]:
            demand = self.demand.gbps(local_hours)
            flows = self._flows(NetworkState(), demand, 0.0)
            return _frozen((flows.served * demand).sum(axis=1))

        return self.shared.baselines.get(key, make)

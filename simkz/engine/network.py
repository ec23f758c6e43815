"""The bridge from network states to the model: cached routing, filters, baselines and observatory signals.

Routing depends only on what is down, filters only on the rules; both are cached
by that part of the state, so re-evaluating after a demand change costs a few
numpy operations.

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

from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from simkz.model.demand import DemandModel
from simkz.model.flows import (
    Caches,
    Flows,
    Tunnel,
    capacities,
    evaluate,
    pass_shares,
    probe_passes,
    probe_reach,
    tunnel_passes,
)
from simkz.model.routing import Routing, reachable, route
from simkz.model.state import NetworkState
from simkz.topology.network import Topology

__all__ = ["NetworkModel"]


class NetworkModel:
    """Evaluates network states of one topology, caching what does not change."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.demand = DemandModel(topology)
        index = topology.node_index
        self.cohort_nodes = np.array([index[c.node] for c in topology.cohorts], dtype=np.int64)
        self._routes: dict[object, Routing] = {}
        self._passes: dict[object, NDArray[np.float64]] = {}
        self._baseline: dict[bytes, NDArray[np.float64]] = {}
        self._tunnels: dict[object, NDArray[np.float64]] = {}
        vpn = [i for i, s in enumerate(topology.services) if s.kind == "vpn"]
        self.vpn_service: int | None = vpn[0] if vpn else None
        self.caches: Caches | None = Caches.of(topology, 0.0)  #: set the drawn parameter with :meth:`set_caches`
        self.evaluations = 0  #: how many times flows were computed (for benchmarks)
        self._access = frozenset(c.node for c in topology.cohorts)
        self._connected: dict[object, NDArray[np.float64]] = {}
        self._signals: dict[object, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}

    def set_caches(self, without_origin: float) -> None:
        """Set the share (0-1) a cache serves while it cannot reach its origin."""
        self.caches = Caches.of(self.topology, without_origin)

    def connected(self, state: NetworkState) -> NDArray[np.float64]:
        """[cohort] share of each cohort's users not cut off by a partial shutdown, 0-1."""
        key = state.cut_share
        if key not in self._connected:
            cut = dict(state.cut_share)
            self._connected[key] = np.array([1.0 - cut.get(c.node, 0.0) for c in self.topology.cohorts])
        return self._connected[key]

    def signals(self, state: NetworkState) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """[cohort] probing (share of ordinarily responsive blocks that answer, 0-1) and BGP visibility (0 or 1)."""
        key = (state.topology_key, state.whitelists, state.degrade, state.withdrawn, state.cut_share)
        if key not in self._signals:
            topo = self.topology
            foreign = topo.foreign_nodes()
            routing = route(topo, state.down_nodes, state.down_links, targets=[foreign])
            reach = probe_reach(routing, probe_passes(topo, state), len(topo.links))
            probe = reach[self.cohort_nodes] * self.connected(state)
            announced = reachable(topo, foreign, state.down_nodes - self._access, state.down_links)
            withdrawn = np.array([c.node in state.withdrawn for c in topo.cohorts])
            visible = np.where(withdrawn, 0.0, announced[self.cohort_nodes].astype(np.float64))
            self._signals[key] = (probe, visible)
        return self._signals[key]

    def local_hours(self, when: datetime) -> NDArray[np.int64]:
        return self.topology.local_hours(when)

    def routing(self, state: NetworkState) -> Routing:
        key = state.topology_key
        if key not in self._routes:
            self._routes[key] = route(self.topology, *key)
        return self._routes[key]

    def flows(self, state: NetworkState, demand_gbps: NDArray[np.float64], vpn_share: float = 0.0) -> Flows:
        """Served shares and loads of ``state`` under ``demand_gbps`` ([cohort, service], Gbps).

        ``vpn_share`` of users tunnel through a VPN (it matters only where something filters).
        """
        key = state.policy_key
        if key not in self._passes:
            self._passes[key] = pass_shares(self.topology, state)
        passes = self._passes[key]
        tunnel = None
        if self.vpn_service is not None and vpn_share > 0 and state.filters:
            if key not in self._tunnels:
                self._tunnels[key] = tunnel_passes(passes, len(self.topology.nodes), self.vpn_service)
            tunnel = Tunnel(vpn_share, self._tunnels[key])
        self.evaluations += 1
        connected = self.connected(state) if state.cut_share else None
        return evaluate(
            self.routing(state),
            passes,
            capacities(self.topology, state),
            demand_gbps,
            self.cohort_nodes,
            tunnel,
            connected=connected,
            caches=self.caches,
        )

    def baseline_gbps(self, local_hours: NDArray[np.int64]) -> NDArray[np.float64]:
        """Traffic each cohort gets served at these local hours with no action, Gbps."""
        key = local_hours.tobytes()
        if key not in self._baseline:
            demand = self.demand.gbps(local_hours)
            flows = self.flows(NetworkState(), demand)
            self._baseline[key] = (flows.served * demand).sum(axis=1)
        return self._baseline[key]

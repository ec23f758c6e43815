"""The bridge from network states to the model: cached routing, filters and baselines.

Routing depends only on what is down, filters only on the rules; both are cached
by that part of the state, so re-evaluating after a demand change costs a few
numpy operations.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from simkz.model.demand import DemandModel
from simkz.model.flows import Flows, Tunnel, capacities, evaluate, pass_shares, tunnel_passes
from simkz.model.routing import Routing, route
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
        self.evaluations = 0  #: how many times flows were computed (for benchmarks)

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
        if self.vpn_service is not None and vpn_share > 0 and (state.blocks or state.whitelists):
            if key not in self._tunnels:
                self._tunnels[key] = tunnel_passes(passes, len(self.topology.nodes), self.vpn_service)
            tunnel = Tunnel(vpn_share, self._tunnels[key])
        self.evaluations += 1
        return evaluate(
            self.routing(state), passes, capacities(self.topology, state), demand_gbps, self.cohort_nodes, tunnel
        )

    def baseline_gbps(self, local_hours: NDArray[np.int64]) -> NDArray[np.float64]:
        """Traffic each cohort gets served at these local hours with no action, Gbps."""
        key = local_hours.tobytes()
        if key not in self._baseline:
            demand = self.demand.gbps(local_hours)
            flows = self.flows(NetworkState(), demand)
            self._baseline[key] = (flows.served * demand).sum(axis=1)
        return self._baseline[key]

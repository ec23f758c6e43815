"""Capacity and policy: from routing, demand and rules to link loads and served shares.

All functions are pure. Units: demand and loads in Gbps; shares in [0, 1].

The rules, applied in one pass (no iteration to equilibrium):

* **Policy.** At a node that filters service ``s``, traffic of ``s`` passes with
  probability ``pass[s, node] = (1 - block effectiveness) x (1 - whitelist effectiveness
  if s is not whitelisted) x degrade pass share``. Policy may sit at any node, access nodes
  included (a flow leaving an access node meets that node's rules first). At an access node
  whose routes are withdrawn, traffic to services hosted abroad passes with 0. Dropped traffic
  loads no link after the node; rules at several nodes of one path compound.
* **Partial cuts.** A share ``cut`` of an access node's users is cut off entirely: they offer
  no traffic, and the cohort's served share is ``(1 - cut)`` times that of the users left.
* **Capacity.** A link's load is the traffic routed over it (after the drops). Where
  the load exceeds the capacity (after throttling) every flow through the link is
  scaled by ``capacity / load``; a flow crossing several such links is scaled by each.
* **Served share.** ``served[c, s]`` is the expected share of cohort ``c``'s traffic
  to ``s`` that arrives: the average over its equal-cost paths of the product of the
  pass probabilities and the capacity scales along the path.
* **Circumvention.** A share ``v`` of users tunnel through a VPN: filters see their traffic
  as VPN traffic, so it passes a node with the VPN service's pass share there (a block of
  VPN stops it; a block of the service does not). Their traffic follows the service's paths
  (assumption: the VPN endpoints lie abroad on the same paths). A VPN user takes the better
  of the two ways: ``served = (1 - v) x direct + v x max(direct, tunnelled)``; both ways load
  the links in proportion to ``1 - v`` and ``v``.
* **Caches.** A service with ``cache_of`` (a domestic cache of an origin abroad) serves only
  while its hosts reach the origin's hosts: its served share is multiplied by
  ``p + (1 - p) x reach``, with ``reach`` the best delivered share of the origin's traffic from
  one of its hosts and ``p`` the share it serves without its origin (a scenario parameter).
  The traffic that fills caches is not modelled (assumption: small beside what they serve).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simkz.model.routing import Routing
from simkz.model.state import NetworkState
from simkz.topology.network import Topology

__all__ = [
    "Caches",
    "Flows",
    "Paths",
    "Tunnel",
    "capacities",
    "evaluate",
    "evaluate_paths",
    "pass_shares",
    "probe_passes",
    "probe_reach",
    "tunnel_passes",
]


@dataclass(frozen=True)
class Flows:
    """What the network delivers at one moment."""

    served: NDArray[np.float64]  #: [cohort, service] share of demand that arrives, 0-1
    load_gbps: NDArray[np.float64]  #: [link] traffic offered to the link, Gbps
    scale: NDArray[np.float64]  #: [link] capacity scale applied to flows, 0-1


def pass_shares(topology: Topology, state: NetworkState) -> NDArray[np.float64]:
    """``pass[s * n_nodes + node]``: the share of service ``s`` traffic that passes the node's filters."""
    n = len(topology.nodes)
    services = topology.service_keys
    sidx = {k: i for i, k in enumerate(services)}
    nidx = topology.node_index
    out = np.ones(len(services) * n, dtype=np.float64)
    for node, service, eff in state.blocks:
        out[sidx[service] * n + nidx[node]] *= 1.0 - eff
    for node, allowed, eff in state.whitelists:
        for s, key in enumerate(services):
            if key not in allowed:
                out[s * n + nidx[node]] *= 1.0 - eff
    for node, share in state.degrade:
        out[np.arange(len(services)) * n + nidx[node]] *= share
    abroad = [s for s, svc in enumerate(topology.services) if svc.abroad]
    for node in state.withdrawn:
        out[np.array(abroad, dtype=np.int64) * n + nidx[node]] = 0.0
    return out


def probe_passes(topology: Topology, state: NetworkState) -> NDArray[np.float64]:
    """``pass[node]`` for probes from abroad: whitelists (probes are never listed) and degrades stop them,
    service blocks do not, and a node with withdrawn routes cannot be reached."""
    nidx = topology.node_index
    out = np.ones(len(topology.nodes), dtype=np.float64)
    for node, _, eff in state.whitelists:
        out[nidx[node]] *= 1.0 - eff
    for node, share in state.degrade:
        out[nidx[node]] *= share
    for node in state.withdrawn:
        out[nidx[node]] = 0.0
    return out


def tunnel_passes(passes: NDArray[np.float64], n_nodes: int, vpn_service: int) -> NDArray[np.float64]:
    """Pass shares seen by tunnelled traffic: the VPN service's, for every service."""
    n_services = passes.shape[0] // n_nodes
    return np.tile(passes[vpn_service * n_nodes : (vpn_service + 1) * n_nodes], n_services)


@dataclass(frozen=True)
class Tunnel:
    """The share of users with a working VPN, and the pass shares their traffic meets."""

    share: float  #: 0-1
    passes: NDArray[np.float64]  #: from :func:`tunnel_passes`


@dataclass(frozen=True)
class Caches:
    """Domestic caches of services abroad: see the module docstring."""

    services: NDArray[np.int64]  #: service index of each cache
    origins: NDArray[np.int64]  #: service index of each cache's origin
    hosts: tuple[NDArray[np.int64], ...]  #: node indices of each cache's hosts
    without_origin: float  #: share a cache serves while it cannot reach its origin, 0-1

    @classmethod
    def of(cls, topology: Topology, without_origin: float) -> Caches | None:
        """The caches of ``topology`` (None if it has none)."""
        index = {k: i for i, k in enumerate(topology.service_keys)}
        caches = [(i, s) for i, s in enumerate(topology.services) if s.cache_of is not None]
        if not caches:
            return None
        nidx = topology.node_index
        return cls(
            services=np.array([i for i, _ in caches], dtype=np.int64),
            origins=np.array([index[str(s.cache_of)] for _, s in caches], dtype=np.int64),
            hosts=tuple(np.array([nidx[h] for h in s.hosts], dtype=np.int64) for _, s in caches),
            without_origin=float(without_origin),
        )

    def factors(self, delivered: NDArray[np.float64], n_nodes: int) -> NDArray[np.float64]:
        """[cache] the factor on each cache's served share, given the delivered shares of every node."""
        reach = np.array([delivered[o * n_nodes + h].max() for o, h in zip(self.origins, self.hosts, strict=True)])
        out: NDArray[np.float64] = self.without_origin + (1.0 - self.without_origin) * reach
        return out


def capacities(topology: Topology, state: NetworkState) -> NDArray[np.float64]:
    """Usable capacity of every link after throttling, Gbps (with no throttle, the topology's read-only array)."""
    if not state.link_factor:
        return topology.link_capacities
    cap = topology.capacities_gbps()
    lidx = topology.link_index
    throttled = np.array([lidx[link] for link, _ in state.link_factor], dtype=np.int64)
    cap[throttled] *= np.array([factor for _, factor in state.link_factor], dtype=np.float64)
    return cap


class Paths:
    """A routing and the pass shares of one policy, ready for repeated evaluation.

    The pass shares each layer needs are gathered once, and the delivered shares with no congested
    link (every capacity scale 1, the usual case) are computed once: evaluating a state again under
    new demand only pushes the demand. Every number is computed as :func:`evaluate` always did,
    operation for operation (a scale of exactly 1 is left out of a product it would not change).
    """

    def __init__(self, routing: Routing, passes: NDArray[np.float64]) -> None:
        self.routing = routing
        self.passes = passes
        self._src = tuple(passes[layer.src] for layer in routing.layers)
        self._nodes = tuple(passes[layer.nodes] for layer in routing.layers)
        self._unit: NDArray[np.float64] | None = None
        self._factors: tuple[Caches, NDArray[np.float64]] | None = None
        self._stacked: tuple[bytes, NDArray[np.int64]] | None = None

    def stacked(self, cohort_nodes: NDArray[np.int64]) -> NDArray[np.int64]:
        """``[cohort, service]``: the stacked index of each cohort's node for each service (kept for the last
        ``cohort_nodes`` asked for)."""
        key, memo = cohort_nodes.tobytes(), self._stacked  # one read: another thread may replace it
        if memo is None or memo[0] != key:
            n, n_services = self.routing.n_nodes, self.routing.n_services
            stacked = np.arange(n_services)[None, :] * n + cohort_nodes[:, None]
            stacked.flags.writeable = False
            memo = self._stacked = (key, stacked)
        return memo[1]

    def push(self, mass: NDArray[np.float64], load: NDArray[np.float64]) -> None:
        """Push demand from the cohorts towards the hosts, layer by layer, adding to ``load`` (Gbps)."""
        layers = self.routing.layers
        for i in range(len(layers) - 1, -1, -1):
            layer = layers[i]
            flow = mass[layer.src] * self._src[i] * layer.weight
            mass += np.bincount(layer.dst, weights=flow, minlength=mass.shape[0])
            load += np.bincount(layer.link, weights=flow, minlength=load.shape[0])

    def delivered(self, scale: NDArray[np.float64] | None) -> NDArray[np.float64]:
        """The expected delivered share from every node to the hosts under the capacity ``scale`` of every link
        (None: no link congested, every scale 1; then computed once and read-only)."""
        if scale is not None:
            return self._delivered(scale)
        if self._unit is None:
            unit = self._delivered(None)
            unit.flags.writeable = False
            self._unit = unit
        return self._unit

    def cache_factors(self, caches: Caches) -> NDArray[np.float64]:
        """:meth:`Caches.factors` with no link congested (kept for the last ``caches`` asked for)."""
        memo = self._factors  # one read: another thread may replace it
        if memo is None or memo[0] is not caches:
            memo = self._factors = (caches, caches.factors(self.delivered(None), self.routing.n_nodes))
        return memo[1]

    def _delivered(self, scale: NDArray[np.float64] | None) -> NDArray[np.float64]:
        routing = self.routing
        delivered = np.zeros(self.passes.shape[0], dtype=np.float64)
        delivered[routing.hosts] = self.passes[routing.hosts]
        for layer, node_passes in zip(routing.layers, self._nodes, strict=True):
            weight = layer.weight if scale is None else layer.weight * scale[layer.link]
            contrib = weight * delivered[layer.dst]
            delivered += np.bincount(layer.src, weights=contrib, minlength=delivered.shape[0])
            delivered[layer.nodes] *= node_passes
        return delivered


def evaluate(
    routing: Routing,
    passes: NDArray[np.float64],
    capacity_gbps: NDArray[np.float64],
    demand_gbps: NDArray[np.float64],
    cohort_nodes: NDArray[np.int64],
    tunnel: Tunnel | None = None,
    connected: NDArray[np.float64] | None = None,
    caches: Caches | None = None,
) -> Flows:
    """Loads, capacity scales and served shares.

    Parameters
    ----------
    routing: the ECMP routing of the current up graph.
    passes: from :func:`pass_shares`, stacked by service.
    capacity_gbps: usable capacity per link, Gbps.
    demand_gbps: ``[cohort, service]`` offered traffic, Gbps.
    cohort_nodes: node index of every cohort.
    tunnel: users with a working VPN, if any.
    connected: ``[cohort]`` share of each cohort's users not cut off by a partial shutdown, 0-1 (default all).
    caches: the domestic caches, if any.
    """
    ways = (tunnel.share, Paths(routing, tunnel.passes)) if tunnel is not None else None
    return evaluate_paths(Paths(routing, passes), capacity_gbps, demand_gbps, cohort_nodes, ways, connected, caches)


def evaluate_paths(
    paths: Paths,
    capacity_gbps: NDArray[np.float64],
    demand_gbps: NDArray[np.float64],
    cohort_nodes: NDArray[np.int64],
    tunnel: tuple[float, Paths] | None = None,
    connected: NDArray[np.float64] | None = None,
    caches: Caches | None = None,
) -> Flows:
    """:func:`evaluate` on prepared :class:`Paths` (``tunnel``: the VPN share, 0-1, and the paths its traffic
    meets), for callers that evaluate one state many times."""
    n, n_services = paths.routing.n_nodes, paths.routing.n_services
    stacked = paths.stacked(cohort_nodes)  # [cohort, service]
    if connected is not None:
        demand_gbps = demand_gbps * connected[:, None]
    share = tunnel[0] if tunnel is not None else 0.0
    load = np.zeros(capacity_gbps.shape[0], dtype=np.float64)
    ways = [(1.0 - share, paths)] + ([(share, tunnel[1])] if tunnel is not None and share > 0 else [])
    for weight, way in ways:
        mass = np.zeros(n * n_services, dtype=np.float64)
        np.add.at(mass, stacked.ravel(), weight * demand_gbps.ravel())
        way.push(mass, load)
    over = load > capacity_gbps
    congested: NDArray[np.float64] | None = None  # None: every scale is 1, as below it would come out
    if over.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(over, capacity_gbps / load, 1.0)
        congested = scale = np.clip(np.nan_to_num(scale, nan=0.0), 0.0, 1.0)
    else:
        scale = np.ones(capacity_gbps.shape[0], dtype=np.float64)
    delivered = paths.delivered(congested)
    served = delivered[stacked]
    if len(ways) > 1:
        tunnelled = ways[1][1].delivered(congested)[stacked]
        served = (1.0 - share) * served + share * np.maximum(served, tunnelled)
    if caches is not None:
        factors = caches.factors(delivered, n) if congested is not None else paths.cache_factors(caches)
        served[:, caches.services] *= factors[None, :]
    if connected is not None:
        served = served * connected[:, None]
    return Flows(served=served, load_gbps=load, scale=scale)


def probe_reach(routing: Routing, passes: NDArray[np.float64], n_links: int) -> NDArray[np.float64]:
    """[node] the share of probes between each node and abroad that get through (``routing`` has the foreign
    nodes as its one target set; capacity is not applied to probes, so ``n_links`` is not needed)."""
    return Paths(routing, passes).delivered(None).copy()

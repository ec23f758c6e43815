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
    "Tunnel",
    "capacities",
    "evaluate",
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
    """Usable capacity of every link after throttling, Gbps."""
    cap = topology.capacities_gbps()
    lidx = topology.link_index
    for link, factor in state.link_factor:
        cap[lidx[link]] *= factor
    return cap


def _push(routing: Routing, passes: NDArray[np.float64], mass: NDArray[np.float64], load: NDArray[np.float64]) -> None:
    """Push demand from the cohorts towards the hosts, layer by layer, adding to ``load`` (Gbps)."""
    for layer in reversed(routing.layers):
        flow = mass[layer.src] * passes[layer.src] * layer.weight
        mass += np.bincount(layer.dst, weights=flow, minlength=mass.shape[0])
        load += np.bincount(layer.link, weights=flow, minlength=load.shape[0])


def _delivered(routing: Routing, passes: NDArray[np.float64], scale: NDArray[np.float64]) -> NDArray[np.float64]:
    """The expected delivered share from every node to the hosts."""
    delivered = np.zeros(passes.shape[0], dtype=np.float64)
    delivered[routing.hosts] = passes[routing.hosts]
    for layer in routing.layers:
        contrib = layer.weight * scale[layer.link] * delivered[layer.dst]
        delivered += np.bincount(layer.src, weights=contrib, minlength=delivered.shape[0])
        delivered[layer.nodes] *= passes[layer.nodes]
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
    n, n_services = routing.n_nodes, routing.n_services
    stacked = np.arange(n_services)[None, :] * n + cohort_nodes[:, None]  # [cohort, service]
    if connected is not None:
        demand_gbps = demand_gbps * connected[:, None]
    share = tunnel.share if tunnel is not None else 0.0
    load = np.zeros(capacity_gbps.shape[0], dtype=np.float64)
    ways = [(1.0 - share, passes)] + ([(share, tunnel.passes)] if tunnel is not None and share > 0 else [])
    for weight, way_passes in ways:
        mass = np.zeros(n * n_services, dtype=np.float64)
        np.add.at(mass, stacked.ravel(), weight * demand_gbps.ravel())
        _push(routing, way_passes, mass, load)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(load > capacity_gbps, capacity_gbps / load, 1.0)
    scale = np.clip(np.nan_to_num(scale, nan=0.0), 0.0, 1.0)
    delivered = _delivered(routing, passes, scale)
    served = delivered[stacked]
    if len(ways) > 1:
        assert tunnel is not None
        tunnelled = _delivered(routing, tunnel.passes, scale)[stacked]
        served = (1.0 - share) * served + share * np.maximum(served, tunnelled)
    if caches is not None:
        served[:, caches.services] *= caches.factors(delivered, n)[None, :]
    if connected is not None:
        served = served * connected[:, None]
    return Flows(served=served, load_gbps=load, scale=scale)


def probe_reach(routing: Routing, passes: NDArray[np.float64], n_links: int) -> NDArray[np.float64]:
    """[node] the share of probes between each node and abroad that get through (``routing`` has the foreign
    nodes as its one target set; capacity is not applied to probes)."""
    return _delivered(routing, passes, np.ones(n_links, dtype=np.float64))

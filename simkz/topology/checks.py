"""Named consistency checks of a topology file.

Each check is a function ``check_x(spec) -> list[Finding]``; :data:`CHECKS`
lists them in the order they run. Errors stop loading; warnings are reported
by ``simkz validate`` and written into results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from simkz.errors import InputError
from simkz.topology.schema import TopologyFile

__all__ = ["CHECKS", "MAGNITUDES", "Finding", "raise_errors", "run_checks"]

_TOL = 1e-6


@dataclass(frozen=True)
class Finding:
    """One result of a named check."""

    check: str
    severity: Literal["error", "warning"]
    path: tuple[str | int, ...]
    problem: str
    value: Any = InputError._MISSING
    allowed: str | None = None

    def as_error(self, file: Path | str | None) -> InputError:
        return InputError(
            file, self.path, f"{self.problem} [check {self.check}]", value=self.value, allowed=self.allowed
        )

    def one_line(self, file: Path | str | None) -> str:
        return f"{self.severity}: {self.as_error(file).one_line()}"


Check = Callable[[TopologyFile], list[Finding]]


def _err(
    check: str, path: tuple[str | int, ...], problem: str, value: Any = InputError._MISSING, allowed: str | None = None
) -> Finding:
    return Finding(check, "error", path, problem, value, allowed)


def check_references(spec: TopologyFile) -> list[Finding]:
    """Every operator, region, node and service named anywhere exists."""
    out: list[Finding] = []
    ops, regions, nodes, services = set(spec.operators), set(spec.regions), set(spec.nodes), set(spec.services)
    for name, node in spec.nodes.items():
        if node.operator is not None and node.operator not in ops:
            out.append(
                _err(
                    "references", ("nodes", name, "operator"), "unknown operator", node.operator, ", ".join(sorted(ops))
                )
            )
        if node.region is not None and node.region not in regions:
            out.append(
                _err("references", ("nodes", name, "region"), "unknown region", node.region, ", ".join(sorted(regions)))
            )
    for name, link in spec.links.items():
        for i, end in enumerate(link.ends):
            if end not in nodes:
                out.append(_err("references", ("links", name, "ends", i), "unknown endpoint", end, "a key of nodes"))
    for name, svc in spec.services.items():
        for i, host in enumerate(svc.hosts):
            if host not in nodes:
                out.append(
                    _err("references", ("services", name, "hosts", i), "unknown host node", host, "a key of nodes")
                )
        for i, item in enumerate(svc.depends_on):
            dep = item if isinstance(item, str) else item.service
            if dep not in services:
                out.append(
                    _err(
                        "references",
                        ("services", name, "depends_on", i),
                        "unknown service",
                        dep,
                        ", ".join(sorted(services)),
                    )
                )
    return out


def check_caches(spec: TopologyFile) -> list[Finding]:
    """A cache names another service as its origin, one that is not itself a cache."""
    out: list[Finding] = []
    for name, svc in spec.services.items():
        origin = svc.cache_of
        if origin is None:
            continue
        if origin not in spec.services or origin == name:
            allowed = ", ".join(sorted(k for k in spec.services if k != name))
            out.append(_err("caches", ("services", name, "cache_of"), "unknown origin service", origin, allowed))
        elif spec.services[origin].cache_of is not None:
            out.append(
                _err(
                    "caches",
                    ("services", name, "cache_of"),
                    "the origin is itself a cache",
                    origin,
                    "a service without cache_of",
                )
            )
    return out


def check_observatory_fields(spec: TopologyFile) -> list[Finding]:
    """``blocks_24`` and ``responsive_share`` belong to access nodes only."""
    return [
        _err(
            "observatory-fields",
            ("nodes", name, key),
            "only access nodes carry address blocks",
            getattr(node, key),
            "remove it, or make the node an access node",
        )
        for name, node in spec.nodes.items()
        for key in ("blocks_24", "responsive_share")
        if node.kind != "access" and getattr(node, key) is not None
    ]


def check_access_nodes(spec: TopologyFile) -> list[Finding]:
    """Access nodes say their region, operator, technology and share; shares of a region sum to 1."""
    out: list[Finding] = []
    totals: dict[str, float] = defaultdict(float)
    for name, node in spec.nodes.items():
        if node.kind != "access":
            continue
        for key in ("region", "operator", "tech", "share"):
            if getattr(node, key) is None:
                out.append(_err("access-nodes", ("nodes", name, key), f"an access node needs {key}"))
        if node.region is not None and node.share is not None:
            totals[node.region] += node.share
        if node.tech is not None and node.tech not in spec.demand:
            out.append(
                _err(
                    "access-nodes",
                    ("nodes", name, "tech"),
                    "no demand profile for this technology",
                    node.tech,
                    ", ".join(sorted(spec.demand)),
                )
            )
    for region in spec.regions:
        total = totals.get(region, 0.0)
        if abs(total - 1.0) > _TOL:
            out.append(
                _err(
                    "region-shares",
                    ("regions", region),
                    "shares of the region's access nodes must sum to 1",
                    round(total, 9),
                    "1",
                )
            )
    return out


def check_capacities(spec: TopologyFile) -> list[Finding]:
    """Every link has a capacity above zero."""
    return [
        _err(
            "capacity",
            ("links", name, "capacity_gbps"),
            "capacity must be above zero",
            link.capacity_gbps,
            "a number > 0 (Gbps)",
        )
        for name, link in spec.links.items()
        if not link.capacity_gbps > 0
    ]


def check_duplicate_links(spec: TopologyFile) -> list[Finding]:
    """No self-loops and at most one link between two nodes (add capacities instead)."""
    out: list[Finding] = []
    seen: dict[tuple[str, str], str] = {}
    for name, link in spec.links.items():
        a, b = link.ends
        if a == b:
            out.append(
                _err("duplicate-links", ("links", name, "ends"), "a link joins a node to itself", list(link.ends))
            )
            continue
        pair = (a, b) if a < b else (b, a)
        if pair in seen:
            out.append(
                _err(
                    "duplicate-links",
                    ("links", name, "ends"),
                    f"a second link between the same nodes as {seen[pair]!r}",
                    list(link.ends),
                    "one link per pair; add the capacities",
                )
            )
        seen[pair] = name
    return out


def check_services(spec: TopologyFile) -> list[Finding]:
    """Every service has a host; traffic shares sum to at most 1; dependencies have no cycle."""
    out: list[Finding] = []
    for name, svc in spec.services.items():
        if not svc.hosts:
            out.append(
                _err(
                    "service-hosts",
                    ("services", name, "hosts"),
                    "a service needs at least one host",
                    [],
                    "one or more node keys",
                )
            )
    total = sum(s.traffic_share for s in spec.services.values())
    if total > 1.0 + _TOL:
        out.append(
            _err(
                "traffic-shares",
                ("services",),
                "traffic shares of all services sum to more than 1",
                round(total, 9),
                "a sum <= 1",
            )
        )
    deps = nx.DiGraph()
    deps.add_nodes_from(spec.services)
    deps.add_edges_from(
        (name, d if isinstance(d, str) else d.service)
        for name, s in spec.services.items()
        for d in s.depends_on
        if (d if isinstance(d, str) else d.service) in spec.services
    )
    try:
        cycle = nx.find_cycle(deps)
    except nx.NetworkXNoCycle:
        cycle = []
    if cycle:
        names = [u for u, _ in cycle] + [cycle[0][0]]
        out.append(
            _err(
                "dependency-cycle",
                ("services", cycle[0][0], "depends_on"),
                "dependency cycle " + " -> ".join(names),
                allowed="dependencies without cycles",
            )
        )
    return out


def _components(spec: TopologyFile) -> tuple[list[str], NDArray[np.int64], NDArray[np.int64]]:
    """The nodes (sorted), the number of link ends at each and the label of its connected component (links whose
    ends exist only; arrays, so that graphs of a million links take a fraction of a second)."""
    names = sorted(spec.nodes)
    index = {name: i for i, name in enumerate(names)}
    ends = [(index[a], index[b]) for a, b in (link.ends for link in spec.links.values()) if a in index and b in index]
    pairs = np.array(ends, dtype=np.int64).reshape(-1, 2)
    n = len(names)
    degree = np.bincount(pairs.ravel(), minlength=n)  # link ends at each node (0: no link)
    graph = coo_matrix((np.ones(pairs.shape[0]), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return names, degree, np.asarray(labels, dtype=np.int64)


def check_connectivity(spec: TopologyFile) -> list[Finding]:
    """No isolated node; every access node reaches some foreign node."""
    out: list[Finding] = []
    names, degree, labels = _components(spec)
    for i, name in enumerate(names):
        if degree[i] == 0:
            out.append(_err("isolated-node", ("nodes", name), "node has no link"))
    foreign = [i for i, name in enumerate(names) if spec.nodes[name].kind == "foreign"]
    if not foreign:
        out.append(
            _err(
                "path-abroad",
                ("nodes",),
                "the topology has no foreign node",
                allowed="at least one node of kind foreign",
            )
        )
        return out
    reach_abroad = np.isin(labels, labels[foreign])
    for i, name in enumerate(names):
        if spec.nodes[name].kind == "access" and not reach_abroad[i] and degree[i] > 0:
            out.append(_err("path-abroad", ("nodes", name), "access node has no path to any foreign node"))
    return out


#: Bounds beyond any real network, so that no product of file numbers overflows a float (``magnitudes``).
#: assumption: limits, not data: ten times the world's population per region; a terabit per second per user;
#: a billion Gbps per link; the whole IPv4 space (2^24 /24 blocks) per node; 32-bit AS numbers; a million
#: requests a day per user, a million-fold capacity and a million hours of patience for backlogs.
MAGNITUDES: dict[str, float] = {
    "population": 10**11,
    "peak_mbps": 1e6,
    "capacity_gbps": 1e9,
    "blocks_24": 2**24,
    "asn": 2**32 - 1,
    "requests_per_user_per_day": 1e6,
    "capacity_factor": 1e6,
    "patience_h": 1e6,
}


def _too_big(path: tuple[str | int, ...], key: str, value: float) -> Finding | None:
    bound = MAGNITUDES[key]
    if value <= bound:  # False for NaN too
        return None
    return _err("magnitudes", path, "beyond any real network", value, f"at most {bound:,.0f}")


def check_magnitudes(spec: TopologyFile) -> list[Finding]:
    """Numbers stay within :data:`MAGNITUDES`, so that every product of them is a finite float."""
    found: list[Finding | None] = []
    for name, region in spec.regions.items():
        found.append(_too_big(("regions", name, "population"), "population", region.population))
    for name, op in spec.operators.items():
        found.extend(_too_big(("operators", name, "asn", i), "asn", a) for i, a in enumerate(op.asn))
    for name, node in spec.nodes.items():
        if node.blocks_24 is not None:
            found.append(_too_big(("nodes", name, "blocks_24"), "blocks_24", node.blocks_24))
    for name, link in spec.links.items():
        found.append(_too_big(("links", name, "capacity_gbps"), "capacity_gbps", link.capacity_gbps))
    for name, svc in spec.services.items():
        if svc.backlog is not None:
            for key in ("requests_per_user_per_day", "capacity_factor", "patience_h"):
                path = ("services", name, "backlog", key)
                found.append(_too_big(path, key, getattr(svc.backlog, key)))
    for tech, d in spec.demand.items():
        found.append(_too_big(("demand", tech, "peak_mbps"), "peak_mbps", d.peak_mbps))
    return [f for f in found if f is not None]


def check_contents(spec: TopologyFile) -> list[Finding]:
    """Something to compute: a service, internet users, and demand at every hour (else no index exists)."""
    out: list[Finding] = []
    if not spec.services:
        out.append(_err("services", ("services",), "the topology has no service", {}, "at least one service"))
    elif not sum(s.traffic_share for s in spec.services.values()) > 0:
        out.append(
            _err(
                "demand-total",
                ("services",),
                "the services' traffic shares sum to 0: there is no traffic, so no connectivity index",
                0,
                "a sum above 0",
            )
        )
    techs_with_users: set[str] = set()
    for node in spec.nodes.values():
        region = spec.regions.get(node.region or "")
        has_users = region is not None and region.population > 0 and region.internet_penetration > 0
        if node.kind == "access" and node.tech is not None and node.share and has_users:
            techs_with_users.add(node.tech)
    if not techs_with_users:
        out.append(
            _err(
                "internet-users",
                ("nodes",),
                "the topology has no internet users (no access node with a share above 0 in a region with users)",
                allowed="an access node with share > 0 in a region with internet_penetration > 0",
            )
        )
    out.extend(_demand_total(spec, techs_with_users))
    return out


def _demand_total(spec: TopologyFile, techs: set[str]) -> list[Finding]:
    """Each technology with users offers traffic at every local hour."""
    out: list[Finding] = []
    for tech in sorted(techs):
        demand = spec.demand.get(tech)  # type: ignore[call-overload]  # a Tech key
        if demand is None:
            continue  # reported by access-nodes
        if not demand.peak_mbps > 0:
            out.append(
                _err(
                    "demand-total",
                    ("demand", tech, "peak_mbps"),
                    f"{tech} users offer no traffic: no connectivity index can be computed for them",
                    demand.peak_mbps,
                    "a number > 0 (Mbps)",
                )
            )
        elif not min(demand.hourly) > 0:
            hour = demand.hourly.index(min(demand.hourly))
            out.append(
                _err(
                    "demand-total",
                    ("demand", tech, "hourly", hour),
                    f"{tech} users offer no traffic at local hour {hour}: no connectivity index then",
                    demand.hourly[hour],
                    "every hourly factor > 0",
                )
            )
    return out


def check_demand(spec: TopologyFile) -> list[Finding]:
    """Each daily profile peaks at 1 (so ``peak_mbps`` is the busiest hour)."""
    return [
        Finding(
            "demand-profile",
            "warning",
            ("demand", tech, "hourly"),
            "the busiest hour should be 1",
            max(d.hourly),
            "max(hourly) = 1",
        )
        for tech, d in spec.demand.items()
        if abs(max(d.hourly) - 1.0) > _TOL
    ]


def _records(spec: TopologyFile) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    for key in ("regions", "links", "services", "demand"):
        for name, rec in getattr(spec, key).items():
            yield (key, name), rec
    for name, svc in spec.services.items():
        if svc.backlog is not None:
            yield ("services", name, "backlog"), svc.backlog


def check_provenance(spec: TopologyFile) -> list[Finding]:
    """Every record holding numbers says its source or that it is an assumption."""
    return [
        Finding(
            "provenance",
            "warning",
            path,
            "no source and no assumption given",
            allowed="a source: or an assumption: key",
        )
        for path, rec in _records(spec)
        if not (rec.source or rec.assumption)
    ]


CHECKS: tuple[Check, ...] = (
    check_references,
    check_magnitudes,
    check_caches,
    check_observatory_fields,
    check_access_nodes,
    check_capacities,
    check_duplicate_links,
    check_services,
    check_connectivity,
    check_contents,
    check_demand,
    check_provenance,
)


def run_checks(spec: TopologyFile) -> list[Finding]:
    """Run every named check; references and magnitudes first, since the others assume them."""
    findings: list[Finding] = []
    for gate in CHECKS[:2]:
        findings.extend(gate(spec))
        if any(f.severity == "error" for f in findings):
            return findings
    for check in CHECKS[2:]:
        findings.extend(check(spec))
    return findings


def raise_errors(findings: list[Finding], file: Path | str | None) -> None:
    """Raise the first error-level finding as an :class:`InputError`."""
    for f in findings:
        if f.severity == "error":
            raise f.as_error(file)

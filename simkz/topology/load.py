"""Load a topology file into a :class:`~simkz.topology.network.Topology`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import networkx as nx

from simkz.collector import collector_paused
from simkz.errors import InputError
from simkz.inputs import InputDocument, read_document, validate_model
from simkz.times import parse_zone
from simkz.topology.checks import Finding, raise_errors, run_checks
from simkz.topology.costs import CostSpec, read_cost_file
from simkz.topology.network import Backlog, Cohort, Demand, Region, Service, Topology
from simkz.topology.reliability import reliability_of
from simkz.topology.schema import DependencySpec, LinkSpec, TopologyFile

__all__ = ["build_topology", "load_topology", "read_topology_file"]


def read_topology_file(path: Path | str) -> tuple[TopologyFile, tuple[tuple[Path, str], ...]]:
    """Read and schema-validate a topology file (with its ``extends`` chain)."""
    doc = read_document(Path(path))
    spec = validate_model(TopologyFile, doc.data, doc.path)
    return spec, doc.files


def load_topology(path: Path | str, *, document: InputDocument | None = None) -> Topology:
    """Read, check and build a topology. Raises :class:`InputError` on the first error.

    ``document`` is the file as :func:`~simkz.inputs.read_document` gave it, if the caller has
    read it already (it is then not read again). Warnings of the ``extends`` merge come first.

    Python's cyclic garbage collector is paused meanwhile: loading makes millions of objects on a large
    topology (75,000 nodes and 500,000 links: a third of the loading time went to full collections that
    found nothing to free); nothing is lost, the collector runs again afterwards.
    """
    with collector_paused():
        return _load_topology(Path(path), document)


def _load_topology(path: Path, document: InputDocument | None) -> Topology:
    doc = document if document is not None else read_document(path)
    spec, files, notes = validate_model(TopologyFile, doc.data, doc.path), doc.files, doc.warnings
    del doc  # the file's data (hundreds of MB for 500,000 links) is not needed once validated
    findings = run_checks(spec)
    raise_errors(findings, path)
    costs = None
    if spec.costs is not None:
        costs_path = path.parent / spec.costs
        if not costs_path.is_file():
            raise InputError(
                path, ("costs",), "costs file not found", value=spec.costs, allowed="a path relative to this file"
            )
        costs, cost_files = read_cost_file(costs_path)
        files = (*files, *cost_files)
    topo = build_topology(spec, path=path, files=files, findings=findings, costs=costs)
    return replace(topo, warnings=(*notes, *topo.warnings)) if notes else topo


def build_topology(
    spec: TopologyFile,
    *,
    path: Path | None = None,
    files: tuple[tuple[Path, str], ...] = (),
    findings: list[Finding] | None = None,
    costs: CostSpec | None = None,
) -> Topology:
    """Build the graph, cohorts and services from a checked :class:`TopologyFile`."""
    zone = _zone(spec.timezone, path, ("timezone",))
    regions = _regions(spec, zone, path)
    services = _services(spec)
    demand: dict[str, Demand] = {
        tech: Demand(peak_gbps=d.peak_mbps / 1000.0, hourly=tuple(float(x) for x in d.hourly))
        for tech, d in sorted(spec.demand.items())
    }
    operators = {k: o.model_dump() for k, o in sorted(spec.operators.items())}
    topo = Topology(
        name=spec.name,
        description=spec.description,
        zone=zone,
        graph=_graph(spec),
        regions=regions,
        operators=operators,
        services=services,
        cohorts=_cohorts(spec, regions),
        demand=demand,
        path=path,
        files=files,
        warnings=tuple(f.one_line(path.name if path else None) for f in (findings or []) if f.severity == "warning"),
        costs=costs,
        routing=spec.routing,
        reliability=reliability_of(spec.reliability),
    )
    return topo


def _regions(spec: TopologyFile, zone: ZoneInfo, path: Path | None) -> dict[str, Region]:
    """Regions with their internet users (persons) and local time zones."""
    return {
        key: Region(
            key=key,
            name=r.name or key,
            population=r.population,
            internet_users=r.population * r.internet_penetration,
            disability_share=r.disability_share if r.disability_share is not None else spec.disability_share,
            gdp_share=r.gdp_share,
            zone=_zone(r.timezone, path, ("regions", key, "timezone")) if r.timezone else zone,
            position=r.position,
        )
        for key, r in sorted(spec.regions.items())
    }


def _graph(spec: TopologyFile) -> nx.Graph:
    """The undirected network graph: nodes with their file attributes, links with name, capacity, kind, cost."""
    graph = nx.Graph(name=spec.name)
    for key, node in sorted(spec.nodes.items()):
        graph.add_node(key, **{k: v for k, v in node.model_dump().items() if v is not None})
    for key, link in sorted(spec.links.items()):
        a, b = link.ends
        graph.add_edge(a, b, name=key, capacity_gbps=float(link.capacity_gbps), kind=link.kind, cost=link.cost)
        if link.relationship is not None:  # for valley-free routing
            graph.edges[a, b].update(_relationship(link))
    return graph


def _relationship(link: LinkSpec) -> dict[str, str]:
    """Edge attributes of a link's business relationship; a p2c link names its provider (its first end)."""
    if link.relationship == "p2c":
        return {"relationship": "p2c", "provider": link.ends[0]}
    return {"relationship": str(link.relationship)}


def _cohorts(spec: TopologyFile, regions: Mapping[str, Region]) -> tuple[Cohort, ...]:
    """One cohort per access node: the region's internet users times the node's share (persons)."""
    return tuple(
        Cohort(
            node=key,
            region=str(node.region),
            operator=str(node.operator),
            tech=str(node.tech),
            users=regions[str(node.region)].internet_users * float(node.share or 0.0),
            blocks_24=node.blocks_24 or 0,
            responsive_share=node.responsive_share or 0.0,
        )
        for key, node in sorted(spec.nodes.items())
        if node.kind == "access"
    )


def _services(spec: TopologyFile) -> tuple[Service, ...]:
    """Services in key order, with their dependencies and backlogs."""
    foreign = {k for k, n in spec.nodes.items() if n.kind == "foreign"}
    return tuple(
        Service(
            key=key,
            kind=s.kind,
            hosts=tuple(s.hosts),
            adoption=s.adoption,
            traffic_share=s.traffic_share,
            depends_on=tuple(dependency_pairs(s.depends_on)),
            abroad=bool(s.hosts) and all(h in foreign for h in s.hosts),
            backlog=None if s.backlog is None else Backlog(**s.backlog.model_dump(exclude=_PROVENANCE)),
            cache_of=s.cache_of,
        )
        for key, s in sorted(spec.services.items())
    )


_PROVENANCE = {"source", "assumption", "note"}


def dependency_pairs(deps: list[str | DependencySpec]) -> list[tuple[str, float]]:
    """``[(service, share of requests that need it), ...]``; a bare key needs it always (share 1)."""
    return [(d, 1.0) if isinstance(d, str) else (d.service, d.share) for d in deps]


def _zone(name: str, path: Path | None, loc: tuple[str, ...]) -> ZoneInfo:
    try:
        return parse_zone(name)
    except ValueError as exc:
        raise InputError(path, loc, "unknown time zone", value=name, allowed=str(exc)) from None

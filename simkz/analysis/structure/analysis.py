"""The whole structural analysis of one topology: :func:`analyze_structure`.

Single failures, pairs and minimum cuts follow the topology's routing: structural (any working link carries
traffic, as ECMP routing assumes) by default, valley-free paths for ``routing: valley-free``
(:mod:`simkz.analysis.structure.valley`). The other analyses read paths from the routing itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import numpy as np

from simkz.analysis.structure.chokepoints import Chokepoints, chokepoints
from simkz.analysis.structure.concentration import Concentration, concentration
from simkz.analysis.structure.control import OneOrder, one_order
from simkz.analysis.structure.graph import ElementGraph, adjacency, element_graph
from simkz.analysis.structure.mincut import MinCut, min_cuts
from simkz.analysis.structure.pairs import DEFAULT_PAIRS_SAMPLE, EXACT_PAIRS_MAX_ELEMENTS, PairFailures, pair_failures
from simkz.analysis.structure.paths import abroad_paths
from simkz.analysis.structure.separation import Separation
from simkz.analysis.structure.single import SingleFailures, single_failures
from simkz.analysis.structure.valley import is_valley_free, reachability
from simkz.analysis.structure.valley_mincut import valley_min_cuts
from simkz.analysis.structure.valley_pairs import valley_pair_failures
from simkz.analysis.structure.valley_single import ValleyCuts, valley_single_failures
from simkz.topology.network import Topology

__all__ = ["AnalysisOptions", "StructureAnalysis", "analyze_structure"]

T = TypeVar("T")


@dataclass(frozen=True)
class AnalysisOptions:
    """How pairs are evaluated: every pair up to ``max_exact`` elements, else ``pairs_sample`` drawn with ``seed``."""

    pairs_sample: int = DEFAULT_PAIRS_SAMPLE
    seed: int = 0
    max_exact: int = EXACT_PAIRS_MAX_ELEMENTS


@dataclass(frozen=True)
class StructureAnalysis:
    """Every table of the analysis of one topology, and the seconds each step took."""

    topology: Topology
    graph: ElementGraph
    options: AnalysisOptions
    single: SingleFailures
    pairs: PairFailures
    min_cuts: tuple[MinCut, ...]
    one_order: tuple[OneOrder, ...]
    concentration: Concentration
    chokepoints: Chokepoints
    seconds: dict[str, float] = field(default_factory=dict)  #: wall time of each step, s
    #: what "a path" means: ``structural`` (any working link) or ``valley-free`` (``routing: valley-free``)
    reachability: str = "structural"


def analyze_structure(topology: Topology, options: AnalysisOptions | None = None) -> StructureAnalysis:
    """Single points of failure, pairs, minimum cuts, one order, concentration and chokepoints of ``topology``."""
    options = options or AnalysisOptions()
    seconds: dict[str, float] = {}

    def timed(step: str, make: Callable[[], T]) -> T:
        start = time.perf_counter()
        value = make()
        seconds[step] = time.perf_counter() - start
        return value

    graph = timed("graph", lambda: element_graph(topology))
    if is_valley_free(topology):
        single, pairs, cuts = _valley_free(topology, graph, options, timed)
    else:
        single, pairs, cuts = _structural(topology, graph, options, timed)
    paths = timed("routing", lambda: abroad_paths(topology))
    orders = timed("one_order", lambda: one_order(topology, graph, single.abroad, paths))
    capacity = timed("concentration", lambda: concentration(topology))
    choke = timed("chokepoints", lambda: chokepoints(topology, graph, paths))
    return StructureAnalysis(
        topology=topology,
        graph=graph,
        options=options,
        single=single,
        pairs=pairs,
        min_cuts=cuts,
        one_order=orders,
        concentration=capacity,
        chokepoints=choke,
        seconds=seconds,
        reachability=reachability(topology),
    )


class _Timed(Protocol):
    """Runs one step and records its wall time."""

    def __call__(self, step: str, make: Callable[[], T]) -> T: ...


def _structural(
    topology: Topology, graph: ElementGraph, options: AnalysisOptions, timed: _Timed
) -> tuple[SingleFailures, PairFailures, tuple[MinCut, ...]]:
    """Single failures, pairs and minimum cuts where any working link carries traffic (ECMP routing)."""
    single = timed("single_failures", lambda: single_failures(topology, graph))
    assert isinstance(single.abroad, Separation)
    base, abroad = single.abroad, adjacency(graph, np.flatnonzero(graph.foreign))
    sample, seed, most = options.pairs_sample, options.seed, options.max_exact
    pairs = timed("pair_failures", lambda: pair_failures(graph, abroad, base, sample=sample, seed=seed, max_exact=most))
    return single, pairs, timed("min_cuts", lambda: min_cuts(topology, graph))


def _valley_free(
    topology: Topology, graph: ElementGraph, options: AnalysisOptions, timed: _Timed
) -> tuple[SingleFailures, PairFailures, tuple[MinCut, ...]]:
    """The same under ``routing: valley-free``: on the valley-free paths of the phase-expanded graph."""
    single = timed("single_failures", lambda: valley_single_failures(topology, graph))
    assert isinstance(single.abroad, ValleyCuts)
    base = single.abroad
    sample, seed, most = options.pairs_sample, options.seed, options.max_exact
    pairs = timed("pair_failures", lambda: valley_pair_failures(graph, base, sample=sample, seed=seed, max_exact=most))
    return single, pairs, timed("min_cuts", lambda: valley_min_cuts(topology, graph))

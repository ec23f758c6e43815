"""Structural centralisation analysis of a topology (``simkz analyze``): exact, from the graph and the routing.

* :mod:`~simkz.analysis.structure.single`: single points of failure, exactly (every node and link: the users it
  cuts off from abroad and from each service), by one depth-first search per target set
  (:mod:`~simkz.analysis.structure.separation`);
* :mod:`~simkz.analysis.structure.pairs`: pairs of failures (all pairs on small graphs, a uniform sample with its
  95% intervals above :data:`~simkz.analysis.structure.pairs.EXACT_PAIRS_MAX_ELEMENTS` elements);
* :mod:`~simkz.analysis.structure.mincut`: minimum vertex and edge cuts between each region's users and abroad;
* :mod:`~simkz.analysis.structure.control`: "one order": what each controller can cut off and filter;
* :mod:`~simkz.analysis.structure.concentration`: international capacity by controller, operator and border
  country, with the Herfindahl-Hirschman index;
* :mod:`~simkz.analysis.structure.chokepoints`: hegemony-like scores (after IHR's AS hegemony) and chokepoint
  potential (after Leyba et al. 2019), weighted by users;
* :mod:`~simkz.analysis.structure.valley`, :mod:`~simkz.analysis.structure.valley_single`,
  :mod:`~simkz.analysis.structure.valley_pairs`, :mod:`~simkz.analysis.structure.valley_mincut`: the same
  single failures, pairs and minimum cuts on valley-free paths, for a ``routing: valley-free`` topology
  (the phase-expanded directed graph); :func:`analyze_structure` picks them by the topology's routing;
* :mod:`~simkz.analysis.structure.report`, :mod:`~simkz.analysis.structure.tables`,
  :mod:`~simkz.analysis.structure.save`: printed findings, CSV tables, the results folder and its figure.

Units: users in persons (internet users of the cohorts), capacity in Gbps, shares in [0, 1], HHI on 0-10,000.
"""

from simkz.analysis.structure.analysis import AnalysisOptions, StructureAnalysis, analyze_structure

__all__ = ["AnalysisOptions", "StructureAnalysis", "analyze_structure"]

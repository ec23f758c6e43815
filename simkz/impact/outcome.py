"""Everything the tables and the summary are made from, computed once from a trace."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simkz.impact.disruption import disrupted
from simkz.impact.metrics import (
    GROUP_KINDS,
    CohortMetrics,
    GroupMetrics,
    cohort_metrics,
    group_index,
    group_metrics,
    grouped_metrics,
    messaging_fallback,
)
from simkz.impact.trace import EMPTY_BACKLOG, Trace
from simkz.topology.network import Topology

__all__ = ["GROUP_KINDS", "Outcome", "compute_outcome"]


@dataclass(frozen=True)
class Outcome:
    """The metrics of one run at every change point."""

    cohorts: CohortMetrics
    national: GroupMetrics
    groups: Mapping[str, Mapping[tuple[str, ...], GroupMetrics]]  #: kind -> group (key values) -> metrics
    disabled: GroupMetrics  #: persons with disabilities
    disrupted: NDArray[np.bool_]  #: [K, S] including backlogs and dependencies
    own: NDArray[np.bool_]  #: [K, S] the network's own served share is below the threshold
    network_disrupted: NDArray[np.bool_]  #: [K, S] disrupted, backlogs left out
    backlog: NDArray[np.bool_]  #: [K, S] a backlog is waiting
    fallback: NDArray[np.float64]  #: [K] persons falling back to calls and SMS


def compute_outcome(topology: Topology, trace: Trace, parameters: Mapping[str, float]) -> Outcome:
    """All metrics of a run; ``parameters`` are the run's drawn parameters."""
    cm = cohort_metrics(topology, trace)
    threshold = float(parameters["disruption_threshold"])
    waiting = trace.backlog > EMPTY_BACKLOG
    network_disrupted = disrupted(topology, cm.service_share, threshold)
    with_backlog = disrupted(topology, cm.service_share, threshold, backlog=waiting)
    return Outcome(
        cohorts=cm,
        national=group_metrics(trace, cm),
        groups={
            kind: dict(zip(index.names, grouped_metrics(trace, cm, index.of_cohort, len(index.names)), strict=True))
            for kind, index in group_index(topology).items()
        },
        disabled=group_metrics(trace, cm, topology.disability_shares()),
        disrupted=with_backlog,
        own=cm.network_share < threshold,
        network_disrupted=network_disrupted,
        backlog=waiting,
        fallback=messaging_fallback(topology, cm, float(parameters["telephony_availability"])),
    )

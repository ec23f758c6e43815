"""From a trace to a :class:`~simkz.results.run.RunResult`: tables, summary and manifest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simkz.impact.costs import CostInputs, estimate_costs
from simkz.impact.outcome import Outcome, compute_outcome
from simkz.impact.summary import build_summary
from simkz.impact.tables import build_tables
from simkz.impact.trace import Trace
from simkz.results.manifest import make_manifest
from simkz.results.run import RunResult
from simkz.scenario.load import Scenario
from simkz.topology.network import Topology

__all__ = ["build_result", "cost_inputs"]


def cost_inputs(topology: Topology, trace: Trace, out: Outcome) -> CostInputs:
    """What the cost methods need, from a run's outcome."""
    regions, techs = out.groups["region"], out.groups["technology"]
    users = out.national.users
    return CostInputs(
        durations_h=trace.durations_s / 3600.0,
        internet_users=users,
        index_pct=out.national.index_pct,
        region_users={r: g.users for (r,), g in regions.items()},
        region_affected={r: g.equivalents_lost for (r,), g in regions.items()},
        region_gdp_share={r: topology.regions[r].gdp_share for (r,) in regions},
        tech_users={t: g.users for (t,), g in techs.items()},
        tech_affected={t: g.equivalents_lost for (t,), g in techs.items()},
        service_affected={s.key: out.cohorts.service_affected[:, i] for i, s in enumerate(topology.services)},
        service_users={s.key: users * s.adoption for s in topology.services},
        service_kind={s.key: s.kind for s in topology.services},
    )


def build_result(
    scenario: Scenario,
    trace: Trace,
    *,
    seed: int | dict[str, Any],
    parameters: Mapping[str, float],
    stats: Mapping[str, Any],
) -> RunResult:
    """Tables on the scenario's step grid, the summary from the exact trace, and the manifest."""
    out = compute_outcome(scenario.topology, trace, parameters)
    costs = scenario.topology.costs  # the cost parameters load with the topology
    estimates = estimate_costs(costs, cost_inputs(scenario.topology, trace, out)) if costs is not None else None
    return RunResult(
        name=scenario.name,
        tables=build_tables(scenario, trace, out),
        summary=build_summary(scenario, trace, out, seed=seed, parameters=parameters, costs=estimates),
        manifest=make_manifest(files=scenario.files, seed=seed, engine=stats),
    )

"""The headline figures of a run, from the exact trace (not the sampled series)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simkz.impact.disruption import intervals
from simkz.impact.metrics import GROUP_KINDS, GroupMetrics
from simkz.impact.outcome import Outcome
from simkz.impact.trace import Trace
from simkz.results.table import round_sig
from simkz.scenario.load import Scenario
from simkz.times import format_duration

__all__ = ["build_summary", "recoveries"]


def recoveries(
    times_s: NDArray[np.float64], network_disrupted: NDArray[np.bool_], waiting: NDArray[np.bool_]
) -> list[tuple[float, float | None]]:
    """``(network back, backlog empty)`` in seconds for every return with a backlog.

    The second time is ``None`` when the backlog had not drained by the end of the run or
    before the next disruption.
    """
    out: list[tuple[float, float | None]] = []
    for k in range(1, len(times_s)):
        if network_disrupted[k - 1] and not network_disrupted[k] and waiting[k]:
            done: float | None = None
            for j in range(k + 1, len(times_s)):
                if network_disrupted[j]:
                    break
                if not waiting[j]:
                    done = float(times_s[j])
                    break
            out.append((float(times_s[k]), done))
    return out


def _headline(g: GroupMetrics, dur: NDArray[np.float64], end_s: float) -> dict[str, float]:
    def mean(x: NDArray[np.float64]) -> float:
        return round_sig(float((x * dur).sum() / end_s))

    def hours(x: NDArray[np.float64]) -> float:
        return round_sig(float((x * dur).sum()) / 3600.0)

    return {
        "internet_users_persons": round_sig(g.users),
        "min_connectivity_index_pct": round_sig(float(g.index_pct.min())),
        "mean_connectivity_index_pct": mean(g.index_pct),
        "min_probing_responsive_pct": round_sig(float(g.probing_pct.min())),
        "mean_probing_responsive_pct": mean(g.probing_pct),
        "min_bgp_visible_pct": round_sig(float(g.bgp_visible_pct.min())),
        "peak_affected_persons": round_sig(float(g.affected.max())),
        "peak_user_equivalents_lost_persons": round_sig(float(g.equivalents_lost.max())),
        "peak_cut_off_persons": round_sig(float(g.cut_off.max())),
        "peak_cut_off_abroad_persons": round_sig(float(g.cut_off_abroad.max())),
        "affected_person_hours": hours(g.affected),
        "user_hours_lost": hours(g.equivalents_lost),
        "cut_off_user_hours": hours(g.cut_off),
    }


class _Clock:
    """Seconds since the scenario start as local ISO 8601 instants."""

    def __init__(self, scenario: Scenario) -> None:
        self.start, self.zone = scenario.start, scenario.zone

    def __call__(self, seconds: float) -> str:
        return (self.start + timedelta(seconds=seconds)).astimezone(self.zone).isoformat(timespec="seconds")


def _backlog(trace: Trace, out: Outcome, i: int, iso: _Clock) -> dict[str, Any]:
    back = recoveries(trace.times_s, out.network_disrupted[:, i], out.backlog[:, i])
    hours = [None if done is None else round_sig((done - t) / 3600.0) for t, done in back]
    return {
        "peak_requests": round_sig(float(trace.backlog[:, i].max())),
        "recoveries": [
            {"network_back": iso(t), "backlog_empty": None if done is None else iso(done), "hours": h}
            for (t, done), h in zip(back, hours, strict=True)
        ],
        "max_recovery_hours": max((h for h in hours if h is not None), default=0.0),
        "unrecovered": sum(h is None for h in hours),
    }


def _services(scenario: Scenario, trace: Trace, out: Outcome) -> dict[str, Any]:
    """Per service: disruption hours and intervals, served shares, affected users, backlog recoveries."""
    iso = _Clock(scenario)
    dur = trace.durations_s
    cm = out.cohorts
    services: dict[str, Any] = {}
    for i, svc in enumerate(scenario.topology.services):
        spans = intervals(trace.times_s, trace.end_s, out.disrupted[:, i])
        entry: dict[str, Any] = {
            "kind": svc.kind,
            "hosted_abroad": svc.abroad,
            "depends_on": [[d, share] for d, share in svc.depends_on],
            "disrupted_hours": round_sig(sum(b - a for a, b in spans) / 3600.0),
            "disrupted_by_dependency_hours": round_sig(
                float(((out.network_disrupted[:, i] & ~out.own[:, i]) * dur).sum()) / 3600.0
            ),
            "disrupted_intervals": [[iso(a), iso(b)] for a, b in spans],
            "min_served_share": round_sig(float(cm.service_share[:, i].min())),
            "min_network_served_share": round_sig(float(cm.network_share[:, i].min())),
            "peak_affected_persons": round_sig(float(cm.service_affected[:, i].max())),
            "affected_user_hours": round_sig(float((cm.service_affected[:, i] * dur).sum()) / 3600.0),
        }
        if svc.backlog is not None:
            entry["backlog"] = _backlog(trace, out, i, iso)
        services[svc.key] = entry
    return services


def _groups(out: Outcome, dur: NDArray[np.float64], end_s: float) -> dict[str, Any]:
    """``by_<kind>``: headline figures per group, nested by key for groups of two keys."""
    tables: dict[str, Any] = {}
    for kind in GROUP_KINDS:
        table: dict[str, Any] = {}
        for name, g in out.groups[kind].items():
            leaf = table
            for part in name[:-1]:
                leaf = leaf.setdefault(part, {})
            leaf[name[-1]] = _headline(g, dur, end_s)
        tables[f"by_{kind}"] = table
    return tables


def _scenario(scenario: Scenario, seed: int | dict[str, Any], parameters: Mapping[str, float]) -> dict[str, Any]:
    """The scenario block: what was run, the seed (an int, or a spawned seed's entropy and spawn key), the
    parameters, and (only for a scenario with uncertain action numbers or shifts) the draws by key path."""
    block = {
        "name": scenario.name,
        "description": scenario.description,
        "topology": scenario.topology.name,
        "start": scenario.start.isoformat(),
        "end": (scenario.start + scenario.duration).isoformat(),
        "duration_h": round_sig(scenario.duration_s / 3600.0),
        "step": format_duration(scenario.step),
        "seed": seed,
        "parameters": {k: round_sig(v) for k, v in parameters.items()},
    }
    if scenario.draws:
        block["draws"] = {k: round_sig(v) for k, v in scenario.draws.items()}
    return block


def build_summary(
    scenario: Scenario,
    trace: Trace,
    out: Outcome,
    *,
    seed: int | dict[str, Any],
    parameters: Mapping[str, float],
    costs: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The ``summary.json`` content."""
    dur = trace.durations_s
    services = _services(scenario, trace, out)
    return {
        "scenario": _scenario(scenario, seed, parameters),
        "national": _headline(out.national, dur, trace.end_s),
        **_groups(out, dur, trace.end_s),
        "persons_with_disabilities": _headline(out.disabled, dur, trace.end_s),
        "services": services,
        "services_disrupted": [s for s, v in services.items() if v["disrupted_hours"] > 0],
        "circumvention": {
            "vpn_initial_share": round_sig(float(trace.vpn_share[0])),
            "vpn_final_share": round_sig(float(trace.vpn_share[-1])),
            "messaging_fallback_peak_persons": round_sig(float(out.fallback.max())),
            "messaging_fallback_user_hours": round_sig(float((out.fallback * dur).sum()) / 3600.0),
        },
        "costs": dict(costs) if costs is not None else None,
        "warnings": list(scenario.warnings),
    }

"""The headline figures of a run, from the exact trace (not the sampled series)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simkz.impact.disruption import intervals
from simkz.impact.metrics import GroupMetrics
from simkz.impact.outcome import GROUP_KINDS, Outcome
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
    return {
        "internet_users_persons": round_sig(g.users),
        "min_connectivity_index_pct": round_sig(float(g.index_pct.min())),
        "mean_connectivity_index_pct": round_sig(float((g.index_pct * dur).sum() / end_s)),
        "peak_affected_persons": round_sig(float(g.affected.max())),
        "peak_cut_off_persons": round_sig(float(g.cut_off.max())),
        "peak_cut_off_abroad_persons": round_sig(float(g.cut_off_abroad.max())),
        "user_hours_lost": round_sig(float((g.affected * dur).sum()) / 3600.0),
        "cut_off_user_hours": round_sig(float((g.cut_off * dur).sum()) / 3600.0),
    }


def build_summary(
    scenario: Scenario,
    trace: Trace,
    out: Outcome,
    *,
    seed: int,
    parameters: Mapping[str, float],
    costs: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The ``summary.json`` content."""
    topology = scenario.topology
    dur = trace.durations_s

    def iso(seconds: float) -> str:
        return (scenario.start + timedelta(seconds=seconds)).astimezone(scenario.zone).isoformat(timespec="seconds")

    cm = out.cohorts
    services: dict[str, Any] = {}
    for i, svc in enumerate(topology.services):
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
            back = recoveries(trace.times_s, out.network_disrupted[:, i], out.backlog[:, i])
            hours = [None if done is None else round_sig((done - t) / 3600.0) for t, done in back]
            entry["backlog"] = {
                "peak_requests": round_sig(float(trace.backlog[:, i].max())),
                "recoveries": [
                    {"network_back": iso(t), "backlog_empty": None if done is None else iso(done), "hours": h}
                    for (t, done), h in zip(back, hours, strict=True)
                ],
                "max_recovery_hours": max((h for h in hours if h is not None), default=0.0),
                "unrecovered": sum(h is None for h in hours),
            }
        services[svc.key] = entry
    disabled = _headline(out.disabled, dur, trace.end_s)
    return {
        "scenario": {
            "name": scenario.name,
            "description": scenario.description,
            "topology": topology.name,
            "start": scenario.start.isoformat(),
            "end": (scenario.start + scenario.duration).isoformat(),
            "duration_h": round_sig(scenario.duration_s / 3600.0),
            "step": format_duration(scenario.step),
            "seed": seed,
            "parameters": {k: round_sig(v) for k, v in parameters.items()},
        },
        "national": _headline(out.national, dur, trace.end_s),
        **{
            table: {name: _headline(g, dur, trace.end_s) for name, g in out.groups[kind].items()}
            for kind, table in GROUP_KINDS.items()
        },
        "persons_with_disabilities": disabled,
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

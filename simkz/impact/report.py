"""From a trace to a :class:`~simkz.results.run.RunResult`: the time series tables and the summary."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simkz.impact.disruption import disrupted, intervals
from simkz.impact.metrics import GroupMetrics, cohort_metrics, group_metrics, groupings
from simkz.impact.trace import Trace
from simkz.results.manifest import make_manifest
from simkz.results.run import RunResult
from simkz.results.table import Table
from simkz.scenario.load import Scenario
from simkz.times import format_duration

__all__ = ["build_result", "round_sig"]

_GROUP_TABLES = {"region": "by_region", "operator": "by_operator", "technology": "by_technology"}


def round_sig(value: float, digits: int = 10) -> float:
    """Round to ``digits`` significant digits (stable JSON numbers)."""
    if value == 0 or not np.isfinite(value):
        return 0.0 if value == 0 else float(value)
    return float(f"{value:.{digits}g}")


def build_result(
    scenario: Scenario,
    trace: Trace,
    *,
    seed: int,
    parameters: Mapping[str, float],
    stats: Mapping[str, Any],
) -> RunResult:
    """Tables on the scenario's step grid, the summary from the exact trace, and the manifest."""
    topology = scenario.topology
    cm = cohort_metrics(topology, trace)
    threshold = float(parameters["disruption_threshold"])
    disrupted_ks, direct_ks = disrupted(topology, cm.service_share, threshold)
    national = group_metrics(trace, cm)
    groups = {
        kind: {name: group_metrics(trace, cm, mask) for name, mask in masks.items()}
        for kind, masks in groupings(topology).items()
    }

    # --- time series on the step grid --------------------------------------------
    n_steps = int(np.ceil(scenario.duration_s / scenario.step_s - 1e-9))
    grid = np.arange(n_steps, dtype=np.float64) * scenario.step_s
    k = trace.sample_index(grid)
    stamps = np.array(
        [
            (scenario.start + timedelta(seconds=float(t))).astimezone(scenario.zone).isoformat(timespec="seconds")
            for t in grid
        ]
    )
    hours: NDArray[np.float64] = grid / 3600.0
    tables: dict[str, Table] = {
        "national": Table(
            {
                "time": stamps,
                "elapsed_h": hours,
                "connectivity_index_pct": national.index_pct[k],
                "traffic_served_gbps": national.traffic_gbps[k],
                "traffic_baseline_gbps": national.baseline_gbps[k],
                "affected_persons": national.affected[k],
                "cut_off_persons": national.cut_off[k],
                "cut_off_abroad_persons": national.cut_off_abroad[k],
                "services_disrupted_count": disrupted_ks.sum(axis=1)[k],
            }
        )
    }
    for kind, table_name in _GROUP_TABLES.items():
        tables[table_name] = _long_table(stamps, hours, k, kind, groups[kind])
    keys = list(topology.service_keys)
    tables["by_service"] = _long_columns(
        stamps,
        hours,
        "service",
        keys,
        {
            "served_share": cm.service_share[k],
            "affected_persons": cm.service_affected[k],
            "disrupted_flag": disrupted_ks[k].astype(np.int64),
        },
    )

    # --- summary from the exact trace ------------------------------------------------
    dur = trace.durations_s
    services: dict[str, Any] = {}
    for i, svc in enumerate(topology.services):
        spans = intervals(trace.times_s, trace.end_s, disrupted_ks[:, i])
        services[svc.key] = {
            "kind": svc.kind,
            "hosted_abroad": svc.abroad,
            "disrupted_hours": round_sig(sum(b - a for a, b in spans) / 3600.0),
            "disrupted_by_dependency_hours": round_sig(
                float(((disrupted_ks[:, i] & ~direct_ks[:, i]) * dur).sum()) / 3600.0
            ),
            "disrupted_intervals": [[_iso(scenario, a), _iso(scenario, b)] for a, b in spans],
            "min_served_share": round_sig(float(cm.service_share[:, i].min())),
            "peak_affected_persons": round_sig(float(cm.service_affected[:, i].max())),
            "affected_user_hours": round_sig(float((cm.service_affected[:, i] * dur).sum()) / 3600.0),
        }
    summary: dict[str, Any] = {
        "scenario": {
            "name": scenario.name,
            "description": scenario.description,
            "topology": topology.name,
            "start": scenario.start.isoformat(),
            "end": (scenario.start + scenario.duration).isoformat(),
            "duration_h": round_sig(scenario.duration_s / 3600.0),
            "step": format_duration(scenario.step),
            "seed": seed,
            "parameters": {k2: round_sig(v) for k2, v in parameters.items()},
        },
        "national": _headline(national, dur, trace.end_s),
        **{
            table_name: {name: _headline(g, dur, trace.end_s) for name, g in groups[kind].items()}
            for kind, table_name in _GROUP_TABLES.items()
        },
        "services": services,
        "services_disrupted": [s for s, v in services.items() if v["disrupted_hours"] > 0],
        "warnings": list(scenario.warnings),
    }
    manifest = make_manifest(files=scenario.files, seed=seed, engine=stats)
    return RunResult(name=scenario.name, tables=tables, summary=summary, manifest=manifest)


def _iso(scenario: Scenario, seconds: float) -> str:
    return (scenario.start + timedelta(seconds=seconds)).astimezone(scenario.zone).isoformat(timespec="seconds")


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


def _long_table(
    stamps: NDArray[np.str_],
    hours: NDArray[np.float64],
    k: NDArray[np.int64],
    key: str,
    groups: Mapping[str, GroupMetrics],
) -> Table:
    names = list(groups)
    users = np.array([groups[n].users for n in names])
    return _long_columns(
        stamps,
        hours,
        key,
        names,
        {
            "internet_users_persons": np.broadcast_to(users, (len(k), len(names))),
            "connectivity_index_pct": np.stack([groups[n].index_pct[k] for n in names], axis=1),
            "affected_persons": np.stack([groups[n].affected[k] for n in names], axis=1),
            "cut_off_persons": np.stack([groups[n].cut_off[k] for n in names], axis=1),
            "cut_off_abroad_persons": np.stack([groups[n].cut_off_abroad[k] for n in names], axis=1),
        },
    )


def _long_columns(
    stamps: NDArray[np.str_], hours: NDArray[np.float64], key: str, names: list[str], values: Mapping[str, NDArray[Any]]
) -> Table:
    """Tidy form: one row per (instant, group), rows sorted by instant then group."""
    n_t, n_g = len(stamps), len(names)
    cols: dict[str, NDArray[Any]] = {
        "time": np.repeat(stamps, n_g),
        "elapsed_h": np.repeat(hours, n_g),
        key: np.tile(np.array(names), n_t),
    }
    for name, arr in values.items():
        cols[name] = np.asarray(arr).reshape(n_t * n_g)
    return Table(cols)

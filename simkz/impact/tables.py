"""The time series tables of a run, sampled on the scenario's step grid."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simkz.impact.metrics import GROUP_KINDS, GroupMetrics
from simkz.impact.outcome import Outcome
from simkz.impact.trace import Trace
from simkz.results.table import Table
from simkz.scenario.load import Scenario

__all__ = ["build_tables"]


def build_tables(scenario: Scenario, trace: Trace, out: Outcome) -> dict[str, Table]:
    """``national``, one ``by_<group kind>`` table per group kind, and ``by_service``."""
    grid, stamps = _grid(scenario)
    k = trace.sample_index(grid)
    hours: NDArray[np.float64] = grid / 3600.0
    nat = out.national
    tables: dict[str, Table] = {
        "national": Table(
            {
                "time": stamps,
                "elapsed_h": hours,
                "connectivity_index_pct": nat.index_pct[k],
                "traffic_served_gbps": nat.traffic_gbps[k],
                "traffic_baseline_gbps": nat.baseline_gbps[k],
                "probing_responsive_pct": nat.probing_pct[k],
                "bgp_visible_pct": nat.bgp_visible_pct[k],
                "affected_persons": nat.affected[k],
                "user_equivalents_lost_persons": nat.equivalents_lost[k],
                "cut_off_persons": nat.cut_off[k],
                "cut_off_abroad_persons": nat.cut_off_abroad[k],
                "services_disrupted_count": out.disrupted.sum(axis=1)[k],
                "vpn_share": trace.vpn_share[k],
                "messaging_fallback_persons": out.fallback[k],
                "disabled_affected_persons": out.disabled.affected[k],
                "disabled_cut_off_persons": out.disabled.cut_off[k],
            }
        )
    }
    for kind, key_columns in GROUP_KINDS.items():
        tables[f"by_{kind}"] = _group_table(stamps, hours, k, key_columns, out.groups[kind])
    keys: list[tuple[str, ...]] = [(key,) for key in scenario.topology.service_keys]
    cm = out.cohorts
    tables["by_service"] = _long_columns(
        stamps,
        hours,
        ("service",),
        keys,
        {
            "served_share": cm.service_share[k],
            "network_served_share": cm.network_share[k],
            "affected_persons": cm.service_affected[k],
            "disrupted_flag": out.disrupted[k].astype(np.int64),
            "backlog_requests": trace.backlog[k],
        },
    )
    return tables


def _grid(scenario: Scenario) -> tuple[NDArray[np.float64], NDArray[np.str_]]:
    """The step grid: seconds since the start, and the local ISO 8601 instants."""
    n_steps = int(np.ceil(scenario.duration_s / scenario.step_s - 1e-9))
    grid = np.arange(n_steps, dtype=np.float64) * scenario.step_s
    start, zone = scenario.start, scenario.zone
    stamps = np.array(
        [(start + timedelta(seconds=float(t))).astimezone(zone).isoformat(timespec="seconds") for t in grid]
    )
    return grid, stamps


def _group_table(
    stamps: NDArray[np.str_],
    hours: NDArray[np.float64],
    k: NDArray[np.int64],
    key_columns: tuple[str, ...],
    groups: Mapping[tuple[str, ...], GroupMetrics],
) -> Table:
    names = list(groups)
    users = np.array([groups[n].users for n in names])

    def series(field: str) -> NDArray[np.float64]:
        return np.stack([getattr(groups[n], field)[k] for n in names], axis=1)

    return _long_columns(
        stamps,
        hours,
        key_columns,
        names,
        {
            "internet_users_persons": np.broadcast_to(users, (len(k), len(names))),
            "connectivity_index_pct": series("index_pct"),
            "probing_responsive_pct": series("probing_pct"),
            "bgp_visible_pct": series("bgp_visible_pct"),
            "affected_persons": series("affected"),
            "user_equivalents_lost_persons": series("equivalents_lost"),
            "cut_off_persons": series("cut_off"),
            "cut_off_abroad_persons": series("cut_off_abroad"),
        },
    )


def _long_columns(
    stamps: NDArray[np.str_],
    hours: NDArray[np.float64],
    key_columns: tuple[str, ...],
    names: list[tuple[str, ...]],
    values: Mapping[str, NDArray[Any]],
) -> Table:
    """Tidy form: one row per (instant, group), rows sorted by instant then group; a column per group key."""
    n_t, n_g = len(stamps), len(names)
    cols: dict[str, NDArray[Any]] = {"time": np.repeat(stamps, n_g), "elapsed_h": np.repeat(hours, n_g)}
    for i, column in enumerate(key_columns):
        cols[column] = np.tile(np.array([name[i] for name in names]), n_t)
    for name, arr in values.items():
        cols[name] = np.asarray(arr).reshape(n_t * n_g)
    return Table(cols)

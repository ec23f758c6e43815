"""The time series tables of a run, sampled on the scenario's step grid."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simkz.impact.metrics import GroupMetrics
from simkz.impact.outcome import GROUP_KINDS, Outcome
from simkz.impact.trace import Trace
from simkz.results.table import Table
from simkz.scenario.load import Scenario

__all__ = ["build_tables"]


def build_tables(scenario: Scenario, trace: Trace, out: Outcome) -> dict[str, Table]:
    """``national``, ``by_region``, ``by_operator``, ``by_technology`` and ``by_service``."""
    n_steps = int(np.ceil(scenario.duration_s / scenario.step_s - 1e-9))
    grid = np.arange(n_steps, dtype=np.float64) * scenario.step_s
    k = trace.sample_index(grid)
    start, zone = scenario.start, scenario.zone
    stamps = np.array(
        [(start + timedelta(seconds=float(t))).astimezone(zone).isoformat(timespec="seconds") for t in grid]
    )
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
                "affected_persons": nat.affected[k],
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
    for kind, table_name in GROUP_KINDS.items():
        tables[table_name] = _group_table(stamps, hours, k, kind, out.groups[kind])
    keys = list(scenario.topology.service_keys)
    cm = out.cohorts
    tables["by_service"] = _long_columns(
        stamps,
        hours,
        "service",
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


def _group_table(
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

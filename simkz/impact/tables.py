"""The time series tables of a run, sampled on the scenario's step grid.

The step only sets that grid (the engine works on change points): :func:`with_output_step` gives the
scenario sampled on a coarser grid, a multiple of its step. The grid's instants are written once per
(start, step, length) in a process and shared, read-only, by the runs that sample on it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from simkz.errors import InputError
from simkz.impact.metrics import GROUP_KINDS, GroupMetrics
from simkz.impact.outcome import Outcome
from simkz.impact.trace import Trace
from simkz.results.table import Table
from simkz.scenario.load import Scenario
from simkz.times import format_duration, parse_duration

__all__ = ["build_tables", "with_output_step"]

#: Repeated instants (one per row of a group table) are kept with their grid up to this size, bytes.
KEEP_REPEATED_BYTES = 16 * 2**20


def build_tables(scenario: Scenario, trace: Trace, out: Outcome) -> dict[str, Table]:
    """``national``, one ``by_<group kind>`` table per group kind, and ``by_service``."""
    grid = _grid(scenario)
    stamps = grid.stamps
    k = trace.sample_index(grid.seconds)
    hours: NDArray[np.float64] = grid.seconds / 3600.0
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
        tables[f"by_{kind}"] = _group_table(grid, hours, k, key_columns, out.groups[kind])
    keys: list[tuple[str, ...]] = [(key,) for key in scenario.topology.service_keys]
    cm = out.cohorts
    tables["by_service"] = _long_columns(
        grid,
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


def _grid(scenario: Scenario) -> _Grid:
    """The scenario's step grid (read-only, shared by the runs sampled on it)."""
    return _grid_of(scenario.start, scenario.zone, scenario.duration_s, scenario.step_s)


class _Grid:
    """One step grid: seconds since the start and local ISO 8601 instants, and the instants repeated for the rows
    of group tables."""

    def __init__(self, start: datetime, zone: ZoneInfo, duration_s: float, step_s: float) -> None:
        n_steps = int(np.ceil(duration_s / step_s - 1e-9))
        self.seconds = np.arange(n_steps, dtype=np.float64) * step_s
        self.stamps = np.array(
            [(start + timedelta(seconds=float(t))).astimezone(zone).isoformat(timespec="seconds") for t in self.seconds]
        )
        self.seconds.flags.writeable = self.stamps.flags.writeable = False
        self._repeated: dict[int, NDArray[np.str_]] = {}

    def repeated(self, times: int) -> NDArray[np.str_]:
        """Every instant ``times`` times in a row (kept when small)."""
        out = self._repeated.get(times)
        if out is None:
            out = np.repeat(self.stamps, times)
            if out.nbytes <= KEEP_REPEATED_BYTES:
                out.flags.writeable = False
                self._repeated[times] = out
        return out


@functools.lru_cache(maxsize=8)
def _grid_of(start: datetime, zone: ZoneInfo, duration_s: float, step_s: float) -> _Grid:
    return _Grid(start, zone, duration_s, step_s)


def with_output_step(scenario: Scenario, step: str | None) -> Scenario:
    """``scenario`` with its tables sampled every ``step`` (a duration such as ``1h``; a multiple of the scenario's
    step, at most its duration; None: the scenario as it is). Only the grid changes: the summary's figures come
    from the exact change points and are the same; its ``scenario.step`` records the step of the tables.

    Raises :class:`InputError` (naming ``--output-step``) for a bad duration or one that is not such a multiple.
    """
    if step is None:
        return scenario
    allowed = f"a multiple of the scenario's step {format_duration(scenario.step)}, at most its duration"
    try:
        output = parse_duration(step)
    except ValueError as exc:
        raise InputError(None, ("--output-step",), str(exc), value=step, allowed=allowed) from None
    if output % scenario.step or output > scenario.duration:
        raise InputError(None, ("--output-step",), "not a multiple of the scenario's step", value=step, allowed=allowed)
    return dataclasses.replace(scenario, step=output)


def _group_table(
    grid: _Grid,
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
        grid,
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
    grid: _Grid,
    hours: NDArray[np.float64],
    key_columns: tuple[str, ...],
    names: list[tuple[str, ...]],
    values: Mapping[str, NDArray[Any]],
) -> Table:
    """Tidy form: one row per (instant, group), rows sorted by instant then group; a column per group key."""
    n_t, n_g = len(grid.stamps), len(names)
    cols: dict[str, NDArray[Any]] = {"time": grid.repeated(n_g), "elapsed_h": np.repeat(hours, n_g)}
    for i, column in enumerate(key_columns):
        cols[column] = np.tile(np.array([name[i] for name in names]), n_t)
    for name, arr in values.items():
        cols[name] = np.asarray(arr).reshape(n_t * n_g)
    return Table(cols)

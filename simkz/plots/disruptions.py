"""The disruption chart: a Gantt chart of when each service was disrupted, and how long its backlog took to drain.

One row per service (grouped as in the services figure, longest disruption first). Dark bars are the
disrupted intervals of ``summary.json`` (exact; the tables' ``disrupted_flag`` samples them at the step),
which include the time a backlog of failed requests drains once the network is back; that recovery tail
(``backlog.recoveries``: from ``network_back`` until ``backlog_empty``) is drawn lighter over it. A return
cut short before the backlog drained ends where ``by_service.csv`` shows the service disrupted by the
network again (``served_share`` below the threshold) or its backlog empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simkz.plots.axes import shade_phases, time_axis
from simkz.plots.data import ResultsFolder, load_results
from simkz.plots.services import service_groups
from simkz.plots.style import GREY, VERMILLION, new_figure, styled

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["FIGURE_NAME", "disrupted_spans", "plot_disruptions", "recovery_spans"]

FIGURE_NAME = "disruptions"
#: The threshold of ``served_share`` below which a service is disrupted when the summary does not give it.
DEFAULT_THRESHOLD = 0.5
_ROW_IN = 0.36
#: How a disruption is drawn: the edge keeps an interval of minutes visible on a chart of a year.
_BAR: dict[str, Any] = {"facecolor": VERMILLION, "edgecolor": VERMILLION, "lw": 1.5}
#: How a recovery tail is drawn: lighter than the disruption, hatched.
_TAIL: dict[str, Any] = {"facecolor": "#F6C9A8", "edgecolor": VERMILLION, "hatch": "//", "lw": 0.8}


def _hours(data: ResultsFolder, text: str) -> float:
    return data.hour_of(datetime.fromisoformat(text))


def disrupted_spans(data: ResultsFolder, service: str) -> list[tuple[float, float]]:
    """The service's disrupted intervals, hours since the start: the summary's, else the runs of
    ``disrupted_flag`` in ``by_service.csv``."""
    entry = data.summary.get("services", {}).get(service, {})
    if "disrupted_intervals" in entry:
        return [(_hours(data, a), _hours(data, b)) for a, b in entry["disrupted_intervals"]]
    rows = data.table("by_service").where("service", service)
    flag = np.asarray(rows["disrupted_flag"], dtype=np.float64) > 0
    hours = np.asarray(rows["elapsed_h"], dtype=np.float64)
    return _runs(hours, flag, data.duration_h)


def recovery_spans(data: ResultsFolder, service: str) -> list[tuple[float, float]]:
    """The service's recovery tails, hours since the start: each return of the network with a backlog, until the
    backlog is empty (or, for a return cut short, until the table shows it disrupted again or its backlog empty)."""
    entry = data.summary.get("services", {}).get(service, {})
    recoveries = entry.get("backlog", {}).get("recoveries", [])
    out = []
    for r in recoveries:
        start = _hours(data, r["network_back"])
        end = _hours(data, r["backlog_empty"]) if r.get("backlog_empty") else _cut_short(data, service, start)
        if end > start:
            out.append((start, end))
    return out


def _cut_short(data: ResultsFolder, service: str, start: float) -> float:
    """Where a return whose backlog did not drain ends: the first row after ``start`` where the service is below
    the threshold or its backlog is empty (the end of the run if none)."""
    if not data.has("by_service"):
        return start
    rows = data.table("by_service").where("service", service)
    hours = np.asarray(rows["elapsed_h"], dtype=np.float64)
    served = np.asarray(rows["served_share"], dtype=np.float64)
    backlog = np.asarray(rows["backlog_requests"], dtype=np.float64)
    threshold = float(
        data.summary.get("scenario", {}).get("parameters", {}).get("disruption_threshold", DEFAULT_THRESHOLD)
    )
    after = np.nonzero((hours > start) & ((served < threshold) | (backlog <= 0)))[0]
    return float(hours[after[0]]) if len(after) else data.duration_h


def _runs(hours: np.ndarray[Any, Any], flag: np.ndarray[Any, Any], end: float) -> list[tuple[float, float]]:
    """The intervals where ``flag`` holds, a sample holding until the next."""
    out = []
    start: float | None = None
    for h, f in zip(hours, flag, strict=True):
        if f and start is None:
            start = float(h)
        elif not f and start is not None:
            out.append((start, float(h)))
            start = None
    if start is not None:
        out.append((start, end))
    return out


@styled
def plot_disruptions(folder: ResultsFolder | Path | str) -> Figure:
    """One row per service: its disrupted intervals (dark) and the recovery tails of its backlog (light), over
    the phases shaded faintly."""
    data = folder if isinstance(folder, ResultsFolder) else load_results(folder)
    services: Mapping[str, Any] = data.summary.get("services", {})
    rows = _rows(data, services)
    fig = new_figure(16, 2.4 + _ROW_IN * max(len(rows), 1))
    fig.suptitle(f"{data.name}: when each service was disrupted, and its recovery")
    ax = fig.subplots()
    shade_phases(ax, data, alpha=0.09)
    labels = []
    for i, (_, key) in enumerate(rows):
        bars = [(x0, x1 - x0) for x0, x1 in (data.date_numbers(s) for s in disrupted_spans(data, key))]
        tails = [(x0, x1 - x0) for x0, x1 in (data.date_numbers(s) for s in recovery_spans(data, key))]
        ax.broken_barh(bars, (i - 0.36, 0.72), gid=f"disrupted:{key}", **_BAR)
        ax.broken_barh(tails, (i - 0.36, 0.72), gid=f"recovery:{key}", **_TAIL)
        hours = services.get(key, {}).get("disrupted_hours")
        labels.append(f"{key} ({hours:.0f} h)" if isinstance(hours, int | float) else key)
    _mark_groups(ax, rows)
    ax.set_yticks(range(len(rows)), labels)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(False, axis="y")
    ax.set_xlim(*data.date_numbers([0.0, data.duration_h]))
    _legend(ax)
    time_axis(ax, data.zone, data.zone_label, data.duration_h)
    return fig


def _rows(data: ResultsFolder, services: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(group, service)`` of every row: the groups of the services figure, longest disruption first in each."""
    rows: list[tuple[str, str]] = []
    for title, members in service_groups(data).items():
        hours = {k: float(services.get(k, {}).get("disrupted_hours", 0.0)) for k in members}
        rows.extend((title, k) for k in sorted(members, key=lambda k: (-hours[k], k)))
    return rows


def _mark_groups(ax: Axes, rows: list[tuple[str, str]]) -> None:
    """A line between groups of services and each group's name to the right of its first row."""
    for i, (title, _) in enumerate(rows):
        if i and title != rows[i - 1][0]:
            ax.axhline(i - 0.5, color=GREY, lw=1.2)
        if not i or title != rows[i - 1][0]:
            where = ax.get_yaxis_transform()
            ax.text(1.005, i - 0.4, title, transform=where, va="top", ha="left", fontsize=12, style="italic")


def _legend(ax: Axes) -> None:
    from matplotlib.patches import Patch

    ax.legend(
        [Patch(**_BAR), Patch(**_TAIL)],
        [
            "disrupted (served share below the threshold, a dependency down, or a backlog draining)",
            "recovery tail: the network is back, the backlog of failed requests drains",
        ],
        loc="lower left",
        bbox_to_anchor=(0.0, 1.01),
        borderaxespad=0.0,
    )

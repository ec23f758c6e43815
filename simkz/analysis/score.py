"""Score a run against observations: how close the simulated signals come to what monitors measured.

For each observed series, the simulated value at an observed instant is the table row in
force then (the last row at or before the instant). A series gets:

* ``mae_pct``: mean absolute error, percentage points (also phase by phase);
* ``agreement``: share of points where simulated and observed lie on the same side of the
  threshold (at or above it counts as up), 0-1;
* ``correlation``: Pearson correlation of simulated and observed values, -1 to 1; ``None``
  with fewer than 3 points or when either side is constant (then never judged).

For each observed event, the simulated crossing in the event's direction nearest to the
observed instant (a crossing is the first row on the other side of the threshold after a
row on the first side) and the timing error in minutes (simulated minus observed).

Points and events outside the run's time span are skipped and counted. :func:`score_run`
is pure; :func:`load_run` reads a results folder with the tables the observations need.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simkz.analysis.observations import (
    SIGNAL_COLUMNS,
    Group,
    Observations,
    ObservedEvent,
    ObservedSeries,
    ToleranceSpec,
)
from simkz.errors import InputError
from simkz.results.run import RunResult
from simkz.results.table import Table, round_sig

__all__ = ["EventScore", "PhaseScore", "Score", "SeriesScore", "format_score", "load_run", "score_run"]


@dataclass(frozen=True)
class PhaseScore:
    """Mean absolute error of the points of one phase of a series."""

    phase: str
    points: int
    mae_pct: float  #: percentage points


@dataclass(frozen=True)
class SeriesScore:
    """How one observed series compares with the run."""

    index: int
    signal: str
    group: str  #: ``national`` or e.g. ``region=almaty-city``
    table: str
    column: str
    threshold_pct: float
    tolerance: ToleranceSpec
    points: int  #: points inside the run's time span, the ones scored
    skipped: int  #: points outside the run's time span
    mae_pct: float | None  #: percentage points; None when no point was scored
    agreement: float | None  #: 0-1; None when no point was scored
    correlation: float | None  #: -1 to 1; None with fewer than 3 points or a constant side
    phases: tuple[PhaseScore, ...]
    breaches: tuple[str, ...]  #: the tolerances exceeded, e.g. ``agreement 0.75 < 0.8``

    @property
    def name(self) -> str:
        return f"series[{self.index}] {self.signal} {self.group}"

    @property
    def passed(self) -> bool:
        return not self.breaches


@dataclass(frozen=True)
class EventScore:
    """How one observed event compares with the run's nearest crossing."""

    index: int
    label: str
    signal: str
    group: str
    direction: str
    threshold_pct: float
    tolerance_min: float
    observed: datetime
    simulated: str | None  #: time of the nearest simulated crossing (results' ``time``); None: no crossing
    error_min: float | None  #: simulated minus observed, minutes; None: no crossing
    skipped: bool  #: the observed instant is outside the run's time span

    @property
    def name(self) -> str:
        return f"events[{self.index}] {self.label}"

    @property
    def breach(self) -> str | None:
        """Why the event fails, or None."""
        if self.skipped:
            return None
        if self.error_min is None:
            return f"no simulated {self.direction} crossing of {self.threshold_pct:g}%"
        if abs(self.error_min) > self.tolerance_min:
            return f"timing error {self.error_min:+g} min beyond +-{self.tolerance_min:g} min"
        return None

    @property
    def passed(self) -> bool:
        return self.breach is None


@dataclass(frozen=True)
class Score:
    """The score of one run against one observations file."""

    observations: str  #: name of the observations file
    run: str  #: name of the run (its scenario)
    scenario: str | None  #: the scenario the observations are meant for, if they say
    series: tuple[SeriesScore, ...]
    events: tuple[EventScore, ...]

    @property
    def passed(self) -> bool:
        """True when every tolerance holds."""
        return all(s.passed for s in self.series) and all(e.passed for e in self.events)

    @property
    def skipped_points(self) -> int:
        return sum(s.skipped for s in self.series)

    @property
    def skipped_events(self) -> int:
        return sum(e.skipped for e in self.events)

    def failures(self) -> tuple[str, ...]:
        """One line per exceeded tolerance, naming the series or event."""
        out = [f"{s.name}: {b}" for s in self.series for b in s.breaches]
        out += [f"{e.name}: {e.breach}" for e in self.events if e.breach is not None]
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """The score as JSON-ready data."""
        return {
            "observations": self.observations,
            "run": self.run,
            "scenario": self.scenario,
            "passed": self.passed,
            "skipped_points": self.skipped_points,
            "skipped_events": self.skipped_events,
            "failures": list(self.failures()),
            "series": [_series_dict(s) for s in self.series],
            "events": [_event_dict(e) for e in self.events],
        }


def _num(x: float | None) -> float | None:
    return None if x is None else round_sig(float(x))


def _series_dict(s: SeriesScore) -> dict[str, Any]:
    return {
        "index": s.index,
        "signal": s.signal,
        "group": s.group,
        "table": s.table,
        "column": s.column,
        "threshold_pct": s.threshold_pct,
        "tolerance": s.tolerance.model_dump(exclude_none=True),
        "points": s.points,
        "skipped": s.skipped,
        "mae_pct": _num(s.mae_pct),
        "agreement": _num(s.agreement),
        "correlation": _num(s.correlation),
        "phases": [{"phase": p.phase, "points": p.points, "mae_pct": _num(p.mae_pct)} for p in s.phases],
        "passed": s.passed,
        "breaches": list(s.breaches),
    }


def _event_dict(e: EventScore) -> dict[str, Any]:
    return {
        "index": e.index,
        "label": e.label,
        "signal": e.signal,
        "group": e.group,
        "direction": e.direction,
        "threshold_pct": e.threshold_pct,
        "tolerance_min": e.tolerance_min,
        "observed": e.observed.isoformat(),
        "simulated": e.simulated,
        "error_min": _num(e.error_min),
        "skipped": e.skipped,
        "passed": e.passed,
    }


# --- reading what the observations need ---------------------------------------------------------


def load_run(folder: Path | str, obs: Observations) -> RunResult:
    """Read a results folder, plus any table ``obs`` needs that :meth:`RunResult.load` does not read.

    A table the folder lacks is left out; :func:`score_run` then names the series that needs it.
    """
    folder = Path(folder)
    result = RunResult.load(folder)
    extra = {}
    for name in sorted(obs.tables - set(result.tables)):
        path = folder / f"{name}.csv"
        if path.is_file():
            extra[name] = Table.read_csv(path)
    return dataclasses.replace(result, tables={**result.tables, **extra}) if extra else result


# --- scoring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rows:
    """One group's rows of one column, in time order; times in seconds since the epoch."""

    times: NDArray[np.float64]
    stamps: NDArray[np.str_]
    values: NDArray[np.float64]
    end: float  #: end of the run's time span (exclusive), seconds since the epoch

    def inside(self, t: float) -> bool:
        return bool(self.times[0] <= t < self.end or t == self.times[0])

    def at(self, t: float) -> float:
        """The value of the row in force at ``t`` (the last row at or before it)."""
        return float(self.values[int(np.searchsorted(self.times, t, side="right")) - 1])


def score_run(result: RunResult, obs: Observations) -> Score:
    """Score ``result`` against ``obs``; raise :class:`InputError` when the results lack what a series needs."""
    reader = _Reader(result, obs)
    series = tuple(_score_series(s, reader.rows(("series", s.index), s.signal, s.group)) for s in obs.series)
    events = tuple(_score_event(e, reader.rows(("events", e.index), e.signal, e.group)) for e in obs.events)
    return Score(
        observations=obs.name,
        run=result.name,
        scenario=obs.spec.scenario,
        series=series,
        events=events,
    )


class _Reader:
    """Picks rows out of a run's tables, parsing each table's times once."""

    def __init__(self, result: RunResult, obs: Observations) -> None:
        self.result = result
        self.obs = obs
        self._times: dict[str, NDArray[np.float64]] = {}
        self._end = _summary_end(result.summary)

    def _epoch(self, name: str, table: Table) -> NDArray[np.float64]:
        if name not in self._times:
            parsed: dict[str, float] = {}
            out = np.empty(len(table), dtype=np.float64)
            for i, text in enumerate(table["time"]):
                text = str(text)
                if text not in parsed:
                    parsed[text] = _parse_time(text, name)
                out[i] = parsed[text]
            self._times[name] = out
        return self._times[name]

    def rows(self, loc: tuple[str | int, ...], signal: str, group: Group) -> _Rows:
        path, name = self.obs.path, group.table
        table = self.result.tables.get(name)
        if table is None:
            raise InputError(
                path,
                loc,
                f"the results hold no table {name} ({name}.csv), which a {group.label} group needs",
                allowed=", ".join(sorted(self.result.tables)) or "(no tables)",
            )
        column = SIGNAL_COLUMNS[signal]
        if column not in table.names:
            have = [s for s, c in SIGNAL_COLUMNS.items() if c in table.names]
            raise InputError(
                path,
                (*loc, "signal"),
                f"the results' {name} table has no column {column} (results written before simkz simulated it?)",
                value=signal,
                allowed=f"signals these results hold: {', '.join(have) or 'none'}",
            )
        mask = np.ones(len(table), dtype=bool)
        for key, value in group.keys:
            if key not in table.names:
                raise InputError(path, (*loc, key), f"the results' {name} table has no {key} column", value=value)
            present = table[key]
            if value not in set(present.tolist()):
                raise InputError(
                    path,
                    (*loc, key),
                    f"{key} not in the results' {name} table",
                    value=value,
                    allowed=sorted({str(x) for x in present.tolist()}),
                )
            mask &= present == value
        if not mask.any():
            raise InputError(path, loc, f"the results' {name} table has no rows for this group", value=group.label)
        times = self._epoch(name, table)[mask]
        order = np.argsort(times, kind="stable")
        times = times[order]
        end = self._end if self._end is not None else _grid_end(times)
        return _Rows(
            times=times,
            stamps=np.asarray(table["time"])[mask][order],
            values=np.asarray(table[column], dtype=np.float64)[mask][order],
            end=end,
        )


def _parse_time(text: str, table: str) -> float:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(None, (table, "time"), "not an ISO 8601 time", value=text) from None
    if value.utcoffset() is None:
        raise InputError(None, (table, "time"), "the time has no UTC offset", value=text)
    return value.timestamp()


def _summary_end(summary: dict[str, Any]) -> float | None:
    """End of the run from ``summary.json`` (``scenario.end``), seconds since the epoch, if it says."""
    scenario = summary.get("scenario")
    end = scenario.get("end") if isinstance(scenario, dict) else None
    if not isinstance(end, str):
        return None
    try:
        value = datetime.fromisoformat(end)
    except ValueError:
        return None
    return value.timestamp() if value.utcoffset() is not None else None


def _grid_end(times: NDArray[np.float64]) -> float:
    """End of the span when the summary does not say: one step after the last row (rows are on a step grid)."""
    distinct = np.unique(times)
    step = float(distinct[-1] - distinct[-2]) if len(distinct) > 1 else 0.0
    return float(distinct[-1]) + step


def _score_series(s: ObservedSeries, rows: _Rows) -> SeriesScore:
    sim: list[float] = []
    seen: list[float] = []
    phases: dict[str, list[float]] = {}
    skipped = 0
    for p in s.points:
        t = p.at.timestamp()
        if not rows.inside(t):
            skipped += 1
            continue
        value = rows.at(t)
        sim.append(value)
        seen.append(p.value)
        if p.phase is not None:
            phases.setdefault(p.phase, []).append(abs(value - p.value))
    a, b = np.array(sim), np.array(seen)
    mae = float(np.mean(np.abs(a - b))) if len(a) else None
    thr = s.threshold_pct
    agreement = float(np.mean((a >= thr) == (b >= thr))) if len(a) else None
    correlation = _pearson(a, b)
    tol = s.tolerance
    breaches = []
    if tol.mae_pct is not None and mae is not None and mae > tol.mae_pct:
        breaches.append(f"mae_pct {mae:.1f} > {tol.mae_pct:g}")
    if tol.agreement is not None and agreement is not None and agreement < tol.agreement:
        breaches.append(f"agreement {agreement:.2f} < {tol.agreement:g}")
    if tol.correlation is not None and correlation is not None and correlation < tol.correlation:
        breaches.append(f"correlation {correlation:.2f} < {tol.correlation:g}")
    return SeriesScore(
        index=s.index,
        signal=s.signal,
        group=s.group.label,
        table=s.group.table,
        column=s.column,
        threshold_pct=thr,
        tolerance=tol,
        points=len(a),
        skipped=skipped,
        mae_pct=mae,
        agreement=agreement,
        correlation=correlation,
        phases=tuple(PhaseScore(k, len(v), float(np.mean(v))) for k, v in phases.items()),
        breaches=tuple(breaches),
    )


def _pearson(a: NDArray[np.float64], b: NDArray[np.float64]) -> float | None:
    """Pearson correlation; None with fewer than 3 points or when either side is constant."""
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    da, db = a - a.mean(), b - b.mean()
    return float(np.sum(da * db) / np.sqrt(np.sum(da * da) * np.sum(db * db)))


def _score_event(e: ObservedEvent, rows: _Rows) -> EventScore:
    t = e.at.timestamp()

    def result(simulated: str | None = None, error_min: float | None = None, skipped: bool = False) -> EventScore:
        return EventScore(
            index=e.index,
            label=e.label,
            signal=e.signal,
            group=e.group.label,
            direction=e.direction,
            threshold_pct=e.threshold_pct,
            tolerance_min=e.tolerance_min,
            observed=e.at,
            simulated=simulated,
            error_min=error_min,
            skipped=skipped,
        )

    if not rows.inside(t):
        return result(skipped=True)
    up = rows.values >= e.threshold_pct
    before, after = up[:-1], up[1:]
    crossing = (before & ~after) if e.direction == "down" else (~before & after)
    idx = np.flatnonzero(crossing) + 1
    if not len(idx):
        return result()
    offsets = rows.times[idx] - t
    k = int(np.argmin(np.abs(offsets)))  # on a tie, the earlier crossing
    return result(str(rows.stamps[idx[k]]), float(offsets[k]) / 60.0)


# --- printing -----------------------------------------------------------------------------------


def _cell(x: float | None, fmt: str) -> str:
    return "n/a" if x is None else format(x, fmt)


def _layout(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """Columns padded to their widest cell; the first ``left`` columns left-aligned, the rest right."""
    widths = [max(len(r[j]) for r in (header, *rows)) for j in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [c.ljust(w) if j < left else c.rjust(w) for j, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _series_lines(score: Score) -> list[str]:
    rows = [
        [
            s.name,
            str(s.points),
            str(s.skipped),
            _cell(s.mae_pct, ".1f"),
            _cell(s.agreement, ".2f"),
            _cell(s.correlation, ".2f"),
            f"{s.threshold_pct:g}%",
            "ok" if s.passed else "FAIL",
        ]
        for s in score.series
    ]
    header = ["series", "points", "skipped", "MAE pp", "agreement", "correlation", "threshold", "result"]
    out = ["", *_layout(header, rows)]
    phase_rows = [[s.name, p.phase, str(p.points), f"{p.mae_pct:.1f}"] for s in score.series for p in s.phases]
    if phase_rows:
        out += ["", *_layout(["series", "phase", "points", "MAE pp"], phase_rows, left=2)]
    return out


def _event_lines(score: Score) -> list[str]:
    rows = [
        [
            e.name,
            f"{e.signal} {e.group}",
            f"{e.direction} {e.threshold_pct:g}%",
            e.observed.isoformat(timespec="minutes"),
            "skipped" if e.skipped else (e.simulated or "none"),
            "n/a" if e.error_min is None else f"{e.error_min:+g}",
            f"{e.tolerance_min:g}",
            "skipped" if e.skipped else ("ok" if e.passed else "FAIL"),
        ]
        for e in score.events
    ]
    header = ["event", "signal", "crossing", "observed", "simulated", "error min", "tolerance min", "result"]
    return ["", *_layout(header, rows, left=5)]


def format_score(score: Score) -> str:
    """The score as printed by ``simkz score``: series, phases, events, skipped points and what failed."""
    out = [f"score of run {score.run!r} against observations {score.observations!r}"]
    if score.scenario is not None and score.scenario != score.run:
        out.append(f"note: these observations are meant for scenario {score.scenario!r}")
    if score.series:
        out += _series_lines(score)
    if score.events:
        out += _event_lines(score)
    total_points = sum(s.points + s.skipped for s in score.series)
    if score.skipped_points or score.skipped_events:
        out += [
            "",
            f"skipped (outside the run's time span): {score.skipped_points} of {total_points} point(s), "
            f"{score.skipped_events} of {len(score.events)} event(s)",
        ]
    if not any(s.points for s in score.series) and all(e.skipped for e in score.events):
        out.append("note: no point or event lies inside the run's time span; nothing was judged")
    failures = score.failures()
    out.append("")
    if failures:
        out.append(f"FAILED: {len(failures)} tolerance(s) exceeded:")
        out += [f"  {f}" for f in failures]
    else:
        out.append("passed: every tolerance holds")
    return "\n".join(out)

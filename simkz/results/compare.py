"""Compare a results folder with a baseline: the summary and the time series, within tolerances.

Metrics are named by where they live: ``summary.national.peak_cut_off_persons``,
``summary.services.egov.disrupted_hours``, ``national.connectivity_index_pct``,
``by_region.affected_persons``. A baseline folder holds ``summary.json`` and any of the
time series tables; only what the baseline holds is compared.

A number matches when ``|new - baseline| <= atol + rtol * |baseline|`` (numpy's ``isclose``).
Tolerances can be set per metric in a YAML file::

    default: {rtol: 1.0e-9, atol: 1.0e-9}
    metrics:                                # fnmatch patterns, the first match wins
      "summary.costs.*": {rtol: 1.0e-3}
      "national.connectivity_index_pct": {atol: 0.01}
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import Field

from simkz.errors import InputError
from simkz.inputs import StrictModel, validate_model
from simkz.results.columns import COLUMNS
from simkz.results.run import TABLES, read_json_object
from simkz.results.table import Table
from simkz.yamlio import read_yaml

__all__ = ["Mismatch", "Tolerance", "Tolerances", "compare_folders", "format_mismatches", "load_tolerances"]

#: Key columns of the tables: they must match exactly and identify a row.
KEY_COLUMNS = ("time", "region", "operator", "technology", "service")


class Tolerance(StrictModel):
    """Relative and absolute tolerance of one metric."""

    rtol: Annotated[float, Field(ge=0.0)] = 1e-9
    atol: Annotated[float, Field(ge=0.0)] = 1e-9


class Tolerances(StrictModel):
    """A default tolerance and per-metric ones (fnmatch patterns; the first match wins)."""

    default: Tolerance = Field(default_factory=lambda: Tolerance())
    metrics: dict[str, Tolerance] = Field(default_factory=dict)

    def of(self, metric: str) -> Tolerance:
        for pattern, tol in self.metrics.items():
            if fnmatch.fnmatchcase(metric, pattern):
                return tol
        return self.default


def load_tolerances(path: Path | None, rtol: float | None = None, atol: float | None = None) -> Tolerances:
    """Tolerances from a file (if any); ``rtol``/``atol`` override the default."""
    tol = validate_model(Tolerances, read_yaml(path), path) if path is not None else Tolerances()
    if rtol is None and atol is None:
        return tol
    default = Tolerance(
        rtol=tol.default.rtol if rtol is None else rtol,
        atol=tol.default.atol if atol is None else atol,
    )
    return Tolerances(default=default, metrics=tol.metrics)


@dataclass(frozen=True)
class Mismatch:
    """One metric that moved (or appeared, or went away)."""

    metric: str
    baseline: Any
    new: Any
    rows: int = 1  #: rows of a time series that differ (the worst one is shown)

    @property
    def difference(self) -> float | None:
        if _is_number(self.baseline) and _is_number(self.new):
            return float(self.new) - float(self.baseline)
        return None

    @property
    def ratio(self) -> float | None:
        if _is_number(self.baseline) and _is_number(self.new) and float(self.baseline) != 0:
            return float(self.new) / float(self.baseline)
        return None

    @property
    def direction(self) -> str:
        if self.baseline is _ABSENT:
            return "added"
        if self.new is _ABSENT:
            return "removed"
        diff = self.difference
        if diff is None:
            return "changed"
        return "up" if diff > 0 else "down"


class _Absent:
    def __repr__(self) -> str:
        return "-"


_ABSENT: Any = _Absent()


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)


def _flatten(data: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flatten(value, f"{prefix}.{key}")
    elif isinstance(data, list) and data and all(isinstance(x, dict | list) for x in data):
        for i, value in enumerate(data):
            yield from _flatten(value, f"{prefix}[{i}]")
    else:
        yield prefix, data


def _close(a: Any, b: Any, tol: Tolerance) -> bool:
    if _is_number(a) and _is_number(b):
        return bool(np.isclose(float(b), float(a), rtol=tol.rtol, atol=tol.atol))
    return bool(a == b)


def _compare_summary(base: dict[str, Any], new: dict[str, Any], tol: Tolerances) -> list[Mismatch]:
    b = dict(_flatten(base, "summary"))
    n = dict(_flatten(new, "summary"))
    out = []
    for metric in sorted(set(b) | set(n)):
        bv, nv = b.get(metric, _ABSENT), n.get(metric, _ABSENT)
        if bv is _ABSENT or nv is _ABSENT or not _close(bv, nv, tol.of(metric)):
            out.append(Mismatch(metric, bv, nv))
    return out


def _compare_table(name: str, base: Table, new: Table, tol: Tolerances) -> list[Mismatch]:
    if base.names != new.names:
        return [Mismatch(f"{name} (columns)", ", ".join(base.names), ", ".join(new.names))]
    if len(base) != len(new):
        return [Mismatch(f"{name} (rows)", len(base), len(new))]
    keys = [c for c in KEY_COLUMNS if c in base.names]
    for key in keys:
        if not np.array_equal(base[key], new[key]):
            return [Mismatch(f"{name}.{key}", "rows as in the baseline", "other rows")]
    out = []
    for col in base.names:
        if col in keys or COLUMNS[col].kind == "str" or col == "elapsed_h":
            continue
        metric = f"{name}.{col}"
        t = tol.of(metric)
        b = np.asarray(base[col], dtype=np.float64)
        n = np.asarray(new[col], dtype=np.float64)
        bad = ~np.isclose(n, b, rtol=t.rtol, atol=t.atol)
        if bad.any():
            worst = int(np.argmax(np.where(bad, np.abs(n - b), -1.0)))
            where = ", ".join(str(base[k][worst]) for k in keys)
            out.append(Mismatch(f"{metric}[{where}]", float(b[worst]), float(n[worst]), rows=int(bad.sum())))
    return out


def compare_folders(new: Path, baseline: Path, tolerances: Tolerances) -> list[Mismatch]:
    """Every metric of ``baseline`` that ``new`` does not match within ``tolerances``.

    Time series come first (one row per moved column, its worst row shown), then the summary.
    """
    for folder in (new, baseline):
        if not folder.is_dir():
            raise InputError(folder, (), "folder not found", allowed="a results folder written by `simkz run`")
    summary = _compare_summary(
        read_json_object(baseline / "summary.json"), read_json_object(new / "summary.json"), tolerances
    )
    out: list[Mismatch] = []
    for name in TABLES:
        base_path = baseline / f"{name}.csv"
        if not base_path.is_file():
            continue
        new_path = new / f"{name}.csv"
        if not new_path.is_file():
            out.append(Mismatch(f"{name}.csv", "present", _ABSENT))
            continue
        out.extend(_compare_table(name, Table.read_csv(base_path), Table.read_csv(new_path), tolerances))
    return out + summary


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if _is_number(x):
        return f"{float(x):.6g}"
    text = str(x) if not isinstance(x, list | dict) else json.dumps(x)
    return text if len(text) <= 40 else text[:37] + "..."


def format_mismatches(mismatches: list[Mismatch], limit: int = 60) -> str:
    """A readable table: metric, baseline, new, difference, ratio, direction (``limit`` rows; 0: all)."""
    limit = limit or len(mismatches)
    header = ("metric", "baseline", "new", "difference", "ratio", "direction")
    rows = [
        (
            m.metric + (f" ({m.rows} rows)" if m.rows > 1 else ""),
            _fmt(m.baseline),
            _fmt(m.new),
            _fmt(m.difference),
            _fmt(m.ratio),
            m.direction,
        )
        for m in mismatches[:limit]
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if len(mismatches) > limit:
        lines.append(f"... and {len(mismatches) - limit} more (show them with --max-rows 0)")
    return "\n".join(lines)

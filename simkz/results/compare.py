"""Compare a results folder with a baseline: the summary and the time series, within tolerances.

Metrics are named by where they live: ``summary.national.peak_cut_off_persons``,
``summary.services.egov.disrupted_hours``, ``national.connectivity_index_pct``,
``by_region.affected_persons``. A baseline folder holds ``summary.json`` and any of the
time series tables; only what the baseline holds is compared.

A number matches when ``|new - baseline| <= atol + rtol * |baseline|`` (numpy's ``isclose``); NaN matches NaN
and nothing else, an infinity only the same infinity. Tolerances are finite numbers at or above 0.
Tolerances can be set per metric in a YAML file::

    default: {rtol: 1.0e-9, atol: 1.0e-9}
    metrics:                                # fnmatch patterns, the first match wins
      "summary.costs.*": {rtol: 1.0e-3}
      "national.connectivity_index_pct": {atol: 0.01}

A malformed folder (a missing file or key column, a table that does not parse, JSON that does not parse)
raises :class:`~simkz.errors.InputError` naming the file; columns present on one side only are mismatches
that name the column.
"""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import Field

from simkz.errors import InputError
from simkz.inputs import StrictModel, validate_model
from simkz.results.columns import COLUMNS
from simkz.results.run import read_json_object
from simkz.results.table import Table
from simkz.yamlio import read_yaml

__all__ = [
    "TABLE_KEYS",
    "Mismatch",
    "Tolerance",
    "Tolerances",
    "compare_folders",
    "format_mismatches",
    "load_tolerances",
]

#: Key columns of each table a results folder holds, in its file's name order: they must be present, match
#: exactly and identify a row. (``simkz.impact.tables`` writes them; a test checks the two agree.)
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "national": ("time",),
    "by_region": ("time", "region"),
    "by_operator": ("time", "operator"),
    "by_technology": ("time", "technology"),
    "by_region_technology": ("time", "region", "technology"),
    "by_service": ("time", "service"),
}


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
    """Tolerances from a file (if any); ``rtol``/``atol`` (the command line's) override the default.

    Raise :class:`InputError` for a tolerance that is negative, NaN or infinite, in the file or the options.
    """
    for option, value in (("--rtol", rtol), ("--atol", atol)):
        if value is not None:
            _check_tolerance(None, (option,), value)
    tol = validate_model(Tolerances, read_yaml(path), path) if path is not None else Tolerances()
    for loc, t in [(("default",), tol.default), *((("metrics", p), t) for p, t in tol.metrics.items())]:
        _check_tolerance(path, (*loc, "rtol"), t.rtol)
        _check_tolerance(path, (*loc, "atol"), t.atol)
    if rtol is None and atol is None:
        return tol
    default = Tolerance(
        rtol=tol.default.rtol if rtol is None else rtol,
        atol=tol.default.atol if atol is None else atol,
    )
    return Tolerances(default=default, metrics=tol.metrics)


def _check_tolerance(file: Path | None, loc: tuple[str, ...], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise InputError(
            file, loc, "a tolerance is a finite number at or above 0", value=value, allowed="0 or more, e.g. 1e-9"
        )


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
            return _as_float(self.new) - _as_float(self.baseline)
        return None

    @property
    def ratio(self) -> float | None:
        if _is_number(self.baseline) and _is_number(self.new) and _as_float(self.baseline) != 0:
            return _as_float(self.new) / _as_float(self.baseline)
        return None

    @property
    def direction(self) -> str:
        if self.baseline is _ABSENT:
            return "added"
        if self.new is _ABSENT:
            return "removed"
        diff = self.difference
        if diff is None or math.isnan(diff):  # not numbers, or NaN against a number
            return "changed"
        return "up" if diff > 0 else "down"


class _Absent:
    def __repr__(self) -> str:
        return "-"


_ABSENT: Any = _Absent()


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)


def _as_float(x: Any) -> float:
    """``float(x)``; an integer too large for a float becomes an infinity of its sign."""
    try:
        return float(x)
    except OverflowError:
        return math.copysign(math.inf, x)


def _flatten(data: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """Leaves of a JSON document by path (``summary.services.egov.disrupted_hours``), depth first, in order.

    Iterative, so that a deeply nested document cannot exhaust the call stack.
    """
    stack: list[tuple[str, Any]] = [(prefix, data)]
    while stack:
        name, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{name}.{key}", v) for key, v in reversed(value.items()))
        elif isinstance(value, list) and value and all(isinstance(x, dict | list) for x in value):
            stack.extend((f"{name}[{i}]", v) for i, v in reversed(list(enumerate(value))))
        else:
            yield name, value


def _numbers_close(a: Any, b: Any, tol: Tolerance) -> bool:
    """Whether number ``b`` matches baseline number ``a`` within ``tol``; NaN matches NaN, infinities themselves."""
    if a == b:  # exact: integers of any size, equal infinities
        return True
    x, y = _as_float(a), _as_float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return False
    return abs(y - x) <= tol.atol + tol.rtol * abs(x)


def _close(a: Any, b: Any, tol: Tolerance) -> bool:
    """Whether new ``b`` matches baseline ``a``: numbers within tolerance, lists and mappings element by element
    (iteratively: a deeply nested value cannot exhaust the call stack), anything else by equality."""
    pending = [(a, b)]
    while pending:
        x, y = pending.pop()
        if _is_number(x) and _is_number(y):
            if not _numbers_close(x, y, tol):
                return False
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                return False
            pending.extend(zip(x, y, strict=True))
        elif isinstance(x, dict) and isinstance(y, dict):
            if x.keys() != y.keys():
                return False
            pending.extend((x[k], y[k]) for k in x)
        elif not (type(x) is type(y) and x == y):
            return False
    return True


def _compare_summary(base: dict[str, Any], new: dict[str, Any], tol: Tolerances) -> list[Mismatch]:
    b = dict(_flatten(base, "summary"))
    n = dict(_flatten(new, "summary"))
    out = []
    for metric in sorted(set(b) | set(n)):
        bv, nv = b.get(metric, _ABSENT), n.get(metric, _ABSENT)
        if bv is _ABSENT or nv is _ABSENT or not _close(bv, nv, tol.of(metric)):
            out.append(Mismatch(metric, bv, nv))
    return out


def _check_keys(name: str, table: Table, path: Path) -> None:
    missing = [k for k in TABLE_KEYS[name] if k not in table.names]
    if missing:
        raise InputError(
            path,
            ("line 1",),
            "missing key column",
            value=missing[0],
            allowed=f"a header with the key columns of {name}.csv: {', '.join(TABLE_KEYS[name])}",
        )


def _compare_table(name: str, base: Table, new: Table, tol: Tolerances) -> list[Mismatch]:
    """Columns on one side only (each named), then the row count, the key columns and every number column."""
    keys = TABLE_KEYS[name]
    out = [Mismatch(f"{name}.{c} (column)", "present", _ABSENT) for c in base.names if c not in new.names]
    out += [Mismatch(f"{name}.{c} (column)", _ABSENT, "present") for c in new.names if c not in base.names]
    if len(base) != len(new):
        return [*out, Mismatch(f"{name} (rows)", len(base), len(new))]
    for key in keys:
        differ = base[key] != new[key]
        if differ.any():
            i = int(np.argmax(differ))
            return [*out, Mismatch(f"{name}.{key} (first at line {i + 2})", str(base[key][i]), str(new[key][i]))]
    for col in base.names:
        if col in keys or col not in new.names or COLUMNS[col].kind == "str" or col == "elapsed_h":
            continue
        metric = f"{name}.{col}"
        t = tol.of(metric)
        b = np.asarray(base[col], dtype=np.float64)
        n = np.asarray(new[col], dtype=np.float64)
        with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: these cells are compared by isclose
            bad = ~np.isclose(n, b, rtol=t.rtol, atol=t.atol, equal_nan=True)
            if bad.any():
                gap = np.nan_to_num(np.abs(n - b), nan=np.inf, posinf=np.inf)  # NaN against a number: the worst
                worst = int(np.argmax(np.where(bad, gap, -1.0)))
                where = ", ".join(str(base[k][worst]) for k in keys)
                out.append(Mismatch(f"{metric}[{where}]", float(b[worst]), float(n[worst]), rows=int(bad.sum())))
    return out


def _read_summary(path: Path, what: str) -> dict[str, Any]:
    """``summary.json`` of a folder; anything unreadable is an :class:`InputError` naming the file."""
    if not path.is_file():
        raise InputError(path, (), "file not found", allowed=what)
    try:
        return read_json_object(path)
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        bad = exc.object[exc.start : exc.end]
        raise InputError(path, (f"line {line}",), "not UTF-8 text", value=bad, allowed="a UTF-8 JSON file") from None
    except RecursionError:
        raise InputError(path, (), "JSON nested too deeply", allowed=what) from None
    except ValueError as exc:  # e.g. an integer longer than Python converts (its advice to the programmer cut)
        raise InputError(path, (), f"invalid JSON: {str(exc).split(';')[0]}", allowed=what) from None
    except OSError as exc:
        raise InputError(path, (), f"cannot read the file: {exc.strerror or exc}") from None


def compare_folders(new: Path, baseline: Path, tolerances: Tolerances) -> list[Mismatch]:
    """Every metric of ``baseline`` that ``new`` does not match within ``tolerances``.

    Time series come first (one row per moved column, its worst row shown), then the summary. Raise
    :class:`InputError` for a missing folder or file, a table that does not parse or lacks a key column, and
    a summary that is not a JSON object.
    """
    new_what = "a results folder written by `simkz run`"
    base_what = "a folder written by `simkz baseline update`"
    for folder, kind, what in ((new, "results", new_what), (baseline, "baseline", base_what)):
        if not folder.is_dir():
            raise InputError(folder, (), f"{kind} folder not found", allowed=what)
    base_summary = _read_summary(baseline / "summary.json", base_what)
    new_summary = _read_summary(new / "summary.json", new_what)
    out: list[Mismatch] = []
    for name in TABLE_KEYS:
        base_path = baseline / f"{name}.csv"
        if not base_path.is_file():
            continue
        new_path = new / f"{name}.csv"
        if not new_path.is_file():
            out.append(Mismatch(f"{name}.csv", "present", _ABSENT))
            continue
        base_table, new_table = Table.read_csv(base_path), Table.read_csv(new_path)
        _check_keys(name, base_table, base_path)
        _check_keys(name, new_table, new_path)
        out.extend(_compare_table(name, base_table, new_table, tolerances))
    return out + _compare_summary(base_summary, new_summary, tolerances)


def _printable(text: str) -> str:
    """``text`` with control characters (and lone surrogates) escaped, so a hostile file cannot upset a terminal."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if _is_number(x):
        return f"{_as_float(x):.6g}"
    if isinstance(x, list | dict):
        try:
            text = json.dumps(x)
        except (RecursionError, ValueError):  # nested too deeply to show
            text = "[...]" if isinstance(x, list) else "{...}"
    else:
        text = str(x)
    return _cut(_printable(text), 40)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def format_mismatches(mismatches: list[Mismatch], limit: int = 60) -> str:
    """A readable table: metric, baseline, new, difference, ratio, direction (``limit`` rows; 0: all)."""
    limit = limit or len(mismatches)
    header = ("metric", "baseline", "new", "difference", "ratio", "direction")
    rows = [
        (
            _cut(_printable(m.metric), 100) + (f" ({m.rows} rows)" if m.rows > 1 else ""),
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

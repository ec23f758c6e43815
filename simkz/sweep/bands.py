"""Bands over replications: the mean and chosen quantiles of every figure and every time series.

Quantiles are numpy's (``numpy.quantile``, its default linear interpolation between order statistics)
over the replications, in percent: ``5,50,95`` gives columns ``q05``, ``q50``, ``q95``. A band is written
in the same units as the figure it summarises (see ``columns.json`` of a single run, and
``simkz.results.columns``). Numbers are written as simkz writes every number (10 significant digits).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simkz.errors import InputError
from simkz.results.table import format_number

__all__ = [
    "DEFAULT_QUANTILES",
    "band",
    "flatten_figures",
    "is_headline",
    "parse_quantiles",
    "quantile_columns",
    "write_csv",
]

#: Quantiles of a band by default, in percent.
DEFAULT_QUANTILES = (5.0, 50.0, 95.0)
#: Most quantiles one command may ask for.
MAX_QUANTILES = 20

#: Summary figures that ``sweep.csv`` and ``sweep_bands.csv`` hold, by key path prefix (``summary_bands.csv``
#: of each point holds them all).
HEADLINE_PREFIXES = (
    "scenario.parameters.",
    "scenario.draws.",
    "national.",
    "persons_with_disabilities.",
    "circumvention.",
    "costs.range.",
)
#: Summary keys that are not figures: the seed is where a run comes from, not something it measured.
_NOT_FIGURES = frozenset({"scenario.seed"})


def parse_quantiles(text: str) -> tuple[float, ...]:
    """``"5,50,95"`` -> ``(5.0, 50.0, 95.0)``: percentages from 0 to 100, each once, in increasing order."""
    out: list[float] = []
    for token in text.split(","):
        try:
            value = float(token.strip())
        except ValueError:
            value = math.nan
        if not 0.0 <= value <= 100.0:
            raise InputError(
                None, ("--quantiles",), "not a percentage", value=token.strip(), allowed="numbers from 0 to 100"
            )
        out.append(value)
    if out != sorted(set(out)):
        raise InputError(
            None, ("--quantiles",), "quantiles must increase, each given once", value=text, allowed="e.g. 5,50,95"
        )
    if len(out) > MAX_QUANTILES:
        raise InputError(None, ("--quantiles",), "too many quantiles", value=text, allowed=f"at most {MAX_QUANTILES}")
    return tuple(out)


def quantile_columns(quantiles: Sequence[float]) -> list[str]:
    """Column names: ``q05``, ``q50``, ``q95``, ``q2.5``, ``q100``."""
    return [f"q{int(q):02d}" if q == int(q) else f"q{q:g}" for q in quantiles]


def band(values: NDArray[np.float64], quantiles: Sequence[float]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The mean and the quantiles over the last axis (the replications, in run order), **sorting ``values`` in
    place**: shapes ``values.shape[:-1]`` and ``(len(quantiles), *values.shape[:-1])``.

    Each mean and quantile is exactly numpy's for that one series (``numpy.mean`` of the series, then
    ``numpy.quantile`` of it: sorting first gives the same numbers, several times faster).
    """
    mean = values.mean(axis=-1)  # contiguous rows: the same pairwise sum as the series' own mean
    values.sort(axis=-1)
    qs = np.quantile(values, np.asarray(quantiles, dtype=np.float64) / 100.0, axis=-1, overwrite_input=True)
    return mean, qs


def flatten_figures(summary: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Every number of a summary by its key path (``national.user_hours_lost``, ``services.chat.disrupted_hours``):
    lists, text, booleans and the seed left out."""
    out: dict[str, float] = {}
    for key, value in summary.items():
        path = f"{prefix}{key}"
        if path in _NOT_FIGURES or isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            out[path] = float(value)
        elif isinstance(value, Mapping):
            out.update(flatten_figures(value, path + "."))
    return out


def is_headline(key: str) -> bool:
    """Whether a summary figure is a headline one (sweep tables): see :data:`HEADLINE_PREFIXES`; also every
    service's disrupted hours and every cost method's value."""
    if key.startswith(HEADLINE_PREFIXES):
        return True
    parts = key.split(".")
    return (parts[0] == "services" and parts[-1] == "disrupted_hours") or (
        parts[:2] == ["costs", "methods"] and parts[-1] == "value"
    )


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A CSV file with simkz's layout (``\\n`` line ends, numbers with :func:`format_number`)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([format_number(v) if isinstance(v, float) else v for v in row])

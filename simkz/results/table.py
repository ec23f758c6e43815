"""A tidy table of named columns (numpy arrays), written as CSV with stable number formatting."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from simkz.errors import InputError
from simkz.results.columns import COLUMNS

__all__ = ["SIGNIFICANT", "Table", "format_number", "round_sig"]

#: Significant digits written for floats: enough for any figure, stable across runs.
SIGNIFICANT = 10


def round_sig(value: float, digits: int = SIGNIFICANT) -> float:
    """Round to ``digits`` significant digits (stable JSON numbers)."""
    if value == 0 or not np.isfinite(value):
        return 0.0 if value == 0 else float(value)
    return float(f"{value:.{digits}g}")


def format_number(value: float) -> str:
    """Format a float stably: 10 significant digits, no ``-0``."""
    text = f"{value:.{SIGNIFICANT}g}"
    return "0" if text in ("-0", "0") else text


@dataclass(frozen=True)
class Table:
    """Columns of equal length; names must be in :data:`~simkz.results.columns.COLUMNS`."""

    columns: Mapping[str, NDArray[np.generic]]

    def __post_init__(self) -> None:
        lengths = {len(v) for v in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns differ in length: {lengths}")
        unknown = set(self.columns) - set(COLUMNS)
        if unknown:
            raise ValueError(f"undocumented columns {sorted(unknown)}; add them to simkz.results.columns")

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def __getitem__(self, name: str) -> NDArray[np.generic]:
        return self.columns[name]

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def where(self, column: str, value: str) -> Table:
        """The rows whose ``column`` equals ``value``."""
        mask = self.columns[column] == value
        return Table({k: v[mask] for k, v in self.columns.items()})

    def write_csv(self, path: Path) -> None:
        formatters = []
        for name in self.columns:
            kind = COLUMNS[name].kind
            formatters.append(str if kind == "str" else (lambda v: str(int(v))) if kind == "int" else format_number)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(self.columns)
            cols = list(self.columns.values())
            for i in range(len(self)):
                writer.writerow([f(c[i]) for f, c in zip(formatters, cols, strict=True)])

    @classmethod
    def read_csv(cls, path: Path) -> Table:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise InputError(path, (), "empty CSV file") from None
            rows = list(reader)
        columns: dict[str, NDArray[np.generic]] = {}
        for j, name in enumerate(header):
            if name not in COLUMNS:
                raise InputError(path, ("header", j), "unknown column", value=name, allowed=COLUMNS)
            raw = [r[j] for r in rows]
            kind = COLUMNS[name].kind
            try:
                columns[name] = (
                    np.array(raw, dtype=str)
                    if kind == "str"
                    else np.array(raw, dtype=np.float64 if kind == "float" else np.int64)
                )
            except ValueError:
                raise InputError(path, (name,), f"column holds a value that is not a {kind}") from None
        return cls(columns)

"""A tidy table of named columns (numpy arrays), written as CSV with stable number formatting."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray

from simkz.errors import InputError
from simkz.results.columns import COLUMNS

__all__ = ["SIGNIFICANT", "Table", "format_number", "parse_csv", "round_sig"]

#: Significant digits written for floats: enough for any figure, stable across runs.
SIGNIFICANT = 10
#: Rows joined into one block of text before it is written (bounds the memory a large table needs).
WRITE_ROWS = 1 << 16


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
        """Write the table as CSV (header, then one line per row, each ending in a newline).

        Formatted column by column: each distinct value is formatted once (floats with :func:`format_number`,
        whole numbers with ``str(int(v))``, text quoted as :mod:`csv` quotes it) and the lines are joined in
        blocks of :data:`WRITE_ROWS` rows. The bytes are those of a :func:`csv.writer` fed cell by cell.
        """
        with path.open("w", newline="", encoding="utf-8") as fh:
            if len(self.columns) < 2:  # a lone empty cell is quoted by csv.writer: keep its rules
                _write_rows_by_cell(self, fh)
                return
            quote = _Quoter()
            fh.write(",".join(quote(name) for name in self.columns) + "\n")
            cells = [_cells(COLUMNS[name].kind, values, quote) for name, values in self.columns.items()]
            for start in range(0, len(self), WRITE_ROWS):
                block = [c[start : start + WRITE_ROWS] for c in cells]
                fh.write("\n".join(map(",".join, zip(*block, strict=True))) + "\n")

    @classmethod
    def read_csv(cls, path: Path) -> Table:
        """Read a table written by :meth:`write_csv`; raise :class:`InputError` on anything malformed.

        The error names the file and, where it helps, the line (1 is the header): a file that is not UTF-8, a
        blank line, a row with too few or too many cells, a file cut off in the middle of a line (every line
        :meth:`write_csv` writes ends in a newline), an unknown or repeated column, a cell that is not a number
        in a number column.
        """
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(path, (), f"cannot read the file: {exc.strerror or exc}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            bad = data[exc.start : exc.end]
            raise InputError(path, (f"line {line}",), "not UTF-8 text", value=bad, allowed="a UTF-8 CSV file") from None
        if not text:
            raise InputError(path, (), "empty CSV file", allowed="a header line and one line per row")
        if not text.endswith(("\n", "\r")):
            line = text.count("\n") + 1
            raise InputError(
                path,
                (f"line {line}",),
                "the file ends in the middle of a line (truncated?)",
                allowed="a CSV file whose every line ends with a newline, as simkz writes them",
            )
        header, rows, lines = parse_csv(path, text)
        for j, name in enumerate(header):
            if name not in COLUMNS:
                raise InputError(path, (f"line 1, column {j + 1}",), "unknown column", value=name, allowed=COLUMNS)
            if name in header[:j]:
                raise InputError(
                    path, (f"line 1, column {j + 1}",), "repeated column", value=name, allowed="each column once"
                )
        columns: dict[str, NDArray[np.generic]] = {}
        for j, name in enumerate(header):
            raw = [r[j] for r in rows]
            columns[name] = _column(path, name, raw, lines)
        return cls(columns)


class _Quoter:
    """Text cells as :func:`csv.writer` writes them (quoted where they hold a comma, a quote or a line break)."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")
        self._known: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        cell = self._known.get(text)
        if cell is None:
            self._buffer.seek(0)
            self._buffer.truncate()
            self._writer.writerow(("", text))  # a cell beside another: never the lone-empty-cell case
            cell = self._buffer.getvalue()[1:-1]
            self._known[text] = cell
        return cell


#: Text that :func:`csv.writer` may quote: a comma, a quote, any white space (line breaks among it), or nothing.
_MAY_QUOTE = re.compile(r'[,"\s]|^$')


def _cells(kind: str, values: NDArray[np.generic], quote: _Quoter) -> list[str]:
    """One column's cells as text: each distinct value formatted (or quoted) once, then spread to its rows."""
    if kind == "str":
        cells: list[str] = values.tolist() if values.dtype.kind == "U" else [str(v) for v in values.tolist()]
        quoted = {v: quote(v) for v in set(cells) if _MAY_QUOTE.search(v)}
        changed = {v: q for v, q in quoted.items() if q != v}
        return [changed.get(v, v) for v in cells] if changed else cells
    form: Callable[[Any], str] = (lambda v: str(int(v))) if kind == "int" else format_number
    if values.dtype.kind not in "biuf" or len(values) == 0:
        return [form(v) for v in values.tolist()]
    distinct, where = np.unique(values, return_inverse=True)
    text = np.array([form(v) for v in distinct.tolist()], dtype=object)
    cells = text[where.reshape(-1)].tolist()
    return cells


def _write_rows_by_cell(table: Table, fh: TextIO) -> None:
    """The plain writer: every cell formatted and written through :func:`csv.writer`."""
    formatters = []
    for name in table.columns:
        kind = COLUMNS[name].kind
        formatters.append(str if kind == "str" else (lambda v: str(int(v))) if kind == "int" else format_number)
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(table.columns)
    cols = list(table.columns.values())
    for i in range(len(table)):
        writer.writerow([f(c[i]) for f, c in zip(formatters, cols, strict=True)])


def parse_csv(path: Path, text: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, rows and the line number of each row; every row has as many cells as the header."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        header = next(reader, [])
        if not header:
            raise InputError(path, ("line 1",), "blank header line", allowed="the column names, comma-separated")
        width = len(header)
        line = reader.line_num + 1
        for row in reader:
            if not row:
                raise InputError(path, (f"line {line}",), "blank line", allowed=f"a row of {width} cells on every line")
            if len(row) != width:
                raise InputError(
                    path,
                    (f"line {line}",),
                    f"row of {len(row)} cells under a header of {width}",
                    value=",".join(row),
                    allowed=f"{width} cells, one per column",
                )
            rows.append(row)
            lines.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(path, (f"line {reader.line_num}",), f"malformed CSV: {exc}") from None
    return header, rows, lines


_KIND_TEXT = {
    "float": ("not a number", "a decimal number (nan and inf allowed)"),
    "int": ("not a whole number", "a whole number"),
}


def _column(path: Path, name: str, raw: list[str], lines: list[int]) -> NDArray[np.generic]:
    """One column as an array of its kind (``str``, ``float`` or ``int``); a bad cell is an error naming its line."""
    kind = COLUMNS[name].kind
    if kind == "str":
        return np.array(raw, dtype=str)
    dtype = np.float64 if kind == "float" else np.int64
    try:
        return np.array(raw, dtype=dtype)
    except (ValueError, OverflowError):
        pass
    for i, cell in enumerate(raw):  # find the first bad cell to name it
        try:
            np.array([cell], dtype=dtype)
        except (ValueError, OverflowError):
            problem, allowed = _KIND_TEXT[kind]
            raise InputError(path, (f"line {lines[i]}, column {name}",), problem, value=cell, allowed=allowed) from None
    raise AssertionError("unreachable: the column failed to convert but every cell converts")  # pragma: no cover

"""Results as pandas DataFrames (the optional ``pandas`` extra: ``pip install 'simkz[pandas]'``).

Every table simkz writes is already tidy (one row per instant and group, or per replication,
point and metric), so each becomes one DataFrame with the same columns; ``time`` columns are
parsed into timezone-aware timestamps. pandas is imported only when these functions are called.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from simkz.errors import InputError
from simkz.results.columns import COLUMNS
from simkz.results.table import Table

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["load_frames", "table_frame"]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise InputError(None, ("pandas",), "pandas is not installed", allowed="pip install 'simkz[pandas]'") from None
    return pandas


def table_frame(table: Table) -> pd.DataFrame:
    """One table as a DataFrame: numeric columns as numbers, ``time`` as timezone-aware timestamps."""
    pandas = _pandas()
    frame = pandas.DataFrame({name: table[name] for name in table.names})
    if "time" in frame.columns:
        frame["time"] = pandas.to_datetime(frame["time"], utc=False, format="ISO8601")
    for name in table.names:
        if name in COLUMNS and COLUMNS[name].kind == "int":
            frame[name] = frame[name].astype("int64")
    return frame


def load_frames(folder: Path | str) -> dict[str, pd.DataFrame]:
    """Every CSV table of a results folder (a single run, replications or a sweep), by file stem.

    A replication folder gives e.g. ``national_bands`` and ``summary_bands``; a sweep folder
    ``points``, ``sweep`` and ``sweep_bands``; a single run ``national``, ``by_region``, ...
    """
    pandas = _pandas()
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, (), "results folder not found", allowed="a folder written by simkz")
    frames: dict[str, pd.DataFrame] = {}
    for path in sorted(folder.glob("*.csv")):
        frame = pandas.read_csv(path)
        if "time" in frame.columns:
            frame["time"] = pandas.to_datetime(frame["time"], format="ISO8601")
        frames[path.stem] = frame
    if not frames:
        raise InputError(folder, (), "no CSV tables in the folder", allowed="a folder written by simkz")
    return frames

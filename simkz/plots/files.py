"""Figures as files: stable bytes (no dates, fixed SVG ids), written atomically, and ``simkz run``'s figure writer."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from simkz.plots.data import ResultsFolder
from simkz.plots.overview import FIGURE_NAME, plot_overview
from simkz.plots.style import DPI, STYLE
from simkz.results.run import RunResult, write_bytes_atomic

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FORMATS", "figure_bytes", "figure_writer", "write_figure"]

#: The formats figures are written in.
FORMATS = ("png", "svg")
#: No creation date or software version in the files: the same figure gives the same bytes.
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}, "pdf": {"CreationDate": None}}


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """``fig`` as a PNG or SVG file's bytes, at :data:`~simkz.plots.style.DPI`."""
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buffer, format=fmt, dpi=DPI, metadata=_METADATA.get(fmt))
    return buffer.getvalue()


def write_figure(fig: Figure, folder: Path, name: str, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write ``fig`` as ``folder/name.<fmt>`` for each format, each file atomically; return the paths."""
    paths = []
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        write_bytes_atomic(path, figure_bytes(fig, fmt))
        paths.append(path)
    return paths


def figure_writer(formats: tuple[str, ...] = ("png",)) -> Callable[[RunResult], Callable[[Path], None]]:
    """For ``simkz run``: given a result, a writer of its overview figure into the folder being saved (which
    already holds the run's tables and network files; the save itself is atomic)."""

    def bind(result: RunResult) -> Callable[[Path], None]:
        def write(folder: Path) -> None:
            fig = plot_overview(ResultsFolder.of(result, folder))
            for fmt in formats:
                (folder / f"{FIGURE_NAME}.{fmt}").write_bytes(figure_bytes(fig, fmt))

        return write

    return bind

"""The network drawing as an animated GIF: one frame per state of the run.

A frame is drawn at the run's start and at every distinct time of ``network_states.csv`` (each a change of
some element's state), in order; a run with more than :data:`MAX_FRAMES` such times (a year of random
failures) is shown at :data:`MAX_FRAMES` instants evenly spread over the run instead. Every frame is the
network figure recoloured (same layout), with its time and the phases in force in the title; each shows
for :data:`FRAME_MS` milliseconds and the GIF loops. Frames are rendered by matplotlib's Agg and written
with Pillow on a fixed palette order, so the same folder gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from simkz.plots.data import ResultsFolder, load_results
from simkz.plots.network import draw_network
from simkz.plots.style import DPI, styled
from simkz.results.run import write_bytes_atomic

__all__ = ["FILE_NAME", "FRAME_MS", "MAX_FRAMES", "animation_bytes", "frame_hours", "write_animation"]

FILE_NAME = "network.gif"
#: Most frames of one GIF.
MAX_FRAMES = 120
#: How long each frame shows, milliseconds.
FRAME_MS = 900
#: Resolution of the frames, dots per inch: that of the figures (the network figure is 16 x 8.6 inches: 1600 x 860
#: pixels), so that its text is as legible.
FRAME_DPI = DPI


def frame_hours(data: ResultsFolder, limit: int = MAX_FRAMES) -> list[float]:
    """The hours since the start drawn as frames: the start and every change time of the state log, or, past
    ``limit`` of them, ``limit`` instants evenly spread over the run."""
    _, log = data.require_network()
    hours = sorted({0.0, *(float(h) for h in log.hours if 0.0 <= h < data.duration_h)})
    if len(hours) <= limit:
        return hours
    return [float(h) for h in np.linspace(0.0, data.duration_h, limit, endpoint=False)]


@styled
def animation_bytes(folder: ResultsFolder | Path | str, hours: Sequence[float] | None = None) -> bytes:
    """The GIF of the network drawn at ``hours`` (default :func:`frame_hours`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    data = folder if isinstance(folder, ResultsFolder) else load_results(folder)
    drawing = draw_network(data)
    canvas = FigureCanvasAgg(drawing.fig)
    drawing.fig.set_dpi(FRAME_DPI)
    frames = []
    for hour in hours if hours is not None else frame_hours(data):
        drawing.show(hour)
        canvas.draw()  # type: ignore[no-untyped-call]
        rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]
        image = Image.fromarray(rgba[:, :, :3].copy(), "RGB")
        frames.append(image.quantize(colors=255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=FRAME_MS, loop=0)
    return buffer.getvalue()


def write_animation(folder: ResultsFolder | Path | str, out: Path, hours: Sequence[float] | None = None) -> Path:
    """Write ``network.gif`` of ``folder`` into the folder ``out``, atomically; return its path."""
    path = out / FILE_NAME
    write_bytes_atomic(path, animation_bytes(folder, hours))
    return path

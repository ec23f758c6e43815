"""A matplotlib figure as SVG text to put inside an HTML page.

matplotlib writes a standalone SVG file; in a page that holds many figures, every ``id`` is prefixed (and every
reference to one), so that two figures never share an id, and the drawing's elements named ``node:KEY`` or
``link:KEY`` (their matplotlib ``gid``) are marked ``data-element`` for the page's script. Bytes are stable: a
fixed hash salt, no date. Text stays text (``svg.fonttype`` ``none``): the page is a third of the size, its words
can be found and read aloud, and without the figures' font (DejaVu Sans) the browser takes the next sans-serif
font of the figure's list (Verdana, Arial, Helvetica), no wider.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from simkz.report.formats import esc

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["svg_markup"]

_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'\b(xlink:href|href)="#([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")
_SIZE = re.compile(r'\s(width|height)="[^"]*"')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def svg_markup(fig: Figure, prefix: str, label: str, style: Mapping[str, Any] | None = None) -> str:
    """``fig`` as inline SVG: ids prefixed with ``prefix``, sized by its container, labelled ``label`` for screen
    readers; saved under the rcParams ``style`` (the figures' own). The figure is cleared afterwards."""
    import matplotlib

    buf = io.StringIO()
    params: Any = dict(style or {})  # rcParams: matplotlib types its keys as literals
    params.update({"svg.hashsalt": "simkz-report", "svg.fonttype": "none"})
    with matplotlib.rc_context(params):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    fig.clear()
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = _METADATA.sub("", text)
    text = _ID.sub(lambda m: _id(m.group(1), prefix), text)
    text = _HREF.sub(lambda m: f'{m.group(1)}="#{prefix}{m.group(2)}"', text)
    text = _URL.sub(lambda m: f"url(#{prefix}{m.group(1)})", text)
    head_end = text.index(">")
    head = _SIZE.sub("", text[:head_end])
    return f'{head} role="img" aria-label="{esc(label)}"{text[head_end:]}'.strip()


def _id(name: str, prefix: str) -> str:
    mark = f' data-element="{name}"' if name.startswith(("node:", "link:")) else ""
    return f'id="{prefix}{name}"{mark}'

"""Several runs side by side: their headline figures in one table, and the comparison figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simkz.plots.data import ResultsFolder
from simkz.report import figures
from simkz.report.formats import DASH, FORMATTERS, MINUS, esc
from simkz.report.headline import HEADLINES
from simkz.report.load import RunData
from simkz.report.tables import number_cell

__all__ = ["comparison_section"]

#: The rows of the table: title, key path in ``summary.json``, formatter.
_ROWS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Internet users", ("national", "internet_users_persons"), "persons"),
    *((h.title, ("national", h.key), h.kind) for h in HEADLINES),
    ("Mean connectivity index", ("national", "mean_connectivity_index_pct"), "pct"),
    ("Cost, lowest method", ("costs", "range", "low"), "usd"),
    ("Cost, highest method", ("costs", "range", "high"), "usd"),
)


def _get(summary: dict[str, Any], path: Sequence[str]) -> Any:
    node: Any = summary
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _difference(value: float, kind: str) -> str:
    """A difference of two figures: signed; percentages of the index in percentage points."""
    if kind == "pct":
        return f"{value:+.1f} points"
    text = FORMATTERS[kind](value)
    return "+" + text if value > 0 else text.replace("-", MINUS, 1)


def comparison_section(runs: Sequence[RunData], data: Sequence[ResultsFolder]) -> str:
    """The table of every run's headline figures (with ``second - first`` for two runs) and the comparison figure
    (``data``: the folders as the figures read them)."""
    two = len(runs) == 2
    head = "".join(f'<th scope="col" class="num">{esc(r.name)}</th>' for r in runs)
    if two:
        head += f'<th scope="col" class="num">difference (second {MINUS} first)</th>'
    body = []
    for title, path, kind in _ROWS:
        values = [_get(r.summary, path) for r in runs]
        cells = "".join(
            number_cell(path, v, kind).replace("<td ", f'<td data-run="{i}" ', 1) for i, v in enumerate(values, 1)
        )
        if two:
            a, b = values
            numbers = all(isinstance(v, int | float) for v in values)
            diff = _difference(b - a, kind) if numbers else DASH
            cells += f'<td class="num diff">{esc(diff)}</td>'
        body.append(f'<tr><th scope="row">{esc(title)}</th>{cells}</tr>')
    return (
        '<section id="comparison" aria-labelledby="comparison-title">'
        '<h2 id="comparison-title">The runs side by side</h2>'
        + "".join(
            f'<p><a href="#run-{i}">{esc(r.name)}</a>: {esc(r.scenario.get("description", ""))}</p>'
            for i, r in enumerate(runs, 1)
        )
        + '<div class="table-wrap"><table><caption>Headline figures of each run</caption>'
        f'<thead><tr><th scope="col">figure</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
        + figures.comparison_figure(data, "cmp-")
        + "</section>"
    )

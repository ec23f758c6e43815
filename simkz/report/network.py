"""The network drawing with its time slider: the drawing at one step, the steps as JSON, the controls and the
readout of the time and phases shown."""

from __future__ import annotations

from simkz.plots.data import ResultsFolder
from simkz.report import figures
from simkz.report.formats import attr, esc, json_script
from simkz.report.load import RunData
from simkz.report.timeline import slider_steps, steps_json, worst_step
from simkz.results.network import NetworkRecord

__all__ = ["network_section"]


def network_section(run: RunData, record: NetworkRecord | None, data: ResultsFolder, prefix: str) -> str:
    """The drawing of ``run``'s network at its worst step, with a slider over every step of its state log
    (``data``: the folder as the figures read it)."""
    if record is None:
        return (
            '<p class="note">This results folder has no network.json and network_states.csv (folders written by '
            "older versions of simkz lack them): no network drawing.</p>"
        )
    steps = slider_steps(record, str(run.scenario["start"]))
    shown = worst_step(steps)
    steps_data = steps_json(steps)
    labels = figures.state_labels()
    legend = "".join(
        f'<span><span class="swatch" style="background:{esc(c)}"></span>{esc(labels.get(s, s))}</span>'
        for s, c in figures.state_colours().items()
    )
    last = len(steps) - 1
    slider_id = f"{prefix}slider"
    return (
        f'<div class="network" data-network {attr("data-prefix", prefix)}><div class="panel">'
        f'<div class="controls"><label {attr("for", slider_id)}>Time</label>'
        '<button type="button" class="prev" aria-label="previous state">&#9664;</button>'
        f'<input type="range" {attr("id", slider_id)} min="0" max="{last}" step="1" value="{shown}">'
        '<button type="button" class="next" aria-label="next state">&#9654;</button>'
        f'<span class="note">{len(steps)} states: each time a node or link changed</span></div>'
        f'<p class="readout" aria-live="polite">Shown: <span class="step-time">{esc(steps_data["times"][shown])}'
        "</span></p></div>"
        f'<p>In force: <span class="step-phases">'
        f"{esc('; '.join(steps_data['phases'][shown]) or 'no action in force')}</span></p>"
        '<p>Not up: <span class="step-counts"></span></p>'
        f'<div class="legend">{legend}</div>'
        + figures.network_figure(data, steps[shown].elapsed_h, f"{prefix}network-")
        + json_script(steps_data, css="steps")
        + "</div>"
    )

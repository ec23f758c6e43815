"""The page's inline style sheet and script: nothing is loaded from anywhere else."""

from __future__ import annotations

__all__ = ["SCRIPT", "STYLE"]

#: Readable on a projector (large type, strong contrast); printed on white, without the slider's controls.
STYLE = """
:root { --ink: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8; --band: #f3f5f7; --accent: #0b5394; }
* { box-sizing: border-box; }
html { font-size: 18px; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font-family: "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
header.page, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 1.2rem; }
header.page { padding-top: 1.2rem; }
h1 { font-size: 2.1rem; margin: 0.4rem 0; }
h2 { font-size: 1.7rem; margin: 2.2rem 0 0.4rem; padding-top: 0.6rem; border-top: 4px solid var(--accent); }
h3 { font-size: 1.3rem; margin: 1.8rem 0 0.5rem; }
p { margin: 0.4rem 0; }
.lead { font-size: 1.15rem; }
.note, .source, .method, figcaption, .context { color: var(--muted); }
.source, .method, dd { font-size: 0.85rem; }
.sources { margin-top: 0.8rem; font-size: 0.8rem; color: var(--muted); overflow-wrap: anywhere; }
.sources ol { margin: 0.3rem 0; padding-left: 1.8rem; }
.sources .what { color: var(--ink); font-weight: 600; }
nav ul { margin: 0.3rem 0; padding-left: 1.2rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0.6rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; font-size: 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 0.8rem; }
.card, .cost { border: 1px solid var(--line); border-radius: 6px; padding: 0.7rem 0.9rem; background: var(--band); }
.card-title { font-weight: 600; margin: 0; }
.card-value, .cost-value { font-size: 2rem; font-weight: 700; margin: 0.2rem 0; color: var(--accent); }
.costs { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 0.8rem; }
.costs > p { grid-column: 1 / -1; }
.cost-method { font-weight: 600; }
.cost-method .key { font-weight: 400; color: var(--muted); font-size: 0.85rem; }
code { font-size: 0.8rem; white-space: pre-wrap; word-break: break-word; }
details summary { cursor: pointer; color: var(--accent); font-size: 0.9rem; }
dd { margin: 0 0 0.4rem 1rem; word-break: break-word; }
.table-wrap { overflow-x: auto; margin: 0.8rem 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
tbody tr:nth-child(even) { background: var(--band); }
th[scope=row], td.text { white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.na { color: var(--muted); }
span.inline { font-weight: 600; color: var(--ink); }
/* figures are drawn 1600 px wide: give them up to that, wider than the text, centred on it */
figure { margin: 1.4rem 0; width: min(1600px, calc(100vw - 2.4rem)); position: relative; left: 50%;
  transform: translateX(-50%); }
figcaption { max-width: 1160px; margin-left: auto; margin-right: auto; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 0.95rem; margin-top: 0.3rem; }
/* the slider and the time it shows stay in view while the drawing below is scrolled */
.panel { position: sticky; top: 0; z-index: 2; background: #fff; padding: 0.3rem 0;
  border-bottom: 1px solid var(--line); }
.readout { font-size: 1.15rem; margin: 0.3rem 0; }
.readout .step-time { font-weight: 700; }
.controls { display: flex; align-items: center; gap: 0.8rem; flex-wrap: wrap; margin: 0.3rem 0;
  padding: 0.6rem 0.8rem; border: 1px solid var(--line); border-radius: 6px; background: var(--band); }
.controls input[type=range] { flex: 1 1 320px; min-width: 200px; height: 2rem; }
.controls button { font-size: 1rem; padding: 0.3rem 0.8rem; }
.legend { display: flex; gap: 1rem; flex-wrap: wrap; font-size: 0.9rem; margin: 0.3rem 0; }
/* a link cut or throttled is drawn thick, so that one cable reads on a projector */
[data-element^="link:"][data-state="down"] path,
[data-element^="link:"][data-state="throttled"] path { stroke-width: 6px !important; stroke-opacity: 1 !important; }
.swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact;
  display: inline-block; width: 1rem; height: 1rem; border: 1px solid #555; vertical-align: middle;
  margin-right: 0.3rem; }
footer { margin-top: 3rem; padding-bottom: 2rem; color: var(--muted); font-size: 0.85rem;
  border-top: 1px solid var(--line); }
@media print {
  html { font-size: 12px; }
  body { background: #fff; color: #000; }
  .controls, nav { display: none; }
  .panel { position: static; border: none; }
  figure, table, .card, .cost, .cards, .readout { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  section.run { break-before: page; page-break-before: always; }
  .card, .cost, tbody tr:nth-child(even), .controls { background: #fff; }
  .table-wrap { overflow: visible; }
  figure { width: 100%; left: 0; transform: none; }
}
"""

#: The time slider: each network drawing's steps are in the JSON beside it; moving the slider recolours the
#: drawing's elements (ids ``<prefix>node:KEY`` and ``<prefix>link:KEY``, marked ``data-element``) by state.
SCRIPT = """
(function () {
  "use strict";
  var colours = JSON.parse(document.getElementById("simkz-state-colours").textContent);
  var shapes = "path, use, circle, rect, polygon, polyline, line, ellipse";
  function paint(el, colour) {
    var link = el.getAttribute("data-element").indexOf("link:") === 0;
    var targets = [el].concat(Array.prototype.slice.call(el.querySelectorAll(shapes)));
    targets.forEach(function (t) {
      if (link) { t.style.stroke = colour; } else { t.style.fill = colour; }
    });
  }
  function counts(states) {
    var tally = {};
    Object.keys(states).forEach(function (key) {
      var name = (key.indexOf("link:") === 0 ? "link" : "node") + "\t" + states[key];
      tally[name] = (tally[name] || 0) + 1;
    });
    var parts = Object.keys(tally).sort().map(function (k) {
      var kind = k.split("\t");
      return tally[k] + " " + kind[0] + (tally[k] === 1 ? " " : "s ") + kind[1];
    });
    return parts.length ? parts.join(", ") : "every node and link up";
  }
  document.querySelectorAll("[data-network]").forEach(function (box) {
    var data = JSON.parse(box.querySelector("script.steps").textContent);
    var elements = box.querySelectorAll("[data-element]");
    var slider = box.querySelector("input[type=range]");
    var time = box.querySelector(".step-time");
    var phases = box.querySelector(".step-phases");
    var tally = box.querySelector(".step-counts");
    function show(i) {
      var states = data.states[i];
      elements.forEach(function (el) {
        var state = states[el.getAttribute("data-element")] || "up";
        el.setAttribute("data-state", state);
        paint(el, colours[state] || colours.up);
      });
      time.textContent = data.times[i];
      phases.textContent = data.phases[i].length ? data.phases[i].join("; ") : "no action in force";
      tally.textContent = counts(states);
    }
    function step(by) {
      var i = Math.min(Math.max(Number(slider.value) + by, 0), data.times.length - 1);
      slider.value = String(i);
      show(i);
    }
    slider.addEventListener("input", function () { show(Number(slider.value)); });
    box.querySelector("button.prev").addEventListener("click", function () { step(-1); });
    box.querySelector("button.next").addEventListener("click", function () { step(1); });
    show(Number(slider.value));
  });
})();
"""

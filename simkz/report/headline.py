"""The headline figures of a run, each with one line on how it is measured, and its costs by method with
their sources (all from ``summary.json`` and ``columns.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simkz.report.formats import esc
from simkz.report.load import RunData
from simkz.report.tables import number_cell

__all__ = ["HEADLINES", "Headline", "costs_section", "headline_section"]


@dataclass(frozen=True)
class Headline:
    """A national figure: its title, its key in ``summary.json``'s ``national`` block, its formatter, how it is
    taken from the time series (``how``) and the column whose meaning ``columns.json`` gives."""

    title: str
    key: str
    kind: str
    how: str
    column: str


HEADLINES = (
    Headline(
        "Lowest connectivity index",
        "min_connectivity_index_pct",
        "pct",
        "The lowest value over the run of the connectivity index",
        "connectivity_index_pct",
    ),
    Headline(
        "Most people affected at once",
        "peak_affected_persons",
        "persons",
        "The most, at any one time, of the people affected",
        "affected_persons",
    ),
    Headline(
        "Most people cut off entirely",
        "peak_cut_off_persons",
        "persons",
        "The most, at any one time, of the people cut off",
        "cut_off_persons",
    ),
    Headline(
        "Most people cut off from abroad",
        "peak_cut_off_abroad_persons",
        "persons",
        "The most, at any one time, of the people cut off from abroad",
        "cut_off_abroad_persons",
    ),
    Headline(
        "User-hours lost",
        "user_hours_lost",
        "user_hours",
        "Summed over the run's hours, the user equivalents lost",
        "user_equivalents_lost_persons",
    ),
)


def headline_section(run: RunData) -> str:
    """The headline cards of ``run``: value, and one line on its method from the folder's column meanings."""
    national = run.summary["national"]
    users = national.get("internet_users_persons")
    cards = []
    for h in HEADLINES:
        meaning = run.columns.get(h.column, "")
        method = f"{h.how}: {meaning[0].lower()}{meaning[1:]}" if meaning else f"{h.how}."
        cards.append(
            '<div class="card">'
            f'<p class="card-title">{esc(h.title)}</p>'
            + number_cell(("national", h.key), national.get(h.key), h.kind, tag="p", css="card-value")
            + f'<p class="method">{esc(method)}</p></div>'
        )
    context = ""
    if isinstance(users, int | float):
        context = (
            '<p class="context">Out of '
            + number_cell(("national", "internet_users_persons"), users, "persons", tag="span", css="inline")
            + " internet users.</p>"
        )
    return f'<div class="cards">{"".join(cards)}</div>{context}'


def costs_section(costs: Mapping[str, Any] | None, prefix: str) -> str:
    """The costs by method: each one's figure and how it is computed, then their sources (each text once, with
    what it is the source of), then the methods left out and why. ``prefix`` makes the sources' ids unique."""
    if not costs:
        return '<p class="note">No cost parameters for this topology: no cost is estimated.</p>'
    methods: Mapping[str, Any] = costs.get("methods") or {}
    sources: dict[str, dict[str, list[str]]] = {}  # text -> what it is the source of -> methods
    for key, entry in methods.items():
        for name, text in (entry.get("sources") or {}).items():
            sources.setdefault(str(text), {}).setdefault("the method" if name == "method" else name, []).append(key)
    numbers = {text: n for n, text in enumerate(sources, 1)}
    rng = costs.get("range") or {}
    parts = [
        '<p class="context">What the lost connectivity cost, by method: from '
        + number_cell(("costs", "range", "low"), rng.get("low"), "usd", tag="span", css="inline")
        + " to "
        + number_cell(("costs", "range", "high"), rng.get("high"), "usd", tag="span", css="inline")
        + ". Each method gives its own figure; none of them is &ldquo;the&rdquo; cost.</p>"
    ]
    parts.extend(_cost(key, entry, numbers, prefix) for key, entry in methods.items())
    for key, reason in (costs.get("dropped") or {}).items():
        first = str(reason).split(". ")[0]
        parts.append(f'<p class="note">Not estimated: <b>{esc(key)}</b>. {esc(first)}.</p>')
    items = "".join(
        f'<li id="{prefix}source-{numbers[text]}"><span class="what">{esc(_what(what))}:</span> {esc(text)}</li>'
        for text, what in sources.items()
    )
    listing = f'<div class="sources"><p class="card-title">Sources of the costs</p><ol>{items}</ol></div>'
    return f'<div class="costs">{"".join(parts)}</div>' + (listing if items else "")


def _what(uses: Mapping[str, list[str]]) -> str:
    """What a source text is the source of: ``daily_gdp_usd (netblocks-cost, deloitte); ...``."""
    return "; ".join(f"{name} ({', '.join(keys)})" for name, keys in uses.items())


def _cost(key: str, entry: Mapping[str, Any], numbers: Mapping[str, int], prefix: str) -> str:
    per_point = entry.get("per_point_of_share")
    rescale = ""
    if isinstance(per_point, int | float):
        rescale = (
            '<p class="method">Per percentage point of the internet economy&rsquo;s share of GDP: '
            + number_cell(("costs", "methods", key, "per_point_of_share"), per_point, "usd", tag="span", css="inline")
            + ".</p>"
        )
    refs = sorted({numbers[str(t)] for t in (entry.get("sources") or {}).values()})
    links = ", ".join(f'<a href="#{prefix}source-{n}">{n}</a>' for n in refs)
    return (
        '<div class="cost">'
        + number_cell(("costs", "methods", key, "value"), entry.get("value"), "usd", tag="p", css="cost-value")
        + f'<p class="cost-method">{esc(entry.get("method", key))} <span class="key">({esc(key)})</span></p>'
        + f'<p class="method">How: <code>{esc(entry.get("formula", ""))}</code></p>'
        + rescale
        + (f'<p class="method">Sources: {links}</p>' if links else "")
        + "</div>"
    )

"""The whole page: one self-contained HTML document from one or more results folders."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from simkz._version import __version__
from simkz.plots.data import ResultsFolder, load_results
from simkz.report import figures
from simkz.report.assets import SCRIPT, STYLE
from simkz.report.compare import comparison_section
from simkz.report.formats import attr, esc, fmt_hours, json_script, local_time, utc_offset
from simkz.report.headline import costs_section, headline_section
from simkz.report.load import RunData, load_run
from simkz.report.network import network_section
from simkz.report.tables import region_table, service_table, technology_table
from simkz.results.network import Phase

__all__ = ["build_report"]


def build_report(folders: Sequence[Path | str], *, title: str | None = None) -> str:
    """The report on the results folders ``folders`` (one or more), as HTML text: deterministic, self-contained
    (inline style, script and SVG figures; nothing is fetched). Raises :class:`~simkz.errors.InputError` for a
    folder that is not the results folder of one run."""
    runs = [load_run(f) for f in folders]
    data = [load_results(r.folder) for r in runs]  # tables and network, read once for every figure
    title = title or _default_title(runs)
    body = [comparison_section(runs, data)] if len(runs) > 1 else []
    body.extend(_run_section(i, run, d) for i, (run, d) in enumerate(zip(runs, data, strict=True), 1))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{_meta('generator', f'simkz {__version__}')}\n<title>{esc(title)}</title>\n<style>{STYLE}</style>\n"
        f"</head>\n<body>\n{_header(title, runs)}\n<main>\n"
        + "\n".join(body)
        + f"\n</main>\n{_footer(runs)}\n"
        + json_script(figures.state_colours(), ident="simkz-state-colours")
        + f"\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _meta(name: str, content: str) -> str:
    return f"<meta {attr('name', name)} {attr('content', content)}>"


def _default_title(runs: list[RunData]) -> str:
    if len(runs) == 1:
        return f"{runs[0].name}: what happened, and who lost what"
    names = [r.name for r in runs]
    if len(names) == 2:
        return f"{names[0]} compared with {names[1]}"
    return f"{', '.join(names[:-1])} and {names[-1]}, compared"


def _header(title: str, runs: list[RunData]) -> str:
    items = [
        f'<li><a href="#run-{i}">{esc(r.name)}</a>: {esc(r.scenario.get("description", ""))}</li>'
        for i, r in enumerate(runs, 1)
    ]
    if len(runs) > 1:
        items.insert(0, '<li><a href="#comparison">The runs side by side</a></li>')
    return (
        f'<header class="page"><h1>{esc(title)}</h1>'
        '<p class="lead">A simulation with simkz of what happens to a country&rsquo;s internet when its '
        "connections abroad are shut, filtered or cut: who loses what, when, and for how long. Every figure, "
        "table and number below comes from the simulation&rsquo;s results; each headline figure says how it is "
        "measured, and each cost its method and sources.</p>"
        f'<nav aria-label="contents"><ul>{"".join(items)}</ul></nav></header>'
    )


def _facts(run: RunData) -> str:
    sc = run.scenario
    rows = [
        ("topology", sc.get("topology", "")),
        ("from", local_time(str(sc["start"])) if sc.get("start") else ""),
        ("to", local_time(str(sc["end"])) if sc.get("end") else ""),
        ("length", fmt_hours(sc["duration_h"]) if isinstance(sc.get("duration_h"), int | float) else ""),
        ("time step", sc.get("step", "")),
        ("seed", sc.get("seed", "")),
        ("simkz version", run.manifest.get("simkz_version", "")),
        ("results folder", run.folder.name),
    ]
    return '<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows if v != "") + "</dl>"


def _phases(phases: Sequence[Phase] | None) -> str:
    if phases is None:
        return '<p class="note">This results folder has no phases.csv (folders of older versions lack it).</p>'
    if not phases:
        return '<p class="note">No action was in force during the run: the network ran as on an ordinary day.</p>'
    zone = utc_offset(phases[0].start.isoformat())
    rows = "".join(
        f'<tr><th scope="row">{esc(p.label)}</th><td>{esc(p.kind)}</td>'
        f"<td>{esc(local_time(p.start.isoformat(), short=True))}</td>"
        f"<td>{esc(local_time(p.end.isoformat(), short=True))}</td>"
        f'<td class="num">{esc(fmt_hours(p.end_elapsed_h - p.start_elapsed_h))}</td></tr>'
        for p in phases
    )
    return (
        '<div class="table-wrap"><table><caption>The phases: each action of the scenario while it was in force '
        f"(daily windows one row each; times {esc(zone)})</caption><thead><tr>"
        '<th scope="col">phase</th><th scope="col">kind</th><th scope="col">start</th><th scope="col">end</th>'
        f'<th scope="col" class="num">length</th></tr></thead><tbody>{rows}</tbody></table></div>'
    )


def _run_section(index: int, run: RunData, data: ResultsFolder) -> str:
    record = data.result.network
    names = {k: r.name for k, r in record.network.regions.items()} if record is not None else {}
    prefix = f"r{index}-"
    parts = [
        f'<section class="run" id="run-{index}" aria-labelledby="run-{index}-title">',
        f'<h2 id="run-{index}-title">{esc(run.name)}</h2>',
        f'<p class="lead">{esc(run.scenario.get("description", ""))}</p>',
        _facts(run),
        "<h3>Headline figures</h3>",
        headline_section(run),
        "<h3>What it cost</h3>",
        costs_section(run.summary.get("costs"), prefix),
        "<h3>Phases</h3>",
        _phases(record.phases if record is not None else None),
        "<h3>Figures</h3>",
        *figures.run_figures(data, prefix),
        "<h3>The network, step by step</h3>",
        network_section(run, record, data, prefix),
        "<h3>Tables</h3>",
        region_table(run.summary, names),
        technology_table(run.summary),
        service_table(run.summary),
        "</section>",
    ]
    return "\n".join(parts)


def _footer(runs: list[RunData]) -> str:
    folders = ", ".join(r.folder.name for r in runs)
    return (
        f"<footer><p>Made by simkz {esc(__version__)} (<code>simkz report</code>) from the results folder(s) "
        f"{esc(folders)}. The page is self-contained: it loads nothing from the network. Sources are given as "
        "text, to be looked up.</p></footer>"
    )

"""``simkz analyze TOPOLOGY [TOPOLOGY ...]``: structural centralisation analysis, printed and optionally written."""

from __future__ import annotations

import time
from pathlib import Path

import click

from simkz.analysis.structure import AnalysisOptions, analyze_structure
from simkz.analysis.structure.pairs import DEFAULT_PAIRS_SAMPLE, EXACT_PAIRS_MAX_ELEMENTS
from simkz.analysis.structure.report import comparison_lines, report_lines
from simkz.analysis.structure.save import check_analysis_output, folder_names, save_analyses
from simkz.cli.errors import debug_option, reports_errors
from simkz.errors import InputError
from simkz.resources import find_topology
from simkz.topology.load import load_topology

__all__ = ["analyze"]


@click.command()
@click.argument("topologies", nargs=-1, required=True, metavar="TOPOLOGY [TOPOLOGY_B ...]")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the tables (CSV), analysis.json and the figure into this folder [default: print only].",
)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Rows of the printed tables.")
@click.option(
    "--pairs-sample",
    "pairs_sample",
    type=click.IntRange(min=1),
    default=DEFAULT_PAIRS_SAMPLE,
    show_default=True,
    help=f"Pairs of failures drawn uniformly when a topology has more than {EXACT_PAIRS_MAX_ELEMENTS:,} nodes and "
    "links (up to that, every pair is evaluated exactly). Under routing: valley-free, drawn among the pairs of "
    "elements on users' valley-free paths (the others are counted exactly).",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the sample of pairs.")
@debug_option
@reports_errors
def analyze(topologies: tuple[str, ...], out: Path | None, top: int, pairs_sample: int, seed: int, debug: bool) -> None:
    """Find single points of failure (exact), pairs of failures, minimum cuts to abroad, what one order of each
    controller can cut off or filter, the concentration of international capacity (HHI) and user-weighted
    chokepoints of TOPOLOGY (a file, or a shipped name such as kz-2022). Given several, prints and writes them
    side by side. Cut-offs follow valley-free paths for a topology with routing: valley-free."""
    loaded = [load_topology(_resolve(ref)) for ref in topologies]
    if len(loaded) > 1:
        folder_names(loaded)  # distinct names, before any work
    folder = check_analysis_output(out) if out is not None else None
    start = time.perf_counter()
    options = AnalysisOptions(pairs_sample=pairs_sample, seed=seed)
    analyses = [analyze_structure(t, options) for t in loaded]
    wall = time.perf_counter() - start
    for a in analyses:
        click.echo("\n".join(report_lines(a, top)))
        click.echo("")
    if len(analyses) > 1:
        click.echo("Side by side:")
        click.echo("\n".join(comparison_lines(analyses)))
    if folder is not None:
        command = ["simkz", "analyze", *topologies, "--out", str(out), "--top", str(top)]
        command += ["--pairs-sample", str(pairs_sample), "--seed", str(seed)]
        save_analyses(folder, analyses, top=top, command=command, wall_time_s=wall)
        click.echo(f"results: {folder}")


def _resolve(ref: str) -> Path:
    path = find_topology(ref)
    if path is None:
        raise InputError(
            ref, (), "topology not found", allowed="a topology file path, or a shipped name (see `simkz list`)"
        )
    return path

"""``simkz compare A B``: a paired comparison of two scenarios (or results folders) on common random numbers."""

from __future__ import annotations

import os
from pathlib import Path

import click

from simkz.cli.errors import debug_option, reports_errors
from simkz.cli.summary import format_figure
from simkz.results.paths import check_name, check_target
from simkz.sweep.bands import DEFAULT_QUANTILES, parse_quantiles, quantile_columns
from simkz.sweep.paired import Comparison, paired_compare, resolve_side
from simkz.sweep.plan import MAX_RUNS

__all__ = ["compare"]

#: Where the comparison goes when not given --out.
RESULTS_ROOT = Path("results")


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


@click.command()
@click.argument("a")
@click.argument("b")
@click.option(
    "--replications",
    type=click.IntRange(min=1, max=MAX_RUNS),
    help="Runs of each scenario, replication i of both from SeedSequence(seed).spawn(N)[i] [default: 1, or the "
    "folders' number].",
)
@click.option("--seed", type=click.IntRange(min=0), help="Root seed of both sides [default: A's].")
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=4096),
    help="Local worker processes [default: the number of cores]; 1 runs in this process.",
)
@click.option("--scheduler", metavar="ADDRESS", help="Run on this Dask cluster instead of local processes.")
@click.option("--quantiles", metavar="P,P,...", help="Quantiles of the bands, in percent [default: 5,50,95].")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Results folder [default: results/compare-<A name>-vs-<B name>].",
)
@click.option("--force", is_flag=True, help="Replace the results folder even if simkz did not write it.")
@click.option("--quiet", is_flag=True, help="Print only the results folder.")
@debug_option
@reports_errors
def compare(
    a: str,
    b: str,
    replications: int | None,
    seed: int | None,
    workers: int | None,
    scheduler: str | None,
    quantiles: str | None,
    out: Path | None,
    force: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Compare B with A, replication by replication on common random numbers: each a scenario (file or shipped
    name) or a results folder of `simkz run`; prints each national figure of A, of B and of B - A as mean [band]."""
    qs = parse_quantiles(quantiles) if quantiles is not None else DEFAULT_QUANTILES
    side_a, side_b = resolve_side(a), resolve_side(b)
    if out is not None:
        folder, root = check_target(out), None
    else:
        name = f"compare-{side_a.name}-vs-{side_b.name}"
        folder, root = RESULTS_ROOT / check_name(name), RESULTS_ROOT
    result = paired_compare(
        side_a,
        side_b,
        folder,
        root=root,
        seed=seed,
        replications=replications,
        quantiles=qs,
        force=force,
        workers=workers or _cores(),
        scheduler=scheduler,
    )
    if quiet:
        click.echo(str(result.folder))
        return
    _print_table(result)
    click.echo(f"results: {result.folder}")


def _print_table(result: Comparison) -> None:
    lo, hi = quantile_columns((result.quantiles[0], result.quantiles[-1]))
    seeds = (
        f"seed {result.seed}" if result.a.single else f"seeds SeedSequence({result.seed}).spawn({result.replications})"
    )
    click.echo(f"A: {result.a.name} ({result.a.ref})")
    click.echo(f"B: {result.b.name} ({result.b.ref})")
    click.echo(f"  {result.replications} paired replications, {seeds}; figures as mean [{lo}, {hi}]")
    header = ["metric", f"A mean [{lo}, {hi}]", f"B mean [{lo}, {hi}]", f"B - A mean [{lo}, {hi}]"]
    rows = [header]
    for k, name in enumerate(result.metrics):
        if name.startswith("national."):
            rows.append([name.removeprefix("national."), *(_band(result, s, k) for s in ("a", "b", "difference"))])
    widths = [max(len(row[c]) for row in rows) for c in range(len(header))]
    for i, row in enumerate(rows):
        click.echo("  " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            click.echo("  " + "-+-".join("-" * w for w in widths))


def _band(result: Comparison, side: str, k: int) -> str:
    qs = result.bands[side]
    return f"{format_figure(result.mean[side][k])} [{format_figure(qs[0, k])}, {format_figure(qs[-1, k])}]"

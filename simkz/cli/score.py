"""``simkz score``: compare a run with what public monitors measured."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simkz.analysis.observations import load_observations
from simkz.analysis.score import Score, format_score, load_run, score_run
from simkz.cli.errors import debug_option, reports_errors
from simkz.results.run import dump_json, write_text_atomic

__all__ = ["score", "write_score"]

EXIT_EXCEEDED = 1


def write_score(score: Score, path: Path) -> None:
    """Write ``score`` as JSON to ``path`` atomically (a temporary file in the same folder, then a rename)."""
    write_text_atomic(path, dump_json(score.to_dict()))


@click.command()
@click.argument("result_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--observed",
    "observed",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Observations file (YAML) to score the run against.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the score as JSON here.")
@debug_option
@reports_errors
def score(result_dir: Path, observed: Path, out: Path | None, debug: bool) -> None:
    """Score RESULT_DIR against measured signals: exit 0 when every tolerance holds, 1 when any is exceeded,
    2 on bad input."""
    obs = load_observations(observed)
    result = score_run(load_run(result_dir, obs), obs)
    click.echo(format_score(result))
    if out is not None:
        write_score(result, out)
        click.echo(f"wrote {out}")
    if not result.passed:
        sys.exit(EXIT_EXCEEDED)

"""``simkz check`` and ``simkz baseline update``: regression testing of simulation outputs."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import click

from simkz.cli.errors import debug_option, reports_errors
from simkz.engine.simulation import Simulation
from simkz.errors import InputError
from simkz.resources import require_scenario
from simkz.results.compare import compare_folders, format_mismatches, load_tolerances
from simkz.results.paths import output_folder
from simkz.results.run import TABLES, check_output
from simkz.scenario.load import load_scenario

__all__ = ["baseline", "check", "table_names", "update_baselines"]

EXIT_MISMATCH = 1


@click.command()
@click.argument("result_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--baseline",
    "baseline_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Baseline folder to compare with.",
)
@click.option("--rtol", type=float, metavar="R", help="Relative tolerance, 0 or more [default: 1e-9, or the file's].")
@click.option("--atol", type=float, metavar="A", help="Absolute tolerance, 0 or more [default: 1e-9, or the file's].")
@click.option(
    "--tolerances",
    "tolerance_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file of per-metric tolerances.",
)
@click.option(
    "--max-rows", default=60, show_default=True, type=click.IntRange(min=0), help="Rows of the table to print (0: all)."
)
@debug_option
@reports_errors
def check(
    result_dir: Path,
    baseline_dir: Path,
    rtol: float | None,
    atol: float | None,
    tolerance_file: Path | None,
    max_rows: int,
    debug: bool,
) -> None:
    """Compare RESULT_DIR with a baseline: exit 0 within tolerance, 1 on a mismatch (with a table), 2 on bad input.

    A number matches when |new - baseline| <= atol + rtol * |baseline|; NaN matches only NaN. A malformed
    folder (a missing file, a table or JSON that does not parse) is bad input: one line naming the file.
    """
    tolerances = load_tolerances(tolerance_file, rtol, atol)
    mismatches = compare_folders(result_dir, baseline_dir, tolerances)
    if not mismatches:
        click.echo(f"ok: {result_dir} matches {baseline_dir}")
        return
    click.echo(f"{len(mismatches)} metric(s) of {result_dir} differ from {baseline_dir}:")
    click.echo(format_mismatches(mismatches, max_rows))
    sys.exit(EXIT_MISMATCH)


@click.group()
def baseline() -> None:
    """Manage baseline folders for `simkz check`."""


def _digest(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def update_baselines(
    scenarios: tuple[str, ...], directory: Path, tables: tuple[str, ...]
) -> list[tuple[Path, list[str]]]:
    """Run each scenario and write its baseline folder; return each folder with the files that changed."""
    loaded = []
    for ref in scenarios:  # check every input and every folder before writing anything
        scenario = load_scenario(require_scenario(ref))
        folder = check_output(output_folder(directory, scenario.name, file=scenario.path), root=directory)
        loaded.append((scenario, folder))
    out = []
    for scenario, folder in loaded:
        before = _digest(folder)
        Simulation(scenario).run().result.save(folder, tables=tables, provenance=False, root=directory)
        after = _digest(folder)
        changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
        out.append((folder, changed))
    return out


def table_names(text: str) -> tuple[str, ...]:
    if text.strip() == "all":
        return TABLES
    names = tuple(t.strip() for t in text.split(",") if t.strip())
    for name in names:
        if name not in TABLES:
            raise InputError(None, ("--tables",), "unknown table", value=name, allowed=[*TABLES, "all"])
    return names


@baseline.command()
@click.argument("scenarios", nargs=-1, required=True)
@click.option(
    "--dir",
    "directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the baselines live; each scenario gets DIR/<scenario name>/.",
)
@click.option(
    "--tables",
    default="all",
    show_default=True,
    help="Time series to keep, comma-separated (national, by_region, by_operator, by_technology, by_service) or all.",
)
@debug_option
@reports_errors
def update(scenarios: tuple[str, ...], directory: Path, tables: str, debug: bool) -> None:
    """Run SCENARIOS and (re)write their baselines under DIR; `git diff DIR` then shows what moved."""
    for folder, changed in update_baselines(scenarios, directory, table_names(tables)):
        click.echo(f"{folder}: " + (", ".join(changed) + " changed" if changed else "unchanged"))

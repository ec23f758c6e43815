"""``simkz``: run, validate, list and describe shutdown scenarios."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from simkz._version import __version__
from simkz.analysis.observations import observations_json_schema
from simkz.cli.analyze import analyze
from simkz.cli.build import build
from simkz.cli.compare import compare
from simkz.cli.errors import debug_option, reports_errors
from simkz.cli.plot import plot
from simkz.cli.regression import baseline, check, table_names
from simkz.cli.report import report
from simkz.cli.score import score
from simkz.cli.summary import print_summary
from simkz.cli.sweep import many_run_options, note_sweep_block, run_replications_from, single_run_checks, sweep
from simkz.engine.simulation import Simulation
from simkz.errors import InputError
from simkz.impact.tables import with_output_step
from simkz.inputs import json_schema, read_document
from simkz.plots import figure_writer
from simkz.resources import DEFAULT_SCENARIO, require_scenario, shipped_dir
from simkz.results.paths import output_folder
from simkz.results.run import TABLES, check_output
from simkz.scenario.load import load_scenario
from simkz.scenario.parameters import PARAMETERS
from simkz.scenario.schema import scenario_json_schema
from simkz.sweep.plan import MAX_RUNS, file_axes, validate_points
from simkz.topology.costs import load_cost_spec
from simkz.topology.load import load_topology
from simkz.topology.schema import TopologyFile

__all__ = ["RESULTS_ROOT", "cli", "main"]

#: Where `simkz run` writes `<scenario name>/` when not given --out.
RESULTS_ROOT = Path("results")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="simkz")
@debug_option
def cli(debug: bool) -> None:
    """Simulate internet shutdown scenarios on a network model.

    Start with `simkz run` (the January 2022 reconstruction), `simkz list` for
    the shipped scenarios, and `simkz run --help`.
    """


@cli.command()
@click.argument("scenario", required=False, default=DEFAULT_SCENARIO)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Results folder [default: results/<scenario name>].",
)
@click.option(
    "--seed", type=click.IntRange(min=0), help="Seed of the run's random generator [default: the scenario's]."
)
@click.option(
    "--figures", default="png", show_default=True, help="Figure formats, comma-separated (png, svg), or 'none'."
)
@click.option("--quiet", is_flag=True, help="Print only the results folder.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace the results folder even if simkz did not write it (its files are lost) [default: refuse].",
)
@click.option(
    "--tables",
    default="all",
    show_default=True,
    help="Time series tables to write, comma-separated (national, by_region, by_operator, by_technology, "
    "by_region_technology, by_service) or all. phases.csv, network.json and network_states.csv are always written.",
)
@click.option(
    "--output-step",
    "output_step",
    metavar="DURATION",
    help="Sample the tables every DURATION (e.g. 1h), a multiple of the scenario's step [default: the step]; "
    "the summary's figures stay exact.",
)
@click.option(
    "--replications",
    type=click.IntRange(min=1, max=MAX_RUNS),
    help="Run N times (seeds from SeedSequence(seed).spawn(N)) and write every run's summary and the bands "
    "(mean and quantiles) of every figure and time series; no figures.",
)
@many_run_options
@debug_option
@reports_errors
def run(
    scenario: str,
    out: Path | None,
    seed: int | None,
    figures: str,
    quiet: bool,
    force: bool,
    tables: str,
    output_step: str | None,
    replications: int | None,
    workers: int | None,
    scheduler: str | None,
    quantiles: str | None,
    resume: bool,
    debug: bool,
) -> None:
    """Run SCENARIO (a file, or a shipped name; default kz-jan-2022) and write its results folder."""
    if replications is not None:
        run_replications_from(click.get_current_context().params)
        return
    single_run_checks(workers, scheduler, quantiles, resume)
    _single_run(
        scenario, out=out, seed=seed, figures=figures, quiet=quiet, force=force, tables=tables, output_step=output_step
    )


def _single_run(
    scenario: str,
    *,
    out: Path | None,
    seed: int | None,
    figures: str,
    quiet: bool,
    force: bool,
    tables: str,
    output_step: str | None,
) -> None:
    """One run of SCENARIO into its results folder, and its printed summary."""
    formats = _figure_formats(figures)
    names = table_names(tables)
    loaded = load_scenario(require_scenario(scenario))
    note_sweep_block(loaded)
    loaded = with_output_step(loaded, output_step)
    root = None if out is not None else RESULTS_ROOT
    folder = out if out is not None else output_folder(RESULTS_ROOT, loaded.name, file=loaded.path)
    check_output(folder, root=root, force=force)  # refuse before running, not after
    sim = Simulation(loaded, seed=seed).run()
    result = sim.result
    chosen = None if names == TABLES else tables
    result.manifest["command"] = _command_line(scenario, seed=seed, out=out, tables=chosen, output_step=output_step)
    result.manifest["wall_time_s"] = round(sim.wall_time_s, 4)
    writers = [figure_writer(formats)(result)] if formats else []
    result.save(folder, extras=writers, tables=names, root=root, force=force)
    if quiet:
        click.echo(str(folder))
    else:
        print_summary(result, folder)


def _command_line(scenario: str, **options: object) -> list[str]:
    """The command as given, for the manifest: the subcommand, the scenario and each option that has a value."""
    given = [arg for name, value in options.items() if value is not None for arg in (_flag(name), str(value))]
    return ["simkz", *click.get_current_context().command_path.split()[1:], scenario, *given]


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _figure_formats(text: str) -> tuple[str, ...]:
    if text.strip().lower() in ("", "none"):
        return ()
    formats = tuple(f.strip().lower() for f in text.split(","))
    for f in formats:
        if f not in ("png", "svg"):
            raise InputError(None, ("--figures",), "unknown figure format", value=f, allowed="png, svg, none")
    return formats


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@debug_option
@reports_errors
def validate(files: tuple[Path, ...], debug: bool) -> None:
    """Check scenario and topology FILES; print one line per problem, exit 2 if any is bad."""
    failed = False
    for path in files:
        try:
            kind, warnings = _validate_one(path)
        except InputError as exc:
            if debug:
                raise
            click.echo(f"simkz: error: {exc}", err=True)
            failed = True
            continue
        click.echo(f"ok: {path} ({kind})")
        for w in warnings:
            click.echo(f"  {w}")
    if failed:
        sys.exit(2)


def _validate_one(path: Path) -> tuple[str, tuple[str, ...]]:
    """Check one file (read once: its kind is told from its keys); return its kind and warnings."""
    doc = read_document(path)
    if "nodes" in doc.data or "links" in doc.data:
        topo = load_topology(path, document=doc)
        return "topology", topo.warnings
    if "gdp_per_year" in doc.data:
        load_cost_spec(path, document=doc)
        return "costs", doc.warnings
    scenario = load_scenario(path, document=doc)
    if scenario.spec.sweep:  # every point of the file's sweep must load as `simkz sweep` would run it
        validate_points(path, file_axes(scenario))
    return "scenario", scenario.warnings


@cli.command(name="list")
@debug_option
@reports_errors
def list_(debug: bool) -> None:
    """Show the shipped scenarios and topologies with their descriptions."""
    for kind in ("scenarios", "topologies"):
        click.echo(f"{kind}:")
        for path in sorted(shipped_dir(kind).glob("*.yaml")):
            try:
                description = str(read_document(path).data.get("description", ""))
            except InputError as exc:
                description = f"(unreadable: {exc})"
            marker = " (default)" if kind == "scenarios" and path.stem == DEFAULT_SCENARIO else ""
            click.echo(f"  {path.stem:<32} {description}{marker}")


@cli.command()
@click.option(
    "--kind", type=click.Choice(["scenario", "topology", "observations"]), default="scenario", show_default=True
)
@debug_option
@reports_errors
def schema(kind: str, debug: bool) -> None:
    """Print the JSON Schema of scenario (or topology, or observations) files."""
    schemas = {
        "scenario": scenario_json_schema,
        "topology": lambda: json_schema(TopologyFile, "simkz topology"),
        "observations": observations_json_schema,
    }
    data = schemas[kind]()
    click.echo(json.dumps(data, indent=2))


@cli.command()
@debug_option
@reports_errors
def parameters(debug: bool) -> None:
    """List the model parameters a scenario can set, with unit, default and source."""
    for p in PARAMETERS.values():
        click.echo(f"{p.name}  [{p.unit}]  default {p.default:g}  range {p.low:g}..{p.high:g}")
        click.echo(f"    {p.description}")
        # each source text carries its own label (`source:` or `assumption:`); add one only where it lacks it
        label = "" if p.source.startswith(("source:", "assumption:")) else "source: "
        click.echo(f"    {label}{p.source}")


cli.add_command(check)
cli.add_command(baseline)
cli.add_command(score)
cli.add_command(sweep)
cli.add_command(compare)
cli.add_command(build)
cli.add_command(analyze)
cli.add_command(plot)
cli.add_command(report)


def main() -> None:
    """Entry point of the ``simkz`` console script."""
    cli(prog_name="simkz")

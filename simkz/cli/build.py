"""``simkz build``: make topology files from their inputs.

* ``simkz build kz-2022 [--out FILE] [--check]``: the shipped Kazakhstan topology from its sourced inputs.
* ``simkz build as-level --relationships FILE --users FILE --country CC [-o OUT.json]``: an AS-level topology
  of one country from a CAIDA AS-relationship file and an APNIC-layout users table
  (:mod:`simkz.topology.aslevel`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import yaml

from simkz.cli.errors import debug_option, reports_errors
from simkz.errors import InputError
from simkz.inputs import validate_model
from simkz.resources import shipped_dir
from simkz.results.run import write_text_atomic
from simkz.topology.aslevel.apnic import read_users
from simkz.topology.aslevel.build import ASLevel, ASLevelOptions, build_as_level, render_json
from simkz.topology.aslevel.caida import read_relationships
from simkz.topology.checks import raise_errors, run_checks
from simkz.topology.kz import build_kz, render_topology
from simkz.topology.schema import TopologyFile
from simkz.yamlio import MAX_FILE_BYTES

__all__ = ["build"]

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.group()
def build() -> None:
    """Build a topology file: kz-2022 from its sourced inputs, or an AS-level topology of one country."""


@build.command(name="kz-2022")
@click.option("--out", type=_FILE, help="Where to write [default: the shipped topology].")
@click.option("--check", is_flag=True, help="Do not write; exit 1 if the file differs from what the inputs give.")
@debug_option
@reports_errors
def kz_2022(out: Path | None, check: bool, debug: bool) -> None:
    """Build topology kz-2022 from its sourced inputs (topologies/inputs/kz-2022.yaml)."""
    name = "kz-2022"
    inputs = shipped_dir("topologies") / "inputs" / f"{name}.yaml"
    target = out if out is not None else shipped_dir("topologies") / f"{name}.yaml"
    text = render_topology(build_kz(inputs), inputs.name)
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            click.echo(f"{target} is out of date: run `simkz build {name}`", err=True)
            sys.exit(1)
        click.echo(f"ok: {target} is what {inputs.name} gives")
        return
    write_text_atomic(target, text)
    click.echo(f"wrote {target}")


@build.command(name="as-level")
@click.option("--relationships", required=True, type=_FILE, help="CAIDA AS relationships, serial-1 or serial-2.")
@click.option("--users", required=True, type=_FILE, help="Users per AS and country, APNIC's layout, CSV.")
@click.option("--country", required=True, metavar="CC", help="The country, ISO 3166-1 alpha-2 (e.g. KZ).")
@click.option("-o", "--out", type=_FILE, help="Where to write, .json (or .yaml) [default: as-level-<cc>.json].")
@click.option("--routing", type=click.Choice(["ecmp", "valley-free"]), default="ecmp", show_default=True)
@click.option(
    "--foreign-hops", type=click.IntRange(min=1), help="Keep only foreign ASes within N links [default: all]."
)
@click.option(
    "--abroad",
    type=click.Choice(["top", "all"]),
    default="top",
    show_default=True,
    help="Hosts of the service abroad: the foreign ASes without a provider, or every foreign AS.",
)
@click.option("--capacity-gbps", type=click.FloatRange(min=0, min_open=True, max=1e9), help="Every link's capacity.")
@click.option("--tech", type=click.Choice(["fixed", "mobile"]), default="fixed", show_default=True)
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone of the country.")
@click.option(
    "--domestic-as", "domestic", multiple=True, type=click.IntRange(1, 2**32 - 1), help="One more AS of the country."
)
@debug_option
@reports_errors
def as_level(
    relationships: Path,
    users: Path,
    country: str,
    out: Path | None,
    routing: str,
    foreign_hops: int | None,
    abroad: str,
    capacity_gbps: float | None,
    tech: str,
    timezone: str,
    domestic: tuple[int, ...],
    debug: bool,
) -> None:
    """Build an AS-level topology of one country; print one line: ASes, links, users, border ASes."""
    options = ASLevelOptions(
        foreign_hops=foreign_hops,
        abroad="all" if abroad == "all" else "top",
        routing="valley-free" if routing == "valley-free" else "ecmp",
        capacity_gbps=capacity_gbps,
        tech="mobile" if tech == "mobile" else "fixed",
        timezone=timezone,
        domestic=domestic,
    )
    built = build_as_level(read_relationships(relationships), read_users(users), country.upper(), options)
    target = out if out is not None else Path(f"{built.document['name']}.json")
    text = _rendered(built, target)
    write_text_atomic(target, text)
    click.echo(f"wrote {target}: {built.summary()}")


def _rendered(built: ASLevel, target: Path) -> str:
    """The document checked as `simkz validate` would, as the text of ``target``'s format."""
    spec = validate_model(TopologyFile, built.document, target)
    raise_errors(run_checks(spec), target)
    suffix = target.suffix.lower()
    if suffix == ".json":
        return render_json(built.document)
    if suffix not in (".yaml", ".yml"):
        raise InputError(None, ("--out",), "unknown file type", value=target.name, allowed="a .json or .yaml file")
    text = yaml.safe_dump(built.document, sort_keys=False, allow_unicode=True, width=120)
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise InputError(None, ("--out",), "too large for a YAML topology", value=target.name, allowed="a .json file")
    return text

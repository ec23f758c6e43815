"""``simkz plot``: draw the figures of results folders again, from the folders alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simkz.cli.errors import debug_option, reports_errors
from simkz.errors import InputError
from simkz.times import parse_duration

if TYPE_CHECKING:
    from simkz.analysis.observations import Observations
    from simkz.plots.data import ResultsFolder

__all__ = ["FIGURES", "plot"]

#: The figures of one run, in the order they are drawn, with what each needs from the folder.
FIGURES: dict[str, tuple[str, ...]] = {
    "overview": ("national",),
    "services": ("by_service",),
    "disruptions": ("by_service",),
    "regions": ("by_region_technology|by_region",),
    "network": ("network.json",),
}
COMPARISON = "comparison"
_FORMATS = ("png", "svg")


def _formats(text: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in formats if f not in _FORMATS]
    if bad or not formats:
        raise InputError(None, ("--formats",), "unknown figure format", value=bad[0] if bad else text, allowed=_FORMATS)
    return formats


def _figures(text: str) -> tuple[str, ...] | None:
    """The figures asked for (None: all that the folders can give)."""
    if text.strip().lower() == "all":
        return None
    names = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    allowed = (*FIGURES, COMPARISON, "all")
    for name in names or (text,):
        if name not in allowed:
            raise InputError(None, ("--figures",), "unknown figure", value=name, allowed=allowed)
    return names


def _kind(folder: Path) -> str:
    """``run`` (a folder of `simkz run`), ``bands`` (of --replications or `simkz compare`); InputError otherwise."""
    if not folder.is_dir():
        raise InputError(folder, (), "results folder not found", allowed="a folder written by `simkz run`")
    if (folder / "national.csv").is_file():
        return "run"
    if (folder / "national_bands.csv").is_file() or (folder / "a" / "national_bands.csv").is_file():
        return "bands"
    raise InputError(
        folder,
        (),
        "not a results folder: no national.csv or national_bands.csv",
        allowed="a folder of `simkz run` (with or without --replications) or of `simkz compare`",
    )


def _at(text: str | None, start: datetime) -> float | None:
    """``--at`` as hours since the start: an instant with its UTC offset, or a duration after the start (36h)."""
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is not None:
        if when.utcoffset() is None:
            when = when.replace(tzinfo=start.tzinfo)
        return (when - start).total_seconds() / 3600.0
    try:
        return parse_duration(text).total_seconds() / 3600.0
    except ValueError:
        raise InputError(
            None,
            ("--at",),
            "not a time",
            value=text,
            allowed="an instant (2022-01-06T07:00+06:00) or a duration after the start (36h, 1d12h)",
        ) from None


def _missing(name: str, folder: ResultsFolder) -> str | None:
    """Why the folder cannot give figure ``name`` (None if it can)."""
    for need in FIGURES[name]:
        if need == "network.json":
            if folder.network is None:
                return "no network.json (a folder of an older simkz)"
        elif not any(folder.has(t) for t in need.split("|")):
            return f"no {need.replace('|', ' or ')}.csv (left out by --tables)"
    return None


@click.command()
@click.argument("result_dirs", metavar="RESULT_DIR...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the figures into [default: RESULT_DIR for one folder, the current folder for several].",
)
@click.option("--formats", default="png,svg", show_default=True, help="Figure formats, comma-separated (png, svg).")
@click.option(
    "--figures",
    "figure_names",
    default="all",
    show_default=True,
    help="Figures, comma-separated: overview, services, disruptions, regions, network (one run), comparison "
    "(several folders, or replications), or all.",
)
@click.option(
    "--at",
    "at",
    metavar="TIME",
    help="Time of the network figure: an instant (2022-01-06T07:00+06:00) or a duration after the start (36h) "
    "[default: when the connectivity index is lowest].",
)
@click.option(
    "--observed",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Observations file (YAML, as `simkz score` reads) drawn as points over the overview's index.",
)
@click.option(
    "--animate",
    is_flag=True,
    help="Also write network.gif: the network drawing at the start and at every change of state (at most 120 "
    "frames, evenly spread over a longer run).",
)
@debug_option
@reports_errors
def plot(
    result_dirs: tuple[Path, ...],
    out: Path | None,
    formats: str,
    figure_names: str,
    at: str | None,
    observed: Path | None,
    animate: bool,
    debug: bool,
) -> None:
    """Draw the figures of RESULT_DIR from its files alone (PNG and SVG): overview, services, disruptions,
    regions, network. Several folders (or one of replications or of `simkz compare`): the comparison figure."""
    fmts = _formats(formats)
    asked = _figures(figure_names)
    kinds = [_kind(folder) for folder in result_dirs]
    single = len(result_dirs) == 1 and kinds[0] == "run"
    if out is not None and out.exists() and not out.is_dir():
        raise InputError(None, ("--out",), "is a file", value=str(out), allowed="a folder")
    target = out if out is not None else (result_dirs[0] if len(result_dirs) == 1 else Path("."))
    if single:
        _plot_run(result_dirs[0], target, fmts, asked, at, observed, animate)
        return
    others = [name for name in asked or () if name != COMPARISON]
    if others or animate or at is not None or observed is not None:
        what = others[0] if others else ("--animate" if animate else "--at" if at is not None else "--observed")
        raise InputError(
            None,
            ("--figures",) if others else (what,),
            "draws one run: give one folder of `simkz run`",
            value=what,
            allowed=f"{COMPARISON} for several folders, or for replications",
        )
    from simkz.plots.comparison import plot_comparison
    from simkz.plots.files import write_figure

    _echo(COMPARISON, write_figure(plot_comparison(result_dirs), target, COMPARISON, fmts))


def _plot_run(
    folder: Path,
    target: Path,
    fmts: tuple[str, ...],
    asked: tuple[str, ...] | None,
    at: str | None,
    observed: Path | None,
    animate: bool,
) -> None:
    """The figures of one run (those asked for, or every one its folder can give) and its animation."""
    from simkz.analysis.observations import load_observations
    from simkz.plots import load_results
    from simkz.plots.animate import write_animation
    from simkz.plots.files import write_figure

    obs = load_observations(observed) if observed is not None else None
    data = load_results(folder)
    draw = _drawers(data, obs, _hour(at, data))
    for name in asked if asked is not None else tuple(FIGURES):
        why = _missing(name, data) if name in FIGURES else None
        if why is not None:
            if asked is not None:
                raise InputError(folder, (), f"cannot draw the {name} figure: {why}")
            click.echo(f"{name}: skipped, {why}")
            continue
        _echo(name, write_figure(draw[name](), target, name, fmts))
    if animate:
        why = _missing("network", data)
        if why is not None:
            raise InputError(folder, (), f"cannot animate the network: {why}")
        _echo("animation", [write_animation(data, target)])


def _hour(at: str | None, data: ResultsFolder) -> float | None:
    """``--at`` in hours since the start of the run; InputError outside the run."""
    hour = _at(at, data.start)
    if hour is not None and not 0.0 <= hour <= data.duration_h:
        end = data.instant(data.duration_h).isoformat()
        allowed = f"{data.start.isoformat()} to {end} (0h to {data.duration_h:g}h)"
        raise InputError(None, ("--at",), "outside the run", value=at, allowed=allowed)
    return hour


def _drawers(data: ResultsFolder, obs: Observations | None, hour: float | None) -> dict[str, Callable[[], Any]]:
    """How to draw each figure of ``data``."""
    from simkz.plots import (
        plot_comparison,
        plot_disruptions,
        plot_network,
        plot_overview,
        plot_regions,
        plot_services,
    )

    return {
        "overview": lambda: plot_overview(data, observed=obs),
        "services": lambda: plot_services(data),
        "disruptions": lambda: plot_disruptions(data),
        "regions": lambda: plot_regions(data),
        "network": lambda: plot_network(data, at=hour),
        COMPARISON: lambda: plot_comparison([data]),
    }


def _echo(name: str, paths: list[Path]) -> None:
    click.echo(f"{name}: " + ", ".join(str(p) for p in paths))

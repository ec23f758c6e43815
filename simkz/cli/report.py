"""``simkz report``: one self-contained HTML page from one or more results folders, for a class."""

from __future__ import annotations

from pathlib import Path

import click

from simkz.cli.errors import debug_option, reports_errors
from simkz.errors import InputError
from simkz.report import build_report
from simkz.results.run import write_text_atomic

__all__ = ["report"]


@click.command()
@click.argument("result_dirs", metavar="RESULT_DIR...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    "out",
    default=Path("report.html"),
    show_default=True,
    type=click.Path(path_type=Path),
    help="The HTML file to write (replaced whole, atomically).",
)
@click.option("--title", help="Title of the page [default: from the scenarios' names].")
@debug_option
@reports_errors
def report(result_dirs: tuple[Path, ...], out: Path, title: str | None, debug: bool) -> None:
    """Write one self-contained HTML page on RESULT_DIR (several: side by side): headline figures with their
    methods and sources, phases, tables, figures and the network with a time slider. It opens offline and
    prints cleanly."""
    if out.is_dir():
        raise InputError(None, ("--out",), "is a folder", value=str(out), allowed="a file name, e.g. report.html")
    text = build_report(result_dirs, title=title)
    write_text_atomic(out, text)
    click.echo(f"report: {out} ({len(text.encode('utf-8')) / 1e6:.1f} MB)")

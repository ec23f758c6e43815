"""`simkz plot`: figures of results folders as files, the animation, and one-line errors for bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from simkz.cli.main import cli
from simkz.plots import load_results
from simkz.plots.animate import frame_hours
from tests.plots_support import run_folder

FIGURES = ("overview", "services", "disruptions", "regions", "network")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_folder("toy-partial-restoration", tmp_path_factory.mktemp("runs") / "toy")


def test_plot_writes_every_figure_as_png_and_svg(toy, tmp_path):
    result = invoke("plot", str(toy), "--out", str(tmp_path / "figs"))
    assert result.exit_code == 0, result.output
    for name in FIGURES:
        png = (tmp_path / "figs" / f"{name}.png").read_bytes()
        svg = (tmp_path / "figs" / f"{name}.svg").read_text(encoding="utf-8")
        assert png.startswith(b"\x89PNG")
        assert "<svg" in svg and "Date" not in svg
        with Image.open(tmp_path / "figs" / f"{name}.png") as image:
            assert image.size[0] >= 1400  # 14 inches and more at 100 dpi: legible on a projector
        assert name in result.output
    assert not (tmp_path / "figs" / "comparison.png").exists()


def test_plot_without_out_writes_into_the_folder_and_the_same_bytes_again(toy, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(toy, folder)
    assert invoke("plot", str(folder), "--formats", "svg", "--figures", "overview,network").exit_code == 0
    first = {name: (folder / f"{name}.svg").read_bytes() for name in ("overview", "network")}
    assert not (folder / "overview.png").exists()
    assert invoke("plot", str(folder), "--formats", "svg", "--figures", "overview,network").exit_code == 0
    assert {name: (folder / f"{name}.svg").read_bytes() for name in first} == first
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_plot_at_draws_the_network_at_that_time(toy, tmp_path):
    result = invoke("plot", str(toy), "--out", str(tmp_path), "--figures", "network", "--formats", "svg", "--at", "6h")
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "network.svg").read_text(encoding="utf-8")
    assert "Wed 05 Jan 2022 18:00" in svg  # 6 h after the 12:00 start
    assert (
        invoke(
            "plot", str(toy), "--out", str(tmp_path), "--figures", "network", "--at", "2022-01-05T20:00+06:00"
        ).exit_code
        == 0
    )


def test_animate_writes_a_gif_with_a_frame_per_state(toy, tmp_path):
    result = invoke("plot", str(toy), "--out", str(tmp_path), "--figures", "network", "--formats", "png", "--animate")
    assert result.exit_code == 0, result.output
    hours = frame_hours(load_results(toy))
    with Image.open(tmp_path / "network.gif") as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == len(hours) > 1
        gif.seek(1)
        assert len(gif.convert("RGB").getcolors(1 << 16) or []) > 5  # a drawing, not a blank frame
    first = (tmp_path / "network.gif").read_bytes()
    assert invoke("plot", str(toy), "--out", str(tmp_path), "--figures", "network", "--animate").exit_code == 0
    assert (tmp_path / "network.gif").read_bytes() == first


def test_frames_are_capped_for_long_runs(toy):
    data = load_results(toy)
    hours = frame_hours(data, limit=3)
    assert len(hours) == 3 and hours[0] == 0.0 and hours == sorted(hours)
    assert frame_hours(data)[1:] == sorted({h for h in data.states.hours if h < data.duration_h} - {0.0})


def test_several_folders_give_the_comparison(toy, tmp_path):
    other = run_folder("toy-gateway-failure", tmp_path / "other")
    result = invoke("plot", str(toy), str(other), "--out", str(tmp_path / "cmp"))
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "cmp").iterdir()} == {"comparison.png", "comparison.svg"}


def test_a_folder_of_an_older_version_skips_the_network(toy, tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(toy, folder)
    for name in ("phases.csv", "network.json", "network_states.csv"):
        (folder / name).unlink()
    result = invoke("plot", str(folder), "--formats", "png")
    assert result.exit_code == 0, result.output
    assert "network: skipped" in result.output
    assert (folder / "overview.png").exists() and not (folder / "network.png").exists()
    result = invoke("plot", str(folder), "--figures", "network")
    assert result.exit_code == 2 and "network.json" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("{missing}",), "results folder not found"),
        (("{empty}",), "not a results folder"),
        (("{toy}", "--figures", "pie"), "unknown figure"),
        (("{toy}", "--formats", "gif"), "unknown figure format"),
        (("{toy}", "--at", "tomorrow"), "--at"),
        (("{toy}", "--at", "2021-01-01T00:00+06:00"), "outside the run"),
        (("{toy}", "--at", "30d"), "outside the run"),
        (("{toy}", "{toy}", "--figures", "overview"), "draws one run"),
        (("{toy}", "--observed", "{missing}"), "missing"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(toy, tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    paths = {"missing": tmp_path / "missing", "empty": tmp_path / "empty", "toy": toy}
    result = invoke("plot", *(a.format(**paths) for a in args), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.startswith("simkz: error:") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

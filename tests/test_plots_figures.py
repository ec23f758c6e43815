"""The figures, checked through matplotlib's objects: titles, labels, legends, artists and their colours."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.text import Text

from simkz.analysis.observations import load_observations
from simkz.cli.main import cli
from simkz.plots import (
    STATE_COLOURS,
    load_results,
    persons_ylim,
    plot_comparison,
    plot_disruptions,
    plot_network,
    plot_overview,
    plot_regions,
    plot_services,
)
from simkz.plots.disruptions import disrupted_spans, recovery_spans
from simkz.plots.files import figure_bytes
from simkz.plots.network import default_hour
from simkz.results.network import states_at
from tests.plots_support import by_gid, drawn_texts, run_folder, texts

ZONE_LABEL = "time (Asia/Almaty, UTC+06:00)"


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    names = (
        "toy-partial-restoration",
        "toy-throttle-whitelist",
        "kz-jan-2022",
        "kz-messenger-block",
        "kz-gateway-failure",
        "kz-decentralised-gateway-failure",
    )
    return {name: run_folder(name, root / name) for name in names}


def test_every_text_of_every_figure_is_at_least_12_points(folders):
    data = load_results(folders["kz-jan-2022"])
    figures = [plot_overview(data), plot_services(data), plot_disruptions(data), plot_regions(data), plot_network(data)]
    figures.append(plot_comparison([folders["kz-gateway-failure"], folders["kz-decentralised-gateway-failure"]]))
    for fig in figures:
        fig.draw_without_rendering()
        small = [(t.get_text(), t.get_fontsize()) for t in fig.findobj(Text) if t.get_text() and t.get_fontsize() < 12]
        assert small == [], fig.get_suptitle()


def test_overview_labels_every_phase_without_overlap_and_names_the_zone(folders):
    data = load_results(folders["kz-jan-2022"])
    fig = plot_overview(data)
    shown = texts(fig)
    labels = {p.label for p in data.phases}
    assert len(labels) > 10 and labels <= set(shown)
    lanes, _, persons = fig.axes
    assert persons.get_xlabel() == ZONE_LABEL
    assert "kz-jan-2022" in fig.get_suptitle()
    assert persons.get_ylabel() == "million persons"
    # the phase labels are legible: inside the figure and clear of each other
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in lanes.texts if t.get_text() in labels]
    assert len(boxes) == len(labels)
    figure_box = fig.bbox
    for box in boxes:
        assert figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1
    assert not any(a.overlaps(b) for a, b in combinations(boxes, 2))


def test_overview_legends_stand_outside_the_data(folders):
    fig = plot_overview(folders["kz-jan-2022"])
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    legends = [(ax, ax.get_legend()) for ax in fig.axes if ax.get_legend() is not None]
    assert len(legends) == 3
    for ax, legend in legends:
        assert not legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
    index = fig.axes[1]
    assert {"traffic (Cloudflare/NetBlocks-like)", "active probing (IODA-like)", "BGP visibility"} <= {
        t.get_text() for t in index.get_legend().get_texts()
    }


def test_overview_draws_national_observations_as_points(folders, tmp_path):
    points = [{"at": "2022-01-05T18:00+06:00", "value": 5}, {"at": "2022-01-06T06:00+06:00", "value": 100}]
    regional = [{"at": "2022-01-05T18:00+06:00", "value": 50}]
    doc = {
        "name": "toy-obs",
        "sources": {"s": "https://example.org/measured"},
        "series": [
            {"signal": "traffic", "source": "s", "points": points},
            {"signal": "traffic", "source": "s", "region": "north", "points": regional},
        ],
    }
    path = tmp_path / "obs.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    fig = plot_overview(folders["toy-partial-restoration"], observed=load_observations(path))
    index = fig.axes[1]
    observed = [c for c in index.collections if "observed traffic" in str(c.get_label())]
    assert len(observed) == 1  # the regional series is not national: not drawn
    offsets = observed[0].get_offsets()
    assert list(offsets[:, 1]) == [5, 100]
    start = load_results(folders["toy-partial-restoration"]).start
    assert offsets[0, 0] == pytest.approx(start.timestamp() / 86400 + (18 - 12) / 24)


def test_overview_persons_panel_takes_a_shared_scale(folders):
    pair = [load_results(folders["kz-gateway-failure"]), load_results(folders["kz-decentralised-gateway-failure"])]
    top = persons_ylim(pair)
    peak = max(f.summary["national"]["peak_affected_persons"] for f in pair) / 1e6
    assert top == pytest.approx(peak * 1.05, rel=1e-6)
    tops = {plot_overview(f, shared_ylim=top).axes[-1].get_ylim()[1] for f in pair}
    assert tops == {top}
    assert plot_overview(pair[0], shared_ylim=40.0).axes[-1].get_ylim() == (0.0, 40.0)


def test_services_show_the_persons_who_lose_whatsapp(folders):
    data = load_results(folders["kz-messenger-block"])
    fig = plot_services(data)
    lines = {str(line.get_label()).split(" ")[0]: line for ax in fig.axes for line in ax.get_lines()}
    services = set(data.summary["services"])
    note = fig.get_supxlabel()
    quiet = set(note.split(": ", 1)[1].replace("\n", " ").split(", "))
    assert set(lines) | quiet == services and not set(lines) & quiet  # each service drawn, or named as not lost
    assert set(lines) == {"whatsapp", "telegram", "signal"}
    whatsapp = np.max(lines["whatsapp"].get_ydata()) * 1e6
    assert whatsapp == pytest.approx(data.summary["services"]["whatsapp"]["peak_affected_persons"], rel=1e-6)
    assert whatsapp > 10e6  # millions of persons, not the traffic's user equivalents
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["messengers"]
    assert fig.axes[-1].get_xlabel() == ZONE_LABEL
    every = plot_services(folders["kz-jan-2022"])  # a shutdown: every group loses its services
    titles = [ax.get_title(loc="left") for ax in every.axes]
    assert titles == ["messengers", "government services", "payments and banking", "news", "other services"]
    assert len({ax.get_ylim() for ax in every.axes}) == 1
    drawn = {str(line.get_label()).split(" ")[0] for ax in every.axes for line in ax.get_lines()}
    assert drawn == set(load_results(folders["kz-jan-2022"]).summary["services"])


def test_gantt_has_a_bar_per_disrupted_interval_and_recovery_tails(folders):
    data = load_results(folders["kz-jan-2022"])
    fig = plot_disruptions(data)
    bars = by_gid(fig, "disrupted:")
    tails = by_gid(fig, "recovery:")
    services = data.summary["services"]
    assert set(bars) == set(services)
    for key, entry in services.items():
        assert len(bars[key].get_paths()) == len(entry["disrupted_intervals"]), key
        assert len(tails[key].get_paths()) == len(entry.get("backlog", {}).get("recoveries", [])), key
        # the sampled flag of by_service.csv agrees with the exact intervals to within a step
        rows = data.table("by_service").where("service", key)
        flag = np.asarray(rows["disrupted_flag"]) > 0
        hours = np.asarray(rows["elapsed_h"])
        spans = disrupted_spans(data, key)
        for h, f in zip(hours, flag, strict=True):
            inside = any(a <= h < b for a, b in spans)
            near = any(abs(h - t) < 0.25 for a, b in spans for t in (a, b))
            assert inside == bool(f) or near, (key, h)
    kaspi = recovery_spans(data, "kaspi")
    recoveries = services["kaspi"]["backlog"]["recoveries"]
    assert kaspi[1][1] - kaspi[1][0] == pytest.approx(recoveries[1]["hours"], abs=1 / 3600)  # instants to the second
    assert kaspi[0][1] > kaspi[0][0]  # a return cut short still shows its tail, until the next disruption
    assert fig.axes[0].get_xlabel() == ZONE_LABEL


def test_regions_grid_has_one_panel_per_region(folders):
    data = load_results(folders["kz-jan-2022"])
    fig = plot_regions(data)
    regions = set(data.table("by_region_technology")["region"])
    assert len(fig.axes) == len(regions) == 17
    names = {data.network.regions[k].name.removesuffix(" Region") for k in regions}
    assert {ax.get_title(loc="left") for ax in fig.axes} == names
    assert {ax.get_ylim() for ax in fig.axes} == {(0.0, 105.0)}
    for ax in fig.axes:
        assert {str(line.get_label()) for line in ax.get_lines()} == {"country", "fixed", "mobile"}
    assert ZONE_LABEL in texts(fig)


@pytest.mark.parametrize(
    ("name", "hour"), [("toy-partial-restoration", 6.0), ("kz-jan-2022", 60.0), ("kz-jan-2022", None)]
)
def test_network_colours_every_element_by_its_state(folders, name, hour):
    data = load_results(folders[name])
    fig = plot_network(data, at=hour)
    nodes, links = by_gid(fig, "node:"), by_gid(fig, "link:")
    assert set(nodes) == set(data.network.nodes) and set(links) == set(data.network.links)
    when = default_hour(data) if hour is None else hour
    states = states_at(data.states, when)
    for key, artist in nodes.items():
        assert to_rgba(artist.get_markerfacecolor()) == to_rgba(STATE_COLOURS[states.node(key).state]), key
    for key, artist in links.items():
        assert to_rgba(artist.get_color()) == to_rgba(STATE_COLOURS[states.link(key).state]), key
    shown = {states.node(k).state for k in nodes} | {states.link(k).state for k in links}
    assert shown - {"up"}, "the chosen time shows something happening"
    assert data.zone_label in fig.get_suptitle()


def test_network_states_of_a_throttle_and_gateway_controllers(folders):
    data = load_results(folders["toy-throttle-whitelist"])
    throttled = next(c for c in data.states.changes if c.state == "throttled")
    fig = plot_network(data, at=throttled.elapsed_h)
    link = by_gid(fig, "link:")[throttled.element]
    assert to_rgba(link.get_color()) == to_rgba(STATE_COLOURS["throttled"])
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "gateway controlled by" in legend and "central-management" in legend


def test_network_svg_holds_an_id_per_node_and_link(folders):
    data = load_results(folders["toy-partial-restoration"])
    svg = figure_bytes(plot_network(data), "svg").decode()
    for key in data.network.nodes:
        assert f'id="node:{key}"' in svg
    for key in data.network.links:
        assert f'id="link:{key}"' in svg
    assert figure_bytes(plot_network(data), "svg").decode() == svg  # the same bytes each time


def test_comparison_puts_runs_on_the_same_axes(folders):
    a, b = folders["kz-gateway-failure"], folders["kz-decentralised-gateway-failure"]
    fig = plot_comparison([a, b])
    index, persons = fig.axes
    assert [str(line.get_label()) for line in index.get_lines()] == [
        "kz-gateway-failure",
        "kz-decentralised-gateway-failure",
    ]
    assert len(persons.get_lines()) == 4  # affected and cut off, each run
    peak = max(load_results(f).summary["national"]["peak_affected_persons"] for f in (a, b)) / 1e6
    assert persons.get_ylim()[1] >= peak
    assert index.get_ylim() == (0.0, 105.0)
    assert persons.get_xlabel() == ZONE_LABEL
    assert index.get_shared_x_axes().joined(index, persons)


def test_comparison_of_replications_shades_the_band(tmp_path):
    out = tmp_path / "reps"
    result = CliRunner().invoke(
        cli,
        ["run", "toy-gateway-failure", "--replications", "3", "--workers", "1", "--out", str(out), "--quiet"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    fig = plot_comparison([out])
    index = fig.axes[0]
    bands = [c for c in index.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1 and "q05-q95" in str(bands[0].get_label())
    lines = index.get_lines()
    assert len(lines) == 1 and "3 replications" in str(lines[0].get_label())
    assert isinstance(lines[0], Line2D)


def test_layout_spreads_shared_points_and_places_the_rest_by_seed(folders):
    from dataclasses import replace

    from simkz.plots.network import layout

    network = load_results(folders["toy-partial-restoration"]).network
    pos = layout(network)
    assert set(pos) == set(network.nodes) and len(set(pos.values())) == len(pos)
    shared = replace(network, nodes={k: replace(n, position=(0.0, 0.0)) for k, n in network.nodes.items()})
    spread = layout(shared)
    assert len(set(spread.values())) == len(spread)  # one point each, on a circle around the shared one
    assert np.allclose(np.mean(list(spread.values()), axis=0), 0.0, atol=1e-9)
    nowhere = replace(
        network,
        regions={k: replace(r, position=None) for k, r in network.regions.items()},
        nodes={k: replace(n, position=None) for k, n in network.nodes.items()},
    )
    assert layout(nowhere) == layout(nowhere) and set(layout(nowhere)) == set(network.nodes)


def test_comparison_of_a_paired_compare_folder_draws_both_sides(tmp_path):
    out = tmp_path / "cmp"
    args = ["compare", "toy-base", "toy-gateway-failure", "--replications", "2", "--workers", "1", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    index = plot_comparison([out]).axes[0]
    assert [str(line.get_label()) for line in index.get_lines()] == [
        "toy-base (2 replications)",
        "toy-gateway-failure (2 replications)",
    ]


def test_network_labels_do_not_overlap(folders):
    fig = plot_network(folders["kz-jan-2022"])
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) >= 17 + 6  # the regions and the gateways at least
    assert not [(a, b) for a, b in combinations(boxes, 2) if a.overlaps(b)]
    assert not ax.get_legend().get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))


@pytest.mark.parametrize("name", ["kz-jan-2022", "kz-decentralised-gateway-failure"])
def test_no_text_overlaps_another_or_leaves_the_figure(folders, name):
    data = load_results(folders[name])
    for fig in (
        plot_overview(data),
        plot_services(data),
        plot_disruptions(data),
        plot_regions(data),
        plot_network(data),
    ):
        shown = drawn_texts(fig)
        renderer = fig.canvas.get_renderer()
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in shown]
        assert len(boxes) > 10
        overlapping = [(a, b) for (a, p), (b, q) in combinations(boxes, 2) if p.overlaps(q)]
        assert overlapping == [], fig.get_suptitle()
        outside = [t for t, b in boxes if b.x0 < -1 or b.y0 < -1 or b.x1 > fig.bbox.x1 + 1 or b.y1 > fig.bbox.y1 + 1]
        assert outside == [], fig.get_suptitle()

"""`simkz report`: the page's structure, what it may not load, escaping, its numbers against summary.json,
determinism, the comparison of several folders, and the command's errors (in process; the browser tests are in
test_report_browser.py)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from simkz.cli.main import cli
from simkz.report import build_report
from simkz.report.headline import HEADLINES
from simkz.results.network import read_network_record, read_phases, states_at
from tests.report_support import Page, check_cell, lookup, run_scenarios, write_report

PAIR = ("kz-gateway-failure", "kz-decentralised-gateway-failure")


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return run_scenarios(tmp_path_factory.mktemp("runs"), "kz-jan-2022", *PAIR)


@pytest.fixture(scope="module")
def single(folders: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    out = write_report(tmp_path_factory.mktemp("report") / "report.html", folders["kz-jan-2022"])
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pair(folders: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "pair.html"
    return write_report(out, *(folders[n] for n in PAIR)).read_text(encoding="utf-8")


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_page_is_well_formed_and_holds_every_part(single, folders):
    page = Page(single)
    assert page.errors == []
    assert single.startswith("<!DOCTYPE html>")
    assert [h.text for h in page.find("h1")] == ["kz-jan-2022: what happened, and who lost what"]
    assert page.find("section", id="comparison") == []
    assert len(page.find("section", class_="run")) == 1
    titles = [h.text for h in page.find("h3")]
    for part in ("Headline figures", "What it cost", "Phases", "Figures", "The network, step by step", "Tables"):
        assert part in titles
    assert len(page.find("div", class_="card")) == len(HEADLINES)
    s = summary(folders["kz-jan-2022"])
    assert len(page.find("div", class_="cost")) == len(s["costs"]["methods"])
    phases = read_phases(folders["kz-jan-2022"])
    phase_table = next(t for t in page.find("table") if "The phases" in t.text)
    [body] = [c for c in phase_table.children if c.tag == "tbody"]
    assert [r.children[0].text for r in body.children] == [p.label for p in phases]
    # one figure per plot of a run, and the network drawing; every one inline SVG with a caption
    figs = page.find("figure")
    assert len(figs) == 5
    assert all(f.children[0].tag == "svg" and f.children[1].tag == "figcaption" for f in figs)


def test_page_loads_nothing_from_anywhere(single, pair):
    for text in (single, pair):
        page = Page(text)
        for tag in ("img", "link", "iframe", "object", "embed", "audio", "video", "source", "base", "image"):
            assert page.find(tag) == [], tag
        for e in page.elements:
            for name, value in e.attrs.items():
                if name in ("src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset"):
                    assert value.startswith("#"), (e.tag, name, value)
                if name == "xmlns" or name.startswith("xmlns:"):
                    assert value in ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"), value
        assert "@import" not in text
        assert re.findall(r"url\((?!#)", text) == []
        scripts = [s.text for s in page.find("script") if s.attrs.get("type") != "application/json"]
        assert len(scripts) == 1
        for call in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "EventSource", "sendBeacon"):
            assert call not in scripts[0]


def test_text_from_the_folder_is_escaped(folders, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(folders["kz-gateway-failure"], folder)
    data = summary(folder)
    nasty = '<script>alert("x")</script> & <b>bold</b>'
    data["scenario"]["description"] = nasty
    (folder / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    phases = (folder / "phases.csv").read_text(encoding="utf-8").splitlines()
    phases[1] = '"<img src=x onerror=alert(1)>"' + phases[1][phases[1].index(",") :]
    (folder / "phases.csv").write_text("\n".join(phases) + "\n", encoding="utf-8")
    text = build_report([folder], title="<i>class</i> & co")
    assert nasty not in text and "<img" not in text and "<i>class" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in text
    page = Page(text)
    assert page.errors == []
    assert page.find("title")[0].text == "<i>class</i> & co"
    assert any(e.text == nasty for e in page.find("p", class_="lead"))
    assert any(e.text == "<img src=x onerror=alert(1)>" for e in page.find("th"))
    assert len(page.find("script")) == 3  # the state colours, the slider's steps, the page's script


def test_numbers_carry_their_summary_key_and_show_its_value(single, folders):
    s = summary(folders["kz-jan-2022"])
    cells = Page(single).find(data_key="*")
    paths = {tuple(json.loads(c.attrs["data-key"])) for c in cells}
    for c in cells:
        check_cell(s, c.attrs["data-key"], c.attrs["data-value"], c.text)
    for region in s["by_region"]:
        assert ("by_region", region, "user_hours_lost") in paths
    for service in s["services"]:
        assert ("services", service, "disrupted_hours") in paths
    for h in HEADLINES:
        assert ("national", h.key) in paths
    for method in s["costs"]["methods"]:
        assert ("costs", "methods", method, "value") in paths
    assert lookup(s, ["services", "kaspi", "backlog", "max_recovery_hours"]) is not None
    assert ("services", "kaspi", "backlog", "max_recovery_hours") in paths


def test_slider_steps_are_the_states_of_the_log(single, folders):
    page = Page(single)
    assert len(page.find("div", data_network="*")) == 1
    steps = json.loads(next(e for e in page.find("script", class_="steps")).text)
    record = read_network_record(folders["kz-jan-2022"])
    assert record is not None
    hours = sorted({0.0, *(c.elapsed_h for c in record.states.changes)})
    assert len(steps["times"]) == len(hours) > 10
    [slider] = page.find("input", type="range")
    assert slider.attrs["min"] == "0" and slider.attrs["max"] == str(len(hours) - 1)
    for i, h in enumerate(hours):
        at = states_at(record.states, h)
        expected = {f"node:{k}": v.state for k, v in at.nodes.items() if v.state != "up"}
        expected.update({f"link:{k}": v.state for k, v in at.links.items() if v.state != "up"})
        assert steps["states"][i] == expected
        in_force = {p.label for p in record.phases if p.start_elapsed_h <= h < p.end_elapsed_h}
        assert set(steps["phases"][i]) == in_force
    assert f"{hours[-1]:g} h after the start" in steps["times"][-1]
    # every element of the network is drawn, marked for the script, under an id of its own
    marked = {e.attrs["data-element"] for e in page.find(data_element="*")}
    assert marked == {f"node:{k}" for k in record.network.nodes} | {f"link:{k}" for k in record.network.links}
    shown = int(slider.attrs["value"])
    assert any(state == "down" for state in steps["states"][shown].values())
    # the drawing names no time of its own: the slider's readout does
    [drawing] = [f for f in page.find("figure") if f.find_data_element()]
    words = " ".join(drawing.text.split())
    assert "the network, coloured by the state at the time shown above" in words
    assert "in force:" not in words


def test_ids_are_unique_and_internal_references_resolve(single, pair):
    for text in (single, pair):
        page = Page(text)
        ids = [e.attrs["id"] for e in page.elements if "id" in e.attrs]
        assert len(ids) == len(set(ids))
        for e in page.elements:
            for name in ("href", "xlink:href"):
                if name in e.attrs:
                    assert e.attrs[name][1:] in set(ids), e.attrs[name]
        for ref in re.findall(r"url\(#([^)]+)\)", text):
            assert ref in set(ids)


def test_same_folders_give_the_same_bytes(folders, single, tmp_path):
    again = write_report(tmp_path / "again.html", folders["kz-jan-2022"]).read_text(encoding="utf-8")
    assert again == single


def test_several_folders_are_compared_side_by_side(pair, folders):
    page = Page(pair)
    assert page.errors == []
    [section] = page.find("section", id="comparison")
    assert page.find("h1")[0].text == f"{PAIR[0]} compared with {PAIR[1]}"
    assert len(page.find("section", class_="run")) == 2
    runs = [summary(folders[n]) for n in PAIR]
    cells = [e for e in page.find("td", data_run="*")]
    assert len(cells) >= 2 * (len(HEADLINES) + 1)
    for c in cells:
        check_cell(runs[int(c.attrs["data-run"]) - 1], c.attrs["data-key"], c.attrs["data-value"], c.text)
    assert {c.attrs["data-run"] for c in cells} == {"1", "2"}
    # the difference column: decentralised minus centralised user-hours lost, in millions
    row = next(r for r in page.find("tr") if r.children[0].text == "User-hours lost")
    diff = runs[1]["national"]["user_hours_lost"] - runs[0]["national"]["user_hours_lost"]
    assert row.children[-1].text == f"{diff / 1e6:,.1f} M".replace("-", "\u2212", 1)
    assert diff < 0
    figures_in_comparison = [e for e in section.children if e.tag == "figure"]
    assert len(figures_in_comparison) == 1
    # no service is disrupted by either cut: a sentence says so where the disruption chart would be
    assert all(r["services_disrupted"] == [] for r in runs)
    assert len(page.find("figure")) == 1 + 2 * 4
    assert len([p for p in page.find("p", class_="note") if p.text.startswith("No service was disrupted")]) == 2
    assert len(page.find("input", type="range")) == 2


def test_print_style_hides_the_controls_and_keeps_figures_whole(single):
    style = Page(single).find("style")[0].text
    printed = style[style.index("@media print") :]
    assert re.search(r"\.controls[^{]*\{[^}]*display:\s*none", printed)
    assert re.search(r"figure[^{]*\{[^}]*break-inside:\s*avoid", printed)
    assert re.search(r"body[^{]*\{[^}]*background:\s*#fff", printed)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["report", *args])
    return result.exit_code, result.stdout, result.stderr


def test_missing_folder_is_one_line_exit_2(tmp_path):
    code, out, err = invoke(str(tmp_path / "nowhere"), "-o", str(tmp_path / "r.html"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "results folder not found" in err
    assert not (tmp_path / "r.html").exists()


def test_folder_that_is_not_a_run_is_one_line_exit_2(tmp_path, folders):
    (tmp_path / "empty").mkdir()
    code, _, err = invoke(str(tmp_path / "empty"), "-o", str(tmp_path / "r.html"))
    assert code == 2 and err.count("\n") == 1 and "not the results folder of one run" in err
    broken = tmp_path / "broken"
    shutil.copytree(folders["kz-gateway-failure"], broken)
    (broken / "network_states.csv").write_text("time,elapsed_h\n", encoding="utf-8")
    code, _, err = invoke(str(broken), "-o", str(tmp_path / "r.html"))
    assert code == 2 and err.count("\n") == 1 and "network_states.csv" in err
    code, _, err = invoke(str(folders["kz-gateway-failure"]), "-o", str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "--out" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "empty"]


def test_report_is_written_atomically_and_replaced_whole(tmp_path, folders):
    out = tmp_path / "r.html"
    out.write_text("old", encoding="utf-8")
    code, stdout, _ = invoke(str(folders["kz-gateway-failure"]), "-o", str(out), "--title", "Gateways")
    assert code == 0 and stdout.startswith(f"report: {out} (")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
    assert Page(out.read_text(encoding="utf-8")).find("h1")[0].text == "Gateways"

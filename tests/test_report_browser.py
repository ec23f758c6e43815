"""`simkz report` as a person sees it: the pages opened in a real headless Chromium (Debian's ``chromium`` and
``chromium-driver``) from file:// URLs, with the network disabled.

Marked ``browser`` and excluded by default; run them with ``python -m pytest -m browser``. They fail, not skip,
when the browser or its driver is missing: the CI step that runs them installs both first.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simkz.plots.style import STATE_COLOURS
from tests.report_support import check_cell, run_scenarios, write_report

pytestmark = pytest.mark.browser

PAIR = ("kz-gateway-failure", "kz-decentralised-gateway-failure")
INSTALL = "install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[Path]]]:
    """The reports of the reference run and of the gateway-failure pair, from real runs: page and folders."""
    runs = run_scenarios(tmp_path_factory.mktemp("runs"), "kz-jan-2022", *PAIR)
    out = tmp_path_factory.mktemp("reports")
    pair = [runs[n] for n in PAIR]
    return {
        "reference": (write_report(out / "reference.html", runs["kz-jan-2022"]), [runs["kz-jan-2022"]]),
        "pair": (write_report(out / "pair.html", *pair), pair),
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through chromedriver, its network pointed at a proxy that does not exist."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is missing: install the test extra (pip install -e '.[test]')")
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.fail(f"chromium or chromedriver not found on PATH: {INSTALL}")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1400,1000",
        "--proxy-server=http://127.0.0.1:9",  # nothing listens there: any request to the network fails
        "--proxy-bypass-list=<-loopback>",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver: Any, path: Path) -> None:
    driver.get(path.resolve().as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


def rgb(colour: str) -> str:
    """``#RRGGBB`` as the browser's computed style writes it."""
    c = colour.lstrip("#")
    return f"rgb({int(c[0:2], 16)}, {int(c[2:4], 16)}, {int(c[4:6], 16)})"


#: The colours of every node and link of the first network drawing, as the browser paints them.
PAINTED = """
const box = document.querySelectorAll('[data-network]')[arguments[0]];
const out = {};
box.querySelectorAll('[data-element]').forEach(function (el) {
  const key = el.getAttribute('data-element');
  const shape = el.matches('path, use') ? el : el.querySelector('path, use');
  const style = getComputedStyle(shape || el);
  out[key] = key.startsWith('link:') ? style.stroke : style.fill;
});
return out;
"""


@pytest.mark.parametrize("name", ["reference", "pair"])
def test_page_opens_offline_without_errors(browser, reports, name):
    page, _ = reports[name]
    browser.get_log("browser")  # drop what earlier pages left
    open_page(browser, page)
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert fetched == []
    sizes = browser.execute_script(
        "return Array.from(document.querySelectorAll('figure svg')).map(s => s.getBoundingClientRect().width)"
    )
    assert len(sizes) == (5 if name == "reference" else 9)
    assert min(sizes) > 600  # every figure drawn at a readable width


@pytest.mark.parametrize("name", ["reference", "pair"])
def test_slider_steps_the_drawing_through_the_states(browser, reports, name):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page, _ = reports[name]
    open_page(browser, page)
    box = browser.find_elements(By.CSS_SELECTOR, "[data-network]")[0]
    steps = json.loads(box.find_element(By.CSS_SELECTOR, "script.steps").get_attribute("textContent"))
    slider = box.find_element(By.CSS_SELECTOR, "input[type=range]")
    time = box.find_element(By.CSS_SELECTOR, ".step-time")

    def shown() -> tuple[int, str, dict[str, str]]:
        return int(slider.get_attribute("value")), time.text, browser.execute_script(PAINTED, 0)

    first = shown()
    slider.send_keys(Keys.HOME)  # as a person would: the keyboard on the focused slider
    start = shown()
    assert start[0] == 0 and start[0] != first[0]
    assert start[1] != first[1] and start[1] == steps["times"][0]
    changed = [k for k in start[2] if start[2][k] != first[2][k]]
    assert changed, "moving the slider recoloured nothing"
    for i in range(min(len(steps["times"]), 6)):
        if i:
            slider.send_keys(Keys.ARROW_RIGHT)
        index, text, painted = shown()
        assert index == i and text == steps["times"][i]
        for key, colour in painted.items():
            assert colour == rgb(STATE_COLOURS[steps["states"][i].get(key, "up")]), (i, key)
        in_force = box.find_element(By.CSS_SELECTOR, ".step-phases").text
        assert in_force == ("; ".join(steps["phases"][i]) or "no action in force")


@pytest.mark.parametrize("name", ["reference", "pair"])
def test_tables_show_the_values_of_summary_json(browser, reports, name):
    from selenium.webdriver.common.by import By

    page, folders = reports[name]
    open_page(browser, page)
    summaries = [json.loads((f / "summary.json").read_text(encoding="utf-8")) for f in folders]
    cells = browser.execute_script(
        "return Array.from(document.querySelectorAll('[data-key]')).map(e => "
        "[e.closest('section').id, e.getAttribute('data-run'), e.getAttribute('data-key'), "
        "e.getAttribute('data-value'), e.innerText])"
    )
    assert len(cells) > 100
    for section, run, key, raw, text in cells:
        index = int(run) if run else int(section.removeprefix("run-"))
        check_cell(summaries[index - 1], key, raw, text)
    regions = browser.find_elements(By.XPATH, "//table[contains(caption, 'By region')]/tbody/tr")
    assert len(regions) == sum(len(s["by_region"]) for s in summaries)


@pytest.mark.parametrize("name", ["reference", "pair"])
def test_screenshot_is_not_blank(browser, reports, name, tmp_path):
    from PIL import Image

    page, _ = reports[name]
    open_page(browser, page)
    browser.execute_script("document.querySelector('[data-network]').scrollIntoView()")
    png = browser.get_screenshot_as_png()
    (tmp_path / f"{name}.png").write_bytes(png)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size[0] >= 1000
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50
    white = sum(n for n, c in colours if c == (255, 255, 255))
    assert white < 0.95 * image.size[0] * image.size[1]


def test_page_prints_to_pdf_without_the_controls(browser, reports):
    page, _ = reports["reference"]
    open_page(browser, page)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        hidden = browser.execute_script("return getComputedStyle(document.querySelector('.controls')).display")
        background = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert hidden == "none"
    assert background == "rgb(255, 255, 255)"
    pdf = base64.b64decode(browser.print_page())
    assert pdf.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?![s\w])", pdf)
    assert len(pages) >= 3

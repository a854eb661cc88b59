"""index.html in headless Chromium: ranks, sorting, tabs, the model filter, best-in-column marks,
the Missing column, the type average first in its tab; screenshots in the test's temp folder.

Needs Debian's `chromium` and `chromium-driver` (installed by .ci/run) and selenium (test extra);
skips cleanly without them. The driver path is given explicitly, so Selenium Manager never tries
to download one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cmteb.leaderboard.build import build_leaderboard
from cmteb.leaderboard.present import model_colors
from cmteb.leaderboard.publish import publish
from tests.leaderboard.lb_files import write_demo_model

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,900"]
ALL = {"DemoRetrieval": 0.8, "DemoReranking": 0.6, "DemoSTS": 0.3, "DemoPairClassification": 0.7,
       "DemoClassification": 0.5, "DemoClustering": 0.2}


@pytest.fixture
def driver(tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    browser, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if browser is None or chromedriver is None:
        pytest.skip("chromium / chromium-driver are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    drv = webdriver.Chrome(service=Service(chromedriver), options=options)
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


@pytest.fixture
def board(tmp_path):
    results = tmp_path / "results"
    write_demo_model(results, "org/strong", ALL)
    write_demo_model(results, "org/weak", {t: v / 2 for t, v in ALL.items()})
    write_demo_model(results, "org/partial", {t: v * 1.1 for t, v in ALL.items() if t != "DemoSTS"})
    write_demo_model(results, "org/quick", {"DemoSTS": 0.9}, quick=True)
    return build_leaderboard([results], "demo", resamples=0)


@pytest.fixture
def page(tmp_path, board) -> Path:
    publish(board, tmp_path / "lb", generated="browser test", plots=True)
    return tmp_path / "lb" / "index.html"


def column(drv, table_id: str, index: int) -> list[str]:
    rows = drv.find_elements("css selector", f"#{table_id} tbody tr")
    return [r.find_elements("css selector", "th, td")[index].text for r in rows if r.is_displayed()]


def headers(drv, table_id: str) -> list[str]:
    return [h.text.rstrip(" ↕▲▼") for h in drv.find_elements("css selector", f"#{table_id} thead th")]


def names(drv, table_id: str = "table-overview") -> list[str]:
    index = headers(drv, table_id).index("Model")
    return [cell.split("\n")[0] for cell in column(drv, table_id, index)]


def test_ranks_sort_and_screenshot(driver, page, tmp_path):
    driver.get(page.as_uri())
    head = headers(driver, "table-overview")
    assert head[:4] == ["Rank", "Model", "Avg", "Published avg"] and "Missing" in head
    # rows lacking tasks are ranked on the tasks they have and marked (quick: its one task)
    assert names(driver) == ["org/quick", "org/partial", "org/strong", "org/weak"]
    assert column(driver, "table-overview", 0) == ["1*", "2*", "3", "4"]
    missing = column(driver, "table-overview", head.index("Missing"))
    assert missing[1] == "DemoSTS" and missing[2] == "" and missing[0] == "5 tasks"

    ths = driver.find_elements("css selector", "#table-overview thead th")
    ths[1].click()  # Model: alphabetical
    assert names(driver) == sorted(names(driver)) and ths[1].get_attribute("aria-sort") == "ascending"
    ths[2].click()  # Avg: highest first, missing values last
    avgs = column(driver, "table-overview", 2)
    assert avgs[2:] == ["—", "—"] and float(avgs[0]) > float(avgs[1])
    ths[0].click()  # Rank: best (lowest) first
    assert column(driver, "table-overview", 0) == ["1*", "2*", "3", "4"]

    best = driver.find_elements("css selector", "#table-overview td.best")
    assert best and all(b.is_displayed() for b in best)
    avg_best = driver.find_element("css selector", "#table-overview tbody tr td.best.avg")
    assert avg_best.text == max(a for a in avgs if a != "—")
    swatch = driver.find_element("css selector", "#table-overview tbody tr th .swatch")
    assert swatch.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    assert driver.save_screenshot(str(tmp_path / "overview.png"))


def test_type_tab_puts_its_average_first_and_shows_missing(driver, page, tmp_path):
    driver.get(page.as_uri())
    driver.find_element("css selector", '.tabs button[data-tab="STS"]').click()
    assert driver.find_element("id", "tab-STS").is_displayed()
    assert not driver.find_element("id", "tab-overview").is_displayed()
    assert headers(driver, "table-STS")[:3] == ["Model", "STS avg", "DemoSTS"]
    avg_header = driver.find_elements("css selector", "#table-STS thead th")[1]
    assert avg_header.rect["x"] + avg_header.rect["width"] <= 1400  # on screen at 1400 px
    missing = driver.find_element("css selector", "#table-STS td.missing")
    assert missing.is_displayed() and missing.text == "—"
    assert "missing" in missing.get_attribute("title")
    assert driver.save_screenshot(str(tmp_path / "sts-tab.png"))


def test_the_filter_box_hides_other_models_in_every_table(driver, page, tmp_path):
    driver.get(page.as_uri())
    box = driver.find_element("id", "model-filter")
    box.send_keys("STRONG")
    assert names(driver) == ["org/strong"]
    driver.find_element("css selector", '.tabs button[data-tab="models"]').click()
    assert names(driver, "table-models") == ["org/strong"]
    assert driver.save_screenshot(str(tmp_path / "filtered.png"))
    box.clear()
    box.send_keys(" ")  # an input event with an empty filter
    box.clear()
    driver.execute_script("document.getElementById('model-filter')"
                          ".dispatchEvent(new Event('input'))")
    assert len(names(driver, "table-models")) == 4


def test_models_speed_and_plots_tabs(driver, page, board, tmp_path):
    driver.get(page.as_uri() + "#models")
    head = headers(driver, "table-models")
    assert head[:8] == ["Model", "Parameters", "Embedding dim", "Max tokens", "Memory fp32 (MB)",
                        "Memory bf16 (MB)", "Access", "Link"]
    driver.find_element("css selector", '.tabs button[data-tab="speed"]').click()
    assert set(names(driver, "table-speed")) == {r.model for r in board.rows}
    image = driver.find_element("css selector", "#tab-speed img")
    assert driver.execute_script("return arguments[0].naturalWidth", image) > 100
    colors = model_colors(board)
    swatch = driver.find_element("css selector", '#table-speed tr[data-model="org/weak"] .swatch')
    hex_color = colors["org/weak"].lstrip("#")
    rgb = ",".join(str(int(hex_color[i:i + 2], 16)) for i in (0, 2, 4))
    assert swatch.get_attribute("style").replace(" ", "") == f"background:rgb({rgb});"
    driver.find_element("css selector", '.tabs button[data-tab="plots"]').click()
    images = driver.find_elements("css selector", "#tab-plots img")
    assert images and all(driver.execute_script("return arguments[0].naturalWidth", i) > 100
                          for i in images)
    assert driver.save_screenshot(str(tmp_path / "plots.png"))

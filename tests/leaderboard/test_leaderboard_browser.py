"""index.html in headless Chromium: sort a column, switch a tab, keep a screenshot.

Needs Debian's `chromium` and `chromium-driver` (installed by .ci/run) and selenium (test extra);
skips cleanly without them. The driver path is given explicitly, so Selenium Manager never tries
to download one. The screenshot stays in test-artifacts/ (git-ignored) for people to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cmteb.leaderboard.build import build_leaderboard
from cmteb.leaderboard.publish import publish
from tests.leaderboard.lb_files import write_demo_model

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
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
def page(tmp_path) -> Path:
    results = tmp_path / "results"
    write_demo_model(results, "org/strong", ALL)
    write_demo_model(results, "org/weak", {t: v / 2 for t, v in ALL.items()})
    write_demo_model(results, "org/partial", {t: v * 1.1 for t, v in ALL.items() if t != "DemoSTS"})
    write_demo_model(results, "org/quick", {"DemoSTS": 0.9}, quick=True)
    board = build_leaderboard([results], "demo")
    publish(board, tmp_path / "lb", generated="browser test", plots=False)
    return tmp_path / "lb" / "index.html"


def column(drv, table_id: str, index: int) -> list[str]:
    rows = drv.find_elements("css selector", f"#{table_id} tbody tr")
    return [r.find_elements("css selector", "th, td")[index].text for r in rows]


def test_sort_switch_tab_and_screenshot(driver, page):
    driver.get(page.as_uri())
    assert column(driver, "table-overview", 0)[:2] == ["org/strong\nrev1", "org/weak\nrev1"]
    model_header, avg_header = driver.find_elements("css selector", "#table-overview thead th")[:2]
    model_header.click()
    names = [cell.split("\n")[0] for cell in column(driver, "table-overview", 0)]
    assert names == sorted(names) and model_header.get_attribute("aria-sort") == "ascending"
    avg_header.click()  # a number column sorts descending first; missing values stay last
    avgs = column(driver, "table-overview", 1)
    assert avgs[2:] == ["—", "—"] and float(avgs[0]) > float(avgs[1])
    assert avg_header.get_attribute("aria-sort") == "descending"
    avg_header.click()
    assert column(driver, "table-overview", 1) == [avgs[1], avgs[0], "—", "—"]

    driver.find_element("css selector", '.tabs button[data-tab="STS"]').click()
    assert driver.find_element("id", "tab-STS").is_displayed()
    assert not driver.find_element("id", "tab-overview").is_displayed()
    assert driver.find_element("css selector", '.tabs button[data-tab="STS"]') \
        .get_attribute("aria-selected") == "true"
    missing = driver.find_element("css selector", "#table-STS td.missing")
    assert missing.is_displayed() and missing.text == "—"
    assert "missing" in missing.get_attribute("title")

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "leaderboard-browser.png"
    assert driver.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 5000

"""A real browser on the real site: `kscrape serve` on the demo database, driven by headless
Chromium (Debian's chromium and chromedriver, which .ci/run installs)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import make_config, run_cli
from .processes import child_env
from .searching import expected

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1200,1100")
# Set to a file name to keep the screenshot the test takes (README's docs/site.png is one).
SCREENSHOT = os.environ.get("SITE_SCREENSHOT", "")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """`kscrape demo` into a fresh folder, then `kscrape serve` on it in a child process."""
    folder = tmp_path_factory.mktemp("demo")
    config = make_config(folder, "http://127.0.0.1:9")
    demo_db = str(folder / "demo.db")
    result = run_cli(config, "demo", "--demo-db", demo_db)
    assert result.exit_code == 0, result.output
    port = _free_port()
    env = child_env()
    server = subprocess.Popen(
        [sys.executable, "-m", "kscrape", "--db", demo_db, "serve", "--port", str(port)],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stderr.read().decode()) from None
                time.sleep(0.2)
        yield url, demo_db
    finally:
        server.terminate()
        server.wait(timeout=20)
        server.stderr.close()


@pytest.fixture
def browser(tmp_path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def test_typing_a_two_syllable_word_in_the_search_box_shows_its_releases(served, browser):
    """From the front page: type 호우 into the search box, press the button, and the page
    lists the titles of the releases that hold 호우, newest first."""
    url, demo_db = served
    browser.get(url + "/")
    box = browser.find_element(By.CSS_SELECTOR, "form input[name=q]")
    box.send_keys("호우")
    box.find_element(By.XPATH, "ancestor::form//input[@type='submit']").click()
    results = (By.CSS_SELECTOR, "table.rows-and-columns")
    WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located(results))
    db = sqlite_utils.Database(demo_db)
    titles = {r["news_id"]: r["title"] for r in db.query("select news_id, title from releases")}
    db.close()
    want = [titles[i] for i in expected(demo_db, ["호우"])]
    assert len(want) > 10
    cells = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "td.col-title")]
    assert cells == want[: len(cells)] and len(cells) == min(len(want), 50)
    page = browser.page_source
    assert "호우" in browser.find_element(By.CSS_SELECTOR, "input[name=q]").get_attribute("value")
    assert all(t.replace("&", "&amp;") in page for t in want[:10])
    if SCREENSHOT:
        Path(SCREENSHOT).write_bytes(browser.get_screenshot_as_png())


def test_front_page_shows_the_weekly_chart_and_licence(served, browser):
    url, _demo_db = served
    browser.get(url + "/")
    image = browser.find_element(By.CSS_SELECTOR, "img[src='/-/kscrape/weekly.svg']")
    assert browser.execute_script("return arguments[0].naturalWidth", image) > 0
    assert "출처: 대한민국 정책브리핑" in browser.page_source

"""Headless Chromium driven by Selenium (both from Debian's packages: `make install` puts them in /usr/bin), for
the dashboard's tests, `make screenshot` and the dashboard benchmark.

`offline=True` (the default) resolves no host name but 127.0.0.1, so a page that reached for a CDN would fail
to load it, as it would on a machine without internet."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BINARY", "/usr/bin/chromedriver")


@contextlib.contextmanager
def chromium(width: int = 1400, height: int = 1000, *, offline: bool = True) -> Iterator[WebDriver]:
    """A headless Chromium window of `width` by `height` CSS pixels, quit on leaving."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--disable-extensions", "--no-first-run", f"--window-size={width},{height}",
                     "--lang=en-US"):
        options.add_argument(argument)
    if offline:
        options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for_state(driver: WebDriver, state: str, timeout: float = 30.0) -> float:
    """Seconds until the page's `<body data-state>` is `state` (the dashboard sets `ready` once every panel has
    drawn or said it is unavailable, `complete` once every chart is drawn); AssertionError after `timeout`."""
    started = time.monotonic()
    while (found := driver.execute_script("return document.body && document.body.dataset.state")) != state:
        if time.monotonic() - started > timeout:
            raise AssertionError(f"the page stayed {found!r}, not {state!r}, for {timeout} s")
        time.sleep(0.02)  # polling the page, with a deadline
    return time.monotonic() - started

"""A real browser for the demo page: Debian's Chromium driven by Playwright's Python client.

No browser is ever downloaded (`playwright install` is never run): Playwright is pointed at the
system's Chromium with `executable_path`. Without one the browser tests are skipped and say so;
`.ci/run` sets ``RISE_TEST_REQUIRE_BROWSER=1``, which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
#: where the browser tests leave their screenshots (CI keeps this folder as its artefacts)
ARTEFACTS = Path(os.environ.get("RISE_TEST_ARTEFACTS", Path(__file__).parents[2] / "artefacts"))


def find_chromium() -> str | None:
    """RISE_CHROMIUM if set, else the first Chromium on PATH."""
    named = os.environ.get("RISE_CHROMIUM")
    if named:
        return named if Path(named).exists() else None
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def _missing(reason: str) -> None:
    if os.environ.get("RISE_TEST_REQUIRE_BROWSER"):
        pytest.fail(f"{reason}, and RISE_TEST_REQUIRE_BROWSER is set (CI): install it with "
                    "`apt-get install -y chromium`")
    pytest.skip(f"{reason}: the browser test of the demo page did not run "
                "(`apt-get install -y chromium` to run it)")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        _missing("no Chromium found (chromium, chromium-browser or RISE_CHROMIUM)")
    return path


@pytest.fixture
def browser_page(chromium_path):
    """A fresh headless Chromium page, 1280x900: the three phones side by side."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright's Python client is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            yield page
        finally:
            browser.close()


@pytest.fixture
def artefacts() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS

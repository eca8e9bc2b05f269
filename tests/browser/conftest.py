"""The browser every page test drives: Debian's Chromium through Playwright,
one launch per test module (each launch gets a new, empty profile)."""

from __future__ import annotations

import pytest

from helpers.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # only where a browser test runs

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()

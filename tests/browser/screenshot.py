"""Take the picture of the sandbox in the README and the docs (docs/sandbox.png), not a test.

    python tests/browser/screenshot.py docs/sandbox.png [--phone]

Starts `python -m bot try`, sets the group up as Amara, sends the first question, lets the
others answer and photographs the page in Debian's Chromium (emoji need a colour emoji font,
e.g. Debian's fonts-noto-color-emoji).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.browser import CHROMIUM, CHROMIUM_ARGS, key
from helpers.sandbox import TryProcess


def main(target: str, phone: bool) -> None:
    sandbox = TryProcess()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            size = {"width": 400, "height": 860} if phone else {"width": 1280, "height": 860}
            page = browser.new_page(viewport=size, locale="en-GB", device_scale_factor=1)
            page.goto(sandbox.url)
            expect(page.locator("#messages")).to_contain_text("Hello, Riverside Neighbours!")
            page.fill("#composer-text", "/setup")
            page.keyboard.press("Enter")
            for label in ("Civic partnership checklist", "A civil-society organisation",
                  "Once a week", "Monday", "09:00",
                          "Europe/London", "English", "Show names"):
                key(page, label).click()
            page.click("#next-question")
            expect(page.locator("#status")).to_contain_text("Moved")
            page.click("#others")
            expect(page.locator("#status")).to_contain_text("Fatima")
            # The page settled: every picture loaded (a picture loading
            # scrolls the chat to its end), then the question in view; the
            # screenshot waits for the fonts and stops any animation.
            page.wait_for_function("() => [...document.images].every((image) => image.complete)")
            page.locator("#messages .msg", has_text="1 of 15").last.scroll_into_view_if_needed()
            page.screenshot(path=target, animations="disabled")
            browser.close()
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main(sys.argv[1], "--phone" in sys.argv)

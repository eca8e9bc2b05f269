"""Debian's Chromium as this machine must run it, and what the page tests share."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


# As this machine's Chromium must run: no sandbox as root, and none of its own network calls.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def key(page, label: str):
    """The last inline button with this label in the open chat."""
    return page.locator("#messages .key", has_text=label).last

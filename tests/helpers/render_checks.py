"""Checks shared by the rendering tests: what Telegram would accept."""

from __future__ import annotations

from bot.render.split import TELEGRAM_LIMIT
from bot.sandbox.telegram import check_telegram_html, utf16_len, visible_text


def valid(message: str) -> str:
    """The visible text of a message Telegram would accept."""
    assert check_telegram_html(message) == []
    assert utf16_len(message) <= TELEGRAM_LIMIT
    return visible_text(message)


def isolated(text: str) -> str:
    """User text as the renderers show it: inside Unicode isolates."""
    return f"\u2068{text}\u2069"

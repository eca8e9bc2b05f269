"""What the bot says to a command sent in the wrong kind of chat, or to a
command it does not know."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog
from bot.render.question import deep_link


def group_only(catalog: Catalog, language: str, command: str) -> str:
    return catalog.text(language, "elsewhere.group_only", command=command)


def private_only(catalog: Catalog, language: str, command: str,
                 bot_username: str) -> tuple[str, InlineKeyboardMarkup]:
    """Where the command works, with a button that opens the private chat."""
    button = InlineKeyboardButton(catalog.text(language, "mydata.open_private"),
                                  url=deep_link(bot_username, "start"))
    return (catalog.text(language, "elsewhere.private_only", command=command),
            InlineKeyboardMarkup([[button]]))


def unknown(catalog: Catalog, language: str, command: str) -> str:
    return catalog.text(language, "elsewhere.unknown", command=command)

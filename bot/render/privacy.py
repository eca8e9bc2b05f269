"""What the bot says about a person's own data: asking them to open the
private chat (where their answers, digests and exports go), and /forget's
question, in a group or in the private chat."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog
from bot.render import callbacks
from bot.render.question import deep_link


def open_private_chat(catalog: Catalog, language: str, key: str, *, name: str,
                      bot_username: str, payload: str) -> tuple[str, InlineKeyboardMarkup]:
    """`key`'s words with a button that opens the private chat with /start
    `payload`, so what was asked for comes at once."""
    button = InlineKeyboardButton(catalog.text(language, "mydata.open_private"),
                                  url=deep_link(bot_username, payload))
    return (catalog.text(language, key, name=name), InlineKeyboardMarkup([[button]]))


def forget_question(catalog: Catalog, language: str, user_id: int, *,
                    in_group: bool) -> tuple[str, InlineKeyboardMarkup]:
    """Delete or keep? (In a group, only the person's data there.) The buttons
    name the person they are for: nobody else's press counts."""
    prefix = "forget." if in_group else "self.forget_"
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(catalog.text(language, f"{prefix}{answer}"),
                             callback_data=callbacks.encode(callbacks.ForgetConfirm(user_id, yes)))
        for answer, yes in (("yes", True), ("no", False))
    ]])
    return catalog.text(language, f"{prefix}confirm"), keyboard


def quiet_confirmed(catalog: Catalog, language: str, group_title: str | None, *,
                    quiet: bool) -> str:
    """/quiet (or /quiet off) confirmed in the person's private chat, naming the
    group it is about (the title escaped)."""
    key = "quiet.on_private" if quiet else "quiet.off_private"
    return catalog.text(language, key, title=group_title or "")

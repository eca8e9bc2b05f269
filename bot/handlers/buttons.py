"""Inline buttons routed by the kind of their callback data.

Each kind of button has its own CallbackQueryHandler, registered beside the
handler that owns it; callback data is decoded once, by the handler's pattern,
and the decoded value reaches the callback through `pressed(context, Kind)`.
A button in the wrong kind of chat, with forged or outdated data, or on a
message too old for Telegram to show, falls through to `stale_button`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from telegram import MaybeInaccessibleMessage, Message, Update
from telegram.ext import CallbackQueryHandler

from bot.handlers.common import is_group
from bot.handlers.replies import alert
from bot.render import callbacks
from bot.runtime.context import BotContext

K = TypeVar("K", bound=callbacks.Callback)


class ButtonHandler(CallbackQueryHandler):
    """Handles one callback kind, optionally only in groups or only in private chats."""

    def __init__(self, kind: type[K], callback: Callable, *, chats: str | None = None,
                 strict: bool = False):
        if chats not in (None, "group", "private"):
            raise ValueError(f"chats must be 'group', 'private' or None, not {chats!r}")

        def decoded(data: object) -> K | None:
            choice = callbacks.decode(data) if isinstance(data, str) else None
            return choice if isinstance(choice, kind) else None

        super().__init__(callback, pattern=decoded)
        self.kind = kind
        self.chats = chats
        # Strict: only under a message that shows this very button, for
        # kinds the database cannot vouch for. The others (questions,
        # wizards) are checked by their handlers against the message they
        # sit under, which also lets an old wizard button or a press on a
        # closed question be answered helpfully.
        self.strict = strict

    def check_update(self, update: object) -> object:
        # PTB lets a press with empty data through every pattern: not here.
        if not isinstance(update, Update) or not (update.callback_query
                                                  and update.callback_query.data):
            return None
        result = super().check_update(update)
        if not result:
            return None
        query = update.callback_query
        message = query.message
        if message is None or (self.strict and not carries(message, query.data)):
            return None
        if self.chats is not None and self.chats != ("group" if is_group(message.chat)
                                                      else "private"):
            return None
        return result


def carries(message: MaybeInaccessibleMessage, data: str | None) -> bool:
    """Whether the pressed data is one of the message's own buttons (the data
    of a press can be forged; the message Telegram attaches cannot)."""
    markup = message.reply_markup if isinstance(message, Message) else None
    return markup is not None and any(
        button.callback_data == data for row in markup.inline_keyboard for button in row)


def buttons_of(message: Message | None) -> list[callbacks.Callback]:
    """The decoded buttons under one of the bot's messages."""
    if message is None or message.reply_markup is None:
        return []
    decoded = (callbacks.decode(button.callback_data) if isinstance(button.callback_data, str)
               else None for row in message.reply_markup.inline_keyboard for button in row)
    return [choice for choice in decoded if choice is not None]


def pressed(context: BotContext, kind: type[K]) -> K:
    """The decoded callback data of the button being handled."""
    choice = context.matches[0] if context.matches else None
    if not isinstance(choice, kind):
        raise TypeError(f"expected a {kind.__name__} button, got {choice!r}")
    return choice


async def stale_button(update: Update, context: BotContext) -> None:
    """Any button no other handler took: forged, outdated or out of place."""
    await alert(update, context, "button.stale")

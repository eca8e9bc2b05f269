"""When handling an update fails: log what and where, tell the person gently, go on.

The log line names the handler, the kind of update, the chat and the
exception's type, with the traceback's frames; never the update itself or
the exception's message, which can carry what people wrote or their names.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.handlers.common import chat_language, language_of
from bot.handlers.replies import answer_button, reply
from bot.runtime import attempts
from bot.runtime.context import BotContext
from bot.store.outage import is_unavailable

log = logging.getLogger(__name__)
Handler = Callable[[Update, BotContext], Awaitable[None]]


def guarded(handler: Handler) -> Handler:
    """The handler, with its failures logged (with its name) and apologised
    for, so no exception escapes into the update loop."""

    @functools.wraps(handler)
    async def run(update: Update, context: BotContext) -> None:
        try:
            await handler(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception as error:
            if is_unavailable(error):
                await database_away(update, context, handler.__qualname__, error)
                return
            log.error("%s failed on %s: %s\n%s", handler.__qualname__, describe(update),
                      type(error).__name__, frames(error))
            await apologise(update, context)

    return run


async def on_error(update: object, context: BotContext) -> None:
    """PTB's error handler: what failed outside a handler (a job, the network)."""
    error = context.error
    if update is None and isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # Polling could not reach Telegram: it is retried with growing waits,
        # so one line per attempt says enough; a traceback would only bury it.
        log.warning("cannot reach Telegram while polling (%s); retrying", error)
        return
    if isinstance(update, Update) and is_unavailable(error):
        await database_away(update, context, "the update loop", error)
        return
    if update is None and is_unavailable(error):
        # A scheduled job met the database away: it runs again at its next
        # turn, and a traceback a minute would bury the one line that matters.
        log.warning("a scheduled job could not reach the database (%s); it runs again "
                    "at its next turn", type(error).__name__)
        return
    where = describe(update) if isinstance(update, Update) else "no update"
    log.error("error (%s) on %s: %s\n%s", type(error).__name__, where,
              _safe_message(error), frames(error))
    if isinstance(update, Update):
        await apologise(update, context)


def describe(update: Update) -> str:
    """The update's kind, chat and sender as ids: enough to find it, nothing said in it."""
    kind = next((name for name in ("message", "edited_message", "callback_query",
                                   "my_chat_member", "chat_member", "channel_post")
                 if getattr(update, name, None) is not None), "update")
    chat = update.effective_chat
    user = update.effective_user
    return (f"{kind} {update.update_id} in chat {chat.id if chat else '-'}"
            f" from user {user.id if user else '-'}")


def frames(error: BaseException | None) -> str:
    if error is None:
        return ""
    return "".join(traceback.format_tb(error.__traceback__)).rstrip()


def _safe_message(error: BaseException | None) -> str:
    # Telegram's errors describe a request, not what anyone wrote.
    return str(error)[:200] if isinstance(error, TelegramError) else ""


async def apologise(update: Update, context: BotContext) -> None:
    if context.bot_data.store is None or context.bot_data.catalog is None:
        return
    try:
        language = await chat_language(update, context)
    except Exception:  # the store may be the thing that broke
        language = context.settings.default_language
    text = context.catalog.text(language, "errors.generic")
    message = update.effective_message
    if update.callback_query is not None:
        await answer_button(update, context, text[:200], alert=True)
    elif message is None or update.edited_message is not None:
        return  # an edit, a membership change: nobody is waiting for an answer
    elif update.effective_chat.type == "private" or (message.text or "").startswith("/"):
        # In a group only answer what was addressed to the bot.
        await reply(update, context, text)


async def database_away(update: Update, context: BotContext, where: str,
                        error: BaseException) -> None:
    """The database could not be reached: the update is not confirmed to
    Telegram (bot.runtime.ordering.process), so it is handled again once
    the database answers, and saved once (handlers are idempotent). The
    person is told only what is true, once: not saved yet, tried again by
    itself. A comment by reply in a group gets nothing: its ✍ comes when
    it is saved."""
    if not attempts.store_was_unavailable(update.update_id):
        return
    # One line, no traceback: an outage makes one for every update in hand.
    log.warning("%s could not reach the database on %s (%s); it will be handled again",
                where, describe(update), type(error).__name__)
    if context.bot_data.catalog is None:
        return
    # Not the chat's stored language: the store is what is away.
    language = language_of(None, update, context)
    message = update.effective_message
    if update.callback_query is not None:
        await answer_button(update, context,
                            context.catalog.text(language, "errors.not_saved_yet_tap"))
    elif message is None or update.edited_message is not None:
        return
    elif update.effective_chat.type == "private" or (message.text or "").startswith("/"):
        await reply(update, context, context.catalog.text(language, "errors.not_saved_yet"))

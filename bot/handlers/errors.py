"""The one error handler: log with the update, tell the person gently, go on."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, NetworkError, TelegramError

from bot.context import BotContext
from bot.handlers.common import chat_language

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    if update is None and isinstance(context.error, NetworkError) and not isinstance(
        context.error, BadRequest
    ):
        # Polling could not reach Telegram: python-telegram-bot retries with growing waits,
        # so one line per attempt says enough; a traceback would only bury it.
        log.warning("cannot reach Telegram while polling (%s); retrying", context.error)
        return
    log.error(
        "error while handling %s",
        update.to_dict() if isinstance(update, Update) else update,
        exc_info=context.error,
    )
    if not isinstance(update, Update):
        return
    try:
        await _apologise(update, context)
    except (TelegramError, RuntimeError):
        # Telegram itself may be what failed; the log above says enough.
        log.warning("could not tell the user about the error", exc_info=True)


async def _apologise(update: Update, context: BotContext) -> None:
    if context.bot_data.store is None or context.bot_data.catalog is None:
        return
    try:
        language = await chat_language(update, context)
    except Exception:  # the store may be the thing that broke
        language = context.settings.default_language
    text = context.catalog.text(language, "errors.generic")
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200], show_alert=True)
    elif update.effective_message is not None and update.effective_chat.type == "private":
        await update.effective_message.reply_text(text)
    elif update.effective_message is not None and (update.effective_message.text or "").startswith(
        "/"
    ):
        # In a group only answer what was addressed to the bot.
        await update.effective_message.reply_text(text)

"""How handlers talk back: every reply, pop-up, edit and file goes through
the delivery rules (services.delivery), so a blocked chat is marked inactive,
a migrated group followed, an unchanged edit taken as done, and a failure
never turns into a traceback or an apology in the wrong place.

Each returns what Telegram sent back, or None when the send did not happen;
callers that care (a private message that could not reach someone) decide
what to say instead.
"""

from __future__ import annotations

import logging

from telegram import InputFile, Message, ReactionTypeEmoji, Update

from bot.handlers.common import chat_language
from bot.runtime.context import BotContext
from bot.services.delivery import Outcome, attempt, try_to

log = logging.getLogger(__name__)


async def reply(update: Update, context: BotContext, text: str, **options) -> Message | None:
    """Answer in the chat the update came from (as a reply in groups)."""
    message = update.effective_message
    return await try_to(context.bot_data, message.chat_id, "sendMessage", lambda chat_id: (
        message.reply_text(text, **options) if chat_id == message.chat_id
        else context.bot.send_message(chat_id, text, **options)))


async def reply_document(update: Update, context: BotContext, document: InputFile,
                         **options) -> Message | None:
    message = update.effective_message
    return await try_to(context.bot_data, message.chat_id, "sendDocument",
                        lambda chat_id: context.bot.send_document(chat_id, document, **options))


async def send_to(context: BotContext, chat_id: int, text: str, **options) -> Message | None:
    """A message to another chat (a person's private chat, from a group)."""
    return await try_to(context.bot_data, chat_id, "sendMessage",
                        lambda target: context.bot.send_message(target, text, **options))


async def send_document_to(context: BotContext, chat_id: int, document: InputFile,
                           **options) -> Message | None:
    return await try_to(context.bot_data, chat_id, "sendDocument",
                        lambda target: context.bot.send_document(target, document, **options))


async def edit(context: BotContext, chat_id: int, message_id: int, text: str,
               **options) -> bool:
    """Change one of the bot's messages; True when it shows `text` now
    (an edit to the same text counts)."""
    result = await attempt(context.bot_data, chat_id, "editMessageText", lambda target: (
        context.bot.edit_message_text(text, chat_id=target, message_id=message_id, **options)))
    return result.outcome is Outcome.SENT


async def edit_pressed(update: Update, context: BotContext, text: str, **options) -> bool:
    """Change the message whose button was pressed."""
    message = update.callback_query.message
    return await edit(context, message.chat.id, message.message_id, text, **options)


async def answer_button(update: Update, context: BotContext, text: str | None = None, *,
                        alert: bool = False) -> None:
    """The pop-up (or silent acknowledgement) for a pressed button. A query
    Telegram already forgot (too old, redelivered) is not worth more."""
    query = update.callback_query
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await try_to(context.bot_data, chat_id, "answerCallbackQuery",
                 lambda _: query.answer(text[:200] if text else None, show_alert=alert))


async def alert(update: Update, context: BotContext, key: str, **values: object) -> None:
    """A pop-up with a catalog string, in the chat's language."""
    language = await chat_language(update, context)
    await answer_button(update, context, context.catalog.text(language, key, **values),
                        alert=True)


async def react(context: BotContext, message: Message, emoji: str) -> None:
    """A reaction to someone's message (reactions can be turned off in a
    group; the thing it acknowledges is saved anyway)."""
    await try_to(context.bot_data, message.chat_id, "setMessageReaction",
                 lambda _: message.set_reaction(ReactionTypeEmoji(emoji)))

""""What does this mean?": the meanings of a question's terms, to the tapper alone."""

from __future__ import annotations

import logging

from telegram import Update

from bot.domain.records import Prompt
from bot.handlers.buttons import pressed, stale_button
from bot.handlers.common import chat_language, is_group
from bot.handlers.replies import answer_button, reply, send_to
from bot.render import callbacks
from bot.render import glossary as render
from bot.runtime.context import BotContext

log = logging.getLogger(__name__)


async def on_glossary(update: Update, context: BotContext) -> None:
    """A pop-up if the meanings fit in one; otherwise a message in the
    tapper's private chat (where they have one), never in the group."""
    choice = pressed(context, callbacks.Explain)
    query = update.callback_query
    prompt = await _prompt_under_button(update, context, choice.prompt_id)
    pack = context.packs.get(prompt.pack_id) if prompt else None
    item = pack.item(prompt.item_id) if pack else None
    if item is None or not item.terms:
        await stale_button(update, context)
        return
    # The question's own language, so the terms are named as it names them.
    language = await chat_language(update, context)
    catalog, glossary = context.catalog, context.packs.glossary
    alert, complete = render.meanings_alert(catalog, language, glossary, item.terms)
    if complete:
        await answer_button(update, context, alert, alert=True)
        return
    message = render.meanings_message(catalog, language, glossary, item.terms)
    if not is_group(query.message.chat):
        await answer_button(update, context)
        await reply(update, context, message)
        return
    if await _send_privately(context, query.from_user.id, message):
        await answer_button(update, context, catalog.text(language, "glossary.sent"), alert=True)
    else:
        await answer_button(update, context, alert, alert=True)


async def _prompt_under_button(
    update: Update, context: BotContext, prompt_id: int
) -> Prompt | None:
    """The prompt the button names, only if the button sits under its message
    (the group's question, its private copy, or a personal prompt)."""
    message = update.callback_query.message
    prompts = context.store.prompts
    prompt = await prompts.by_message(message.chat.id, message.message_id)
    if prompt is None and not is_group(message.chat):
        prompt = await prompts.by_private_message(message.chat.id, message.message_id)
    return prompt if prompt is not None and prompt.id == prompt_id else None


async def _send_privately(context: BotContext, user_id: int, text: str) -> bool:
    private = await context.store.chats.get(user_id)
    if private is None or not private.active:
        return False
    return await send_to(context, user_id, text) is not None

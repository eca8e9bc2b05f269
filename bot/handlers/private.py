"""Private chats: deep links from groups, and messages that are not replies."""

from __future__ import annotations

import re

from telegram import Update

from bot.handlers import reports
from bot.handlers.common import chat_language
from bot.handlers.guards import is_present, say
from bot.handlers.mydata import mydata_from_link
from bot.handlers.replies import reply, send_to
from bot.render import question as render
from bot.runtime.context import BotContext
from bot.services import questions

_ANSWER_LINK = re.compile(r"^p(\d{1,18})$")
_MYDATA_LINK = re.compile(r"^d(-\d{1,18})$")


async def open_deep_link(update: Update, context: BotContext, payload: str) -> bool:
    """Handle /start <payload>; False if the payload is not one of ours."""
    if match := _ANSWER_LINK.match(payload):
        await answer_privately(update, context, int(match.group(1)))
        return True
    if match := _MYDATA_LINK.match(payload):
        await mydata_from_link(update, context, int(match.group(1)))
        return True
    if payload == "digest":
        # A coordinator who just opened the private chat: send what they asked for.
        await reports.digest(update, context)
        return True
    return False


async def answer_privately(update: Update, context: BotContext, prompt_id: int) -> None:
    """Send a group's question into this private chat; answers here stay private."""
    catalog = context.catalog
    user = update.effective_user
    shared = await questions.shared_question(context.bot_data, prompt_id)
    if shared is None or not await is_present(context, shared[1].id, user.id):
        await say(update, context, "private.not_member")
        return
    prompt, group = shared
    if not prompt.is_open:
        await say(update, context, "answer.closed")
        return
    pack = context.packs.get(prompt.pack_id)
    item = pack.item(prompt.item_id) if pack else None
    if item is None:
        await say(update, context, "private.not_member")
        return
    language = await chat_language(update, context)
    chat_id = update.effective_chat.id
    # Their rating so far, in text: opening the question again reads it.
    given = await context.store.answers.get(prompt.id, user.id)
    question = await reply(update, context,
        render.private_question(catalog, language, pack, item, group_title=group.title or "",
                                rating=given.scale if given and not given.skipped else None),
        reply_markup=render.private_keyboard(catalog, language, pack, item, prompt.id),
    )
    if question is None:
        return
    text, force_reply = render.comment_invitation(catalog, language)
    invitation = await send_to(context, chat_id, text, reply_markup=force_reply)
    # Both messages are the question's here: a reply to either comments on it.
    sent = [question] if invitation is None else [question, invitation]
    await questions.sent_privately(context.bot_data, chat_id, prompt.id,
                                   [message.message_id for message in sent])


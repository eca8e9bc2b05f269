"""A member's own data in a group: /mydata shows it privately, /forget deletes it."""

from __future__ import annotations

import logging

from telegram import Update

from bot.handlers.buttons import pressed
from bot.handlers.common import chat_language, remember_chat
from bot.handlers.guards import is_present, refuse_chat_senders, say
from bot.handlers.replies import alert, answer_button, edit_pressed, reply, send_to
from bot.render import callbacks, privacy
from bot.render.mydata import my_answers
from bot.render.mydata_actions import my_actions
from bot.runtime.context import BotContext
from bot.services import own_data

log = logging.getLogger(__name__)


async def mydata(update: Update, context: BotContext) -> None:
    if await refuse_chat_senders(update, context):
        return
    chat = await remember_chat(update, context)
    user = update.effective_user
    private = await context.store.chats.get(user.id)
    # A private chat that blocked the bot is marked inactive by the send, and
    # the person is asked to open it again, here, without an apology.
    if private is not None and private.active and await send_my_answers(
            context, chat.id, user.id, private.language):
        await say(update, context, "mydata.sent_privately", name=user.first_name)
        return
    language = await chat_language(update, context)
    text, keyboard = privacy.open_private_chat(
        context.catalog, language, "mydata.needs_private", name=user.first_name,
        bot_username=context.bot.username, payload=f"d{chat.id}")
    await reply(update, context, text, reply_markup=keyboard)


async def send_my_answers(context: BotContext, group_id: int, user_id: int,
                          language: str) -> bool:
    """A member's answers and actions in a group, in their private chat; False if they
    could not be reached."""
    group, pairs = await own_data.answers_in(context.bot_data, group_id, user_id)
    made, owned = await own_data.actions_in(context.bot_data, group_id, user_id)
    rated = await own_data.design_ratings_in(context.bot_data, group_id, user_id)
    actions = my_actions(context.catalog, language, group, made, owned, rated) if group else []
    for text in my_answers(context.catalog, language, group, context.packs, pairs, actions):
        if await send_to(context, user_id, text) is None:
            return False
    return True


async def forget(update: Update, context: BotContext) -> None:
    if await refuse_chat_senders(update, context):
        return
    await remember_chat(update, context)
    user = update.effective_user
    language = await chat_language(update, context)
    # Nothing personal in the group: no name, and the count goes to the
    # person alone (the pop-up of their own press).
    text, keyboard = privacy.forget_question(context.catalog, language, user.id, in_group=True)
    await reply(update, context, text, reply_markup=keyboard)


async def forget_confirm(update: Update, context: BotContext) -> None:
    """The answer to /forget's question in a group; only the asker may give it."""
    choice = pressed(context, callbacks.ForgetConfirm)
    query = update.callback_query
    language = await chat_language(update, context)
    if query.from_user.id != choice.user_id:
        await alert(update, context, "forget.not_yours")
        return
    if not choice.confirmed:
        await answer_button(update, context)
        await edit_pressed(update, context, context.catalog.text(language, "forget.kept"))
        return
    deleted, open_prompts = await own_data.forget_in_group(context.bot_data, query.message.chat.id,
                                                         choice.user_id)
    await answer_button(update, context,
                        context.catalog.plural(language, "forget.done_count", deleted))
    await edit_pressed(update, context, context.catalog.text(language, "forget.done"))
    for prompt_id in open_prompts:
        context.refresh_count_soon(prompt_id)


async def mydata_from_link(update: Update, context: BotContext, group_id: int) -> None:
    """/start d<group id> in a private chat: the member's answers in that group."""
    user = update.effective_user
    group = await context.store.chats.get(group_id)
    if group is None or not group.is_group or not await is_present(context, group_id, user.id):
        await say(update, context, "private.not_member")
        return
    await send_my_answers(context, group_id, user.id, await chat_language(update, context))

"""A member's own data in a group: /mydata shows it privately, /forget deletes it."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers.buttons import pressed
from bot.handlers.common import chat_language, remember_chat
from bot.handlers.guards import is_present, refuse_chat_senders, say
from bot.handlers.replies import alert, answer_button, edit_pressed, reply, send_to
from bot.render import callbacks
from bot.render.mydata import my_answers
from bot.render.question import deep_link
from bot.runtime.context import BotContext

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
    button = InlineKeyboardButton(
        context.catalog.text(language, "mydata.open_private"),
        url=deep_link(context.bot.username, f"d{chat.id}"),
    )
    await reply(update, context,
        context.catalog.text(language, "mydata.needs_private", name=user.first_name),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


async def send_my_answers(context: BotContext, group_id: int, user_id: int,
                          language: str) -> bool:
    """A member's answers in a group, in their private chat; False if they
    could not be reached."""
    store = context.store
    group = await store.chats.get(group_id)
    answers = await store.answers.for_member_in_chat(group_id, user_id)
    prompts = await store.prompts.get_many([a.prompt_id for a in answers])
    pairs = [(prompts[a.prompt_id], a) for a in answers]
    for text in my_answers(context.catalog, language, group, context.packs, pairs):
        if await send_to(context, user_id, text) is None:
            return False
    return True


async def forget(update: Update, context: BotContext) -> None:
    if await refuse_chat_senders(update, context):
        return
    await remember_chat(update, context)
    user = update.effective_user
    language = await chat_language(update, context)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(
            context.catalog.text(language, "forget.yes"),
            callback_data=callbacks.encode(callbacks.ForgetConfirm(user.id, True)),
        ),
        InlineKeyboardButton(
            context.catalog.text(language, "forget.no"),
            callback_data=callbacks.encode(callbacks.ForgetConfirm(user.id, False)),
        ),
    ]])
    await reply(update, context,
        context.catalog.text(language, "forget.confirm", name=user.first_name),
        reply_markup=keyboard,
    )


async def forget_confirm(update: Update, context: BotContext) -> None:
    """The answer to /forget's question in a group; only the asker may give it."""
    choice = pressed(context, callbacks.ForgetConfirm)
    query = update.callback_query
    language = await chat_language(update, context)
    if query.from_user.id != choice.user_id:
        await alert(update, context, "forget.not_yours")
        return
    await answer_button(update, context)
    name = query.from_user.first_name
    if not choice.confirmed:
        await edit_pressed(update, context,
                           context.catalog.text(language, "forget.kept", name=name))
        return
    chat_id = query.message.chat.id
    open_prompts = await context.store.prompts.open_for_chat(chat_id)
    deleted = await context.store.forget_member_in_chat(chat_id, choice.user_id)
    await edit_pressed(update, context,
        context.catalog.plural(language, "forget.done", deleted, name=name)
    )
    for prompt in open_prompts:
        context.refresh_count_soon(prompt.id)


async def mydata_from_link(update: Update, context: BotContext, group_id: int) -> None:
    """/start d<group id> in a private chat: the member's answers in that group."""
    user = update.effective_user
    group = await context.store.chats.get(group_id)
    if group is None or not group.is_group or not await is_present(context, group_id, user.id):
        await say(update, context, "private.not_member")
        return
    await send_my_answers(context, group_id, user.id, await chat_language(update, context))

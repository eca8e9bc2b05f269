"""Answers: scale taps, quoting consent, and comments given by reply."""

from __future__ import annotations

import logging

from telegram import Message, Update

from bot.domain.records import Chat as StoredChat
from bot.domain.records import Prompt, Sighting
from bot.handlers import actions
from bot.handlers.buttons import buttons_of, pressed, stale_button
from bot.handlers.common import (
    chat_language,
    is_group,
    language_of,
    message_content,
    remember_chat,
)
from bot.handlers.guards import refuse_chat_senders, say, speaks_as_chat
from bot.handlers.replies import alert, answer_button, react, reply
from bot.render import answers as render
from bot.render import callbacks
from bot.runtime.context import BotContext
from bot.services import answers as answering

log = logging.getLogger(__name__)
SAVED_REACTION = "✍"


async def _prompt_for_button(update: Update, context: BotContext,
                             prompt_id: int) -> Prompt | None:
    """The prompt a button belongs to, if the message it sits under is a copy
    of that prompt in this chat (or the private copy sent to this person)."""
    message = update.callback_query.message
    return await answering.prompt_under(
        context.bot_data, message.chat.id, message.message_id, prompt_id,
        in_group=is_group(message.chat),
        # Read from the keyboard only when the message is not the recorded one.
        shows_it=lambda: isinstance(message, Message) and prompt_id in _named_by(message))


def _named_by(message: Message) -> list[int]:
    """The prompts the buttons under one of the bot's questions answer."""
    return [choice.prompt_id for choice in buttons_of(message)
            if isinstance(choice, callbacks.Rate | callbacks.Quote)]


async def _usable_prompt(update: Update, context: BotContext, prompt_id: int):
    """(prompt, language, sighting) for a button that may still be used;
    otherwise the press is answered (stale button, closed question) and None
    returned."""
    prompt = await _prompt_for_button(update, context, prompt_id)
    if prompt is None:
        await stale_button(update, context)
        return None
    chat, sighting = await _answering(update, context, prompt)
    language = language_of(chat, update, context)
    if not prompt.is_open:
        await alert(update, context, "answer.closed")
        return None
    return prompt, language, sighting


async def rate(update: Update, context: BotContext) -> None:
    """A tap on the scale under a question (or Skip)."""
    choice = pressed(context, callbacks.Rate)
    query = update.callback_query
    usable = await _usable_prompt(update, context, choice.prompt_id)
    if usable is None:
        return
    prompt, language, sighting = usable
    skipped = await answering.rate(context.bot_data, prompt, query.from_user.id, choice.value,
                                   in_group=is_group(query.message.chat), sighting=sighting)
    # The pop-up goes once the answer is committed, in the background: it
    # takes a round trip to Telegram, and awaiting it here would hold up the
    # chat's next updates (each chat's are handled in order) behind it.
    context.bot_data.in_background(answer_button(
        update, context, context.catalog.text(language,
                                              "answer.skipped" if skipped else "answer.saved")))
    context.refresh_count_soon(prompt.id)


async def quote(update: Update, context: BotContext) -> None:
    """Allow, or stop allowing, one's comment to be quoted in the summary."""
    choice = pressed(context, callbacks.Quote)
    query = update.callback_query
    usable = await _usable_prompt(update, context, choice.prompt_id)
    if usable is None:
        return
    prompt, language, sighting = usable
    allow = await answering.set_quote(context.bot_data, prompt, query.from_user.id,
                                      choice.allow, sighting)
    if allow is None:
        await alert(update, context, "answer.quote_private")
        return
    key = "answer.quote_on" if allow else "answer.quote_off"
    await answer_button(update, context, context.catalog.text(language, key), alert=True)


async def on_reply(update: Update, context: BotContext) -> None:
    """A reply in a group to one of the bot's questions: a comment on it; to
    an action without a date: perhaps a date. Replies to anything else are
    not for the bot."""
    prompt = await replied_prompt(update, context)
    if prompt is not None:
        await comment(update, context, prompt)
    else:
        await actions.date_reply(update, context)


async def comment(update: Update, context: BotContext, prompt: Prompt) -> None:
    """Save a comment (text or voice) on a group's question, given in the
    group or in a private chat (then it stays private)."""
    message = update.effective_message
    if await refuse_chat_senders(update, context):
        return
    if not prompt.is_open:
        await say(update, context, "answer.closed")
        return
    text, voice = message_content(message)
    if text is None and voice is None:
        await say(update, context, "answer.text_or_voice")
        return
    in_private = not is_group(message.chat)
    _, sighting = await _answering(update, context, prompt)
    await answering.comment(context.bot_data, prompt, update.effective_user.id, text=text,
                            voice=voice, privately=in_private, message_id=message.message_id,
                            sighting=sighting)
    # The reaction waits on the group's flood limit: never in the way of
    # the next update.
    context.bot_data.in_background(react(context, message, SAVED_REACTION))
    if in_private:
        await reply(update, context, await _saved_privately(update, context, prompt))
    context.refresh_count_soon(prompt.id)


async def on_edited_reply(update: Update, context: BotContext) -> None:
    """An edited comment in a group replaces the saved one."""
    prompt = await replied_prompt(update, context)
    if prompt is not None:
        await edit_comment(update, context, prompt)


async def edit_comment(update: Update, context: BotContext, prompt: Prompt) -> None:
    """An edited comment replaces the saved one; the old text stays in history."""
    message = update.edited_message
    if update.effective_user is None:
        return
    text, voice = message_content(message)
    await answering.edit_comment(context.bot_data, prompt, update.effective_user.id,
                                 message.message_id, text=text, voice=voice)


async def replied_prompt(update: Update, context: BotContext) -> Prompt | None:
    """The group question a message replies to: the question itself (any
    copy of it) in a group, or its private copy in a private chat."""
    message = update.effective_message
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return None
    return await answering.replied_to(
        context.bot_data, message.chat.id, replied.message_id, in_group=is_group(message.chat),
        named=lambda: next(iter(_named_by(replied)), None))


async def _answering(update: Update, context: BotContext,
                     prompt: Prompt) -> tuple[StoredChat | None, Sighting | None]:
    """The chat an answer comes from, as stored (recorded if the bot did not
    know it yet), and how to count the person as a member of the prompt's
    group: whoever answers a group's question is one of its members, also
    when answering privately; a personal prompt's owner is not."""
    chat, user = update.effective_chat, update.effective_user
    if is_group(chat):
        if user is None or user.is_bot or speaks_as_chat(update):
            return await context.store.chats.get(chat.id), None
        stored = await remember_chat(update, context)
        return stored, Sighting(chat.id, user.full_name, user.username)
    stored = await context.store.chats.get(chat.id)
    if prompt.chat_id == chat.id:
        return stored, None
    return stored, Sighting(prompt.chat_id, user.full_name, user.username)


async def _saved_privately(update: Update, context: BotContext, prompt: Prompt) -> str:
    group = await context.store.chats.get(prompt.chat_id)
    pack = context.packs.get(prompt.pack_id)
    item = pack.item(prompt.item_id) if pack else None
    language = await chat_language(update, context)
    return render.saved_privately(context.catalog, language, group, pack, item)

"""Answers: scale taps, quoting consent, and comments given by reply."""

from __future__ import annotations

import logging

from telegram import MaybeInaccessibleMessage, Message, Update

from bot.domain.records import Chat as StoredChat
from bot.domain.records import Prompt, Sighting
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

log = logging.getLogger(__name__)
SAVED_REACTION = "✍"


async def _prompt_for_button(update: Update, context: BotContext, prompt_id: int):
    """The prompt a button belongs to, if the message it sits under is a copy
    of that prompt in this chat (or the private copy sent to this person)."""
    message = update.callback_query.message
    prompts = context.store.prompts
    if not is_group(message.chat):
        # A group's question sent here privately, or the person's own prompt.
        prompt = (await prompts.by_private_message(message.chat.id, message.message_id)
                  or await prompts.by_message(message.chat.id, message.message_id))
        return prompt if prompt is not None and prompt.id == prompt_id else None
    return await _copy_of(context, message, prompt_id)


async def _copy_of(context: BotContext, message: MaybeInaccessibleMessage,
                   prompt_id: int) -> Prompt | None:
    """The group's prompt `prompt_id` if `message` is a copy of it: the one
    the bot recorded, or another that reached the group when the bot never
    learned how a send ended (then the bot learns this one)."""
    prompt = await context.store.prompts.get(prompt_id)
    if prompt is None or prompt.chat_id != message.chat.id:
        return None
    if prompt.message_id == message.message_id:
        return prompt
    shows = isinstance(message, Message) and any(
        isinstance(choice, callbacks.Rate | callbacks.Quote) and choice.prompt_id == prompt_id
        for choice in buttons_of(message))
    if not shows:
        return None  # not a copy we can recognise: only the recorded one counts
    if prompt.message_id is None:
        await context.store.prompts.learn_message(prompt.id, message.message_id)
    return prompt


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
    skipped = choice.value == 0
    await context.store.answers.record(
        prompt.id, query.from_user.id, scale=None if skipped else choice.value, skipped=skipped,
        visibility="group" if is_group(query.message.chat) else "private", seen_in=sighting,
    )
    context.bot_data.metrics.answer_saved("skip" if skipped else "rating")
    # The pop-up goes once the answer is committed, in the background: it
    # takes a round trip to Telegram, and updates are handled one at a time,
    # so awaiting it here would hold up every other chat's taps behind it.
    context.bot_data.in_background(answer_button(
        update, context, context.catalog.text(language,
                                              "answer.skipped" if skipped else "answer.saved")))
    context.refresh_count_soon(prompt.id)


async def quote(update: Update, context: BotContext) -> None:
    """Allow (or stop allowing) one's comment to be quoted in the summary."""
    choice = pressed(context, callbacks.Quote)
    query = update.callback_query
    usable = await _usable_prompt(update, context, choice.prompt_id)
    if usable is None:
        return
    prompt, language, sighting = usable
    current = await context.store.answers.get(prompt.id, query.from_user.id)
    if current is not None and current.visibility == "private":
        # Answered privately: never shown in the group, so never quoted.
        await alert(update, context, "answer.quote_private")
        return
    allow = not (current.quotable if current else False)
    await context.store.answers.record(prompt.id, query.from_user.id, quotable=allow,
                                       seen_in=sighting)
    key = "answer.quote_on" if allow else "answer.quote_off"
    await answer_button(update, context, context.catalog.text(language, key), alert=True)


async def on_reply(update: Update, context: BotContext) -> None:
    """A reply in a group to one of the bot's questions: a comment on it.
    Replies to anything else are not for the bot."""
    prompt = await replied_prompt(update, context)
    if prompt is not None:
        await comment(update, context, prompt)


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
    await context.store.answers.record(
        prompt.id, update.effective_user.id, text=text, voice_file_id=voice,
        visibility="private" if in_private else "group", message_id=message.message_id,
        seen_in=sighting,
    )
    context.bot_data.metrics.answer_saved("comment")
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
    if not prompt.is_open or update.effective_user is None:
        return
    answer = await context.store.answers.by_message(prompt.id, message.message_id)
    if answer is None or answer.user_id != update.effective_user.id:
        return
    text, voice = message_content(message)
    if text is not None or voice is not None:
        await context.store.answers.record(
            prompt.id, answer.user_id, text=text, voice_file_id=voice,
            visibility=answer.visibility, message_id=message.message_id,
        )


async def replied_prompt(update: Update, context: BotContext) -> Prompt | None:
    """The group question a message replies to: the question itself (any
    copy of it) in a group, or its private copy in a private chat."""
    message = update.effective_message
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return None
    prompts = context.store.prompts
    if not is_group(message.chat):
        return await prompts.by_private_message(message.chat.id, replied.message_id)
    prompt = await prompts.by_message(message.chat.id, replied.message_id)
    if prompt is not None:
        return prompt
    # A copy the bot never learned the id of: its own buttons say which question.
    for choice in buttons_of(replied):
        if isinstance(choice, callbacks.Rate | callbacks.Quote):
            return await _copy_of(context, replied, choice.prompt_id)
    return None


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
